// Parsing and layering of lorad's settings (TOML file, LORA_* environment, flags).
#include <lora/errors.hpp>
#include <lora/net/config.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace lora::net {

namespace {

[[noreturn]] void bad_option(std::string message) {
    throw errors::invalid_option(std::move(message));
}

uint64_t parse_uint(std::string_view text, std::string_view what) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        bad_option(std::string(what) + ": expected a non-negative integer, got '" +
                   std::string(text) + "'");
    return v;
}

uint32_t parse_u32(std::string_view text, std::string_view what, uint32_t max) {
    uint64_t v = parse_uint(text, what);
    if (v > max)
        bad_option(std::string(what) + ": " + std::string(text) + " is larger than " +
                   std::to_string(max));
    return static_cast<uint32_t>(v);
}

}  // namespace

std::pair<std::string, uint16_t> parse_host_port(std::string_view text) {
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            bad_option("address '" + std::string(text) + "' must look like [V6ADDR]:PORT");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            bad_option("address '" + std::string(text) + "' must look like HOST:PORT");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty()) bad_option("address '" + std::string(text) + "' has no host");
    uint32_t p = parse_u32(port, "port", 65535);
    return {std::string(host), static_cast<uint16_t>(p)};
}

uint64_t parse_size(std::string_view text) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    uint64_t n = parse_uint(text.substr(0, digits), "size");
    std::string unit(text.substr(digits));
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    uint64_t mult = 0;
    if (unit.empty() || unit == "b")
        mult = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib")
        mult = 1ull << 10;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        mult = 1ull << 20;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        mult = 1ull << 30;
    else
        bad_option("size '" + std::string(text) + "': unknown unit (use B, KiB, MiB or GiB)");
    if (n > std::numeric_limits<uint64_t>::max() / mult)
        bad_option("size '" + std::string(text) + "' is too large");
    return n * mult;
}

const std::vector<std::pair<std::string, std::string>>& DaemonConfig::env_names() {
    static const std::vector<std::pair<std::string, std::string>> names = {
        {"data", "LORA_DATA"},
        {"http", "LORA_HTTP"},
        {"bolt", "LORA_BOLT"},
        {"shards", "LORA_SHARDS"},
        {"sync", "LORA_SYNC"},
        {"auth-token", "LORA_AUTH_TOKEN"},
        {"read-token", "LORA_READ_TOKEN"},
        {"tls-cert", "LORA_TLS_CERT"},
        {"tls-key", "LORA_TLS_KEY"},
        {"max-connections-per-client", "LORA_MAX_CONNECTIONS_PER_CLIENT"},
        {"max-request-bytes", "LORA_MAX_REQUEST_BYTES"},
        {"query-timeout-ms", "LORA_QUERY_TIMEOUT_MS"},
        {"memory-limit", "LORA_MEMORY_LIMIT"},
        {"query-memory-limit", "LORA_QUERY_MEMORY_LIMIT"},
        {"log-level", "LORA_LOG_LEVEL"},
        {"io-threads", "LORA_IO_THREADS"},
        {"query-threads", "LORA_QUERY_THREADS"},
        {"snapshot-dir", "LORA_SNAPSHOT_DIR"},
        {"import-dir", "LORA_IMPORT_DIR"},
        {"shutdown-grace-ms", "LORA_SHUTDOWN_GRACE_MS"},
        {"tx-idle-timeout-ms", "LORA_TX_IDLE_TIMEOUT_MS"},
        {"max-transactions", "LORA_MAX_TRANSACTIONS"},
    };
    return names;
}

const std::vector<std::string>& DaemonConfig::keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& [key, env] : env_names()) k.push_back(key);
        return k;
    }();
    return keys;
}

