// lora-bench's Bolt side: a small blocking Bolt 5 client (handshake, HELLO + LOGON, RUN and
// PULL sent together, RESET after a failure; every read bounded by a deadline) and the
// `writers --via bolt` run against a running lorad.
#pragma once

#include "lora_bench_writers.hpp"

#include <lora/net/bolt/chunking.hpp>
#include <lora/value.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace lora::bench {

struct BoltTarget {
    std::string host;
    uint16_t port = 0;
};

// Parses "bolt://HOST:PORT" (an optional trailing "/" allowed). Throws lora::Error naming
// the problem for anything else.
BoltTarget parse_bolt_url(const std::string& url);

struct BoltOutcome {
    std::string code;  // the FAILURE's Neo4j code; empty on success
    std::string message;
    std::vector<std::vector<Value>> records;
};

// One connection; not thread-safe (one per writer thread).
class BoltConnection {
public:
    // Connects and authenticates (basic scheme with the token, or none without one).
    // Throws lora::Error on connect/IO failures, timeouts and refused credentials.
    BoltConnection(const BoltTarget& target, const std::string& auth_token,
                   std::chrono::seconds timeout = std::chrono::seconds(60));
    ~BoltConnection();
    BoltConnection(const BoltConnection&) = delete;
    BoltConnection& operator=(const BoltConnection&) = delete;

    // Runs one auto-commit statement, RUN and PULL in one write. After a failure the
    // connection is RESET, ready for the next statement.
    BoltOutcome run(const std::string& query, const Map& params);

private:
    struct Reply;
    void send(const std::string& bytes);
    Reply read_reply();

    BoltTarget target_;
    std::chrono::seconds timeout_;
    int fd_ = -1;
    net::bolt::Dechunker dechunker_{1u << 30};
    std::deque<std::string> received_;  // whole messages not yet read
};

// Runs the writers transaction over Bolt (config.writers connections, one thread each)
// against the lorad at `url`. The WAL figures are not known over Bolt.
WritersResult run_writers_bolt(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token);

}  // namespace lora::bench
