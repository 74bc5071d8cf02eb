// Drives a bolt::Session with encoded requests and decodes what it answers, for the state
// machine tests (a real in-memory database, no sockets).
#pragma once

#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/packstream.hpp>
#include <lora/net/bolt/session.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

namespace lora::test {

struct BoltReply {
    uint8_t signature = 0;  // 0x70 SUCCESS, 0x71 RECORD, 0x7E IGNORED, 0x7F FAILURE
    Value field;            // the metadata map, or the record's list (null if it holds entities)
    std::string raw;        // the whole message
    bool success() const { return signature == 0x70; }
    bool record() const { return signature == 0x71; }
    bool ignored() const { return signature == 0x7E; }
    bool failure() const { return signature == 0x7F; }
    const Map& meta() const { return field.as_map(); }
    // The failure's Neo4j code (either field name).
    std::string code() const {
        const Map& m = meta();
        auto it = m.find("neo4j_code");
        if (it == m.end()) it = m.find("code");
        return it == m.end() ? std::string() : it->second.as_string();
    }
};

// Splits a chunked byte stream of responses into replies.
inline std::vector<BoltReply> parse_replies(const std::string& wire) {
    net::bolt::Dechunker d(1u << 30);
    std::deque<std::string> msgs;
    d.feed(wire, msgs);
    std::vector<BoltReply> out;
    for (const auto& m : msgs) {
        net::bolt::Decoder dec(m);
        size_t fields = 0;
        BoltReply r;
        r.signature = dec.struct_header(fields);
        r.raw = m;
        try {
            if (fields == 1) r.field = dec.value();
        } catch (const net::bolt::UnsupportedValue&) {
            // Nodes, relationships and paths: the tests look at r.raw.
        }
        out.push_back(std::move(r));
    }
    return out;
}

inline std::string bolt_message(uint8_t sig, std::vector<Value> fields, bool element_ids = true) {
    std::string out;
    net::bolt::Encoder e(out, element_ids);
    e.struct_header(sig, static_cast<uint8_t>(fields.size()));
    for (const auto& f : fields) e.value(f);
    return out;
}

class CollectSink : public net::bolt::Sink {
public:
    std::string written;
    size_t flushes = 0;
    bool flush() override {
        ++flushes;
        written += buffer;
        buffer.clear();
        return true;
    }
};

class SessionDriver {
public:
    SessionDriver(Database& db, net::bolt::Version v, std::string token = {})
        : session_(db, v, options(std::move(token))) {}

    // Sends one message; returns its replies (records and the summary) and whether the
    // session keeps the connection.
    std::vector<BoltReply> send(uint8_t sig, std::vector<Value> fields = {}) {
        return send_raw(bolt_message(sig, std::move(fields)));
    }
    std::vector<BoltReply> send_raw(const std::string& message) {
        CollectSink sink;
        open = session_.handle(message, sink);
        sink.flush();
        flushes = sink.flushes;
        return parse_replies(sink.written);
    }

    net::bolt::Session& session() { return session_; }
    bool open = true;
    size_t flushes = 0;

private:
    static net::bolt::SessionOptions options(std::string token) {
        net::bolt::SessionOptions o;
        o.auth_token = std::move(token);
        o.connection_id = "bolt-test";
        o.advertised_address = "127.0.0.1:7687";
        return o;
    }
    net::bolt::Session session_;
};

inline constexpr uint8_t kHello = 0x01, kGoodbye = 0x02, kReset = 0x0F, kRun = 0x10, kBegin = 0x11,
                         kCommit = 0x12, kRollback = 0x13, kDiscard = 0x2F, kPull = 0x3F,
                         kTelemetry = 0x54, kRoute = 0x66, kLogon = 0x6A, kLogoff = 0x6B;

inline Map pull_n(int64_t n, int64_t qid = -1) { return Map{{"n", Value(n)}, {"qid", Value(qid)}}; }

}  // namespace lora::test
