// Snapshot isolation across shards: readers see neither uncommitted nor later-committed
// changes, transactions read a stable snapshot plus their own writes, old versions go away,
// and a bank-transfer invariant holds under concurrent transfers and readers.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <lora/lora.hpp>

#include <stdlib.h>
#include <atomic>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

int64_t scalar(lora::Database& db, const std::string& q, const lora::Params& p = {}) {
    auto r = db.execute(q, p);
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_int();
}

int64_t scalar(lora::Transaction& tx, const std::string& q, const lora::Params& p = {}) {
    auto r = tx.execute(q, p);
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_int();
}

// For worker threads: Catch's assertions are not thread-safe, so threads check by hand.
int64_t scalar_mt(lora::Database& db, const std::string& q, const lora::Params& p = {}) {
    auto r = db.execute(q, p);
    if (r.rows.size() != 1) throw std::runtime_error("expected one row from " + q);
    return r.rows[0][0].as_int();
}

int64_t scalar_mt(lora::Transaction& tx, const std::string& q) {
    auto r = tx.execute(q);
    if (r.rows.size() != 1) throw std::runtime_error("expected one row from " + q);
    return r.rows[0][0].as_int();
}

std::unique_ptr<lora::Database> open_db(uint32_t shards) {
    lora::Options o;
    o.shards = shards;
    return lora::Database::open(o);
}

bool is_transient(const lora::Error& e) { return e.error_class() == lora::ErrorClass::Transient; }

}  // namespace

TEST_CASE("uncommitted writes are invisible to other readers", "[engine][mvcc]") {
    for (uint32_t shards : {1u, 4u}) {
        auto db = open_db(shards);
        db->execute("UNWIND range(1, 8) AS i CREATE (:A {v: i})-[:R]->(:B {v: i})");
        auto tx = db->begin();
        tx->execute("CREATE (:A {v: 100})");
        tx->execute("MATCH (a:A {v: 1}) SET a.v = 1000, a:Changed REMOVE a:A");
        tx->execute("MATCH (a:A {v: 2})-[r:R]->() DELETE r");
        tx->execute("MATCH (b:B {v: 3}) DETACH DELETE b");
        tx->execute("MATCH (a:A {v: 4}), (b:B {v: 5}) CREATE (a)-[:R]->(b)");
        // The transaction sees its writes.
        CHECK(scalar(*tx, "MATCH (a:A) RETURN count(a)") == 8);
        CHECK(scalar(*tx, "MATCH (a:Changed) RETURN sum(a.v)") == 1000);
        CHECK(scalar(*tx, "MATCH ()-[r:R]->() RETURN count(r)") == 7);
        CHECK(scalar(*tx, "MATCH (b:B) RETURN count(b)") == 7);
        CHECK(scalar(*tx, "MATCH (:A {v: 4})-[:R]->(b) RETURN count(b)") == 2);
        // Nobody else does: not in scans, label checks, properties, or either direction of
        // adjacency, on any shard.
        CHECK(scalar(*db, "MATCH (a:A) RETURN count(a)") == 8);
        CHECK(scalar(*db, "MATCH (a:A) RETURN sum(a.v)") == 36);
        CHECK(scalar(*db, "MATCH (n:Changed) RETURN count(n)") == 0);
        CHECK(scalar(*db, "MATCH (n) WHERE n:A AND n.v = 1 RETURN count(n)") == 1);
        CHECK(scalar(*db, "MATCH ()-[r:R]->() RETURN count(r)") == 8);
        CHECK(scalar(*db, "MATCH (b:B) RETURN count(b)") == 8);
        CHECK(scalar(*db, "MATCH (b:B {v: 3})<-[:R]-(a) RETURN a.v") == 3);
        CHECK(scalar(*db, "MATCH (:A {v: 4})-[:R]->(b) RETURN count(b)") == 1);
        CHECK(scalar(*db, "MATCH (b:B {v: 5})<-[:R]-(a) RETURN count(a)") == 1);
        CHECK(scalar(*db, "MATCH (a:A {v: 2})-[:R]->(b) RETURN b.v") == 2);
        CHECK(scalar(*db, "MATCH p = (:A)-[*1..2]-() RETURN count(p)") ==
              scalar(*db, "MATCH p = (:A)-[*1..2]-() RETURN count(p)"));
        // Whole entities handed out are the committed ones.
        auto r = db->execute("MATCH (a)-[r:R]->(b:B {v: 3}) RETURN a, r, b");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0][2].as_node().data->properties.at("v").as_int() == 3);
        tx->commit();
        CHECK(scalar(*db, "MATCH (a:A) RETURN count(a)") == 8);
        CHECK(scalar(*db, "MATCH (a:Changed) RETURN sum(a.v)") == 1000);
        CHECK(scalar(*db, "MATCH ()-[r:R]->() RETURN count(r)") == 7);
        CHECK(scalar(*db, "MATCH (b:B) RETURN count(b)") == 7);
        CHECK(scalar(*db, "MATCH (b:B {v: 5})<-[:R]-(a) RETURN count(a)") == 2);
        CHECK(db->mvcc_status().versions == 0);
    }
}

