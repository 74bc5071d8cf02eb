// A blocking Bolt 5 client over one connection (the lora shell's --connect bolt://, lora-bench
// and the tests): handshake, HELLO (+ LOGON from 5.1), RUN and PULL sent together, explicit
// transactions, RESET after a failure. PackStream and chunking are the server's own.
#pragma once

#include <lora/lora.hpp>
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/client_tls.hpp>
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/messages.hpp>
#include <lora/net/remote.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace lora::net::bolt {

using Endpoint = ServerAddress;

// "bolt://HOST[:PORT][/]" or "neo4j://HOST[:PORT][/]" (lorad is its own router, so a
// routing URI reaches the same server), also with "+s" or "+ssc" after the scheme (TLS)
// -> endpoint, port 7687 when omitted. Throws lora::Error (InvalidOption) for another
// scheme, a path or a bad port.
Endpoint parse_bolt_url(std::string_view url);
// The TLS a Bolt URL's scheme asks for (TlsMode::Off for bolt:// and neo4j://).
TlsMode bolt_url_tls(std::string_view url);

struct ClientOptions {
    std::string auth_token;  // sent with the bearer scheme; empty: scheme none
    std::string user_agent = "lora/1";
    // Longest wait for the server's next bytes; 0 = no limit.
    std::chrono::milliseconds timeout{0};
    TlsMode tls = TlsMode::Off;
    std::string ca_file;  // TlsMode::Verified: trust these CAs (PEM) instead of the system's
};

// One connection; not thread-safe. Server failures are thrown as lora::Error (see
// error_of_failure) after the connection is RESET, so it stays usable; connection and
// protocol problems are thrown as DatabaseError.ConnectionFailed / BadResponse.
class Client {
public:
    Client(const Endpoint& endpoint, ClientOptions options);
    ~Client();  // GOODBYE, then close
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Version version() const { return version_; }

    // RUN (with `extra`: bookmarks, tx_timeout, db, ...) and PULL of every record, sent
    // together. Inside a transaction the statement is part of it.
    Result run(const std::string& query, const Params& params = {}, const Map& extra = {});
    void begin(const Map& extra = {});
    // Returns the commit's bookmark.
    std::string commit();
    void rollback();
    bool in_transaction() const { return in_tx_; }
    // The bookmark of the last write or commit on this connection (empty before one).
    const std::string& last_bookmark() const { return bookmark_; }

private:
    struct Reply {
        uint8_t signature = 0;
        Value field;  // the metadata map, or the record's list
    };
    void handshake();
    void send(const std::string& bytes);
    // recv(2) through TLS when it is on: -2 when no data came yet (wait again).
    ssize_t receive(char* buf, size_t size);
    // Waits (poll) until receive() has something, up to `wait_ms` (< 0: no limit).
    int wait_readable(int wait_ms);
    Reply read_reply();
    // Sends one request and returns its SUCCESS's metadata, or throws its failure.
    Map call(Signature s, const std::vector<Value>& fields = {});
    // RESETs the connection (ending a transaction), then throws `failure` as lora::Error.
    [[noreturn]] void reset_and_throw(const Reply& failure);
    [[noreturn]] void failed(const Reply& r);
    [[noreturn]] void connection_error(const std::string& message);

    std::string where_;
    ClientOptions options_;
    Version version_;
    int fd_ = -1;
    std::unique_ptr<TlsChannel> tls_;
    Dechunker dechunker_{size_t{1} << 30};
    std::deque<std::string> received_;
    bool in_tx_ = false;
    std::string bookmark_;
};

// The lora shell's Bolt side of --connect: statements as auto-commit RUNs on one connection
// (made at the first statement).
class BoltRemote : public Remote {
public:
    // `ca_file`: the CA certificates for bolt+s:// and neo4j+s:// (empty: the system's).
    BoltRemote(std::string url, std::string token, std::string ca_file = {});
    ~BoltRemote() override;

    Result execute(const std::string& query, const Params& params = {}) override;
    // Checkpoints are lorad's HTTP admin request: throws NotSupported naming it.
    uint64_t checkpoint() override;
    const std::string& url() const override { return url_; }

private:
    std::string url_;
    Endpoint endpoint_;
    std::string token_;
    std::string ca_file_;
    std::unique_ptr<Client> client_;
};

}  // namespace lora::net::bolt
