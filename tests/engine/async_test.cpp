// Database::execute_async: many statements in flight from one thread, completions that start
// further statements, errors, deadlines and cancellation, durability of what was
// acknowledged, and destroying a database while completions keep starting statements.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using lora::test::scalar_int;

// Counts completions; wait() returns once `expected` arrived (or fails the test after 30 s).
struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    int64_t done = 0;

    void arrive() {
        std::lock_guard lock(mu);
        ++done;
        cv.notify_all();
    }
    bool wait(int64_t expected) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] { return done >= expected; });
    }
};

// One writer: each completion starts its next statement until `left` reaches zero.
struct Chain {
    lora::Database* db;
    int64_t writer;
    int64_t next = 0;
    int64_t left;
    std::vector<int64_t> acked;  // statements acknowledged, in order
    std::string error;
    Waiter* finished;

    void start() {
        lora::Params p{{"w", lora::Value(writer)}, {"s", lora::Value(next)}};
        db->execute_async("CREATE (:A {w: $w, s: $s})", p, [this](lora::Completion&& c) {
            if (c.error) {
                error = c.error->code();
                finished->arrive();
                return;
            }
            acked.push_back(next++);
            if (--left > 0)
                start();
            else
                finished->arrive();
        });
    }
};

}  // namespace

// In every test the state the completions write is declared before the database, so it
// outlives it: destroying the database waits for the statements still running, even when a
// failed check ends the test early.

TEST_CASE("execute_async runs many statements in flight from one thread", "[engine][async]") {
    Waiter w;
    std::atomic<int64_t> created{0};
    std::atomic<int> failures{0};
    auto db = lora::test::open_db(2);
    const int n = 500;
    for (int i = 0; i < n; ++i) {
        db->execute_async(
            "CREATE (:N {i: $i}) RETURN $i AS i", {{"i", lora::Value(int64_t(i))}},
            [&, i](lora::Completion&& c) {
                if (c.error || c.result.rows.size() != 1 || c.result.rows[0][0].as_int() != i)
                    ++failures;
                created += c.result.stats.nodes_created;
                w.arrive();
            });
    }
    REQUIRE(w.wait(n));
    CHECK(failures == 0);
    CHECK(created == n);
    CHECK(scalar_int(*db, "MATCH (n:N) RETURN count(n)") == n);
    CHECK(scalar_int(*db, "MATCH (n:N) RETURN count(DISTINCT n.i)") == n);
}

TEST_CASE("execute_async reports errors through the completion and the database goes on",
          "[engine][async]") {
    Waiter w;
    std::optional<lora::Error> syntax, runtime;
    auto db = lora::test::open_db(2);
    db->execute_async("MATCH (n RETURN n", {}, [&](lora::Completion&& c) {
        syntax = c.error;
        w.arrive();
    });
    // Fails part-way: the statement's writes are rolled back.
    db->execute_async("UNWIND [1, 2, 0] AS x CREATE (:F {v: 10 / x})", {},
                      [&](lora::Completion&& c) {
                          runtime = c.error;
                          w.arrive();
                      });
    REQUIRE(w.wait(2));
    REQUIRE(syntax);
    CHECK(syntax->error_class() == lora::ErrorClass::Syntax);
    REQUIRE(runtime);
    CHECK(runtime->code() == "ArgumentError.DivisionByZero");
    CHECK(scalar_int(*db, "MATCH (n:F) RETURN count(n)") == 0);
    CHECK(scalar_int(*db, "RETURN 41 + 1") == 42);
}

TEST_CASE("execute_async completions may start the next statement", "[engine][async]") {
    Waiter finished;
    std::vector<Chain> chains;
    auto db = lora::test::open_db(2);
    chains.reserve(16);
    for (int64_t c = 0; c < 16; ++c) chains.push_back(Chain{db.get(), c, 0, 40, {}, {}, &finished});
    for (auto& c : chains) c.start();
    REQUIRE(finished.wait(16));
    for (auto& c : chains) {
        CHECK(c.error.empty());
        CHECK(c.acked.size() == 40);
    }
    CHECK(scalar_int(*db, "MATCH (n:A) RETURN count(n)") == 16 * 40);
    // Each writer's statements ran one after the other, all of them.
    CHECK(scalar_int(*db,
                     "MATCH (n:A) WITH n.w AS w, max(n.s) AS m, count(*) AS c "
                     "WHERE m = 39 AND c = 40 RETURN count(w)") == 16);
}

