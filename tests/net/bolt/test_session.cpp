// The Bolt state machine over a real in-memory database: authentication per version, auto-
// commit results pulled in pieces, explicit transactions, FAILED until RESET with IGNORED
// meanwhile, interrupts, ROUTE, and malformed requests ending the connection.
#include "engine/helpers.hpp"
#include "net/bolt/session_driver.hpp"

#include <lora/lora.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace lora;
using namespace lora::test;
using lora::net::bolt::Version;

namespace {

Map basic(const std::string& password) {
    return Map{{"scheme", Value("basic")},
               {"principal", Value("neo4j")},
               {"credentials", Value(password)}};
}

// A session on 5.8 that said HELLO and LOGON.
void ready(SessionDriver& s) {
    auto h = s.send(kHello, {Value(Map{{"user_agent", Value("test/1")}})});
    REQUIRE(h.size() == 1);
    REQUIRE(h[0].success());
    auto l = s.send(kLogon, {Value(Map{{"scheme", Value("none")}})});
    REQUIRE(l.size() == 1);
    REQUIRE(l[0].success());
}

std::vector<BoltReply> run(SessionDriver& s, const std::string& q, Map params = {},
                           Map extra = {}) {
    return s.send(kRun, {Value(q), Value(std::move(params)), Value(std::move(extra))});
}

}  // namespace

TEST_CASE("bolt session: HELLO answers server agent and connection id", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    auto h = s.send(kHello, {Value(Map{{"user_agent", Value("test/1")}})});
    REQUIRE(h.size() == 1);
    REQUIRE(h[0].success());
    CHECK(h[0].meta().at("server").as_string().rfind("Neo4j/", 0) == 0);
    CHECK(h[0].meta().at("connection_id").as_string() == "bolt-test");
    // Before LOGON nothing else is accepted, and the connection ends.
    auto r = run(s, "RETURN 1");
    REQUIRE(r.size() == 1);
    CHECK(r[0].failure());
    CHECK_FALSE(s.open);
}

TEST_CASE("bolt session: the first message must be HELLO", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    auto r = run(s, "RETURN 1");
    REQUIRE(r.size() == 1);
    CHECK(r[0].code() == "Neo.ClientError.Request.Invalid");
    CHECK_FALSE(s.open);
}

TEST_CASE("bolt session: auth token on LOGON (5.1+) and HELLO (4.4, 5.0)", "[bolt][session]") {
    auto db = open_db(2);
    {
        SessionDriver s(*db, Version{5, 8}, "s3cret");
        s.send(kHello, {Value(Map{})});
        auto bad = s.send(kLogon, {Value(basic("wrong"))});
        REQUIRE(bad.size() == 1);
        CHECK(bad[0].code() == "Neo.ClientError.Security.Unauthorized");
        CHECK_FALSE(s.open);
    }
    {
        SessionDriver s(*db, Version{5, 8}, "s3cret");
        s.send(kHello, {Value(Map{})});
        auto none = s.send(kLogon, {Value(Map{{"scheme", Value("none")}})});
        CHECK(none[0].code() == "Neo.ClientError.Security.Unauthorized");
    }
    {
        SessionDriver s(*db, Version{5, 8}, "s3cret");
        s.send(kHello, {Value(Map{})});
        CHECK(s.send(kLogon, {Value(basic("s3cret"))})[0].success());
        CHECK(run(s, "RETURN 1")[0].success());
        // LOGOFF: back to needing LOGON.
        s.send(kPull, {Value(pull_n(-1))});
        CHECK(s.send(kLogoff)[0].success());
        CHECK(run(s, "RETURN 1")[0].failure());
    }
    {
        SessionDriver s(*db, Version{5, 8}, "s3cret");
        s.send(kHello, {Value(Map{})});
        CHECK(s.send(kLogon,
                     {Value(Map{{"scheme", Value("bearer")}, {"credentials", Value("s3cret")}})})[0]
                  .success());
    }
    {
        SessionDriver s(*db, Version{4, 4}, "s3cret");
        Map hello = basic("s3cret");
        hello["user_agent"] = Value("test/1");
        CHECK(s.send(kHello, {Value(hello)})[0].success());
        CHECK(run(s, "RETURN 1")[0].success());
    }
    {
        SessionDriver s(*db, Version{5, 0}, "s3cret");
        auto r = s.send(kHello, {Value(basic("nope"))});
        CHECK(r[0].code() == "Neo.ClientError.Security.Unauthorized");
        CHECK_FALSE(s.open);
    }
}

