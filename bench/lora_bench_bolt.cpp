// lora-bench writers --via bolt: each writer thread owns one Bolt connection (blocking
// POSIX socket, poll() deadlines); PackStream and chunking are lorad's own (lora_net).
#include "lora_bench_bolt.hpp"
#include "lora_bench_remote.hpp"

#include <lora/errors.hpp>
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/packstream.hpp>

#include <charconv>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lora::bench {

namespace {

namespace bolt = lora::net::bolt;
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& message) { throw errors::database("Bolt", message); }

constexpr uint8_t kHello = 0x01, kReset = 0x0F, kRun = 0x10, kPull = 0x3F, kLogon = 0x6A;
constexpr uint8_t kSuccess = 0x70, kRecord = 0x71, kFailure = 0x7F;

std::string message(uint8_t sig, const std::vector<Value>& fields) {
    std::string body;
    bolt::Encoder e(body, true);
    e.struct_header(sig, static_cast<uint8_t>(fields.size()));
    for (const auto& f : fields) e.value(f);
    std::string wire;
    bolt::append_chunked(wire, body);
    return wire;
}

}  // namespace

struct BoltConnection::Reply {
    uint8_t signature = 0;
    Value field;
};

BoltTarget parse_bolt_url(const std::string& url) {
    constexpr std::string_view kScheme = "bolt://";
    if (url.rfind(kScheme, 0) != 0) fail("--url must start with bolt://, got '" + url + "'");
    std::string rest = url.substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    auto colon = rest.rfind(':');
    if (rest.find('/') != std::string::npos)
        fail("--url must be bolt://HOST:PORT without a path, got '" + url + "'");
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
        fail("--url needs a host and a port, as in bolt://127.0.0.1:7687, got '" + url + "'");
    BoltTarget t;
    t.host = rest.substr(0, colon);
    std::string port = rest.substr(colon + 1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
        fail("--url has a bad port '" + port + "' (1..65535)");
    t.port = static_cast<uint16_t>(p);
    return t;
}

BoltConnection::BoltConnection(const BoltTarget& target, const std::string& auth_token,
                               std::chrono::seconds timeout)
    : target_(target), timeout_(timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string where = target.host + ":" + std::to_string(target.port);
    if (getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found) != 0)
        fail("cannot resolve " + target.host);
    for (addrinfo* a = found; a && fd_ < 0; a = a->ai_next) {
        fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    freeaddrinfo(found);
    if (fd_ < 0) fail("cannot connect to " + where);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    // Handshake: Bolt 5.8 down to 5.0.
    send(std::string("\x60\x60\xB0\x17\x00\x08\x08\x05", 8) + std::string(12, '\0'));
    std::string answer;
    while (answer.size() < 4) {
        char buf[4];
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(timeout_.count() * 1000)) <= 0)
            fail("no handshake answer from " + where);
        ssize_t n = ::recv(fd_, buf, 4 - answer.size(), 0);
        if (n <= 0) fail(where + " closed the connection during the handshake");
        answer.append(buf, static_cast<size_t>(n));
    }
    if (answer[3] != 5) fail(where + " speaks no Bolt 5 version");

    Map auth{{"scheme", Value("none")}};
    if (!auth_token.empty())
        auth = Map{{"scheme", Value("basic")},
                   {"principal", Value("lora-bench")},
                   {"credentials", Value(auth_token)}};
    send(message(kHello, {Value(Map{{"user_agent", Value("lora-bench/1")}})}) +
         message(kLogon, {Value(auth)}));
    for (int i = 0; i < 2; ++i) {
        Reply r = read_reply();
        if (r.signature != kSuccess) {
            std::string text = r.field.is_map() && r.field.as_map().count("message")
                                   ? r.field.as_map().at("message").to_string()
                                   : "refused";
            fail(where + " refused HELLO/LOGON: " + text);
        }
    }
}

BoltConnection::~BoltConnection() {
    if (fd_ >= 0) ::close(fd_);
}

void BoltConnection::send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) fail("writing to " + target_.host + " failed");
        off += static_cast<size_t>(n);
    }
}

BoltConnection::Reply BoltConnection::read_reply() {
    const auto deadline = Clock::now() + timeout_;
    while (received_.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
            fail("no answer from " + target_.host + " within " + std::to_string(timeout_.count()) +
                 " s");
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) fail(target_.host + " closed the connection");
        try {
            dechunker_.feed(std::string_view(buf, static_cast<size_t>(n)), received_);
        } catch (const std::exception& e) {
            fail(std::string("bad framing from the server: ") + e.what());
        }
    }
    const std::string m = std::move(received_.front());
    received_.pop_front();
    Reply r;
    try {
        bolt::Decoder dec(m);
        size_t fields = 0;
        r.signature = dec.struct_header(fields);
        if (fields == 1) r.field = dec.value();
    } catch (const std::exception& e) {
        fail(std::string("a reply does not decode: ") + e.what());
    }
    return r;
}

BoltOutcome BoltConnection::run(const std::string& query, const Map& params) {
    send(message(kRun, {Value(query), Value(params), Value(Map{})}) +
         message(kPull, {Value(Map{{"n", Value(int64_t{-1})}})}));
    BoltOutcome out;
    bool failed = false;
    for (int summaries = 0; summaries < 2;) {
        Reply r = read_reply();
        if (r.signature == kRecord) {
            out.records.push_back(r.field.as_list());
            continue;
        }
        ++summaries;
        if (r.signature == kFailure && !failed) {
            failed = true;
            const Map& m = r.field.as_map();
            auto code = m.find("neo4j_code");
            if (code == m.end()) code = m.find("code");
            out.code = code == m.end() ? "?" : code->second.as_string();
            if (auto msg = m.find("message"); msg != m.end()) out.message = msg->second.as_string();
        }
    }
    if (failed) {
        send(message(kReset, {}));
        if (read_reply().signature != kSuccess) fail("RESET was not answered SUCCESS");
    }
    return out;
}

namespace {

class BoltWriter : public RemoteWriter {
public:
    BoltWriter(const BoltTarget& target, const std::string& token) : conn_(target, token) {}
    Outcome commit(uint32_t w, uint64_t s, std::string& error) override {
        BoltOutcome o = conn_.run(kWriteQuery, Map{{"w", Value(static_cast<int64_t>(w))},
                                                   {"s", Value(static_cast<int64_t>(s))}});
        if (o.code.empty()) return Outcome::Committed;
        if (o.code.rfind("Neo.TransientError.", 0) == 0) return Outcome::Retry;
        error = o.code + ": " + o.message;
        return Outcome::Failed;
    }

private:
    BoltConnection conn_;
};

}  // namespace

WritersResult run_writers_bolt(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token) {
    const BoltTarget target = parse_bolt_url(url);
    BoltConnection control(target, auth_token);
    RemoteControl rc;
    rc.connect = [&] { return std::make_unique<BoltWriter>(target, auth_token); };
    rc.wal = [] { return WalFigures{}; };
    rc.count_relationships = [&] {
        BoltOutcome o = control.run("MATCH (:W)-[r:R]->(:W) RETURN count(r) AS c", {});
        if (!o.code.empty() || o.records.empty())
            fail("counting relationships failed: " + o.code + " " + o.message);
        return o.records.at(0).at(0).as_int();
    };
    return run_writers_remote(config, "bolt", rc);
}

}  // namespace lora::bench
