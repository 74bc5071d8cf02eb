// Statement atomicity: a failing write statement leaves no trace, on 1 and 4 shards.
#include <catch2/catch.hpp>

#include <lora/lora.hpp>

#include <stdlib.h>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

namespace {

int64_t count_of(lora::Database& db, const std::string& q) {
    auto r = db.execute(q);
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_int();
}

}  // namespace

TEST_CASE("failed write statements are rolled back", "[engine][txn]") {
    for (uint32_t shards : {1u, 4u}) {
        lora::Options o;
        o.shards = shards;
        auto db = lora::Database::open(o);
        db->execute("UNWIND range(1, 20) AS i CREATE (a:A {v: i})-[:R {w: i}]->(b:B {v: i})");
        REQUIRE(count_of(*db, "MATCH (n) RETURN count(n)") == 40);
        // Creates, sets and deletes, then fails at runtime: nothing of it may remain.
        CHECK_THROWS_AS(db->execute("MATCH (a:A) CREATE (a)-[:S]->(:C {x: 1}) SET a.v = a.v + 100 "
                                    "WITH a MATCH (a)-[r:R]->(b) DELETE r "
                                    "WITH a UNWIND [1, 0] AS d RETURN a.v / d"),
                        lora::Error);
        CHECK(count_of(*db, "MATCH (n) RETURN count(n)") == 40);
        CHECK(count_of(*db, "MATCH ()-[r:R]->() RETURN count(r)") == 20);
        CHECK(count_of(*db, "MATCH ()-[r:S]->() RETURN count(r)") == 0);
        CHECK(count_of(*db, "MATCH (a:A) RETURN sum(a.v)") == 210);
        CHECK(count_of(*db, "MATCH (a:A)<--() RETURN count(a)") == 0);
        CHECK(count_of(*db, "MATCH (b:B)<-[:R]-(a:A) WHERE a.v = b.v RETURN count(*)") == 20);
        // DETACH DELETE across shards, then a failure: everything comes back.
        CHECK_THROWS_AS(db->execute("MATCH (b:B) DETACH DELETE b WITH count(*) AS c "
                                    "UNWIND [1, 0] AS d RETURN c / d"),
                        lora::Error);
        CHECK(count_of(*db, "MATCH (b:B)<-[r:R]-(:A) RETURN count(r)") == 20);
        CHECK(count_of(*db, "MATCH (b:B) RETURN sum(b.v)") == 210);
        auto r = db->execute("MATCH (a:A)-[r:R]->(b:B) WHERE a.v = 3 RETURN r.w, labels(b)");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0][0].as_int() == 3);
        // A successful write after the rollbacks works as usual.
        db->execute("MATCH (a:A {v: 1}) DETACH DELETE a");
        CHECK(count_of(*db, "MATCH (n) RETURN count(n)") == 39);
    }
}

TEST_CASE("explicit transactions see their own writes, commit and roll back", "[engine][txn]") {
    for (uint32_t shards : {1u, 3u}) {
        lora::Options o;
        o.shards = shards;
        auto db = lora::Database::open(o);
        {
            auto tx = db->begin();
            tx->execute("CREATE (:T {v: 1}), (:T {v: 2})");
            auto r = tx->execute("MATCH (t:T) RETURN sum(t.v)");
            CHECK(r.rows[0][0].as_int() == 3);
            tx->execute("MATCH (t:T {v: 1}) SET t.v = 10");
            tx->commit();
            CHECK_FALSE(tx->open());
        }
        CHECK(count_of(*db, "MATCH (t:T) RETURN sum(t.v)") == 12);
        {
            auto tx = db->begin();
            tx->execute("MATCH (t:T) DETACH DELETE t");
            tx->execute("CREATE (:U)");
            CHECK(count_of(*db, "MATCH (u:U) RETURN count(u)") == 0);  // not committed: unseen
            CHECK(count_of(*db, "MATCH (t:T) RETURN sum(t.v)") == 12);
            tx->rollback();
        }
        CHECK(count_of(*db, "MATCH (t:T) RETURN sum(t.v)") == 12);
        CHECK(count_of(*db, "MATCH (u:U) RETURN count(u)") == 0);
        {
            auto tx = db->begin();
            tx->execute("CREATE (:U)");
            CHECK_THROWS_AS(tx->execute("MATCH (t:T) SET t.v = t.v / 0"), lora::Error);
            CHECK_FALSE(tx->open());  // a failed write statement ends the transaction
            CHECK_THROWS_AS(tx->execute("RETURN 1"), lora::Error);
        }
        CHECK(count_of(*db, "MATCH (u:U) RETURN count(u)") == 0);
        {
            auto tx = db->begin();
            tx->execute("CREATE (:U)");
        }  // destroyed open: rolled back
        CHECK(count_of(*db, "MATCH (u:U) RETURN count(u)") == 0);
    }
}