void DaemonConfig::set(std::string_view key, std::string_view value, std::string_view source) {
    std::string what = std::string(source) + " " + std::string(key);
    try {
        if (key == "data") {
            if (value.empty()) bad_option("empty directory");
            data_dir = value;
        } else if (key == "http") {
            parse_host_port(value);
            http = value;
        } else if (key == "bolt") {
            if (value != "off") parse_host_port(value);
            bolt = value;
        } else if (key == "shards") {
            shards = parse_u32(value, "shards", 4096);
        } else if (key == "sync") {
            bool ok = value == "per-commit" || value == "none";
            if (!ok && value.substr(0, 9) == "interval:") {
                uint64_t ms = parse_uint(value.substr(9), "interval");
                ok = ms > 0;
            }
            if (!ok)
                bad_option("'" + std::string(value) +
                           "' is not a sync mode (per-commit, interval:<ms>, none)");
            sync = value;
        } else if (key == "auth-token") {
            auth_token = value;
        } else if (key == "read-token") {
            read_token = value;
        } else if (key == "tls-cert") {
            if (value.empty()) bad_option("empty file name");
            tls_cert = value;
        } else if (key == "tls-key") {
            if (value.empty()) bad_option("empty file name");
            tls_key = value;
        } else if (key == "max-connections-per-client") {
            max_connections_per_client = parse_u32(value, "connections", 1u << 24);
        } else if (key == "max-request-bytes") {
            max_request_bytes = parse_size(value);
            if (max_request_bytes == 0) bad_option("must be at least 1 byte");
        } else if (key == "query-timeout-ms") {
            query_timeout_ms = parse_uint(value, "milliseconds");
        } else if (key == "memory-limit") {
            memory_limit = value == "auto" ? ~uint64_t{0} : parse_size(value);
        } else if (key == "query-memory-limit") {
            query_memory_limit = parse_size(value);
        } else if (key == "log-level") {
            static const std::vector<std::string_view> levels = {
                "trace", "debug", "info", "warn", "error", "critical", "off"};
            if (std::find(levels.begin(), levels.end(), value) == levels.end())
                bad_option("'" + std::string(value) +
                           "' is not a log level (trace, debug, info, warn, error, critical, off)");
            log_level = value;
        } else if (key == "io-threads") {
            io_threads = parse_u32(value, "threads", 256);
            if (io_threads == 0) bad_option("must be at least 1");
        } else if (key == "query-threads") {
            query_threads = parse_u32(value, "threads", 4096);
        } else if (key == "snapshot-dir") {
            if (value.empty()) bad_option("empty directory");
            snapshot_dir = value;
        } else if (key == "import-dir") {
            if (value.empty()) bad_option("empty directory");
            import_dir = value;
        } else if (key == "shutdown-grace-ms") {
            shutdown_grace_ms = parse_uint(value, "milliseconds");
        } else if (key == "tx-idle-timeout-ms") {
            // 0 would mean "never", and an abandoned transaction holds checkpoints back forever.
            uint64_t ms = parse_uint(value, "milliseconds");
            if (ms == 0) bad_option("must be at least 1");
            if (ms > (1ull << 40)) bad_option("is too large");
            tx_idle_timeout_ms = ms;
        } else if (key == "max-transactions") {
            max_transactions = parse_u32(value, "transactions", 1u << 24);
            if (max_transactions == 0) bad_option("must be at least 1");
        } else {
            bad_option("unknown option");
        }
    } catch (const Error& e) {
        bad_option(what + ": " + e.message());
    }
}

void DaemonConfig::check() const {
    if (tls_cert.empty() != tls_key.empty())
        bad_option(tls_cert.empty() ? "--tls-key is set without --tls-cert (give both or neither)"
                                    : "--tls-cert is set without --tls-key (give both or neither)");
    if (!read_token.empty() && auth_token.empty())
        bad_option(
            "--read-token needs --auth-token: without it every client has full access anyway");
    if (!read_token.empty() && read_token == auth_token)
        bad_option("--read-token must differ from --auth-token");
}

std::string DaemonConfig::effective_snapshot_dir() const {
    if (!snapshot_dir.empty()) return snapshot_dir;
    return data_dir + "/snapshots";
}

void DaemonConfig::apply_toml_file(const std::string& path) {
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        bad_option("config file " + path + ":" + std::to_string(at.line) + ":" +
                   std::to_string(at.column) + ": " + std::string(e.description()));
    }
    std::string source = "config file " + path + ":";
    for (const auto& [k, node] : table) {
        std::string key(k.str());
        std::string text;
        if (auto s = node.value_exact<std::string>())
            text = *s;
        else if (auto i = node.value_exact<int64_t>()) {
            if (*i < 0) bad_option(source + " " + key + ": must not be negative");
            text = std::to_string(*i);
        } else {
            bad_option(source + " " + key + ": expected a string or an integer");
        }
        set(key, text, source);
    }
}

void DaemonConfig::apply_env(const std::function<const char*(const char*)>& get_env) {
    for (const auto& [key, env] : env_names()) {
        const char* v = get_env(env.c_str());
        if (v && *v) set(key, v, "$" + env + " as");
    }
}

}  // namespace lora::net
