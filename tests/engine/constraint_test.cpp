// Constraints under concurrency and across restarts: concurrent MERGEs and CREATEs of one
// unique value, explicit transactions, a constraint created while writers run, and the
// definitions recovered from the WAL and from a checkpoint.
#include <catch2/catch.hpp>
#include "helpers.hpp"

#include <lora/lora.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

using lora::Database;
using lora::Error;
using lora::Options;
using lora::Params;
using lora::Value;
using lora::test::open_db;
using lora::test::scalar_int;

namespace {

std::unique_ptr<Database> open_dir(const std::string& dir, uint32_t shards = 4) {
    Options o;
    o.shards = shards;
    o.threads = 4;
    o.data_dir = dir;
    return Database::open(o);
}

bool is_violation(const Error& e) { return e.code() == "Schema.ConstraintValidationFailed"; }

// 32 threads MERGE keys 0..99, each in its own order; returns the errors they met.
std::vector<std::string> merge_keys(Database& db, int threads, int keys) {
    std::vector<std::string> errors;
    std::mutex mu;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::vector<int> order(static_cast<size_t>(keys));
            for (int i = 0; i < keys; ++i) order[static_cast<size_t>(i)] = i;
            std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(t)));
            for (int k : order) {
                try {
                    db.execute(
                        "MERGE (n:Key {k: $k}) ON MATCH SET n.seen = coalesce(n.seen, 0) + 1",
                        {{"k", Value(int64_t{k})}});
                } catch (const Error& e) {
                    std::lock_guard lock(mu);
                    errors.push_back(e.code() + ": " + e.message());
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    return errors;
}

}  // namespace

TEST_CASE("32 threads MERGE-ing the same 100 keys under a uniqueness constraint leave 100 nodes",
          "[constraints][concurrency]") {
    const std::string dir = lora::test::temp_dir("cons-merge");
    {
        auto db = open_dir(dir);
        db->execute("CREATE CONSTRAINT key_k FOR (n:Key) REQUIRE n.k IS UNIQUE");
        auto errors = merge_keys(*db, 32, 100);
        // ON MATCH SET writes the matched node: concurrent MERGEs of one key may then meet
        // the node's write lock, a conflict the caller retries (as with any write).
        for (const auto& e : errors) CHECK(e.rfind("TransientError.ConflictDetected", 0) == 0);
        CHECK(scalar_int(*db, "MATCH (n:Key) RETURN count(n)") == 100);
        CHECK(scalar_int(*db, "MATCH (n:Key) RETURN count(DISTINCT n.k)") == 100);
    }
    // The constraint and the data come back from the WAL.
    auto db = open_dir(dir);
    CHECK(scalar_int(*db, "SHOW CONSTRAINTS YIELD name WHERE name = 'key_k' RETURN count(*)") == 1);
    CHECK(scalar_int(*db, "MATCH (n:Key) RETURN count(n)") == 100);
    CHECK_THROWS_MATCHES(db->execute("CREATE (:Key {k: 5})"), Error,
                         Catch::Predicate<Error>(is_violation));
    db.reset();
    std::filesystem::remove_all(dir);
}

TEST_CASE("without a constraint, concurrent MERGEs of one key may each create it",
          "[constraints][concurrency]") {
    // Documented in the README: MERGE alone does not lock a value that does not exist yet.
    auto db = open_db(4, 4);
    auto errors = merge_keys(*db, 32, 100);
    const int64_t n = scalar_int(*db, "MATCH (n:Key) RETURN count(n)");
    CHECK(n >= 100);
    CHECK(scalar_int(*db, "MATCH (n:Key) RETURN count(DISTINCT n.k)") == 100);
    WARN("without a constraint 32 threads MERGE-ing 100 keys created " << n << " nodes");
}

