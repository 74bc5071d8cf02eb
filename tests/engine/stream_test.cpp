// Streaming cursors, credit (a slow consumer holds the query back), cancellation and
// deadlines of the embedding API, and PROFILE's time per step.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

using lora::Database;
using lora::Error;
using lora::QueryOptions;
using lora::Value;
using lora::test::open_db;
using lora::test::scalar_int;

namespace {

using Rows = std::vector<std::vector<Value>>;

// Reads a cursor to its end; returns how many rows came and checks each chunk is bounded.
size_t drain(lora::Cursor& c, std::vector<int64_t>* firsts = nullptr) {
    Rows rows;
    size_t n = 0;
    while (c.next(rows)) {
        n += rows.size();
        if (firsts)
            for (auto& r : rows) firsts->push_back(r[0].as_int());
    }
    return n;
}

}  // namespace

TEST_CASE("stream gives every row of an UNWIND, in order, then the stats", "[engine][stream]") {
    auto db = open_db(4);
    auto c = db->stream("UNWIND range(1, 200000) AS i RETURN i, 'x' AS s");
    REQUIRE(c->columns() == std::vector<std::string>{"i", "s"});
    std::vector<int64_t> got;
    CHECK(drain(*c, &got) == 200000);
    REQUIRE(got.size() == 200000);
    bool ordered = true;
    for (size_t i = 0; i < got.size(); ++i)
        ordered = ordered && got[i] == static_cast<int64_t>(i + 1);
    CHECK(ordered);
    Rows rows;
    CHECK_FALSE(c->next(rows));  // stays at the end
}

TEST_CASE("stream of a scan gives every node once, and write stats at the end",
          "[engine][stream]") {
    auto db = open_db(4);
    auto w = db->stream("UNWIND range(1, 30000) AS i CREATE (n:P {i: i}) RETURN n.i");
    CHECK(drain(*w) == 30000);
    CHECK(w->stats().nodes_created == 30000);
    auto c = db->stream("MATCH (n:P) RETURN n.i AS i");
    std::vector<int64_t> got;
    CHECK(drain(*c, &got) == 30000);
    std::set<int64_t> unique(got.begin(), got.end());
    CHECK(unique.size() == 30000);
    CHECK(*unique.begin() == 1);
    CHECK(*unique.rbegin() == 30000);
}

TEST_CASE("a consumer that stops reading holds the query back", "[engine][stream]") {
    auto db = open_db(4);
    std::atomic<int64_t> calls{0};
    // A void procedure: it counts the rows the query produced, and leaves them as they are.
    db->register_procedure({"test.tick", {{"i", "INTEGER?"}}, {}}, [&](const std::vector<Value>&) {
        calls.fetch_add(1);
        return std::vector<std::vector<Value>>{};
    });
    QueryOptions o;
    o.stream_window_rows = 1000;
    auto c = db->stream("UNWIND range(1, 300000) AS i CALL test.tick(i) RETURN i", {}, o);
    Rows rows;
    REQUIRE(c->next(rows));
    // The consumer now stalls: the producer may run ahead by the window plus a few chunks,
    // never through the whole list.
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    int64_t ahead = calls.load();
    INFO("procedure calls while the consumer stalled: " << ahead);
    CHECK(ahead < 50000);
    size_t n = rows.size() + drain(*c);
    CHECK(n == 300000);
    CHECK(calls.load() == 300000);
}

TEST_CASE("an error mid-stream comes after the rows before it", "[engine][stream]") {
    auto db = open_db(2);
    auto c = db->stream("UNWIND range(1, 100000) AS i RETURN 10 / (i - 50000) AS x");
    Rows rows;
    size_t n = 0;
    std::optional<Error> err;
    try {
        while (c->next(rows)) n += rows.size();
    } catch (const Error& e) {
        err = e;
    }
    REQUIRE(err);
    CHECK(err->code() == "ArgumentError.DivisionByZero");
    CHECK(n < 50000);
    // Errors found before the result starts are thrown by stream() itself.
    CHECK_THROWS_AS(db->stream("MATCH (n RETURN n"), Error);
}

