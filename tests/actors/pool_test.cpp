// Query actors are pooled: one actor runs many requests in turn. What an earlier request
// left behind (a deadline timer still running, a late cancel) must never reach a later one.
#include "engine/helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using lora::test::scalar_int;

// Long enough to outlive the deadlines armed before it (tens of milliseconds).
const char* kSlow = "UNWIND range(1, 300000) AS i WITH i WHERE i % 7 = 0 RETURN count(*) AS c";

}  // namespace

TEST_CASE("a finished query's deadline does not cancel the next query of its actor",
          "[engine][pool]") {
    auto db = lora::test::open_db(2);
    lora::QueryOptions quick;
    quick.timeout = std::chrono::milliseconds(40);
    // Many short queries with a deadline: each leaves a timer behind in its (pooled) actor.
    for (int i = 0; i < 50; ++i) CHECK(db->execute("RETURN 1 AS x", {}, quick).rows.size() == 1);
    // Then slow queries without a deadline on the same actors, while those timers fire.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    int runs = 0;
    while (std::chrono::steady_clock::now() < until) {
        CHECK(scalar_int(*db, kSlow) == 42857);
        ++runs;
    }
    CHECK(runs > 0);
}

TEST_CASE("a cancelled query's late cancel does not reach later queries", "[engine][pool]") {
    auto db = lora::test::open_db(2);
    for (int i = 0; i < 20; ++i) {
        auto token = std::make_shared<lora::CancelToken>();
        lora::QueryOptions o;
        o.cancel = token;
        std::thread canceller([token] {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            token->cancel();
        });
        try {
            db->execute(kSlow, {}, o);
        } catch (const lora::Error& e) {
            CHECK(e.code() == "TransactionError.Cancelled");
        }
        canceller.join();
        // The next queries (on the same pooled actors) run to their end.
        CHECK(scalar_int(*db, "UNWIND range(1, 1000) AS i RETURN count(*) AS c") == 1000);
        CHECK(db->execute("CREATE (:P {i: $i})", {{"i", lora::Value(int64_t{i})}})
                  .stats.nodes_created == 1);
    }
    CHECK(scalar_int(*db, "MATCH (p:P) RETURN count(p) AS c") == 20);
}

TEST_CASE("many writers through pooled actors commit every write once", "[engine][pool]") {
    lora::Options o;
    o.shards = 4;
    o.threads = 2;
    auto db = lora::Database::open(o);
    constexpr int kThreads = 8, kEach = 150;
    std::atomic<int> failures{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t)
        ts.emplace_back([&, t] {
            for (int s = 0; s < kEach; ++s) {
                try {
                    auto r = db->execute(
                        "CREATE (a:W {t: $t, s: $s})-[:R]->(b:W {t: $t, s: $s}) RETURN id(a) AS a",
                        {{"t", lora::Value(int64_t{t})}, {"s", lora::Value(int64_t{s})}});
                    if (r.rows.size() != 1 || r.stats.nodes_created != 2) ++failures;
                } catch (...) {
                    ++failures;
                }
            }
        });
    for (auto& t : ts) t.join();
    CHECK(failures.load() == 0);
    CHECK(scalar_int(*db, "MATCH (:W)-[r:R]->(:W) RETURN count(r) AS c") == kThreads * kEach);
    CHECK(scalar_int(
              *db, "MATCH (a:W)-[:R]->(b:W) WHERE a.t = b.t AND a.s = b.s RETURN count(*) AS c") ==
          kThreads * kEach);
}