TEST_CASE("rolled back writes leave no versions and change nothing", "[engine][mvcc]") {
    auto db = open_db(4);
    db->execute("UNWIND range(1, 10) AS i CREATE (:N {v: i})-[:R {w: i}]->(:M)");
    auto tx = db->begin();
    tx->execute("MATCH (n:N) SET n.v = n.v * 10");
    tx->execute("MATCH ()-[r:R]->(m) DELETE r, m");
    CHECK(db->mvcc_status().versions > 0);
    CHECK(scalar(*db, "MATCH (n:N) RETURN sum(n.v)") == 55);
    tx->rollback();
    CHECK(scalar(*db, "MATCH (n:N) RETURN sum(n.v)") == 55);
    CHECK(scalar(*db, "MATCH (:N)-[r:R]->(:M) RETURN sum(r.w)") == 55);
    CHECK(db->mvcc_status().versions == 0);
}

TEST_CASE("a transaction reads one snapshot", "[engine][mvcc]") {
    auto db = open_db(4);
    db->execute("UNWIND range(1, 10) AS i CREATE (:N {v: i})");
    auto reader = db->begin();
    CHECK(scalar(*reader, "MATCH (n:N) RETURN sum(n.v)") == 55);
    db->execute("MATCH (n:N {v: 1}) SET n.v = 101");
    db->execute("CREATE (:N {v: 1000})");
    db->execute("MATCH (n:N {v: 2}) DELETE n");
    // Committed after the transaction began: not seen by it, seen by everybody else.
    CHECK(scalar(*reader, "MATCH (n:N) RETURN sum(n.v)") == 55);
    CHECK(scalar(*reader, "MATCH (n:N) RETURN count(n)") == 10);
    CHECK(scalar(*db, "MATCH (n:N) RETURN sum(n.v)") == 55 + 100 + 1000 - 2);
    // Its snapshot keeps the old versions alive; when it ends they go.
    CHECK(db->mvcc_status().running_snapshots == 1);
    CHECK(db->mvcc_status().versions > 0);
    // Writing what changed since it began is a conflict (first committer wins).
    CHECK_THROWS_MATCHES(reader->execute("MATCH (n:N) WHERE n.v = 1 SET n.v = 0"), lora::Error,
                         Catch::Predicate<lora::Error>(is_transient));
    CHECK_FALSE(reader->open());
    db->execute("CREATE (:Other)");  // a commit lets the shards collect
    CHECK(db->mvcc_status().running_snapshots == 0);
    CHECK(db->mvcc_status().versions == 0);
    CHECK(scalar(*db, "MATCH (n:N) RETURN sum(n.v)") == 55 + 100 + 1000 - 2);
}

