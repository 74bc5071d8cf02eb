// Property indexes: every query shape an index serves returns exactly the rows it returns
// without the index (random mixed-type data, 1 and 4 shards, through random writes,
// rollbacks and conflicts), indexes survive restarts, and schema commands fail like Neo4j's.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

using lora::Database;
using lora::List;
using lora::Map;
using lora::Params;
using lora::Value;
using lora::test::scalar_int;

// Values that test Cypher's rules: 2 = 2.0, ints beyond double precision, NaN, strings that
// are not numbers, booleans and lists, next to each other in one property.
std::vector<Value> value_pool() {
    return {Value(int64_t{-3}),
            Value(int64_t{0}),
            Value(int64_t{1}),
            Value(int64_t{2}),
            Value(int64_t{3}),
            Value(2.0),
            Value(2.5),
            Value(-1.5),
            Value(0.0),
            Value(int64_t{9007199254740993}),
            Value(9007199254740992.0),
            Value(std::nan("")),
            Value("a"),
            Value("b"),
            Value("ab"),
            Value(""),
            Value("2"),
            Value(true),
            Value(false),
            Value(List{Value(int64_t{1}), Value(int64_t{2})}),
            Value(List{Value(1.0), Value(2.0)}),
            Value(List{Value("a")})};
}

// Rows as sorted text, so row order (which Cypher leaves open) does not matter.
std::vector<std::string> rows_of(const lora::Result& r) {
    std::vector<std::string> out;
    for (const auto& row : r.rows) {
        std::string s;
        for (const auto& v : row) s += v.to_string() + "|";
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The rows of a query, or its error code (both databases must fail alike).
std::vector<std::string> outcome(Database& db, const std::string& q, const Params& p) {
    try {
        return rows_of(db.execute(q, p));
    } catch (const lora::Error& e) {
        return {"error " + e.code()};
    }
}

struct Shape {
    std::string query;
    int params;  // 1: $v, 2: $v and $w, 3: $list
};

const std::vector<Shape>& shapes() {
    static const std::vector<Shape> s = {
        {"MATCH (n:L {p: $v}) RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p = $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE $v = n.p RETURN n.k, n.p", 1},
        {"MATCH (n:L) WHERE n.p > $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p >= $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p < $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p <= $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE $v < n.p RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p >= $v AND n.p < $w RETURN n.k", 2},
        {"MATCH (n:L) WHERE n.p > $v AND n.q <= $w RETURN n.k", 2},
        {"MATCH (n:L {p: $v, q: $w}) RETURN n.k", 2},
        {"MATCH (n:L:M) WHERE n.p = $v RETURN n.k", 1},
        {"MATCH (n:L) WHERE n.p = $v RETURN count(*)", 1},
        {"MATCH (n:L) WHERE n.p IN $list RETURN n.k", 3},
        {"MATCH (n:L) WHERE n.p = -$v RETURN n.k", 1},
        {"UNWIND [$v, $w] AS x MATCH (n:L) WHERE n.p = x RETURN x, n.k", 2},
        {"MATCH (n:L) WHERE n.p = $v OPTIONAL MATCH (m:L) WHERE m.p > $w RETURN n.k, m.k", 2},
    };
    return s;
}

// Runs every shape with many parameter values on both databases; all must agree.
void check_same(Database& indexed, Database& plain, std::mt19937_64& rng) {
    auto pool = value_pool();
    pool.push_back(Value());
    pool.push_back(Value("zz"));
    auto pick = [&] { return pool[rng() % pool.size()]; };
    for (const auto& shape : shapes()) {
        for (int round = 0; round < 12; ++round) {
            Params p;
            if (shape.params == 3) {
                List l;
                for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) l.push_back(pick());
                // Sometimes not a list at all: both must raise the same type error.
                p["list"] = round == 0 ? Value(int64_t{5}) : round == 1 ? Value() : Value(l);
            } else {
                p["v"] = round < static_cast<int>(pool.size())
                             ? pool[static_cast<size_t>(round) * 3 % pool.size()]
                             : pick();
                p["w"] = pick();
            }
            INFO(shape.query << " with " << Value(p).to_string());
            CHECK(outcome(indexed, shape.query, p) == outcome(plain, shape.query, p));
        }
    }
}

// The same write on both databases.
void both(Database& a, Database& b, const std::string& q, const Params& p = {}) {
    auto ra = outcome(a, q, p);
    auto rb = outcome(b, q, p);
    REQUIRE(ra == rb);
}

std::string plan_of(Database& db, const std::string& q) {
    std::string s;
    for (const auto& row : db.execute("EXPLAIN " + q).rows) s += row[0].as_string() + "\n";
    return s;
}

void load(Database& a, Database& b, std::mt19937_64& rng, int64_t first, int64_t count) {
    auto pool = value_pool();
    const char* labels[] = {"L", "L", "L:M", "M", ""};
    for (const char* lab : labels) {
        List rows;
        for (int64_t k = first; k < first + count; ++k) {
            if (rng() % 5 != static_cast<uint64_t>(&lab - labels) % 5 && lab[0]) continue;
            Map props;
            props["k"] = Value(k);
            if (rng() % 6 != 0) props["p"] = pool[rng() % pool.size()];
            if (rng() % 3 != 0) props["q"] = Value(static_cast<int64_t>(rng() % 5));
            rows.emplace_back(std::move(props));
        }
        std::string label = lab[0] ? std::string(":") + lab : std::string();
        both(a, b, "UNWIND $rows AS r CREATE (n" + label + ") SET n = r", {{"rows", Value(rows)}});
    }
}

}  // namespace

