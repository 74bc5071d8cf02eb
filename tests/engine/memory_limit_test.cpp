// Query memory limits (lora/memory.hpp): each memory-hungry operator over a query's limit
// fails that query alone with TransientError.MemoryPoolOutOfMemoryError naming the limit,
// its writes are rolled back, and the next query runs; the pool of all queries refuses what
// would pass it; EngineStats counts the refusals and what queries held.
#include <catch2/catch.hpp>
#include "helpers.hpp"

#include <lora/functions/functions.hpp>
#include <lora/lora.hpp>
#include <lora/memory.hpp>

#include <future>
#include <string>
#include <vector>

using lora::Database;
using lora::Error;
using lora::ErrorClass;
using lora::ErrorKind;
using lora::Options;
using lora::Params;
using lora::QueryOptions;
using lora::Value;
using lora::test::error_of;
using lora::test::scalar_int;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

std::unique_ptr<Database> open_limited(uint32_t shards, uint64_t query_limit,
                                       uint64_t pool_limit = 0) {
    Options o;
    o.shards = shards;
    o.threads = 2;
    o.query_memory_limit = query_limit;
    o.memory_limit = pool_limit;
    return Database::open(o);
}

// The query fails with the memory-limit error naming `what` and the per-query limit.
void expect_over_limit(Database& db, const std::string& query, const std::string& what) {
    Error e = error_of([&] { db.execute(query); });
    INFO(query << " -> " << e.code() << ": " << e.message());
    CHECK(e.code() == "TransientError.MemoryPoolOutOfMemoryError");
    CHECK(e.kind() == ErrorKind::MemoryLimit);
    CHECK(e.error_class() == ErrorClass::Transient);
    CHECK(e.message().find(what) != std::string::npos);
    CHECK(e.message().find("--query-memory-limit") != std::string::npos);
    // The process lives and the next query runs.
    CHECK(scalar_int(db, "RETURN 40 + 2") == 42);
}

}  // namespace

// 2,000,000 rows without a big list anywhere (the ranges are small).
const std::string kRows =
    "UNWIND range(1, 2000) AS a UNWIND range(1, 1000) AS b WITH a * 1000 + b AS i ";

TEST_CASE("each memory-hungry operator over the query's limit fails alone", "[memory]") {
    for (uint32_t shards : {1u, 4u}) {
        INFO(shards << " shards");
        auto db = open_limited(shards, 16 * kMiB);
        // The query, at a scale that would take 4 GB: range() is refused up front.
        expect_over_limit(
            *db, "UNWIND range(1, 250000000) AS i WITH collect(i) AS l RETURN size(l)", "range()");
        expect_over_limit(*db, "RETURN size(range(1, 100000000)) AS n", "range()");
        // Rows held at an aggregation barrier (a collect()'s input).
        expect_over_limit(*db, kRows + "RETURN size(collect(i)) AS n",
                          "the rows held at Aggregate");
        // Rows held at ORDER BY.
        expect_over_limit(*db, kRows + "RETURN i, toString(i) AS s ORDER BY i DESC LIMIT 1",
                          "the rows held at Sort");
        // Streaming DISTINCT over many distinct rows.
        expect_over_limit(*db, kRows + "WITH DISTINCT i, toString(i) AS s WHERE i < 0 RETURN s",
                          "DISTINCT");
        // A string doubled until it passes the limit.
        expect_over_limit(*db, "RETURN size(reduce(s = 'ab', i IN range(1, 40) | s + s)) AS n",
                          "string concatenation");
        // A list doubled the same way.
        expect_over_limit(*db, "RETURN size(reduce(l = [1], i IN range(1, 40) | l + l)) AS n",
                          "list concatenation");
        // A list comprehension of lists.
        expect_over_limit(*db, "RETURN size([x IN range(1, 100000) | range(1, 100)]) AS n",
                          "list comprehension");
        // replace() with a long replacement.
        expect_over_limit(*db,
                          "WITH reduce(s = 'x', i IN range(1, 16) | s + s) AS big RETURN "
                          "size(replace(big, 'x', big)) AS n",
                          "replace()");
        // A collected (not streamed) result.
        expect_over_limit(*db, kRows + "RETURN i, 'row ' + toString(i)", "the collected result");
        // Under the limit the same kinds of query answer.
        CHECK(scalar_int(*db, "UNWIND range(1, 10000) AS i RETURN size(collect(i)) AS n") == 10000);
        CHECK(scalar_int(*db, "UNWIND range(1, 10000) AS i WITH DISTINCT i RETURN count(i)") ==
              10000);
    }
}