TEST_CASE("a SHORTEST k search reads the snapshot plus the transaction's writes",
          "[engine][mvcc]") {
    // count(p) * 100 + the sum of the lengths: 2 paths of length 2 give 204.
    const std::string q =
        "MATCH (a:S {n: 'a'}), (c:S {n: 'c'}) MATCH p = SHORTEST 3 (a)-[:R]->+(c) "
        "RETURN count(p) * 100 + sum(length(p))";
    for (uint32_t shards : {1u, 4u}) {
        auto db = open_db(shards);
        db->execute(
            "CREATE (a:S {n: 'a'})-[:R]->(:S {n: 'b'})-[:R]->(c:S {n: 'c'}), "
            "(a)-[:R]->(:S {n: 'x'})-[:R]->(c)");
        auto reader = db->begin();
        CHECK(scalar(*reader, q) == 204);
        auto writer = db->begin();
        writer->execute("MATCH (a:S {n: 'a'}), (c:S {n: 'c'}) CREATE (a)-[:R]->(c)");
        writer->execute("MATCH (:S {n: 'x'})-[r:R]->() DELETE r");
        CHECK(scalar(*writer, q) == 203);  // a-c and a-b-c
        CHECK(scalar(*db, q) == 204);
        writer->commit();
        CHECK(scalar(*db, q) == 203);
        CHECK(scalar(*reader, q) == 204);
        reader->rollback();
    }
}

TEST_CASE("concurrent increments with retry lose no update", "[engine][mvcc][concurrency]") {
    auto db = open_db(4);
    db->execute("UNWIND range(0, 7) AS i CREATE (:C {id: i, n: 0})");
    constexpr int kThreads = 8, kPerThread = 60;
    std::atomic<int64_t> conflicts{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
        ts.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t));
            for (int i = 0; i < kPerThread; ++i) {
                const int64_t id = static_cast<int64_t>(rng() % 3);  // heavy overlap
                for (;;) {
                    try {
                        db->execute("MATCH (c:C {id: $id}) SET c.n = c.n + 1",
                                    {{"id", lora::Value(id)}});
                        break;
                    } catch (const lora::Error& e) {
                        if (!is_transient(e)) throw;
                        ++conflicts;
                    }
                }
            }
        });
    }
    for (auto& t : ts) t.join();
    CHECK(scalar(*db, "MATCH (c:C) RETURN sum(c.n)") == kThreads * kPerThread);
    INFO("conflicts retried: " << conflicts.load());
    CHECK(db->mvcc_status().versions == 0);
}

