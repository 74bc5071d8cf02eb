// Many threads on one Database at once: per-thread writes and reads stay correct, and the
// same read run concurrently gives identical results. Meant to run under TSan as well.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using lora::List;
using lora::Value;

// Failures are collected and reported from the main thread (Catch2 is not thread-safe).
struct Failures {
    std::mutex mu;
    std::vector<std::string> list;
    void add(std::string s) {
        std::lock_guard lock(mu);
        list.push_back(std::move(s));
    }
};

}  // namespace

TEST_CASE("16 threads mixing writes and reads each see exactly their own data",
          "[engine][concurrency]") {
    auto db = lora::test::open_db(4, 4);
    db->execute("CREATE (:Root {name: 'root'})");
    const int threads = 16, rounds = 12;
    Failures failures;
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            try {
                int64_t made = 0;
                for (int r = 0; r < rounds; ++r) {
                    List items;
                    for (int k = 0; k <= r; ++k) items.push_back(Value(int64_t{k}));
                    lora::Params p{{"t", Value(int64_t{t})},
                                   {"r", Value(int64_t{r})},
                                   {"items", Value(items)}};
                    auto c =
                        db->execute("UNWIND $items AS k CREATE (:T {tid: $t, round: $r, k: k})", p);
                    made += r + 1;
                    if (c.stats.nodes_created != r + 1)
                        failures.add("thread " + std::to_string(t) + ": created " +
                                     std::to_string(c.stats.nodes_created));
                    // Link this round's nodes to the shared root: writes on the root's shard
                    // from every thread at once.
                    db->execute(
                        "MATCH (root:Root), (n:T {tid: $t, round: $r}) CREATE (n)-[:IN]->(root)",
                        p);
                    int64_t mine = lora::test::scalar_int(
                        *db, "MATCH (n:T) WHERE n.tid = $t RETURN count(n)", p);
                    if (mine != made)
                        failures.add("thread " + std::to_string(t) + " round " + std::to_string(r) +
                                     ": sees " + std::to_string(mine) + " own nodes, made " +
                                     std::to_string(made));
                    int64_t linked = lora::test::scalar_int(
                        *db, "MATCH (n:T {tid: $t})-[:IN]->(:Root) RETURN count(*)", p);
                    if (linked != made)
                        failures.add("thread " + std::to_string(t) + ": " + std::to_string(linked) +
                                     " linked nodes, made " + std::to_string(made));
                    if (r % 4 == 3) {
                        // Update and read back own nodes only.
                        db->execute("MATCH (n:T {tid: $t}) SET n.seen = $r", p);
                        int64_t stale = lora::test::scalar_int(
                            *db, "MATCH (n:T {tid: $t}) WHERE n.seen <> $r RETURN count(n)", p);
                        if (stale != 0)
                            failures.add("thread " + std::to_string(t) + ": stale updates");
                    }
                }
            } catch (const std::exception& e) {
                failures.add("thread " + std::to_string(t) + ": " + e.what());
            }
        });
    }
    for (auto& th : ts) th.join();
    for (const auto& f : failures.list) FAIL_CHECK(f);
    const int64_t per_thread = rounds * (rounds + 1) / 2;
    auto r = db->execute("MATCH (n:T) RETURN n.tid AS t, count(*) AS c ORDER BY t");
    REQUIRE(r.rows.size() == static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        CHECK(r.rows[t][0] == Value(int64_t{t}));
        CHECK(r.rows[t][1] == Value(per_thread));
    }
    CHECK(lora::test::scalar_int(*db, "MATCH (:Root)<-[r:IN]-() RETURN count(r)") ==
          threads * per_thread);
}

TEST_CASE("concurrent identical reads give identical results", "[engine][concurrency]") {
    auto db = lora::test::open_db(4, 4);
    db->execute(
        "UNWIND range(1, 400) AS i CREATE (:P {i: i, g: i % 7})-[:NEXT {w: i}]->(:P {i: i + "
        "1000})");
    const std::string q =
        "MATCH (a:P)-[r:NEXT]->(b:P) RETURN a.g AS g, count(*) AS c, sum(r.w) AS s, "
        "collect(b.i)[0..0] AS none ORDER BY g";
    auto expected = db->execute(q);
    REQUIRE(expected.rows.size() == 7);
    std::string want;
    for (const auto& row : expected.rows) want += Value(List(row)).to_string() + "\n";

    Failures failures;
    std::atomic<int> same{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 16; ++t)
        ts.emplace_back([&] {
            for (int k = 0; k < 10; ++k) {
                try {
                    auto r = db->execute(q);
                    std::string got;
                    for (const auto& row : r.rows) got += Value(List(row)).to_string() + "\n";
                    if (got == want)
                        ++same;
                    else
                        failures.add("different result:\n" + got);
                } catch (const std::exception& e) {
                    failures.add(e.what());
                }
            }
        });
    for (auto& th : ts) th.join();
    for (const auto& f : failures.list) FAIL_CHECK(f);
    CHECK(same.load() == 160);
}
