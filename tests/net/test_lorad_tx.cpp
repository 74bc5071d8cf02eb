// Explicit transactions over HTTP: the /tx routes against a real lorad child, and the
// transaction registry (reaper, cap, serialization) in-process on an in-memory database.
#include "net_support.hpp"

#include <lora/net/transactions.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using lora::test::HttpClient;
using lora::test::Lorad;
using lora::test::Reply;
using lora::test::TempDir;
using nlohmann::json;

namespace {

Reply post(HttpClient& c, const std::string& target, const json& body = json::object(),
           const std::map<std::string, std::string>& headers = {}) {
    return c.request("POST", target, body.dump(), headers);
}

std::string begin_tx(HttpClient& c, const std::map<std::string, std::string>& headers = {}) {
    auto r = post(c, "/tx", json::object(), headers);
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 201);
    REQUIRE(r.json()["id"].is_string());
    return r.json()["id"].get<std::string>();
}

json tx_query(HttpClient& c, const std::string& id, const std::string& q,
              const json& params = json::object()) {
    auto r = post(c, "/tx/" + id + "/query", {{"query", q}, {"params", params}});
    INFO(q << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return r.json();
}

int64_t count(HttpClient& c, const std::string& label) {
    auto r = c.query({{"query", "MATCH (n:" + label + ") RETURN count(n)"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json()["rows"][0][0].get<int64_t>();
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("lorad: a committed transaction is visible, also after a restart", "[net][lorad][tx]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    {
        Lorad d({"--shards", "2"}, {}, data);
        HttpClient c(d.port());
        std::string id = begin_tx(c);
        CHECK(id.size() >= 16);
        auto created = tx_query(c, id, "CREATE (:Acct {n: $n}), (:Acct {n: $n + 1})", {{"n", 1}});
        CHECK(created["stats"]["nodes_created"] == 2);
        // The transaction reads its own writes; the body has /query's shape.
        auto read = tx_query(c, id, "MATCH (a:Acct) RETURN sum(a.n) AS s");
        CHECK(read["columns"] == json::array({"s"}));
        CHECK(read["rows"] == json::array({json::array({3})}));
        auto commit = post(c, "/tx/" + id + "/commit");
        REQUIRE(commit.status == 200);
        CHECK(commit.json() == json{{"committed", true}});
        CHECK(count(c, "Acct") == 2);
        // A committed id is gone.
        auto again = post(c, "/tx/" + id + "/query", {{"query", "RETURN 1"}});
        CHECK(again.status == 404);
        CHECK(again.json()["error"]["code"] == "Request.TransactionNotFound");
        auto m = c.request("GET", "/metrics").body;
        CHECK(has_line(m, "lora_transactions_committed_total 1"));
        CHECK(has_line(m, "lora_transactions_open 0"));
        CHECK(m.find("lora_http_requests_total{route=\"/tx/{id}/query\",status=\"200\"} 2") !=
              std::string::npos);
        CHECK(d.stop() == 0);
    }
    Lorad d({}, {}, data);
    HttpClient c(d.port());
    CHECK(count(c, "Acct") == 2);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad: rollback, failing writes, unknown ids, routes and auth", "[net][lorad][tx]") {
    Lorad d({"--auth-token", "s3cret", "--max-transactions", "3"});
    HttpClient c(d.port());
    const std::map<std::string, std::string> auth = {{"Authorization", "Bearer s3cret"}};
    auto req = [&](const std::string& target, const json& body = json::object()) {
        return post(c, target, body, auth);
    };
    auto begin = [&] {
        auto r = req("/tx");
        INFO(r.body);
        REQUIRE(r.status == 201);
        return r.json()["id"].get<std::string>();
    };
    auto q = [&](const std::string& id, const std::string& text) {
        return req("/tx/" + id + "/query", {{"query", text}});
    };
    auto visible = [&](const std::string& label) {
        auto r = c.query({{"query", "MATCH (n:" + label + ") RETURN count(n)"}}, auth);
        REQUIRE(r.status == 200);
        return r.json()["rows"][0][0].get<int64_t>();
    };

    SECTION("rollback leaves nothing") {
        std::string id = begin();
        REQUIRE(q(id, "CREATE (:Gone {v: 1})").status == 200);
        auto rb = req("/tx/" + id + "/rollback");
        REQUIRE(rb.status == 200);
        CHECK(rb.json() == json{{"rolled_back", true}});
        CHECK(visible("Gone") == 0);
        CHECK(q(id, "RETURN 1").status == 404);
        CHECK(req("/tx/" + id + "/commit").status == 404);
    }
    SECTION("a failing write closes the transaction and undoes its earlier statements") {
        std::string id = begin();
        REQUIRE(q(id, "CREATE (:Half {v: 1})").status == 200);
        auto bad = q(id, "CREATE (:Half {v: 1 / 0})");
        INFO(bad.body);
        CHECK(bad.status == 400);
        CHECK(bad.json()["error"]["transaction_closed"] == true);
        auto later = q(id, "RETURN 1");
        CHECK(later.status == 404);
        CHECK(later.json()["error"]["code"] == "Request.TransactionNotFound");
        CHECK(visible("Half") == 0);
    }
    SECTION("a syntax error answers 400 and leaves the transaction open") {
        std::string id = begin();
        REQUIRE(q(id, "CREATE (:Kept)").status == 200);
        auto bad = q(id, "MATCH (n RETURN n");
        CHECK(bad.status == 400);
        CHECK_FALSE(bad.json()["error"].contains("transaction_closed"));
        CHECK(q(id, "RETURN 1").status == 200);
        CHECK(req("/tx/" + id + "/commit").status == 200);
        CHECK(visible("Kept") == 1);
    }
    SECTION("unknown ids are 404 on every transaction route; bad bodies 400") {
        for (std::string verb : {"query", "commit", "rollback"}) {
            auto r = req("/tx/00000000000000000000000000000000/" + verb, {{"query", "RETURN 1"}});
            CHECK(r.status == 404);
            CHECK(r.json()["error"]["code"] == "Request.TransactionNotFound");
        }
        CHECK(req("/tx/abc/nonsense").status == 404);
        CHECK(req("/tx/abc/query/extra").status == 404);
        auto wrong_method = c.request("GET", "/tx/abc/query", "", auth);
        CHECK(wrong_method.status == 405);
        CHECK(wrong_method.headers["Allow"] == "POST");
        std::string id = begin();
        CHECK(req("/tx/" + id + "/query", {{"params", json::object()}}).status == 400);
        CHECK(req("/tx/" + id + "/rollback").status == 200);
    }
    SECTION("the bearer token is required") {
        auto no = post(c, "/tx");
        CHECK(no.status == 401);
        std::string id = begin();
        auto wrong = post(c, "/tx/" + id + "/query", {{"query", "CREATE (:Intruder)"}},
                          {{"Authorization", "Bearer nope"}});
        CHECK(wrong.status == 401);
        CHECK(post(c, "/tx/" + id + "/commit").status == 401);
        CHECK(req("/tx/" + id + "/commit").status == 200);
        CHECK(visible("Intruder") == 0);
    }
    SECTION("beyond --max-transactions POST /tx is 503 until one closes") {
        std::vector<std::string> ids = {begin(), begin(), begin()};
        auto full = req("/tx");
        CHECK(full.status == 503);
        CHECK(full.json()["error"]["code"] == "Request.TooManyTransactions");
        REQUIRE(req("/tx/" + ids[0] + "/rollback").status == 200);
        std::string more = begin();
        for (const auto& id : {ids[1], ids[2], more})
            CHECK(req("/tx/" + id + "/rollback").status == 200);
        auto m = c.request("GET", "/metrics", "", auth).body;
        CHECK(has_line(m, "lora_transactions_open 0"));
        CHECK(has_line(m, "lora_transactions_rolled_back_total 4"));
    }
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad rolls back an idle transaction after the timeout", "[net][lorad][tx]") {
    Lorad d({"--tx-idle-timeout-ms", "100"});
    HttpClient c(d.port());
    std::string id = begin_tx(c);
    tx_query(c, id, "CREATE (:Idle)");
    // Polled rather than slept for a fixed time: only the outcome is asserted.
    std::string m;
    for (int i = 0; i < 500 && !has_line(m, "lora_transactions_timed_out_total 1"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        m = c.request("GET", "/metrics").body;
    }
    CHECK(has_line(m, "lora_transactions_timed_out_total 1"));
    CHECK(has_line(m, "lora_transactions_open 0"));
    CHECK(post(c, "/tx/" + id + "/query", {{"query", "RETURN 1"}}).status == 404);
    CHECK(count(c, "Idle") == 0);
    CHECK(d.stop() == 0);
    CHECK(d.stderr_text().find("idle") != std::string::npos);
}

TEST_CASE("lorad rolls back open transactions on SIGTERM", "[net][lorad][tx]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    {
        Lorad d({}, {}, data);
        HttpClient c(d.port());
        std::string id = begin_tx(c);
        tx_query(c, id, "CREATE (:Open)");
        CHECK(d.stop() == 0);
        INFO(d.stderr_text());
        CHECK(d.stderr_text().find("rolled back 1 open transaction") != std::string::npos);
    }
    Lorad d({}, {}, data);
    HttpClient c(d.port());
    CHECK(count(c, "Open") == 0);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad: 8 clients with a transaction each, and concurrent requests on one",
          "[net][lorad][tx]") {
    Lorad d({"--shards", "4"});
    constexpr int kClients = 8;
    constexpr int kWrites = 10;
    std::atomic<int> failures{0};
    std::vector<std::string> why(kClients);
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            try {
                HttpClient c(d.port());
                auto b = post(c, "/tx");
                if (b.status != 201) throw std::runtime_error("begin: " + b.body);
                std::string id = b.json()["id"];
                for (int i = 0; i < kWrites; ++i) {
                    auto w = post(c, "/tx/" + id + "/query",
                                  {{"query", "CREATE (:Own {client: $c, seq: $i})"},
                                   {"params", {{"c", t}, {"i", i}}}});
                    if (w.status != 200) throw std::runtime_error("write: " + w.body);
                }
                auto r = post(c, "/tx/" + id + "/query",
                              {{"query", "MATCH (n:Own {client: $c}) RETURN count(n)"},
                               {"params", {{"c", t}}}});
                if (r.status != 200 || r.json()["rows"][0][0] != kWrites)
                    throw std::runtime_error("own read: " + r.body);
                auto cm = post(c, "/tx/" + id + "/commit");
                if (cm.status != 200) throw std::runtime_error("commit: " + cm.body);
            } catch (const std::exception& e) {
                failures.fetch_add(1);
                why[t] = e.what();
            }
        });
    }
    for (auto& th : threads) th.join();
    std::string all;
    for (const auto& w : why) all += w;
    INFO(all);
    REQUIRE(failures.load() == 0);
    HttpClient c(d.port());
    auto total = c.query({{"query", "MATCH (n:Own) RETURN count(n), count(DISTINCT n.client)"}});
    CHECK(total.json()["rows"] == json::array({json::array({kClients * kWrites, kClients})}));

    // Four connections on one transaction at once: the requests are serialized, none lost.
    std::string shared = begin_tx(c);
    std::atomic<int> bad{0};
    threads.clear();
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            try {
                HttpClient own(d.port());
                for (int i = 0; i < 5; ++i)
                    if (post(own, "/tx/" + shared + "/query",
                             {{"query", "CREATE (:Shared {t: $t})"}, {"params", {{"t", t}}}})
                            .status != 200)
                        bad.fetch_add(1);
            } catch (const std::exception&) {
                bad.fetch_add(1);
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(bad.load() == 0);
    REQUIRE(post(c, "/tx/" + shared + "/commit").status == 200);
    CHECK(count(c, "Shared") == 20);
    CHECK(has_line(c.request("GET", "/metrics").body, "lora_transactions_committed_total 9"));
    CHECK(d.stop() == 0);
}

TEST_CASE("transaction registry: reaper by clock, cap, close_all", "[net][tx]") {
    lora::Options opt;
    opt.shards = 2;
    opt.threads = 2;
    auto db = lora::Database::open(opt);
    lora::net::Metrics metrics;
    lora::net::TransactionLimits limits;
    limits.idle_timeout = std::chrono::hours(1);  // the reaper thread never fires here
    limits.max_open = 2;
    lora::net::TransactionRegistry reg(*db, metrics, limits);
    auto now = std::chrono::steady_clock::now();

    std::string a = reg.begin(), b = reg.begin();
    CHECK(a != b);
    CHECK_THROWS_WITH(reg.begin(), Catch::Contains("limit"));
    auto out = reg.execute(a, "CREATE (:R)", {});
    REQUIRE(out.result);
    CHECK_FALSE(out.closed);
    CHECK(reg.reap_idle(now + std::chrono::minutes(59)) == 0);
    // Both were last used after `now`, so neither is idle an hour on; two hours on, both are.
    CHECK(reg.reap_idle(now + std::chrono::hours(2)) == 2);
    CHECK(reg.open_count() == 0);
    CHECK(metrics.tx_ended(lora::net::Metrics::TxEnd::TimedOut) == 2);
    try {
        reg.execute(a, "RETURN 1", {});
        FAIL("a reaped transaction still answered");
    } catch (const lora::Error& e) {
        CHECK(e.code() == "Request.TransactionNotFound");
    }
    CHECK(db->execute("MATCH (n:R) RETURN count(n)").rows[0][0].as_int() == 0);

    std::string c = reg.begin();
    REQUIRE(reg.execute(c, "CREATE (:R)", {}).result);
    CHECK(reg.close_all() == 1);
    CHECK(metrics.tx_open() == 0);
    CHECK_THROWS_WITH(reg.begin(), Catch::Contains("shutting down"));
    CHECK(db->execute("MATCH (n:R) RETURN count(n)").rows[0][0].as_int() == 0);
}

TEST_CASE("lorad: SHOW TRANSACTIONS names HTTP clients and TERMINATE ends their transaction",
          "[net][lorad][tx]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    std::string id = begin_tx(c);
    tx_query(c, id, "CREATE (:Doomed)");
    auto shown = c.query({{"query",
                           "SHOW TRANSACTIONS YIELD transactionId, currentQuery, protocol, "
                           "connectionId, clientAddress WHERE currentQuery = '' RETURN *"}});
    INFO(shown.body);
    REQUIRE(shown.status == 200);
    const json body = shown.json();
    const auto& rows = body["rows"];
    REQUIRE(rows.size() == 1);
    const auto& cols = body["columns"];
    auto col = [&](const std::string& name) {
        for (size_t i = 0; i < cols.size(); ++i)
            if (cols[i] == name) return rows[0][i];
        FAIL("no column " << name);
        return json();
    };
    CHECK(col("protocol") == "http");
    CHECK(col("connectionId").get<std::string>().rfind("http-", 0) == 0);
    CHECK(col("clientAddress").get<std::string>().rfind("127.0.0.1:", 0) == 0);
    const std::string txn = col("transactionId").get<std::string>();

    auto term = c.query({{"query", "TERMINATE TRANSACTION $id"}, {"params", {{"id", txn}}}});
    INFO(term.body);
    REQUIRE(term.status == 200);
    CHECK(term.json()["rows"][0][2] == "Transaction terminated.");
    auto after = post(c, "/tx/" + id + "/query", {{"query", "RETURN 1"}});
    INFO(after.body);
    CHECK(after.json()["error"]["code"] == "TransactionError.Terminated");
    CHECK(after.json()["error"]["transaction_closed"] == true);
    CHECK(count(c, "Doomed") == 0);
}