TEST_CASE("bank transfers keep the total under concurrent readers", "[engine][mvcc][concurrency]") {
    for (uint32_t shards : {1u, 4u}) {
        auto db = open_db(shards);
        constexpr int kAccounts = 20;
        constexpr int64_t kInitial = 100;
        db->execute("UNWIND range(0, $n - 1) AS i CREATE (:Account {id: i, balance: $b})",
                    {{"n", lora::Value(int64_t{kAccounts})}, {"b", lora::Value(kInitial)}});
        const int64_t total = kAccounts * kInitial;
        std::atomic<bool> stop{false};
        std::atomic<int64_t> transfers{0}, retries{0}, reads{0}, bad_reads{0};
        std::vector<std::thread> writers, readers;
        for (int w = 0; w < 4; ++w) {
            writers.emplace_back([&, w] {
                std::mt19937 rng(static_cast<unsigned>(w + 17 * shards));
                for (int i = 0; i < 80; ++i) {
                    int64_t from = rng() % kAccounts, to = rng() % kAccounts;
                    if (from == to) to = (to + 1) % kAccounts;
                    const int64_t amount = 1 + rng() % 30;
                    for (;;) {
                        auto tx = db->begin();
                        try {
                            // Read, then write in separate statements: the classic lost-update
                            // shape that snapshot isolation must catch.
                            auto r = tx->execute("MATCH (a:Account {id: $id}) RETURN a.balance",
                                                 {{"id", lora::Value(from)}});
                            const int64_t have = r.rows.at(0).at(0).as_int();
                            const int64_t moved = std::min(have, amount);
                            tx->execute(
                                "MATCH (a:Account {id: $id}) SET a.balance = $v",
                                {{"id", lora::Value(from)}, {"v", lora::Value(have - moved)}});
                            tx->execute(
                                "MATCH (a:Account {id: $id}) SET a.balance = a.balance + $m",
                                {{"id", lora::Value(to)}, {"m", lora::Value(moved)}});
                            tx->commit();
                            ++transfers;
                            break;
                        } catch (const lora::Error& e) {
                            if (!is_transient(e)) throw;
                            ++retries;
                        }
                    }
                }
            });
        }
        for (int r = 0; r < 3; ++r) {
            readers.emplace_back([&, r] {
                while (!stop.load()) {
                    if (r == 0) {
                        // Two statements of one transaction read the same snapshot.
                        auto tx = db->begin();
                        const int64_t a = scalar_mt(*tx, "MATCH (a:Account) RETURN sum(a.balance)");
                        const int64_t b =
                            scalar_mt(
                                *tx, "MATCH (a:Account) WHERE a.id % 2 = 0 RETURN sum(a.balance)") +
                            scalar_mt(*tx,
                                      "MATCH (a:Account) WHERE a.id % 2 = 1 RETURN sum(a.balance)");
                        tx->rollback();
                        if (a != total || b != total) ++bad_reads;
                    } else {
                        if (scalar_mt(*db, "MATCH (a:Account) RETURN sum(a.balance)") != total)
                            ++bad_reads;
                        if (scalar_mt(*db,
                                      "MATCH (a:Account) WHERE a.balance < 0 RETURN count(a)") != 0)
                            ++bad_reads;
                    }
                    ++reads;
                }
            });
        }
        for (auto& t : writers) t.join();
        stop = true;
        for (auto& t : readers) t.join();
        INFO("shards " << shards << ": " << transfers.load() << " transfers, " << retries.load()
                       << " retries, " << reads.load() << " reads");
        CHECK(transfers.load() == 4 * 80);
        CHECK(reads.load() > 0);
        CHECK(bad_reads.load() == 0);
        CHECK(scalar(*db, "MATCH (a:Account) RETURN sum(a.balance)") == total);
        CHECK(db->mvcc_status().running_snapshots == 0);
        db->execute("CREATE (:Done)");
        CHECK(db->mvcc_status().versions == 0);
    }
}

TEST_CASE("index seeks read the snapshot, not the index's present values",
          "[engine][mvcc][index]") {
    for (uint32_t shards : {1u, 4u}) {
        auto db = open_db(shards);
        db->execute("CREATE INDEX a_v FOR (a:A) ON (a.v)");
        db->execute("UNWIND range(1, 20) AS i CREATE (:A {v: i})");
        auto tx = db->begin();
        tx->execute("MATCH (a:A {v: 1}) SET a.v = 1000");
        tx->execute("MATCH (a:A {v: 2}) REMOVE a:A");
        tx->execute("MATCH (a:A {v: 3}) DELETE a");
        tx->execute("CREATE (:A {v: 4})");
        const std::string seek = "MATCH (a:A) WHERE a.v = $v RETURN count(a)";
        auto v = [](int64_t x) { return lora::Params{{"v", lora::Value(x)}}; };
        CHECK(scalar(*db, seek, v(1)) == 1);
        CHECK(scalar(*db, seek, v(1000)) == 0);
        CHECK(scalar(*db, seek, v(2)) == 1);
        CHECK(scalar(*db, seek, v(3)) == 1);
        CHECK(scalar(*db, seek, v(4)) == 1);
        CHECK(scalar(*db, "MATCH (a:A) WHERE a.v >= 1 AND a.v <= 4 RETURN count(a)") == 4);
        CHECK(scalar(*tx, seek, v(1)) == 0);
        CHECK(scalar(*tx, seek, v(1000)) == 1);
        CHECK(scalar(*tx, seek, v(2)) == 0);
        CHECK(scalar(*tx, seek, v(3)) == 0);
        CHECK(scalar(*tx, seek, v(4)) == 2);
        tx->commit();
        CHECK(scalar(*db, seek, v(1)) == 0);
        CHECK(scalar(*db, seek, v(1000)) == 1);
        CHECK(scalar(*db, seek, v(4)) == 2);
        CHECK(db->execute("EXPLAIN " + seek, v(1)).rows[0][0].to_string().find("NodeIndexSeek") !=
              std::string::npos);
    }
}

