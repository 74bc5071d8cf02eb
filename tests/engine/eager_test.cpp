// Where the planner may leave out the Eager barrier between reads and writes (only before a
// CREATE of relationships between bound nodes, after node-only reads), and that the
// statements it streams give the same graph as with the barrier.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <string>

namespace {

using lora::Database;
using lora::List;
using lora::Map;
using lora::Params;
using lora::Value;
using lora::test::scalar_int;

std::string plan_of(Database& db, const std::string& q) {
    std::string s;
    for (const auto& row : db.execute("EXPLAIN " + q).rows) s += row[0].as_string() + "\n";
    return s;
}

bool has_eager(Database& db, const std::string& q) {
    return plan_of(db, q).find("Eager") != std::string::npos;
}

}  // namespace

TEST_CASE("relationship-only CREATE after node-only reads needs no Eager",
          "[engine][plan][eager]") {
    auto db = lora::test::open_db(2);
    db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
    CHECK_FALSE(has_eager(*db,
                          "UNWIND $rows AS r MATCH (a:P {id: r.a}), (b:P {id: r.b}) "
                          "CREATE (a)-[:K {s: r.s}]->(b)"));
    CHECK_FALSE(has_eager(*db, "MATCH (a:P), (b:Q) WHERE a.id < b.id CREATE (a)-[:K]->(b)"));
    CHECK_FALSE(has_eager(*db, "MATCH (a:P) CREATE (a)-[:K]->(a) CREATE (a)<-[:L]-(a)"));
    // Reads that see relationships, or writes that create nodes or set properties, keep it.
    CHECK(has_eager(*db, "MATCH (a:P)-[:K]->(b) CREATE (a)-[:K]->(b)"));
    CHECK(has_eager(*db, "MATCH (a:P), (b:P) WHERE (a)-->(b) CREATE (a)-[:K]->(b)"));
    CHECK(has_eager(*db, "MATCH (a:P) CREATE (a)-[:K]->(:P)"));
    CHECK(has_eager(*db, "MATCH (a:P) CREATE (:P {id: a.id + 1})"));
    CHECK(has_eager(*db, "MATCH (a:P) SET a.id = 1"));
    // A statement without RETURN drops its rows where they end.
    const std::string p = plan_of(*db, "MATCH (a:P) CREATE (a)-[:K]->(a)");
    CHECK(p.find("ProduceResults @coordinator") == std::string::npos);
    CHECK(plan_of(*db, "MATCH (a:P) RETURN a").find("ProduceResults @coordinator") !=
          std::string::npos);
}

TEST_CASE("streamed relationship creation builds the same graph", "[engine][plan][eager]") {
    for (uint32_t shards : {1u, 3u}) {
        auto db = lora::test::open_db(shards);
        db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
        List nodes;
        for (int64_t i = 0; i < 300; ++i) nodes.emplace_back(Map{{"id", Value(i)}});
        db->execute("UNWIND $rows AS r CREATE (:P {id: r.id})", Params{{"rows", Value(nodes)}});
        List rels;
        int64_t expected = 0, since_sum = 0;
        for (int64_t i = 0; i < 2000; ++i) {
            const int64_t a = (i * 7) % 300, b = (i * 13 + 5) % 320;  // some b do not exist
            rels.emplace_back(Map{{"a", Value(a)}, {"b", Value(b)}, {"s", Value(i)}});
            if (b < 300) {
                ++expected;
                since_sum += i;
            }
        }
        auto res = db->execute(
            "UNWIND $rows AS r MATCH (a:P {id: r.a}), (b:P {id: r.b}) "
            "CREATE (a)-[:K {s: r.s}]->(b)",
            Params{{"rows", Value(rels)}});
        CHECK(res.stats.relationships_created == expected);
        CHECK(res.rows.empty());
        CHECK(scalar_int(*db, "MATCH (:P)-[k:K]->(:P) RETURN count(k)") == expected);
        CHECK(scalar_int(*db, "MATCH ()-[k:K]->() RETURN sum(k.s)") == since_sum);
        // Each relationship joins the nodes its row named.
        CHECK(scalar_int(*db,
                         "MATCH (a:P)-[k:K]->(b:P) WHERE a.id <> (k.s * 7) % 300 OR "
                         "b.id <> (k.s * 13 + 5) % 320 RETURN count(k)") == 0);
        // Self-matching reads do not see the statement's own new relationships: one per node.
        db->execute("MATCH (a:P) CREATE (a)-[:SELF]->(a)");
        CHECK(scalar_int(*db, "MATCH (a)-[s:SELF]->() RETURN count(s)") == 300);
    }
}
