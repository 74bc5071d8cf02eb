// temporary measurement
#include "helpers.hpp"
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <random>
using namespace lora;
TEST_CASE("measure", "[.measure]") {
    for (uint32_t shards : {1u, 4u}) {
    auto db = test::open_db(shards);
    auto t0 = std::chrono::steady_clock::now();
    List rows;
    for (int i = 0; i < 10000; ++i) rows.push_back(Map{{"id", Value(i)}, {"v", Value(i % 97)}});
    for (size_t b = 0; b < rows.size(); b += 1000) {
        List batch(rows.begin() + b, rows.begin() + std::min(rows.size(), b + 1000));
        db->execute("UNWIND $rows AS r CREATE (:N {id: r.id, v: r.v})", {{"rows", batch}});
    }
    auto t1 = std::chrono::steady_clock::now();
    std::mt19937_64 rng(1);
    List pairs;
    for (int i = 0; i < 100; ++i) pairs.push_back(List{Value(int64_t(rng() % 10000)), Value(int64_t(rng() % 10000)), Value(1)});
    auto r = db->execute("UNWIND $pairs AS p MATCH (a:N {id: p[0]}), (b:N {id: p[1]}) CREATE (a)-[:E {w: p[2]}]->(b)", {{"pairs", pairs}});
    auto t2 = std::chrono::steady_clock::now();
    auto r2 = db->execute("MATCH (n:N) WHERE n.id IN $ids WITH n ORDER BY n.id WITH collect(n) AS ns UNWIND $pairs AS p WITH ns[p[0]] AS a, ns[p[1]] AS b, p[2] AS w CREATE (a)-[:E {w: w}]->(b)", {{"pairs", List{List{0,1,5}}}, {"ids", List{Value(3), Value(7)}}});
    auto t3 = std::chrono::steady_clock::now();
    using ms = std::chrono::milliseconds;
    std::cout << shards << " shards: nodes " << std::chrono::duration_cast<ms>(t1 - t0).count() << "ms, 100 rels " << std::chrono::duration_cast<ms>(t2 - t1).count() << "ms created " << r.stats.relationships_created << " ; collect approach " << std::chrono::duration_cast<ms>(t3 - t2).count() << "ms created " << r2.stats.relationships_created << "\n";
    }
}