TEST_CASE("aggregators count what they keep", "[memory]") {
    const auto* collect = lora::fn::find_function("collect");
    REQUIRE(collect);
    for (bool distinct : {false, true}) {
        INFO("DISTINCT " << distinct);
        lora::QueryMemory memory(nullptr, 1 * kMiB);
        auto agg = lora::fn::make_aggregator(*collect, distinct, false, &memory);
        Error e = error_of([&] {
            for (int64_t i = 0; i < 1000000; ++i) {
                const Value v(i);
                agg->add(std::span<const Value>(&v, 1));
            }
        });
        CHECK(e.kind() == ErrorKind::MemoryLimit);
        CHECK(e.message().find(distinct ? "DISTINCT aggregation" : "collect()") !=
              std::string::npos);
        CHECK(memory.used() > 900 * 1024);
        agg.reset();
        CHECK(memory.used() == 0);  // the aggregator gave back what it held
    }
}

TEST_CASE("a query's aggregation state counts with its held rows", "[memory]") {
    auto db = open_limited(2, 0, 0);
    QueryOptions o;
    o.memory_limit = 64 * kMiB;
    // Few held rows with a large list each (48 MB), collected once more: 100 x 30,000 values.
    Error e = error_of([&] {
        db->execute("UNWIND range(1, 100) AS i RETURN size(collect(range(1, 30000))) AS n", {}, o);
    });
    INFO(e.message());
    CHECK(e.kind() == ErrorKind::MemoryLimit);
    CHECK(e.message().find("collect()") != std::string::npos);
}

TEST_CASE("a write over the query's limit is rolled back", "[memory]") {
    auto db = open_limited(4, 8 * kMiB);
    // 8 MiB of transaction log is about 40,000 property writes of this size.
    expect_over_limit(*db,
                      "UNWIND range(1, 200000) AS i CREATE (:Big {i: i, s: 'some text ' + "
                      "toString(i)})",
                      "the transaction's changes");
    CHECK(scalar_int(*db, "MATCH (n) RETURN count(n)") == 0);
    // Smaller writes commit.
    db->execute("UNWIND range(1, 1000) AS i CREATE (:Small {i: i})");
    CHECK(scalar_int(*db, "MATCH (n:Small) RETURN count(n)") == 1000);
    // In an explicit transaction the failed statement fails the transaction; nothing of it
    // is kept.
    auto tx = db->begin();
    tx->execute("CREATE (:InTx {i: 1})");
    Error e = error_of([&] {
        tx->execute("UNWIND range(1, 200000) AS i CREATE (:InTx {i: i, s: 'text ' + toString(i)})");
    });
    CHECK(e.kind() == ErrorKind::MemoryLimit);
    try {
        tx->commit();
    } catch (const Error&) {}
    CHECK(scalar_int(*db, "MATCH (n:InTx) RETURN count(n)") == 0);
}

TEST_CASE("QueryOptions::memory_limit sets one query's limit", "[memory]") {
    auto db = open_limited(2, 0);
    const std::string q = "UNWIND range(1, 500000) AS i RETURN size(collect(i)) AS n";
    // No per-query limit by default: the query runs.
    CHECK(scalar_int(*db, q) == 500000);
    QueryOptions small;
    small.memory_limit = 1 * kMiB;
    Error e = error_of([&] { db->execute(q, {}, small); });
    CHECK(e.kind() == ErrorKind::MemoryLimit);
    CHECK(e.message().find("1.0 MiB") != std::string::npos);
    // A streamed result over the limit fails the cursor, not the process.
    auto cursor = db->stream("UNWIND range(1, 2000000) AS i RETURN collect(i) AS l", {}, small);
    std::vector<std::vector<Value>> rows;
    Error se = error_of([&] {
        while (cursor->next(rows)) {}
    });
    CHECK(se.kind() == ErrorKind::MemoryLimit);
    CHECK(scalar_int(*db, "RETURN 1") == 1);
    auto stats = db->engine_stats();
    CHECK(stats.memory.query_rejections >= 2);
    CHECK(stats.memory.queries[0] >= 3);
    CHECK(stats.memory.peak_max[0] >= 500000 * sizeof(Value));
}

