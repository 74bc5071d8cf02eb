// Statement atomicity: a failing write statement leaves no trace, on 1 and 4 shards.
#include <catch2/catch.hpp>

#include <lora/lora.hpp>

namespace {

int64_t count_of(lora::Database& db, const std::string& q) {
    auto r = db.execute(q);
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_int();
}

}  // namespace

TEST_CASE("failed write statements are rolled back", "[engine][txn]") {
    for (uint32_t shards : {1u, 4u}) {
        auto db = lora::Database::open({.shards = shards});
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
