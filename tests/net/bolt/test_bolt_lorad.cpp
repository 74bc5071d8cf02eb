// lorad's Bolt port over real sockets with a raw client: both handshakes, pipelined
// messages answered together, and bytes that are not Bolt closing only their connection.
#include "net/bolt/raw_client.hpp"
#include "net/net_support.hpp"

using namespace lora;
using namespace lora::test;

TEST_CASE("lorad bolt: classic handshake, pipelined RUN + PULL", "[bolt][lorad]") {
    Lorad d({"--shards", "2"});
    REQUIRE(d.bolt_port() != 0);
    RawBolt c(d.bolt_port());
    c.send(kBoltMagic + bytes({0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}));
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
    c.send(kBoltMagic + bytes({0, 0, 1, 255, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3}));
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
        old.send(kBoltMagic + bytes({0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0}));
        CHECK(old.read(4) == bytes({0, 0, 0, 0}));
        CHECK(old.closed_by_server());
    }
    {
        RawBolt garbage(d.bolt_port());
        garbage.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
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
        truncated.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        truncated.read(4);
        truncated.send(bytes({0xFF, 0xFF, 0xB1}));
    }
    // The server still serves.
    RawBolt ok(d.bolt_port());
    ok.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
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
        c.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
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
        good.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
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

TEST_CASE("lorad bolt: SIGTERM rolls back an open Bolt transaction and exits 0", "[bolt][lorad]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    {
        Lorad d({}, {}, data);
        RawBolt c(d.bolt_port());
        handshake_58(c);
        hello_logon(c);
        c.send_message(kRun, {Value("CREATE (:Kept)"), Value(Map{}), Value(Map{})});
        c.send_message(kPull, {Value(pull_n(-1))});
        REQUIRE(c.replies(2).size() == 2);
        c.send_message(kBegin, {Value(Map{})});
        c.send_message(kRun, {Value("CREATE (:Open)"), Value(Map{}), Value(Map{})});
        c.send_message(kPull, {Value(pull_n(-1))});
        auto r = c.replies(3);
        REQUIRE(r.size() == 3);
        REQUIRE(r[2].success());
        CHECK(d.stop() == 0);
        CHECK(c.closed_by_server());
    }
    Lorad again({}, {}, data);
    RawBolt c(again.bolt_port());
    handshake_58(c);
    hello_logon(c);
    c.send_message(kRun, {Value("MATCH (k:Kept) OPTIONAL MATCH (o:Open) RETURN count(k), count(o)"),
                          Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto r = c.replies(3);
    REQUIRE(r.size() == 3);
    CHECK(r[1].field == Value(List{Value(1), Value(0)}));
}