TEST_CASE("committed transactions survive a reopen, rolled back ones do not", "[engine][txn]") {
    char tmpl[] = "/tmp/lora-txn-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    {
        lora::Options o;
        o.shards = 3;
        o.data_dir = dir;
        auto db = lora::Database::open(o);
        auto tx = db->begin();
        tx->execute("UNWIND range(1, 50) AS i CREATE (:K {i: i})-[:NEXT]->(:L {i: i})");
        tx->execute("MATCH (k:K) WHERE k.i > 40 DETACH DELETE k");
        tx->commit();
        auto tx2 = db->begin();
        tx2->execute("CREATE (:Gone)");
        tx2->rollback();
        db->execute("CREATE (:Auto {v: 1})");
        CHECK_THROWS_AS(db->execute("CREATE (:Auto {v: 2}) WITH 1 AS x RETURN x / 0"), lora::Error);
    }
    {
        lora::Options o;
        o.data_dir = dir;
        auto db = lora::Database::open(o);
        CHECK(db->shard_count() == 3);
        CHECK(count_of(*db, "MATCH (k:K)-[:NEXT]->(l:L) WHERE k.i = l.i RETURN count(*)") == 40);
        CHECK(count_of(*db, "MATCH (l:L) RETURN count(l)") == 50);
        CHECK(count_of(*db, "MATCH (g:Gone) RETURN count(g)") == 0);
        CHECK(count_of(*db, "MATCH (a:Auto) RETURN sum(a.v)") == 1);
        db->checkpoint();
        db->execute("MATCH (a:Auto) SET a.v = 5");
    }
    {
        lora::Options o;
        o.data_dir = dir;
        auto db = lora::Database::open(o);
        CHECK(count_of(*db, "MATCH (a:Auto) RETURN sum(a.v)") == 5);
        CHECK(count_of(*db, "MATCH (k:K) RETURN count(k)") == 40);
        // A second open of the same directory is refused while this one holds it.
        CHECK_THROWS_AS(lora::Database::open(o), lora::Error);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("concurrent increments with retry on conflict lose no update",
          "[engine][txn][concurrency]") {
    lora::Options o;
    o.shards = 3;
    auto db = lora::Database::open(o);
    db->execute("UNWIND range(0, 3) AS i CREATE (:Counter {id: i, c: 0})");
    constexpr int kThreads = 8, kIncrements = 40;
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIncrements; ++i) {
                for (;;) {
                    // Read, then write in a second statement: only conflict detection keeps
                    // two transactions from both writing c + 1 over the same c.
                    auto tx = db->begin();
                    try {
                        auto r = tx->execute("MATCH (n:Counter {id: $id}) RETURN n.c",
                                             {{"id", lora::Value(int64_t{(t + i) % 4})}});
                        int64_t c = r.rows.at(0).at(0).as_int();
                        tx->execute(
                            "MATCH (n:Counter {id: $id}) SET n.c = $c",
                            {{"id", lora::Value(int64_t{(t + i) % 4})}, {"c", lora::Value(c + 1)}});
                        tx->commit();
                        break;
                    } catch (const lora::Error& e) {
                        if (e.error_class() != lora::ErrorClass::Transient) throw;
                        ++conflicts;
                    }
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(count_of(*db, "MATCH (n:Counter) RETURN sum(n.c)") == kThreads * kIncrements);
    INFO("conflicts retried: " << conflicts.load());
    // Two open transactions writing the same node: the second writer gets a transient error.
    auto t1 = db->begin();
    auto t2 = db->begin();
    t1->execute("MATCH (n:Counter {id: 0}) SET n.c = -1");
    try {
        t2->execute("MATCH (n:Counter {id: 0}) SET n.c = -2");
        FAIL("expected a conflict");
    } catch (const lora::Error& e) {
        CHECK(e.error_class() == lora::ErrorClass::Transient);
        CHECK(e.code() == "TransientError.ConflictDetected");
    }
    t1->commit();
    CHECK(count_of(*db, "MATCH (n:Counter {id: 0}) RETURN n.c") == -1);
}
