// temporary measurement
#include "helpers.hpp"
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <set>
#include <algorithm>
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
    for (int B : {250, 1000}) {
        std::vector<std::pair<int64_t,int64_t>> es;
        std::set<int64_t> ids;
        for (int i = 0; i < B; ++i) { int64_t a = rng() % 10000, b = rng() % 10000; es.push_back({a,b}); ids.insert(a); ids.insert(b); }
        std::vector<int64_t> sorted(ids.begin(), ids.end());
        List pairs, idl;
        for (auto x : sorted) idl.push_back(Value(x));
        for (auto [a,b] : es) pairs.push_back(List{Value(int64_t(std::lower_bound(sorted.begin(), sorted.end(), a) - sorted.begin())), Value(int64_t(std::lower_bound(sorted.begin(), sorted.end(), b) - sorted.begin())), Value(1)});
        auto t2 = std::chrono::steady_clock::now();
        auto r2 = db->execute("MATCH (n:N) WHERE n.id IN $ids RETURN count(*)", {{"pairs", pairs}, {"ids", idl}});
        auto t3 = std::chrono::steady_clock::now();
        db->execute("MATCH (n:N) WHERE n.id IN $ids WITH n ORDER BY n.id WITH collect(n) AS ns RETURN size(ns)", {{"pairs", pairs}, {"ids", idl}});
        auto t4 = std::chrono::steady_clock::now();
        db->execute("MATCH (n:N) WHERE n.id IN $ids WITH n ORDER BY n.id WITH collect(n) AS ns UNWIND $pairs AS p WITH ns[p[0]] AS a, ns[p[1]] AS b, p[2] AS w RETURN count(*)", {{"pairs", pairs}, {"ids", idl}});
        auto t5 = std::chrono::steady_clock::now();
        using ms = std::chrono::milliseconds;
        std::cout << shards << " shards B=" << B << ": IN " << std::chrono::duration_cast<ms>(t3 - t2).count() << " collect " << std::chrono::duration_cast<ms>(t4 - t3).count() << " unwind " << std::chrono::duration_cast<ms>(t5 - t4).count() << "\n";
    }
    }
}