TEST_CASE("index seeks return exactly the rows of a label scan, through random writes",
          "[engine][index]") {
    for (uint32_t shards : {1u, 4u}) {
        DYNAMIC_SECTION(shards << " shards") {
            auto indexed = lora::test::open_db(shards);
            auto plain = lora::test::open_db(shards);
            std::mt19937_64 rng(42 + shards);
            load(*indexed, *plain, rng, 0, 300);
            indexed->execute("CREATE INDEX l_p FOR (n:L) ON (n.p)");
            indexed->execute("CREATE INDEX l_pq FOR (n:L) ON (n.p, n.q)");
            REQUIRE(plan_of(*indexed, "MATCH (n:L {p: $v}) RETURN n").find("NodeIndexSeek") !=
                    std::string::npos);
            REQUIRE(plan_of(*plain, "MATCH (n:L {p: $v}) RETURN n").find("NodeIndexSeek") ==
                    std::string::npos);
            for (const auto& shape : shapes()) {
                INFO(shape.query);
                CHECK(plan_of(*indexed, shape.query).find("NodeIndexSeek") != std::string::npos);
            }
            CHECK(plan_of(*indexed, "MATCH (n:L {p: $v, q: $w}) RETURN n").find("index=l_pq") !=
                  std::string::npos);
            check_same(*indexed, *plain, rng);

            auto pool = value_pool();
            for (int round = 0; round < 3; ++round) {
                for (int i = 0; i < 40; ++i) {
                    Params p{{"k", Value(static_cast<int64_t>(rng() % 330))},
                             {"v", pool[rng() % pool.size()]}};
                    switch (rng() % 8) {
                        case 0: both(*indexed, *plain, "MATCH (n {k: $k}) SET n.p = $v", p); break;
                        case 1: both(*indexed, *plain, "MATCH (n {k: $k}) REMOVE n.p", p); break;
                        case 2: both(*indexed, *plain, "MATCH (n {k: $k}) SET n:L", p); break;
                        case 3: both(*indexed, *plain, "MATCH (n {k: $k}) REMOVE n:L", p); break;
                        case 4:
                            both(*indexed, *plain, "MATCH (n {k: $k}) DETACH DELETE n", p);
                            break;
                        case 5:
                            both(*indexed, *plain, "MATCH (n {k: $k}) SET n = {k: $k, q: 1}", p);
                            break;
                        case 6:
                            both(*indexed, *plain, "MATCH (n:L {k: $k}) SET n += {p: $v, q: 2}", p);
                            break;
                        default:
                            both(*indexed, *plain, "CREATE (n:L {k: $k, p: $v, q: 3})", p);
                            break;
                    }
                }
                load(*indexed, *plain, rng, 1000 * (round + 1), 40);
                check_same(*indexed, *plain, rng);
            }
        }
    }
}

