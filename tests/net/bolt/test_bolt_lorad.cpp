// lorad's Bolt port over real sockets with a raw client (both handshakes, pipelined
// messages answered together, bytes that are not Bolt closing only their connection) and
// with lora_net's Bolt client (values, transactions, errors, bookmarks across connections).
#include "net/bolt/raw_client.hpp"
#include "net/net_support.hpp"

#include <lora/net/bolt/client.hpp>

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
    auto r = run_process(lora::test::kLorad, {"--http", "127.0.0.1:0", "--bolt", "nowhere"});
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

namespace {

net::bolt::Client client_of(const Lorad& d, const std::string& token = {}) {
    net::bolt::ClientOptions o;
    o.auth_token = token;
    o.timeout = std::chrono::seconds(30);
    return net::bolt::Client(net::bolt::Endpoint{"127.0.0.1", d.bolt_port()}, o);
}

}  // namespace

TEST_CASE("bolt client: results, graph values, transactions and errors", "[bolt][lorad][client]") {
    Lorad d({"--shards", "2"});
    auto c = client_of(d);
    CHECK(c.version() == net::bolt::Version{5, 8});
    Result w =
        c.run("CREATE (a:P {name: $n})-[:R {w: 2}]->(b:P {name: 'b'})", Map{{"n", Value("a")}});
    CHECK(w.stats.nodes_created == 2);
    CHECK(w.stats.relationships_created == 1);
    CHECK(c.last_bookmark().rfind("lora:", 0) == 0);

    Result r = c.run("MATCH p = (a:P {name: 'a'})-[r:R]->(b) RETURN a, r, p, b.name AS name");
    CHECK(r.columns == std::vector<std::string>{"a", "r", "p", "name"});
    REQUIRE(r.rows.size() == 1);
    const Node& a = r.rows[0][0].as_node();
    CHECK(a.data->labels == std::vector<std::string>{"P"});
    CHECK(a.data->properties.at("name") == Value("a"));
    const Relationship& rel = r.rows[0][1].as_relationship();
    CHECK(rel.start == a.id);
    CHECK(rel.data->type == "R");
    const Path& p = r.rows[0][2].as_path();
    REQUIRE(p.rels.size() == 1);
    CHECK(p.rels[0].id == rel.id);
    CHECK(p.nodes[1].data->properties.at("name") == Value("b"));
    CHECK(r.rows[0][3] == Value("b"));

    // An error comes back as lora's own error (code, class, message), and the connection
    // goes on.
    try {
        c.run("RETURN nope");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.error_class() == ErrorClass::Semantic);  // as the engine classes it
        CHECK(e.code() == "SyntaxError.UndefinedVariable");
        CHECK(e.message() == "Variable `nope` not defined (line 1, column 8)");
    }
    try {
        c.run("RETURN (");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.error_class() == ErrorClass::Syntax);
        CHECK(e.type() == "SyntaxError");
    }
    CHECK(c.run("RETURN 1 AS x").rows.at(0).at(0) == Value(1));

    c.begin();
    c.run("CREATE (:T {v: 1})");
    c.rollback();
    c.begin();
    c.run("CREATE (:T {v: 2})");
    CHECK(c.commit().rfind("lora:", 0) == 0);
    // A failed statement ends the transaction; the client RESETs.
    c.begin();
    c.run("CREATE (:T {v: 3})");
    CHECK_THROWS_AS(c.run("RETURN 1/0"), Error);
    CHECK_FALSE(c.in_transaction());
    CHECK(c.run("MATCH (t:T) RETURN collect(t.v) AS v").rows.at(0).at(0) == Value(List{Value(2)}));
}

TEST_CASE("bolt client: a write's bookmark makes another connection see it",
          "[bolt][lorad][client]") {
    Lorad d({"--shards", "2"});
    auto a = client_of(d);
    auto b = client_of(d);
    for (int i = 1; i <= 20; ++i) {
        a.run("CREATE (:K {i: $i})", Map{{"i", Value(i)}});
        const std::string bm = a.last_bookmark();
        Result r = b.run("MATCH (k:K) RETURN max(k.i) AS m", {},
                         Map{{"bookmarks", Value(List{Value(bm)})}});
        CHECK(r.rows.at(0).at(0) == Value(i));
        b.begin(Map{{"bookmarks", Value(List{Value(bm)})}});
        CHECK(b.run("MATCH (k:K) RETURN count(k) AS n").rows.at(0).at(0) == Value(i));
        b.commit();
    }
    try {
        b.run("RETURN 1", {}, Map{{"bookmarks", Value(List{Value("not-a-bookmark")})}});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.error_class() == ErrorClass::Semantic);
        CHECK(e.detail() == "InvalidBookmark");
    }
    CHECK(b.run("RETURN 2 AS x").rows.at(0).at(0) == Value(2));
}

TEST_CASE("bolt client: refused credentials and a closed port", "[bolt][lorad][client]") {
    Lorad d({"--auth-token", "s3cret"});
    CHECK_THROWS_AS(client_of(d), Error);
    try {
        client_of(d, "wrong");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.detail() == "Unauthorized");
    }
    CHECK(client_of(d, "s3cret").run("RETURN 1 AS x").rows.size() == 1);
    const uint16_t port = d.bolt_port();
    CHECK(d.stop() == 0);
    try {
        net::bolt::Client(net::bolt::Endpoint{"127.0.0.1", port}, {});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.detail() == "ConnectionFailed");
    }
}

TEST_CASE("lorad bolt: RESET behind a long PULL cancels it", "[bolt][lorad]") {
    Lorad d({"--shards", "2"});
    RawBolt c(d.bolt_port());
    handshake_58(c);
    hello_logon(c);
    c.send_message(kRun, {Value("UNWIND range(1, 1000000000) AS i WITH i WHERE i < 0 RETURN i"),
                          Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto head = c.replies(1);
    REQUIRE(head.size() == 1);
    CHECK(head[0].success());
    c.send_message(kReset, {});
    auto r = c.replies(2);
    REQUIRE(r.size() == 2);
    CHECK((r[0].ignored() || r[0].failure()));
    CHECK(r[1].success());
    c.send_message(kRun, {Value("RETURN 7 AS x"), Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto after = c.replies(3);
    REQUIRE(after.size() == 3);
    CHECK(after[1].field == Value(List{Value(7)}));
}
