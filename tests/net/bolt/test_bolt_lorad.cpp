// lorad's Bolt port over real sockets with a raw client: both handshakes, pipelined
// messages answered together, and bytes that are not Bolt closing only their connection.
#include "net/bolt/session_driver.hpp"
#include "net/net_support.hpp"

#include <lora/net/bolt/chunking.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace lora;
using namespace lora::test;

namespace {

// A blocking Bolt client whose every read has a deadline.
class RawBolt {
public:
    explicit RawBolt(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect failed");
    }
    ~RawBolt() { close(fd_); }

    void send(const std::string& bytes) {
        size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            off += static_cast<size_t>(n);
        }
    }
    void send_message(uint8_t sig, std::vector<Value> fields) {
        std::string wire;
        net::bolt::append_chunked(wire, bolt_message(sig, std::move(fields)));
        send(wire);
    }
    // Exactly n bytes, or fewer if the server closed (or 10 s passed).
    std::string read(size_t n) {
        std::string out;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[65536];
            ssize_t got = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
            if (got <= 0) break;
            out.append(buf, static_cast<size_t>(got));
        }
        return out;
    }
    // The next `count` replies.
    std::vector<BoltReply> replies(size_t count) {
        std::string wire;
        size_t seen = 0;
        while (seen < count) {
            std::string hdr = read(2);
            if (hdr.size() < 2) break;
            size_t n = (static_cast<uint8_t>(hdr[0]) << 8) | static_cast<uint8_t>(hdr[1]);
            wire += hdr;
            if (n == 0) {
                ++seen;
                continue;
            }
            wire += read(n);
        }
        return parse_replies(wire);
    }
    // True when the server closed the connection (a read sees EOF within 10 s).
    bool closed_by_server() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
            if (got <= 0) return true;
        }
        return false;
    }

private:
    int fd_ = -1;
};

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s.push_back(static_cast<char>(x));
    return s;
}

const std::string kMagic = bytes({0x60, 0x60, 0xB0, 0x17});

void hello_logon(RawBolt& c, const Map& auth = {{"scheme", Value("none")}}) {
    c.send_message(kHello, {Value(Map{{"user_agent", Value("raw/1")}})});
    c.send_message(kLogon, {Value(auth)});
    auto r = c.replies(2);
    REQUIRE(r.size() == 2);
    REQUIRE(r[0].success());
    REQUIRE(r[1].success());
}

}  // namespace

TEST_CASE("lorad bolt: classic handshake, pipelined RUN + PULL", "[bolt][lorad]") {
    Lorad d({"--shards", "2"});
    REQUIRE(d.bolt_port() != 0);
    RawBolt c(d.bolt_port());
    c.send(kMagic + bytes({0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}));
    CHECK(c.read(4) == bytes({0, 0, 8, 5}));
    hello_logon(c);
    // RUN and PULL in one write: both answered, no round trip between them.
    std::string wire;
    net::bolt::append_chunked(wire, bolt_message(kRun, {Value("UNWIND range(1, 3) AS i RETURN i"),
                                                        Value(Map{}), Value(Map{})}));
    net::bolt::append_chunked(wire, bolt_message(kPull, {Value(pull_n(-1))}));
    c.send(wire);
    auto r = c.replies(5);
    REQUIRE(r.size() == 5);
    CHECK(r[0].success());
    CHECK(r[1].field == Value(List{Value(1)}));
    CHECK(r[3].field == Value(List{Value(3)}));
    CHECK(r[4].success());
    c.send_message(kGoodbye, {});
    CHECK(c.closed_by_server());
}

TEST_CASE("lorad bolt: manifest v1 handshake", "[bolt][lorad]") {
    Lorad d({});
    RawBolt c(d.bolt_port());
    c.send(kMagic + bytes({0, 0, 1, 255, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3}));
    CHECK(c.read(14) == bytes({0, 0, 1, 255, 2, 0, 8, 8, 5, 0, 0, 4, 4, 0}));
    c.send(bytes({0, 0, 4, 4, 0}));  // pick 4.4, no capabilities
    // Bolt 4.4: credentials in HELLO, no LOGON.
    c.send_message(kHello, {Value(Map{{"scheme", Value("none")}})});
    auto h = c.replies(1);
    REQUIRE(h.size() == 1);
    CHECK(h[0].success());
    c.send_message(kRun, {Value("RETURN 41 + 1 AS x"), Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto r = c.replies(3);
    REQUIRE(r.size() == 3);
    CHECK(r[1].field == Value(List{Value(42)}));
}

TEST_CASE("lorad bolt: bad bytes close only their connection", "[bolt][lorad]") {
    Lorad d({});
    {
        RawBolt wrong(d.bolt_port());
        wrong.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(wrong.closed_by_server());
    }
    {
        RawBolt old(d.bolt_port());
        old.send(kMagic + bytes({0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0}));
        CHECK(old.read(4) == bytes({0, 0, 0, 0}));
        CHECK(old.closed_by_server());
    }
    {
        RawBolt garbage(d.bolt_port());
        garbage.send(kMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        garbage.read(4);
        hello_logon(garbage);
        garbage.send(bytes({0x00, 0x03, 0xB1, 0x10, 0xC7, 0x00, 0x00}));  // reserved marker
        auto r = garbage.replies(1);
        REQUIRE(r.size() == 1);
        CHECK(r[0].code() == "Neo.ClientError.Request.Invalid");
        CHECK(garbage.closed_by_server());
    }
    {
        // A chunk that claims more than it sends, then silence: the server keeps waiting
        // (message timeout) without harm; closing the client is fine.
        RawBolt truncated(d.bolt_port());
        truncated.send(kMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        truncated.read(4);
        truncated.send(bytes({0xFF, 0xFF, 0xB1}));
    }
    // The server still serves.
    RawBolt ok(d.bolt_port());
    ok.send(kMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    CHECK(ok.read(4) == bytes({0, 0, 8, 5}));
    hello_logon(ok);
    ok.send_message(kRun, {Value("RETURN 1"), Value(Map{}), Value(Map{})});
    ok.send_message(kPull, {Value(pull_n(-1))});
    CHECK(ok.replies(3).size() == 3);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad bolt: --auth-token, --bolt off and bad addresses", "[bolt][lorad]") {
    {
        Lorad d({"--auth-token", "s3cret"});
        RawBolt c(d.bolt_port());
        c.send(kMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        c.read(4);
        c.send_message(kHello, {Value(Map{})});
        c.send_message(kLogon, {Value(Map{{"scheme", Value("basic")},
                                          {"principal", Value("x")},
                                          {"credentials", Value("wrong")}})});
        auto r = c.replies(2);
        REQUIRE(r.size() == 2);
        CHECK(r[1].code() == "Neo.ClientError.Security.Unauthorized");
        CHECK(c.closed_by_server());
        RawBolt good(d.bolt_port());
        good.send(kMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        good.read(4);
        hello_logon(good, {{"scheme", Value("basic")},
                           {"principal", Value("x")},
                           {"credentials", Value("s3cret")}});
    }
    {
        Lorad off({"--bolt", "off"});
        CHECK(off.bolt_port() == 0);
    }
    {
        Lorad env({}, {{"LORA_BOLT", "127.0.0.1:0"}});
        CHECK(env.bolt_port() != 0);
    }
    auto r =
        run_process(LORA_BINARY_DIR "/tools/lorad", {"--http", "127.0.0.1:0", "--bolt", "nowhere"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("bolt") != std::string::npos);
}
