// lorad's HTTP/JSON server: Boost.Beast on a fixed pool of I/O threads, queries on a separate
// bounded worker pool so a slow query never stalls other connections.
#pragma once

#include <lora/net/connection_limit.hpp>
#include <lora/net/metrics.hpp>
#include <lora/net/router.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace lora {
class Database;
}
namespace boost::asio::ssl {
class context;
}

namespace lora::net {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 4747;  // 0 = any free port; see HttpServer::port()
    unsigned io_threads = 2;
    unsigned query_threads = 0;                  // 0 = 8 x hardware threads, at least 32
    size_t max_request_bytes = 16u << 20;        // larger bodies get 413
    std::chrono::milliseconds query_timeout{0};  // 0 = none; else 504 and cancel when it passes
    std::chrono::milliseconds header_timeout{10000};  // slow or idle clients are dropped
    std::chrono::milliseconds body_timeout{60000};
    size_t max_pending_queries = 4096;  // queued + running; beyond it 503
    std::string auth_token;             // empty = no authentication
    std::string read_token;             // with auth_token: a credential that may only read
    // Set: HTTPS only (make_server_tls_context); a handshake must end within header_timeout.
    std::shared_ptr<boost::asio::ssl::context> tls;
    // Set: the per-address connection limit, shared with the Bolt server.
    std::shared_ptr<ConnectionLimiter> limiter;
};

// Adds the routes of this build: POST /query, /query/stream, /explain, /profile, GET /health,
// GET /metrics.
void add_standard_routes(Router& router, Database& db, Metrics& metrics);

class HttpServer {
public:
    // The router must outlive the server. Handlers run concurrently on the worker pool.
    HttpServer(ServerOptions options, const Router& router, Metrics& metrics);
    ~HttpServer();  // stop(0) if still running

    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds, listens and starts the threads. Throws lora::Error if the address is unusable.
    void start();
    // The bound port (the real one when options.port was 0). Valid after start().
    uint16_t port() const;
    const std::string& host() const;

    // Stops accepting, waits up to `grace` for in-flight requests, then cancels the queries
    // still running (their writes roll back) and waits up to 2 s more, then stops the I/O
    // threads. Returns false if requests or queries were still running after that (the
    // worker pool is then left to the process exit).
    bool stop(std::chrono::milliseconds grace);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace lora::net