TEST_CASE("of 32 concurrent CREATEs of one unique value exactly one commits",
          "[constraints][concurrency]") {
    auto db = open_db(4, 4);
    db->execute("CREATE CONSTRAINT FOR (u:User) REQUIRE u.email IS UNIQUE");
    // Catch's assertions are not thread-safe: the threads count, the test asserts after.
    std::atomic<int> ok{0}, violations{0}, named{0}, other{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 32; ++t) {
        pool.emplace_back([&, t] {
            try {
                db->execute("CREATE (:User {email: 'a@example.com', by: $t})",
                            {{"t", Value(int64_t{t})}});
                ++ok;
            } catch (const Error& e) {
                if (is_violation(e)) {
                    ++violations;
                    if (e.message().find("label `User` and property `email` = 'a@example.com'") !=
                        std::string::npos)
                        ++named;
                } else {
                    ++other;
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    CHECK(ok == 1);
    CHECK(violations == 31);
    CHECK(named == 31);
    CHECK(other == 0);
    CHECK(scalar_int(*db, "MATCH (u:User) RETURN count(u)") == 1);
}

TEST_CASE("explicit transactions creating one unique value: the second commit fails",
          "[constraints]") {
    auto db = open_db(4);
    db->execute("CREATE CONSTRAINT FOR (u:User) REQUIRE u.id IS UNIQUE");
    auto a = db->begin();
    auto b = db->begin();
    a->execute("CREATE (:User {id: 1, by: 'a'})");
    a->commit();
    try {
        b->execute("CREATE (:User {id: 1, by: 'b'})");
        FAIL("the second create succeeded");
    } catch (const Error& e) {
        // b's snapshot predates a's commit: its claim meets a's committed lock.
        CHECK(e.code() == "TransientError.ConflictDetected");
    }
    CHECK(scalar_int(*db, "MATCH (u:User) RETURN count(u)") == 1);
    // Inside one transaction the statement that makes the duplicate fails, and the
    // transaction with it.
    auto c = db->begin();
    c->execute("CREATE (:User {id: 2})");
    CHECK_THROWS_MATCHES(c->execute("CREATE (:User {id: 2})"), Error,
                         Catch::Predicate<Error>(is_violation));
    CHECK_THROWS(c->commit());
    CHECK(scalar_int(*db, "MATCH (u:User) RETURN count(u)") == 1);
    // An open transaction holding a claim: another's statement claiming it conflicts.
    auto d = db->begin();
    auto e = db->begin();
    d->execute("CREATE (:User {id: 3})");
    try {
        e->execute("CREATE (:User {id: 3})");
        FAIL("the second claim succeeded");
    } catch (const Error& err) {
        CHECK(err.code() == "TransientError.ConflictDetected");
    }
    d->commit();
    CHECK(scalar_int(*db, "MATCH (u:User {id: 3}) RETURN count(u)") == 1);
}

TEST_CASE("a constraint created while writers run either fails or holds for every commit",
          "[constraints][concurrency]") {
    for (int round = 0; round < 4; ++round) {
        auto db = open_db(4, 4);
        std::atomic<bool> stop{false};
        std::atomic<int64_t> next{0};
        std::vector<std::thread> writers;
        for (int t = 0; t < 6; ++t) {
            writers.emplace_back([&] {
                while (!stop) {
                    // Ids repeat after 400: duplicates appear unless the constraint stops them.
                    const int64_t id = next.fetch_add(1) % 400;
                    try {
                        db->execute("CREATE (:W {id: $id})", {{"id", Value(id)}});
                    } catch (const Error&) {}
                }
            });
        }
        while (next.load() < 200 + round * 150) std::this_thread::yield();
        bool created = true;
        try {
            db->execute("CREATE CONSTRAINT w_id FOR (w:W) REQUIRE w.id IS UNIQUE");
        } catch (const Error& e) {
            CHECK(e.code() == "SchemaError.ConstraintCreationFailed");
            created = false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop = true;
        for (auto& th : writers) th.join();
        const int64_t dups = scalar_int(
            *db, "MATCH (w:W) WITH w.id AS id, count(*) AS c WHERE c > 1 RETURN count(*)");
        if (created) CHECK(dups == 0);
        CHECK(scalar_int(*db, "SHOW CONSTRAINTS YIELD name RETURN count(*)") == (created ? 1 : 0));
    }
}

TEST_CASE("constraints survive a checkpoint and a snapshot", "[constraints]") {
    const std::string dir = lora::test::temp_dir("cons-ckpt");
    {
        auto db = open_dir(dir, 2);
        db->execute("CREATE CONSTRAINT u FOR (p:P) REQUIRE p.id IS UNIQUE");
        db->execute("CREATE CONSTRAINT e FOR ()-[r:R]-() REQUIRE r.w IS NOT NULL");
        db->execute("CREATE CONSTRAINT t FOR (p:P) REQUIRE p.name IS :: STRING");
        db->execute("CREATE (:P {id: 1, name: 'a'})-[:R {w: 1}]->(:P {id: 2})");
        db->checkpoint();
        db->execute("DROP CONSTRAINT t");
    }
    auto db = open_dir(dir, 2);
    CHECK(scalar_int(*db, "SHOW CONSTRAINTS YIELD name RETURN count(*)") == 2);
    CHECK_THROWS_MATCHES(db->execute("CREATE (:P {id: 2})"), Error,
                         Catch::Predicate<Error>(is_violation));
    CHECK_THROWS_MATCHES(db->execute("MATCH (a:P {id: 1}), (b:P {id: 2}) CREATE (a)-[:R]->(b)"),
                         Error, Catch::Predicate<Error>(is_violation));
    db->execute("CREATE (:P {id: 3, name: 4})");  // the type constraint was dropped
    const std::string snap = dir + "/snapshot.lora";
    db->snapshot_save(snap);
    auto other = open_db(2);
    other->snapshot_load(snap);
    CHECK(scalar_int(*other, "SHOW CONSTRAINTS YIELD name RETURN count(*)") == 2);
    CHECK_THROWS_MATCHES(other->execute("CREATE (:P {id: 3})"), Error,
                         Catch::Predicate<Error>(is_violation));
    db.reset();
    std::filesystem::remove_all(dir);
}
