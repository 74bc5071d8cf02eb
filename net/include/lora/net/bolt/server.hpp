// lorad's Bolt server: Asio on a few I/O threads (no thread per connection), each
// connection's engine work on a worker pool, answers posted back to the connection.
#pragma once

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
class ConnectionLimiter;
class Metrics;
}  // namespace lora::net

namespace lora::net::bolt {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 7687;  // 0 = any free port; see Server::port()
    unsigned io_threads = 1;
    unsigned worker_threads = 0;  // 0 = 8 x hardware threads, at least 32
    std::string auth_token;       // empty = no authentication
    std::string read_token;       // with auth_token: a credential that may only read
    // Set: Bolt over TLS only (bolt+s://); the TLS handshake must end within
    // handshake_timeout, like the Bolt one.
    std::shared_ptr<boost::asio::ssl::context> tls;
    // Set: the per-address connection limit, shared with the HTTP server.
    std::shared_ptr<ConnectionLimiter> limiter;
    Metrics* metrics = nullptr;  // optional: counts refused connections
    std::chrono::milliseconds handshake_timeout{10000};
    // A client that began a message must finish it within this; a reader must take each
    // write within write_timeout; a connection with no message for idle_timeout is closed.
    std::chrono::milliseconds message_timeout{60000};
    std::chrono::milliseconds write_timeout{30000};
    std::chrono::milliseconds idle_timeout{3600000};
    size_t max_message_bytes = 16u << 20;
};

class Server {
public:
    // The database must outlive the server.
    Server(ServerOptions options, Database& db);
    ~Server();  // stop(0) if still running

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the threads. Throws lora::Error if the address is unusable.
    void start();
    uint16_t port() const;  // the bound port, valid after start()
    const std::string& host() const;

    // Stops accepting, lets running messages finish for up to `grace`, then interrupts the
    // statements still running (their writes roll back) and closes every connection (open
    // transactions roll back). Returns false if work was still running after 2 s more.
    bool stop(std::chrono::milliseconds grace);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace lora::net::bolt