TEST_CASE("bolt session: auto-commit RUN, PULL in pieces, summary", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    auto r = run(s, "UNWIND range(1, $n) AS i RETURN i, i * 2 AS double", {{"n", Value(10)}});
    REQUIRE(r.size() == 1);
    REQUIRE(r[0].success());
    CHECK(r[0].meta().at("fields") == Value(List{Value("i"), Value("double")}));
    CHECK(r[0].meta().count("t_first") == 1);

    auto p = s.send(kPull, {Value(pull_n(4))});
    REQUIRE(p.size() == 5);
    for (int i = 0; i < 4; ++i) {
        CHECK(p[i].record());
        CHECK(p[i].field == Value(List{Value(i + 1), Value(2 * (i + 1))}));
    }
    CHECK(p[4].meta().at("has_more").as_bool());
    p = s.send(kPull, {Value(pull_n(6))});
    REQUIRE(p.size() == 7);
    CHECK(p[5].field == Value(List{Value(10), Value(20)}));
    // Exactly the remaining rows: the summary, not has_more.
    CHECK(p[6].meta().count("has_more") == 0);
    CHECK(p[6].meta().at("type").as_string() == "r");
    CHECK(p[6].meta().at("db").as_string() == "neo4j");
    // The result is closed: PULL again is a protocol failure.
    CHECK(s.send(kPull, {Value(pull_n(1))})[0].failure());
}

TEST_CASE("bolt session: a write's summary has stats and a bookmark", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    run(s, "CREATE (a:P {v: 1})-[:R]->(b:P {v: 2})");
    auto p = s.send(kPull, {Value(pull_n(-1))});
    REQUIRE(p.size() == 1);
    const Map& m = p[0].meta();
    CHECK(m.at("type").as_string() == "w");
    CHECK(m.at("stats").as_map().at("nodes-created") == Value(2));
    CHECK(m.at("stats").as_map().at("relationships-created") == Value(1));
    CHECK(m.at("stats").as_map().at("labels-added") == Value(2));
    CHECK(m.at("stats").as_map().at("properties-set") == Value(2));
    CHECK(m.at("bookmark").as_string().rfind("lora:", 0) == 0);
    CHECK(db->execute("MATCH (n:P) RETURN count(n)").rows[0][0] == Value(2));
}

TEST_CASE("bolt session: DISCARD runs the statement to the end", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    run(s, "UNWIND range(1, 100) AS i CREATE (:D {i: i}) RETURN i");
    auto d = s.send(kDiscard, {Value(pull_n(-1))});
    REQUIRE(d.size() == 1);
    CHECK(d[0].success());
    CHECK(db->execute("MATCH (n:D) RETURN count(n)").rows[0][0] == Value(100));
}

TEST_CASE("bolt session: a large result is written out in pieces", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    run(s, "UNWIND range(1, 50000) AS i RETURN i, 'some text to make rows bigger' AS t");
    auto p = s.send(kPull, {Value(pull_n(-1))});
    CHECK(p.size() == 50001);
    CHECK(s.flushes > 5);  // the sink was flushed while the PULL ran, not only at its end
    CHECK(p[49999].field.as_list()[0] == Value(50000));
}