TEST_CASE("the pool of all queries refuses what would pass it", "[memory]") {
    auto db = open_limited(2, 0, 64 * kMiB);
    auto stats = db->engine_stats();
    CHECK(stats.memory.limit == 64 * kMiB);
    Error e = error_of(
        [&] { db->execute("UNWIND range(1, 5000000) AS i RETURN size(collect(i)) AS n"); });
    CHECK(e.kind() == ErrorKind::MemoryLimit);
    CHECK(e.message().find("--memory-limit") != std::string::npos);
    CHECK(e.message().find("64.0 MiB") != std::string::npos);
    CHECK(db->engine_stats().memory.pool_rejections == 1);
    // Once the query is gone, its memory is back in the pool.
    CHECK(db->engine_stats().memory.used == 0);
    CHECK(scalar_int(*db, "UNWIND range(1, 100000) AS i RETURN size(collect(i)) AS n") == 100000);
}

TEST_CASE("many oversized queries at once fail while small ones are answered", "[memory]") {
    auto db = open_limited(2, 4 * kMiB, 512 * kMiB);
    std::vector<std::future<std::string>> big;
    for (int i = 0; i < 16; ++i)
        big.push_back(std::async(std::launch::async, [&db] {
            try {
                db->execute("UNWIND range(1, 3000000) AS i RETURN size(collect(i)) AS n");
                return std::string("answered");
            } catch (const Error& e) {
                return e.code();
            }
        }));
    for (int i = 0; i < 50; ++i) CHECK(scalar_int(*db, "RETURN $i", Params{{"i", Value(i)}}) == i);
    for (auto& f : big) CHECK(f.get() == "TransientError.MemoryPoolOutOfMemoryError");
    CHECK(db->engine_stats().memory.used == 0);
}

TEST_CASE("Value::footprint counts what a value holds", "[memory]") {
    CHECK(Value(int64_t{1}).footprint() == sizeof(Value));
    const Value s(std::string(1000, 'x'));
    CHECK(s.footprint() > 1000);
    lora::List l(1000, s);
    const Value list(l);
    CHECK(list.footprint() > 1000 * s.footprint());
    lora::Map m{{"k", list}};
    CHECK(Value(m).footprint() > list.footprint());
}

TEST_CASE("a shortest-path search counts the nodes it reaches", "[memory]") {
    auto db = open_limited(2, 0, 0);
    db->execute("CREATE INDEX chain_i FOR (c:C) ON (c.i)");
    db->execute("UNWIND range(1, 20000) AS i CREATE (:C {i: i})");
    db->execute(
        "UNWIND range(1, 19999) AS i MATCH (a:C {i: i}), (b:C {i: i + 1}) CREATE (a)-[:N]->(b)");
    const std::string shortest =
        "MATCH (a:C {i: 1}), (b:C {i: 20000}) MATCH p = shortestPath((a)-[:N*]->(b)) RETURN "
        "length(p)";
    const std::string shortest3 =
        "MATCH (a:C {i: 1}), (b:C {i: 20000}) MATCH p = SHORTEST 3 (a)-[:N]->+(b) RETURN "
        "length(p)";
    CHECK(scalar_int(*db, shortest) == 19999);
    QueryOptions small;
    small.memory_limit = 512 << 10;
    for (const auto& q : {shortest, shortest3}) {
        Error e = error_of([&] { db->execute(q, {}, small); });
        INFO(q << ": " << e.message());
        CHECK(e.kind() == ErrorKind::MemoryLimit);
        CHECK(e.message().find("the shortest-path search") != std::string::npos);
    }
    CHECK(scalar_int(*db, "RETURN 1") == 1);
}