TEST_CASE("an index follows rollbacks, failed statements and conflict aborts", "[engine][index]") {
    auto db = lora::test::open_db(4);
    db->execute("UNWIND range(1, 100) AS i CREATE (:P {k: i, v: i % 10})");
    db->execute("CREATE INDEX FOR (n:P) ON (n.v)");
    // `OR false` keeps the same filter but hides it from the index.
    auto by_index = [&](int64_t v) {
        return scalar_int(*db, "MATCH (n:P) WHERE n.v = $v RETURN count(*)", {{"v", Value(v)}});
    };
    auto by_scan = [&](int64_t v) {
        return scalar_int(*db, "MATCH (n:P) WHERE n.v = $v OR false RETURN count(*)",
                          {{"v", Value(v)}});
    };
    REQUIRE(
        plan_of(*db, "MATCH (n:P) WHERE n.v = $v OR false RETURN count(*)").find("NodeIndexSeek") ==
        std::string::npos);
    auto consistent = [&] {
        for (int64_t v = 0; v <= 12; ++v) {
            INFO("v = " << v);
            CHECK(by_index(v) == by_scan(v));
        }
    };
    CHECK(by_index(3) == 10);

    {
        auto tx = db->begin();
        tx->execute("MATCH (n:P) WHERE n.k <= 20 SET n.v = 11");
        tx->execute("MATCH (n:P) WHERE n.k > 90 REMOVE n:P");
        tx->execute("MATCH (n:P) WHERE n.k > 80 AND n.k <= 90 DETACH DELETE n");
        tx->execute("CREATE (:P {k: 500, v: 12})");
        CHECK(tx->execute("MATCH (n:P) WHERE n.v = 11 RETURN n").rows.size() == 20);
        tx->rollback();
    }
    CHECK(by_index(11) == 0);
    CHECK(by_index(12) == 0);
    CHECK(by_index(3) == 10);
    consistent();

    // A statement that fails after writing is undone as a whole.
    CHECK_THROWS_AS(
        db->execute("MATCH (n:P) WHERE n.k <= 30 SET n.v = 11 WITH count(*) AS c RETURN c / 0"),
        lora::Error);
    CHECK(by_index(11) == 0);
    consistent();

    // First updater wins: the second transaction's write fails and it is rolled back.
    auto t1 = db->begin();
    auto t2 = db->begin();
    t1->execute("MATCH (n:P {k: 5}) SET n.v = 12");
    t2->execute("MATCH (n:P {k: 6}) SET n.v = 11");
    CHECK_THROWS_AS(t2->execute("MATCH (n:P {k: 5}) SET n.v = 11"), lora::Error);
    t1->commit();
    CHECK(by_index(12) == 1);
    CHECK(by_index(11) == 0);
    consistent();
}