TEST_CASE("bolt session: errors fail until RESET, messages meanwhile are IGNORED",
          "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    auto r = run(s, "RETURN nope(");
    REQUIRE(r.size() == 1);
    CHECK(r[0].code() == "Neo.ClientError.Statement.SyntaxError");
    CHECK(s.send(kPull, {Value(pull_n(-1))})[0].ignored());
    CHECK(run(s, "RETURN 1")[0].ignored());
    CHECK(s.send(kReset)[0].success());
    CHECK(run(s, "RETURN 1")[0].success());
    CHECK(s.send(kPull, {Value(pull_n(-1))}).size() == 2);

    // Errors found while the result streams.
    run(s, "UNWIND [1, 0] AS x RETURN 1 / x");
    auto p = s.send(kPull, {Value(pull_n(-1))});
    CHECK(p.back().failure());
    CHECK(p.back().code().rfind("Neo.ClientError.", 0) == 0);
    CHECK(s.send(kReset)[0].success());

    // A missing parameter (found when the statement runs: at the PULL).
    run(s, "RETURN $missing");
    auto m = s.send(kPull, {Value(pull_n(-1))});
    REQUIRE(m.size() == 1);
    CHECK(m[0].code() == "Neo.ClientError.Statement.ParameterMissing");
    s.send(kReset);

    // Unknown database.
    auto u = run(s, "RETURN 1", {}, {{"db", Value("other")}});
    CHECK(u[0].code() == "Neo.ClientError.Database.DatabaseNotFound");
    s.send(kReset);

    // A byte array parameter: a FAILURE, and the session goes on after RESET.
    std::string with_bytes = bolt_message(kRun, {Value("RETURN $b")});
    with_bytes[0] = static_cast<char>(0xB3);
    with_bytes += std::string(
        "\xA1\x81"
        "b\xCC\x01\x00\xA0",
        7);
    auto b = s.send_raw(with_bytes);
    CHECK(b[0].code() == "Neo.ClientError.Statement.TypeError");
    CHECK(s.open);
    s.send(kReset);
    CHECK(run(s, "RETURN 1")[0].success());
}

TEST_CASE("bolt session: explicit transactions commit, roll back and fail", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    CHECK(s.send(kBegin, {Value(Map{{"tx_metadata", Value(Map{{"app", Value("t")}})},
                                    {"bookmarks", Value(List{})}})})[0]
              .success());
    auto r1 = run(s, "CREATE (n:T {v: 1}) RETURN n.v AS v");
    CHECK(r1[0].meta().at("qid") == Value(0));
    auto r2 = run(s, "MATCH (n:T) RETURN count(n) AS c");
    CHECK(r2[0].meta().at("qid") == Value(1));
    // Pull the first result by qid, then the last one (qid -1).
    auto p1 = s.send(kPull, {Value(pull_n(-1, 0))});
    REQUIRE(p1.size() == 2);
    CHECK(p1[0].field == Value(List{Value(1)}));
    auto p2 = s.send(kPull, {Value(pull_n(-1))});
    REQUIRE(p2.size() == 2);
    CHECK(p2[0].field == Value(List{Value(1)}));  // sees its own write
    CHECK(db->execute("MATCH (n:T) RETURN count(n)").rows[0][0] == Value(0));
    auto c = s.send(kCommit);
    REQUIRE(c[0].success());
    CHECK(c[0].meta().at("bookmark").as_string().rfind("lora:", 0) == 0);
    CHECK(db->execute("MATCH (n:T) RETURN count(n)").rows[0][0] == Value(1));

    s.send(kBegin, {Value(Map{})});
    run(s, "CREATE (:T {v: 2})");
    s.send(kPull, {Value(pull_n(-1))});
    CHECK(s.send(kRollback)[0].success());
    CHECK(db->execute("MATCH (n:T) RETURN count(n)").rows[0][0] == Value(1));

    // A failed statement: FAILED, COMMIT ignored, RESET rolls back.
    s.send(kBegin, {Value(Map{})});
    run(s, "CREATE (:T {v: 3})");
    s.send(kPull, {Value(pull_n(-1))});
    CHECK(run(s, "RETURN 1 +")[0].failure());
    CHECK(s.send(kCommit)[0].ignored());
    CHECK(s.send(kReset)[0].success());
    CHECK(db->execute("MATCH (n:T) RETURN count(n)").rows[0][0] == Value(1));
    // RESET with a transaction open rolls it back.
    s.send(kBegin, {Value(Map{})});
    run(s, "CREATE (:T {v: 4})");
    CHECK(s.send(kReset)[0].success());
    CHECK(db->execute("MATCH (n:T) RETURN count(n)").rows[0][0] == Value(1));
    // COMMIT outside a transaction.
    CHECK(s.send(kCommit)[0].code() == "Neo.ClientError.Request.Invalid");
}

TEST_CASE("bolt session: an interrupt ignores what waits before the RESET", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    run(s, "UNWIND range(1, 10) AS i RETURN i");
    s.session().interrupt();  // a RESET arrived behind the next PULL
    CHECK(s.send(kPull, {Value(pull_n(-1))})[0].ignored());
    CHECK(s.send(kReset)[0].success());
    CHECK(run(s, "RETURN 1")[0].success());
}

TEST_CASE("bolt session: ROUTE names this server for every role", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    auto r = s.send(kRoute, {Value(Map{{"address", Value("localhost:9999")}}), Value(List{}),
                             Value(Map{{"db", Value()}})});
    REQUIRE(r[0].success());
    const Map& rt = r[0].meta().at("rt").as_map();
    CHECK(rt.at("ttl").as_int() > 0);
    CHECK(rt.at("db").as_string() == "neo4j");
    const List& servers = rt.at("servers").as_list();
    REQUIRE(servers.size() == 3);
    for (const auto& sv : servers)
        CHECK(sv.as_map().at("addresses") == Value(List{Value("localhost:9999")}));
    CHECK(s.send(kTelemetry, {Value(1)})[0].success());
}

TEST_CASE("bolt session: 4.4 entities have no element ids, 5.x ones do", "[bolt][session]") {
    auto db = open_db(2);
    db->execute("CREATE (:E {k: 1})-[:L {w: 2}]->(:E {k: 2})");
    for (Version v : {Version{4, 4}, Version{5, 8}}) {
        SessionDriver s(*db, v);
        s.send(kHello, {Value(Map{})});
        if (v.major == 5) s.send(kLogon, {Value(Map{{"scheme", Value("none")}})});
        run(s, "MATCH p = (a:E {k: 1})-[r:L]->(b) RETURN a, r, p");
        auto p = s.send(kPull, {Value(pull_n(-1))});
        REQUIRE(p.size() == 2);
        // A list of three: a node of 3 (4.4) or 4 (5.x, + element_id) fields first.
        REQUIRE(p[0].record());
        std::string head = p[0].raw.substr(0, 5);
        if (v.major == 4)
            CHECK(head == std::string("\xB1\x71\x93\xB3\x4E", 5));
        else
            CHECK(head == std::string("\xB1\x71\x93\xB4\x4E", 5));
        // The relationship: 5 fields (4.4) or 8 (5.x).
        std::string rel = v.major == 4 ? std::string("\xB5\x52", 2) : std::string("\xB8\x52", 2);
        CHECK(p[0].raw.find(rel) != std::string::npos);
        CHECK(p[0].raw.find(std::string("\xB3\x50", 2)) != std::string::npos);  // the path
    }
}

TEST_CASE("bolt session: malformed requests end the connection with a FAILURE", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    auto r = s.send_raw(std::string("\xB1\x10\xC7", 3));  // reserved marker
    REQUIRE(r.size() == 1);
    CHECK(r[0].code() == "Neo.ClientError.Request.Invalid");
    CHECK_FALSE(s.open);

    SessionDriver t(*db, Version{5, 8});
    ready(t);
    auto u = t.send(0x55, {});  // unknown signature
    CHECK(u[0].failure());
    CHECK_FALSE(t.open);

    SessionDriver w(*db, Version{5, 8});
    ready(w);
    auto q = w.send(kRun, {Value(42), Value(Map{}), Value(Map{})});  // query not a string
    CHECK(q[0].code() == "Neo.ClientError.Request.Invalid");
    CHECK_FALSE(w.open);
}

TEST_CASE("bolt session: tx_timeout ends auto-commit statements and transactions",
          "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    // Auto-commit: the engine's time limit; the failure comes with the rows' PULL.
    auto r = run(s, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*)", {},
                 {{"tx_timeout", Value(1)}});
    std::vector<BoltReply> p;
    if (r[0].success()) p = s.send(kPull, {Value(pull_n(-1))});
    const BoltReply& failure = r[0].success() ? p.back() : r[0];
    INFO(failure.meta().at("message").as_string());
    CHECK(failure.code() == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration");
    s.send(kReset);
    // Explicit: a statement is stopped at the deadline, a later statement or the commit
    // fails after it.
    CHECK(s.send(kBegin, {Value(Map{{"tx_timeout", Value(1)}})})[0].success());
    auto late = run(s, "CREATE (:Late)");
    if (late[0].success()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto c = s.send(kCommit);
        CHECK(c[0].code() == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration");
    } else {
        CHECK(late[0].code() ==
              "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration");
    }
    s.send(kReset);
    CHECK(db->execute("MATCH (n:Late) RETURN count(n)").rows[0][0] == Value(0));

    // A long statement inside a transaction ends at the transaction's deadline.
    CHECK(s.send(kBegin, {Value(Map{{"tx_timeout", Value(200)}})})[0].success());
    run(s, "CREATE (:Late)");
    auto slow = run(s, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*)");
    CHECK(slow[0].code() == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration");
    CHECK(s.send(kReset)[0].success());
    CHECK(db->execute("MATCH (n:Late) RETURN count(n)").rows[0][0] == Value(0));
}

TEST_CASE("bolt session: a RESET interrupts a statement inside a transaction", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    CHECK(s.send(kBegin)[0].success());
    CHECK(run(s, "CREATE (:Gone)")[0].success());
    std::vector<BoltReply> r;
    std::thread t([&] {
        r = run(s, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*)");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.session().interrupt();  // what the server does when a RESET arrives
    t.join();
    REQUIRE(r.size() == 1);
    // Cancelled while running, or IGNORED if the interrupt came first.
    if (r[0].failure())
        CHECK(r[0].code() == "Neo.TransientError.Transaction.Terminated");
    else
        CHECK(r[0].ignored());
    CHECK(s.send(kReset)[0].success());
    CHECK(run(s, "RETURN 1")[0].success());
    CHECK(db->execute("MATCH (n:Gone) RETURN count(n)").rows[0][0] == Value(0));
}

TEST_CASE("bolt session: bookmarks name visible commits, bad ones fail", "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    run(s, "CREATE (:B {v: 1})");
    auto p = s.send(kPull, {Value(pull_n(-1))});
    const std::string bm = p.at(0).meta().at("bookmark").as_string();
    CHECK(bm == "lora:" + std::to_string(db->visible_timestamp()));
    CHECK(db->visible_timestamp() > 0);

    auto ok = run(s, "MATCH (b:B) RETURN b.v", {}, Map{{"bookmarks", Value(List{Value(bm)})}});
    CHECK(ok.at(0).success());
    CHECK(s.send(kPull, {Value(pull_n(-1))}).at(0).field == Value(List{Value(1)}));
    CHECK(s.send(kBegin, {Value(Map{{"bookmarks", Value(List{Value(bm)})}})})[0].success());
    auto c = s.send(kCommit);
    CHECK(c.at(0).meta().at("bookmark").as_string().rfind("lora:", 0) == 0);

    for (const char* bad : {"lora:", "lora:x", "lora:-1", "FB:kcwQ", "lora:1 "}) {
        INFO(bad);
        auto f = run(s, "RETURN 1", {}, Map{{"bookmarks", Value(List{Value(bad)})}});
        CHECK(f.at(0).code() == "Neo.ClientError.Transaction.InvalidBookmark");
        CHECK(s.send(kReset)[0].success());
    }
    auto bb = s.send(kBegin, {Value(Map{{"bookmarks", Value(List{Value(bm), Value("zz")})}})});
    CHECK(bb.at(0).code() == "Neo.ClientError.Transaction.InvalidBookmark");
    CHECK(s.send(kReset)[0].success());

    // A commit that never becomes visible: the wait ends at tx_timeout, retryably.
    const std::string future = "lora:" + std::to_string(db->visible_timestamp() + 1000);
    auto t = run(s, "RETURN 1", {},
                 Map{{"bookmarks", Value(List{Value(future)})}, {"tx_timeout", Value(50)}});
    CHECK(t.at(0).code() == "Neo.TransientError.Transaction.BookmarkTimeout");
    CHECK(s.send(kReset)[0].success());
    CHECK(run(s, "RETURN 1").at(0).success());
}

TEST_CASE("bolt session: with a waker, PULL suspends instead of waiting and resumes",
          "[bolt][session]") {
    auto db = open_db(2);
    SessionDriver s(*db, Version{5, 8});
    ready(s);
    // Shared with the waker, which a cancelled statement may still run after the test.
    struct Wakes {
        std::mutex mu;
        std::condition_variable cv;
        int count = 0;
    };
    auto w = std::make_shared<Wakes>();
    s.session().set_waker([w] {
        std::lock_guard lock(w->mu);
        ++w->count;
        w->cv.notify_all();
    });
    // Handles one message, then resumes the session each time it suspended, once woken.
    auto drive = [&](uint8_t sig, std::vector<Value> fields) {
        CollectSink sink;
        std::unique_lock lock(w->mu);
        int seen = w->count;
        lock.unlock();
        REQUIRE(s.session().handle(bolt_message(sig, std::move(fields)), sink));
        while (s.session().suspended()) {
            lock.lock();
            REQUIRE(
                w->cv.wait_for(lock, std::chrono::seconds(30), [&] { return w->count > seen; }));
            seen = w->count;
            lock.unlock();
            REQUIRE(s.session().resume(sink));
        }
        sink.flush();
        return parse_replies(sink.written);
    };
    CHECK(drive(kRun, {Value("UNWIND range(1, 20000) AS i CREATE (:S {i: i}) RETURN i"),
                       Value(Map{}), Value(Map{})})
              .at(0)
              .success());
    auto first = drive(kPull, {Value(pull_n(5))});
    REQUIRE(first.size() == 6);
    CHECK(first[5].meta().at("has_more") == Value(true));
    auto rest = drive(kPull, {Value(pull_n(-1))});
    REQUIRE(rest.size() == 20000 - 5 + 1);
    // Every row once (the shards' rows come in any order).
    std::vector<bool> seen(20001, false);
    for (const auto* part : {&first, &rest})
        for (const auto& r : *part)
            if (r.record()) seen.at(static_cast<size_t>(r.field.as_list().at(0).as_int())) = true;
    CHECK(std::count(seen.begin() + 1, seen.end(), true) == 20000);
    CHECK(rest.back().meta().at("stats").as_map().at("nodes-created") == Value(20000));
    CHECK(rest.back().meta().count("bookmark") == 1);
    CHECK(db->execute("MATCH (n:S) RETURN count(n)").rows[0][0] == Value(20000));

    // A RESET behind a suspended PULL: the PULL is IGNORED, the statement cancelled.
    CHECK(drive(kRun, {Value("UNWIND range(1, 100000000) AS i WITH i WHERE i < 0 RETURN i"),
                       Value(Map{}), Value(Map{})})
              .at(0)
              .success());
    CollectSink sink;
    REQUIRE(s.session().handle(bolt_message(kPull, {Value(pull_n(-1))}), sink));
    if (s.session().suspended()) {
        s.session().interrupt();
        REQUIRE(s.session().resume(sink));
        sink.flush();
        auto r = parse_replies(sink.written);
        REQUIRE(r.size() == 1);
        CHECK(r[0].ignored());
        CHECK(s.send(kReset)[0].success());
    }
    CHECK(run(s, "RETURN 1").at(0).success());
}
