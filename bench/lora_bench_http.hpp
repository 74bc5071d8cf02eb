// lora-bench's HTTP side: a small keep-alive HTTP/1.1 client (Boost.Beast, every exchange
// bounded by a deadline) and the `writers --via http` run against a running lorad.
#pragma once

#include "lora_bench_graph.hpp"
#include "lora_bench_writers.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace lora::bench {

struct HttpTarget {
    std::string host;
    uint16_t port = 0;
};

// Parses "http://HOST:PORT" (an optional trailing "/" allowed). Throws lora::Error naming
// the problem for anything else (https, a path, a missing or bad port).
HttpTarget parse_http_url(const std::string& url);

struct HttpReply {
    unsigned status = 0;
    std::string body;
};

// One keep-alive connection; not thread-safe (one per writer thread).
class HttpConnection {
public:
    HttpConnection(const HttpTarget& target, std::string auth_token = {},
                   std::chrono::seconds timeout = std::chrono::seconds(60));
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Sends one request and reads its reply; reconnects once if the server had closed the
    // kept-alive connection. Throws lora::Error on connect/IO failures and timeouts.
    HttpReply request(const std::string& method, const std::string& target,
                      const std::string& body = {});

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Runs the writers transaction over HTTP (config.writers connections, one thread each)
// against the lorad at `url`. fsyncs come from GET /admin/wal/status when it answers.
WritersResult run_writers_http(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token);

// A reader of `reads --via http`: its own keep-alive connection to the lorad at `url`,
// POST /query with the JSON encoding of lorad's API. Errors are thrown as lora::Error.
ReadStatement http_reader(const std::string& url, const std::string& auth_token);

}  // namespace lora::bench