TEST_CASE("indexes survive restarts through WAL replay and checkpoints", "[engine][index]") {
    char tmpl[] = "/tmp/lora-index-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    auto open = [&] {
        lora::Options o;
        o.shards = 3;
        o.data_dir = dir;
        return Database::open(o);
    };
    const std::string seek = "MATCH (n:P) WHERE n.v = $v RETURN count(*)";
    {
        auto db = open();
        db->execute("UNWIND range(1, 60) AS i CREATE (:P {v: i % 6, s: 'x' + toString(i)})");
        db->execute("CREATE INDEX p_v FOR (n:P) ON (n.v)");
        db->execute("CREATE INDEX FOR (n:P) ON (n.s)");
        db->execute(
            "CREATE VECTOR INDEX emb IF NOT EXISTS FOR (n:Doc) ON (n.embedding) "
            "OPTIONS {indexConfig: {`vector.dimensions`: 8, `vector.similarity_function`: "
            "'EUCLIDEAN'}}");
        db->execute("MATCH (n:P) WHERE n.v = 1 SET n.v = 100");
    }
    {
        auto db = open();  // WAL replay only
        auto r = db->execute(
            "SHOW INDEXES YIELD name, type, state, options RETURN name, type, state, options ORDER "
            "BY name");
        REQUIRE(r.rows.size() == 3);
        CHECK(r.rows[0][0] == Value("emb"));
        CHECK(r.rows[0][1] == Value("VECTOR"));
        CHECK(r.rows[0][3].to_string().find("'euclidean'") != std::string::npos);
        CHECK(r.rows[0][3].to_string().find("vector.dimensions`: 8") != std::string::npos);
        CHECK(r.rows[2][0] == Value("p_v"));
        CHECK(r.rows[2][2] == Value("ONLINE"));
        CHECK(plan_of(*db, seek).find("NodeIndexSeek") != std::string::npos);
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{100})}}) == 10);
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{1})}}) == 0);
        // x5, x50..x59, x6, x60, x7, x8, x9
        CHECK(scalar_int(*db, "MATCH (n:P) WHERE n.s >= 'x5' RETURN count(*)") == 16);
        db->checkpoint();
        db->execute("MATCH (n:P) WHERE n.v = 2 SET n.v = 200");
        db->execute("DROP INDEX p_v");
        db->execute("CREATE INDEX p_v2 FOR (n:P) ON (n.v)");
    }
    {
        auto db = open();  // checkpoint, then WAL replay
        auto names = db->execute("SHOW INDEXES YIELD name RETURN name ORDER BY name");
        REQUIRE(names.rows.size() == 3);
        CHECK(names.rows[2][0] == Value("p_v2"));
        CHECK(plan_of(*db, seek).find("index=p_v2") != std::string::npos);
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{200})}}) == 10);
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{100})}}) == 10);
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{2})}}) == 0);
        db->checkpoint();
    }
    {
        auto db = open();  // checkpoint only
        CHECK(scalar_int(*db, seek, {{"v", Value(int64_t{200})}}) == 10);
        CHECK(scalar_int(*db, "SHOW INDEXES YIELD name RETURN count(*)") == 3);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("snapshots carry index definitions", "[engine][index]") {
    char tmpl[] = "/tmp/lora-index-snap-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    auto a = lora::test::open_db(2);
    a->execute("UNWIND range(1, 20) AS i CREATE (:P {v: i})");
    a->execute("CREATE INDEX snap_v FOR (n:P) ON (n.v)");
    a->snapshot_save(dir + "/s.snap");
    auto b = lora::test::open_db(2);
    b->snapshot_load(dir + "/s.snap");
    CHECK(scalar_int(*b, "SHOW INDEXES YIELD name WHERE name = 'snap_v' RETURN count(*)") == 1);
    CHECK(plan_of(*b, "MATCH (n:P) WHERE n.v > 15 RETURN n").find("NodeIndexSeek") !=
          std::string::npos);
    CHECK(scalar_int(*b, "MATCH (n:P) WHERE n.v > 15 RETURN count(*)") == 5);
    std::filesystem::remove_all(dir);
}

TEST_CASE("schema commands report duplicates and missing indexes like Neo4j", "[engine][index]") {
    auto db = lora::test::open_db(2);
    auto code = [&](const std::string& q) -> std::string {
        try {
            db->execute(q);
        } catch (const lora::Error& e) {
            return e.code();
        }
        return "ok";
    };
    CHECK(code("CREATE INDEX a FOR (n:L) ON (n.p)") == "ok");
    CHECK(code("CREATE INDEX a FOR (n:L) ON (n.p)") ==
          "SchemaError.EquivalentSchemaRuleAlreadyExists");
    CHECK(code("CREATE INDEX a FOR (n:L) ON (n.q)") == "SchemaError.IndexWithNameAlreadyExists");
    CHECK(code("CREATE INDEX b FOR (n:L) ON (n.p)") == "SchemaError.IndexAlreadyExists");
    CHECK(code("CREATE INDEX ON :L(p)") == "SchemaError.IndexAlreadyExists");
    CHECK(code("CREATE INDEX a IF NOT EXISTS FOR (n:L) ON (n.q)") == "ok");
    CHECK(code("CREATE INDEX b IF NOT EXISTS FOR (n:L) ON (n.p)") == "ok");
    CHECK(code("CREATE INDEX FOR (n:L) ON (n.p, n.p)") ==
          "SchemaError.RepeatedPropertyInCompositeSchema");
    CHECK(code("CREATE INDEX ON :L(q)") == "ok");  // legacy form, generated name
    CHECK(code("DROP INDEX nope") == "SchemaError.IndexNotFound");
    CHECK(code("DROP INDEX nope IF EXISTS") == "ok");
    CHECK(code("CREATE INDEX c FOR (n:L) ON (n.p) OPTIONS {indexProvider: 'vector-2.0'}") ==
          "ArgumentError.InvalidIndexOption");
    CHECK(code("CREATE VECTOR INDEX v0 FOR (n:D) ON (n.e) OPTIONS {dimension: 0}") ==
          "ArgumentError.InvalidIndexOption");
    CHECK(code("CREATE VECTOR INDEX v0 FOR (n:D) ON (n.e) OPTIONS {dimension: 4097}") ==
          "ArgumentError.InvalidIndexOption");
    CHECK(code("CREATE VECTOR INDEX v0 FOR (n:D) ON (n.e) OPTIONS {dimension: 3, similarity: "
               "'dot'}") == "ArgumentError.InvalidIndexOption");
    CHECK(code("CREATE VECTOR INDEX v0 FOR (n:D) ON (n.e)") == "ArgumentError.InvalidIndexOption");
    CHECK(code("CREATE VECTOR INDEX v0 FOR (n:D) ON (n.e, n.f) OPTIONS {dimension: 3}") ==
          "ArgumentError.InvalidIndexOption");
    Params p{{"d", Value(int64_t{16})}};
    db->execute(
        "CREATE VECTOR INDEX v1 FOR (n:D) ON (n.e) OPTIONS {dimension: $d, similarity: 'cosine'}",
        p);
    CHECK(scalar_int(*db, "SHOW VECTOR INDEXES YIELD name RETURN count(*)") == 1);
    CHECK(scalar_int(*db, "SHOW RANGE INDEXES YIELD name RETURN count(*)") == 2);
    CHECK(scalar_int(
              *db, "SHOW INDEXES WHERE type = 'RANGE' AND 'q' IN properties RETURN count(*)") == 1);
    auto all = db->execute("SHOW INDEXES");
    REQUIRE(all.columns.size() == 11);
    CHECK(all.columns[1] == "name");
    CHECK(all.rows.size() == 3);
    CHECK(code("DROP INDEX a") == "ok");
    CHECK(code("DROP INDEX a") == "SchemaError.IndexNotFound");
    // Schema commands apply at once, also inside an explicit transaction.
    auto tx = db->begin();
    tx->execute("CREATE INDEX in_tx FOR (n:T) ON (n.x)");
    tx->rollback();
    CHECK(scalar_int(*db, "SHOW INDEXES YIELD name WHERE name = 'in_tx' RETURN count(*)") == 1);
}