namespace {

using lora::test::crash_image;
using lora::test::temp_dir;

}  // namespace

TEST_CASE("checkpoints run online at a snapshot, writers keep going",
          "[engine][mvcc][checkpoint]") {
    const std::string dir = temp_dir("online-ckpt");
    lora::Options o;
    o.shards = 3;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    std::string image;
    int64_t w_count = 0;
    {
        auto db = lora::Database::open(o);
        db->execute("UNWIND range(1, 30) AS i CREATE (:N {v: i})-[:R]->(:M {v: i})");
        // An open transaction with uncommitted writes does not hold the checkpoint up (this
        // thread would deadlock if it did), and its writes are not in it.
        auto open_tx = db->begin();
        open_tx->execute("CREATE (:N {v: 1000})");
        open_tx->execute("MATCH (n:N {v: 1}) SET n.v = 100");
        open_tx->execute("MATCH (m:M {v: 2}) DETACH DELETE m");
        auto doomed = db->begin();
        doomed->execute("CREATE (:N {v: 5000})");
        doomed->execute("MATCH (n:N {v: 3}) SET n.v = 300");
        // Concurrent auto-commit writers during repeated checkpoints.
        std::atomic<bool> stop{false};
        std::atomic<int64_t> written{0};
        std::thread writer([&] {
            while (!stop.load()) {
                db->execute("CREATE (:W)");
                ++written;
            }
        });
        const uint64_t first = db->checkpoint();
        for (int i = 0; i < 5; ++i) db->checkpoint();
        stop = true;
        writer.join();
        CHECK(db->checkpoint() >= first);
        open_tx->commit();
        doomed->rollback();
        db->execute("CREATE (:After)");
        w_count = written.load();
        CHECK(scalar(*db, "MATCH (w:W) RETURN count(w)") == w_count);
        image = crash_image(dir);
        // A clean reopen too (the image is the crash case).
    }
    for (const std::string& d : {image, dir}) {
        lora::Options r = o;
        r.data_dir = d;
        auto db = lora::Database::open(r);
        CHECK(scalar(*db, "MATCH (n:N) RETURN sum(n.v)") == 465 + 1000 + 99);
        CHECK(scalar(*db, "MATCH (n:N) RETURN count(n)") == 31);
        CHECK(scalar(*db, "MATCH (m:M) RETURN count(m)") == 29);
        CHECK(scalar(*db, "MATCH ()-[r:R]->() RETURN count(r)") == 29);
        CHECK(scalar(*db, "MATCH (n:N {v: 5000}) RETURN count(n)") == 0);
        CHECK(scalar(*db, "MATCH (n:N {v: 3}) RETURN count(n)") == 1);
        CHECK(scalar(*db, "MATCH (a:After) RETURN count(a)") == 1);
        CHECK(scalar(*db, "MATCH (w:W) RETURN count(w)") == w_count);
    }
    std::filesystem::remove_all(image);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a snapshot taken before the first commit of a new database sees none of it",
          "[engine][mvcc]") {
    const std::string dir = temp_dir("first-commit");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    {
        auto db = lora::Database::open(o);
        auto tx = db->begin();
        db->execute("CREATE (:First)");  // LSN 1 of the WAL
        CHECK(scalar(*tx, "MATCH (n:First) RETURN count(n)") == 0);
        tx->rollback();
        CHECK(scalar(*db, "MATCH (n:First) RETURN count(n)") == 1);
    }
    {
        auto db = lora::Database::open(o);  // recovered: commits so far are visible
        auto tx = db->begin();
        db->execute("CREATE (:Second)");
        CHECK(scalar(*tx, "MATCH (n) RETURN count(n)") == 1);
        tx->rollback();
        CHECK(scalar(*db, "MATCH (n) RETURN count(n)") == 2);
    }
    std::filesystem::remove_all(dir);
}
