// lorad's settings and where they come from: flag > environment (LORA_*) > TOML file > default.
// Every source goes through DaemonConfig::set, so a bad value gets the same error wherever
// it was written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lora::net {

struct DaemonConfig {
    std::string data_dir = "./lora-data";
    std::string http = "127.0.0.1:4747";
    std::string bolt = "127.0.0.1:7687";  // "off": no Bolt server
    uint32_t shards = 0;                  // 0 = hardware threads
    std::string sync = "per-commit";
    std::string auth_token;
    // A second credential that may only read (Security.Forbidden for any change); empty = none.
    std::string read_token;
    // Both or neither: the HTTP and Bolt listeners then speak TLS only.
    std::string tls_cert;
    std::string tls_key;
    // Open connections (HTTP and Bolt together) one client address may hold; 0 = no limit.
    uint32_t max_connections_per_client = 256;
    uint64_t max_request_bytes = 16u << 20;
    uint64_t query_timeout_ms = 0;  // 0 = no limit
    // lora::Options::memory_limit (all queries; ~0 = auto, 0 = none) and query_memory_limit.
    uint64_t memory_limit = ~uint64_t{0};
    uint64_t query_memory_limit = 0;
    std::string log_level = "info";
    uint32_t io_threads = 2;
    uint32_t query_threads = 0;  // 0 = 8 x hardware threads, at least 32
    // Where the snapshot admin routes read and write; empty = <data_dir>/snapshots.
    std::string snapshot_dir;
    // Where LOAD CSV reads file:/// URLs; empty = <data_dir>/import.
    std::string import_dir;
    // How long SIGTERM waits for in-flight requests before giving up on them.
    uint64_t shutdown_grace_ms = 10000;
    // An explicit transaction with no request for this long is rolled back (at least 1).
    uint64_t tx_idle_timeout_ms = 30000;
    // Open explicit transactions beyond this get 503 on POST /tx (at least 1).
    uint32_t max_transactions = 1000;

    // snapshot_dir, or its default under data_dir.
    std::string effective_snapshot_dir() const;

    // Sets the option `key` (the flag name without dashes, e.g. "max-request-bytes") from
    // text. `source` names where the value came from for the error. Throws lora::Error.
    void set(std::string_view key, std::string_view value, std::string_view source);

    // Applies the keys of a TOML file (same names as the flags). Throws lora::Error for an
    // unreadable file, a TOML syntax error, an unknown key or a bad value.
    void apply_toml_file(const std::string& path);

    // Checks the options that depend on each other, once all sources are applied: --tls-cert
    // and --tls-key together, --read-token only with a different --auth-token. Throws
    // lora::Error.
    void check() const;

    // Applies the LORA_* environment variables that are set (non-empty).
    void apply_env(const std::function<const char*(const char*)>& get_env);

    // (option key, environment variable) for every option that has one.
    static const std::vector<std::pair<std::string, std::string>>& env_names();
    // Every option key set() accepts.
    static const std::vector<std::string>& keys();
};

// "HOST:PORT" or "[V6]:PORT" -> (host, port). Throws lora::Error.
std::pair<std::string, uint16_t> parse_host_port(std::string_view text);

// "1048576", "64KiB", "16M", "1GiB" -> bytes. Throws lora::Error.
uint64_t parse_size(std::string_view text);

}  // namespace lora::net