TEST_CASE("execute_async honours deadlines and cancel tokens", "[engine][async]") {
    // A billion rows from small lists: stopping is noticed between chunks of rows.
    const char* slow =
        "UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b UNWIND range(1, 1000) AS c "
        "WITH c WHERE c % 7 = 0 RETURN count(*)";
    Waiter w;
    std::optional<lora::Error> timed_out, cancelled;
    auto db = lora::test::open_db(2);
    lora::QueryOptions deadline;
    deadline.timeout = std::chrono::milliseconds(50);
    db->execute_async(
        slow, {},
        [&](lora::Completion&& c) {
            timed_out = c.error;
            w.arrive();
        },
        deadline);
    auto token = std::make_shared<lora::CancelToken>();
    lora::QueryOptions cancel;
    cancel.cancel = token;
    db->execute_async(
        slow, {},
        [&](lora::Completion&& c) {
            cancelled = c.error;
            w.arrive();
        },
        cancel);
    token->cancel();
    REQUIRE(w.wait(2));
    REQUIRE(timed_out);
    CHECK(timed_out->code() == "TransactionError.Timeout");
    REQUIRE(cancelled);
    CHECK(cancelled->code() == "TransactionError.Cancelled");
}

TEST_CASE("a completion that throws is logged and the engine goes on", "[engine][async]") {
    Waiter w;
    auto db = lora::test::open_db(2);
    db->execute_async("CREATE (:T)", {}, [&](lora::Completion&&) {
        w.arrive();
        throw std::runtime_error("callback failure");
    });
    REQUIRE(w.wait(1));
    CHECK(scalar_int(*db, "MATCH (n:T) RETURN count(n)") == 1);
}

TEST_CASE("statements acknowledged by execute_async survive a restart", "[engine][async]") {
    const std::string dir = lora::test::temp_dir("async");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.sync = "per-commit";
    Waiter finished;
    std::vector<Chain> chains;
    {
        auto db = lora::Database::open(o);
        chains.reserve(8);
        for (int64_t c = 0; c < 8; ++c)
            chains.push_back(Chain{db.get(), c, 0, 25, {}, {}, &finished});
        for (auto& c : chains) c.start();
        REQUIRE(finished.wait(8));
    }
    auto db = lora::Database::open(o);
    std::set<std::pair<int64_t, int64_t>> found;
    for (const auto& row : db->execute("MATCH (n:A) RETURN n.w, n.s").rows)
        found.emplace(row[0].as_int(), row[1].as_int());
    size_t acked = 0;
    for (const auto& c : chains) {
        for (int64_t s : c.acked) CHECK(found.count({c.writer, s}) == 1);
        acked += c.acked.size();
    }
    CHECK(acked == 8 * 25);
    CHECK(found.size() == acked);
    db.reset();
    std::filesystem::remove_all(dir);
}

TEST_CASE("destroying a database waits for async statements and refuses new ones",
          "[engine][async]") {
    std::atomic<int64_t> committed{0};
    std::atomic<int> closed_errors{0}, other_errors{0};
    {
        auto db = lora::test::open_db(2);
        // Endless writers: each completion starts the next statement until refused.
        struct Loop {
            lora::Database* db;
            std::atomic<int64_t>* committed;
            std::atomic<int>* closed;
            std::atomic<int>* other;
            void go() {
                db->execute_async("CREATE (:L)", {}, [this](lora::Completion&& c) {
                    if (c.error) {
                        (c.error->code() == "DatabaseError.Closed" ? *closed : *other) += 1;
                        return;
                    }
                    ++*committed;
                    go();
                });
            }
        };
        std::vector<Loop> loops(4, Loop{db.get(), &committed, &closed_errors, &other_errors});
        for (auto& l : loops) l.go();
        while (committed.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        db.reset();  // must return: every loop ends on DatabaseError.Closed
        // `loops` outlives the database: completions ran before the destructor returned.
    }
    CHECK(closed_errors == 4);
    CHECK(other_errors == 0);
    CHECK(committed >= 200);
}