namespace {

// Streams a write of `n` :Gone nodes, takes its first chunk and destroys the cursor, which
// cancels the query (its writes roll back).
void abandon_streamed_write(Database& db, size_t window, int64_t n) {
    QueryOptions o;
    o.stream_window_rows = window;
    auto c =
        db.stream("UNWIND range(1, $n) AS i CREATE (n:Gone {i: i}) RETURN i", {{"n", Value(n)}}, o);
    Rows rows;
    REQUIRE(c->next(rows));
}

}  // namespace

TEST_CASE("abandoning a streamed write rolls it back", "[engine][stream]") {
    auto db = open_db(4);
    abandon_streamed_write(*db, 500, 400000);
    // The rollback completes before the database takes new writes of the same nodes; give
    // the shards a moment, then the label must be empty and writing must work.
    for (int i = 0; i < 200 && scalar_int(*db, "MATCH (n:Gone) RETURN count(n)") != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(scalar_int(*db, "MATCH (n:Gone) RETURN count(n)") == 0);
    CHECK(scalar_int(*db, "CREATE (n:After) RETURN count(n)") == 1);
}

TEST_CASE("a deadline and a cancel token stop a long query", "[engine][cancel]") {
    auto db = open_db(4);
    const std::string slow =
        "UNWIND range(1, 20000) AS a UNWIND range(1, 20000) AS b WITH a WHERE a < 0 RETURN "
        "count(*)";
    QueryOptions o;
    o.timeout = std::chrono::milliseconds(100);
    try {
        db->execute(slow, {}, o);
        FAIL("the query should have timed out");
    } catch (const Error& e) {
        CHECK(e.code() == "TransactionError.Timeout");
    }

    auto token = std::make_shared<lora::CancelToken>();
    QueryOptions c;
    c.cancel = token;
    std::thread t([token] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        token->cancel();
    });
    try {
        db->execute(slow, {}, c);
        FAIL("the query should have been cancelled");
    } catch (const Error& e) {
        CHECK(e.code() == "TransactionError.Cancelled");
    }
    t.join();
    // A cancelled token fails later queries at once.
    CHECK_THROWS_AS(db->execute("RETURN 1", {}, c), Error);

    // A write that times out leaves nothing behind.
    o.timeout = std::chrono::milliseconds(100);
    CHECK_THROWS_AS(
        db->execute("UNWIND range(1, 20000) AS a UNWIND range(1, 20000) AS b CREATE (:Late)", {},
                    o),
        Error);
    CHECK(scalar_int(*db, "MATCH (n:Late) RETURN count(n)") == 0);
    CHECK(scalar_int(*db, "RETURN 41 + 1") == 42);
}

TEST_CASE("PROFILE reports time per step", "[engine][profile]") {
    auto db = open_db(2);
    db->execute("UNWIND range(1, 5000) AS i CREATE (:Q {i: i})");
    auto r = db->execute("PROFILE MATCH (n:Q) WHERE n.i % 2 = 0 RETURN n.i");
    REQUIRE(r.columns == std::vector<std::string>{"step", "operator", "rows", "time_us"});
    int64_t sum = 0;
    for (const auto& row : r.rows) {
        REQUIRE(row.size() == 4);
        CHECK(row[3].as_int() >= 0);
        if (row[0].as_int() >= 0) sum += row[3].as_int();
    }
    CHECK(sum > 0);
    CHECK(r.rows.back()[2].as_int() == 2500);
}

TEST_CASE("a database closed right after an abandoned stream waits for its query",
          "[engine][stream]") {
    // The cancelled query may still be rolling back when the database goes: its destructor
    // must wait for it rather than take the shards away under it (ThreadSanitizer saw the
    // query actor read the shard list while the destructor cleared it).
    for (int i = 0; i < 10; ++i) {
        auto db = open_db(2);
        abandon_streamed_write(*db, 200, 200000);
        db.reset();  // returns once the cancelled query has ended
    }
    // A finished stream does not hold the database either.
    auto db = open_db(2);
    auto c = db->stream("UNWIND range(1, 10) AS i RETURN i");
    Rows rows;
    size_t n = 0;
    while (c->next(rows)) n += rows.size();
    CHECK(n == 10);
    c.reset();
    db.reset();
}
