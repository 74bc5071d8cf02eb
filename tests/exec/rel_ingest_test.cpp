// The relationship bulk-load path: UNWIND map unpacking (plan shape and results with null,
// missing-key, float/int and non-map rows), the index seek that takes over its equality
// filter (exact hits, rechecked candidates, snapshots), and relationships created by a
// transaction, which are listed rather than versioned (snapshots, deletes, rollback, replay).
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/plan/planner.hpp>

#include "engine/helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace lora;

plan::PlanPtr plan_of(const std::string& q) {
    auto st = cypher::parse(q);
    cypher::analyze(st);
    return plan::build_plan(st, q);
}

const plan::Unwind& unwind_step(const plan::Plan& p) {
    for (const auto& s : p.steps)
        if (const auto* u = std::get_if<plan::Unwind>(&s.op)) return *u;
    FAIL("no Unwind step in:\n" << p.explain());
    static const plan::Unwind none;
    return none;
}

std::vector<std::string> unpacked_keys(const plan::Plan& p) {
    std::vector<std::string> keys;
    for (const auto& [k, slot] : unwind_step(p).unpack) keys.push_back(k);
    return keys;
}

std::string explain(Database& db, const std::string& q) {
    auto r = db.execute("EXPLAIN " + q);
    std::string out;
    for (const auto& row : r.rows) out += row.at(0).as_string() + "\n";
    return out;
}

Map row_of(std::initializer_list<std::pair<const std::string, Value>> kv) { return Map(kv); }

int64_t count_of(Database& db, const std::string& q, const Params& p = {}) {
    return test::scalar_int(db, q, p);
}

int64_t count_of(Transaction& tx, const std::string& q) {
    auto r = tx.execute(q);
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_int();
}

}  // namespace

TEST_CASE("UNWIND unpacks the keys its rows read, and only when nothing reads the map whole",
          "[engine][planner][unpack]") {
    auto p = plan_of("UNWIND $rows AS r CREATE (:P {id: r.id, name: r.name})");
    CHECK(unpacked_keys(*p) == std::vector<std::string>{"id", "name"});
    // The map's own slot is left null for map rows; the keys have slots of their own.
    for (const auto& [k, slot] : unwind_step(*p).unpack) CHECK(slot != unwind_step(*p).slot);

    // Read whole, or by a computed key: no unpacking.
    CHECK(unpacked_keys(*plan_of("UNWIND $rows AS r RETURN r")).empty());
    CHECK(unpacked_keys(*plan_of("UNWIND $rows AS r RETURN r.a AS a, keys(r) AS k")).empty());
    CHECK(unpacked_keys(*plan_of("UNWIND $rows AS r RETURN r['a'] AS a")).empty());
    CHECK(unpacked_keys(*plan_of("UNWIND $rows AS r RETURN r {.a} AS m")).empty());
    CHECK(
        unpacked_keys(*plan_of("UNWIND $rows AS r WITH r WHERE r.a > 1 RETURN r.b AS b")).size() ==
        2);
    CHECK(
        unpacked_keys(*plan_of("UNWIND $rows AS r WITH r, count(*) AS c RETURN r.a AS a")).empty());

    // Where r goes out of scope, its unpacked keys are cleared with it.
    auto w = plan_of("UNWIND $rows AS r WITH r.a AS a, 1 AS one RETURN a");
    REQUIRE(unpacked_keys(*w) == std::vector<std::string>{"a"});
    const int key_slot = unwind_step(*w).unpack[0].second;
    bool cleared = false;
    for (const auto& s : w->steps)
        if (const auto* project = std::get_if<plan::Project>(&s.op))
            for (const auto& o : project->outputs)
                if (o.slot == key_slot) cleared = true;
    CHECK(cleared);
}

TEST_CASE("unpacked UNWIND rows read like maps: null, missing keys, numbers, non-maps",
          "[engine][unpack]") {
    for (uint32_t shards : {1u, 2u}) {
        auto db = test::open_db(shards);
        List rows{Value(row_of({{"a", Value(int64_t{1})}, {"b", Value("x")}})), Value(),
                  Value(row_of({{"a", Value(1.5)}})), Value(row_of({{"c", Value(int64_t{3})}})),
                  Value(row_of({{"a", Value(row_of({{"n", Value(int64_t{7})}}))}}))};
        Params params{{"rows", Value(rows)}};
        auto r = db->execute("UNWIND $rows AS r RETURN r.a AS a, r.b AS b", params);
        REQUIRE(r.rows.size() == 5);
        CHECK(r.rows[0] == std::vector<Value>{Value(int64_t{1}), Value("x")});
        CHECK(r.rows[1] == std::vector<Value>{Value(), Value()});
        CHECK(r.rows[2] == std::vector<Value>{Value(1.5), Value()});
        CHECK(r.rows[3] == std::vector<Value>{Value(), Value()});
        CHECK(r.rows[4][0].is_map());
        CHECK(test::scalar(*db, "UNWIND [{a: {n: 7}}, {b: 1}] AS r RETURN sum(r.a.n) AS n") ==
              Value(int64_t{7}));

        // A non-map element still fails as property access on it does.
        CHECK_THROWS_AS(db->execute("UNWIND [{a: 1}, 5] AS r RETURN r.a AS a"), Error);
        // Unpacked keys survive a WITH that keeps only them, and filters on them work.
        auto w = db->execute(
            "UNWIND $rows AS r WITH r.a AS a WHERE a IS NOT NULL RETURN count(a) AS c", params);
        CHECK(w.rows.at(0).at(0) == Value(int64_t{3}));
        // Created from unpacked keys: the properties are the map's values.
        db->execute("UNWIND $rows AS r CREATE (:Q {a: r.a, b: r.b})",
                    Params{{"rows", Value(List{rows[0], rows[2], rows[3]})}});
        CHECK(count_of(*db, "MATCH (q:Q) WHERE q.a = 1 AND q.b = 'x' RETURN count(q)") == 1);
        CHECK(count_of(*db, "MATCH (q:Q) WHERE q.a = 1.5 AND q.b IS NULL RETURN count(q)") == 1);
        CHECK(count_of(*db, "MATCH (q:Q) RETURN count(q)") == 3);
    }
}

TEST_CASE(
    "an equality index seek takes over its filter and rechecks what the index cannot vouch for",
    "[engine][index][unpack]") {
    auto db = test::open_db(2);
    db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
    const std::string load =
        "UNWIND $rows AS r MATCH (a:P {id: r.a}), (b:P {id: r.b}) CREATE (a)-[:K {w: r.w}]->(b)";
    const std::string plan = explain(*db, load);
    INFO(plan);
    CHECK(plan.find("Filter") == std::string::npos);
    CHECK(plan.find("replaces its filter") != std::string::npos);
    CHECK(plan.find("unpack {a -> ") != std::string::npos);
    // Another conjunct stays in a filter.
    CHECK(explain(*db, "MATCH (p:P {id: 1}) WHERE p.v > 2 RETURN p").find("Filter") !=
          std::string::npos);

    db->execute(
        "CREATE (:P {id: 1}), (:P {id: 2.0}), (:P {id: 'x'}), (:P {id: 0.0 / 0.0}), (:P {id: 3}), "
        "(:P {id: [1, 2]}), (:Other {id: 1})");
    auto seek = [&](const Value& v) {
        return count_of(*db, "MATCH (p:P {id: $v}) RETURN count(p)", Params{{"v", v}});
    };
    CHECK(seek(Value(int64_t{1})) == 1);
    CHECK(seek(Value(1.0)) == 1);         // 1.0 = 1
    CHECK(seek(Value(int64_t{2})) == 1);  // 2 = 2.0
    CHECK(seek(Value("x")) == 1);
    CHECK(seek(Value("1")) == 0);        // a string is no number
    CHECK(seek(Value(0.0 / 0.0)) == 0);  // NaN = NaN is not true
    CHECK(seek(Value()) == 0);           // = null is never true
    CHECK(seek(Value(List{Value(int64_t{1}), Value(int64_t{2})})) == 1);
    CHECK(seek(Value(List{Value(int64_t{1}), Value()})) == 0);  // [1, null] = [1, 2] is null

    // The bulk-load statement over rows that match, miss, are null or cross int/float.
    auto rel = [](Value a, Value b, int64_t w) {
        return Value(row_of({{"a", std::move(a)}, {"b", std::move(b)}, {"w", Value(w)}}));
    };
    List rows{rel(Value(int64_t{1}), Value(int64_t{2}), 1),   // 2 finds 2.0
              rel(Value(2.0), Value("x"), 2),                 // 2.0 finds 2.0
              rel(Value(int64_t{3}), Value(int64_t{99}), 4),  // no such b
              rel(Value(), Value(int64_t{1}), 8),             // null a
              rel(Value(0.0 / 0.0), Value(int64_t{1}), 16),   // NaN a
              Value(row_of({{"b", Value(int64_t{3})}, {"w", Value(int64_t{32})}})),  // no a
              rel(Value(1.0), Value(int64_t{3}), 64)};                               // 1.0 finds 1
    auto res = db->execute(load, Params{{"rows", Value(rows)}});
    CHECK(res.stats.relationships_created == 3);
    CHECK(count_of(*db, "MATCH ()-[k:K]->() RETURN sum(k.w)") == 1 + 2 + 64);
    CHECK(count_of(*db, "MATCH (:P {id: 1})-[k:K]->(:P {id: 3}) RETURN count(k)") == 1);
}

TEST_CASE("seeks inside snapshots recheck the candidates whose values changed",
          "[engine][index][mvcc][unpack]") {
    auto db = test::open_db(2);
    db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
    db->execute("UNWIND range(1, 20) AS i CREATE (:P {id: i})");
    auto reader = db->begin();
    CHECK(count_of(*reader, "MATCH (p:P {id: 5}) RETURN count(p)") == 1);
    auto writer = db->begin();
    writer->execute("MATCH (p:P {id: 5}) SET p.id = 500");
    writer->execute("MATCH (p:P {id: 6}) SET p.id = 7");
    // The writer sees its own changes; others (pending writer: snapshots hide) do not.
    CHECK(count_of(*writer, "MATCH (p:P {id: 5}) RETURN count(p)") == 0);
    CHECK(count_of(*writer, "MATCH (p:P {id: 500}) RETURN count(p)") == 1);
    CHECK(count_of(*writer, "MATCH (p:P {id: 7}) RETURN count(p)") == 2);
    CHECK(count_of(*db, "MATCH (p:P {id: 5}) RETURN count(p)") == 1);
    CHECK(count_of(*db, "MATCH (p:P {id: 500}) RETURN count(p)") == 0);
    CHECK(count_of(*db, "MATCH (p:P {id: 7}) RETURN count(p)") == 1);
    writer->commit();
    CHECK(count_of(*reader, "MATCH (p:P {id: 5}) RETURN count(p)") == 1);
    CHECK(count_of(*reader, "MATCH (p:P {id: 7}) RETURN count(p)") == 1);
    CHECK(count_of(*db, "MATCH (p:P {id: 7}) RETURN count(p)") == 2);
    reader->rollback();
}

TEST_CASE("relationships created by a transaction stay invisible to snapshots that do not see it",
          "[engine][mvcc][unpack]") {
    for (uint32_t shards : {1u, 3u}) {
        auto db = test::open_db(shards);
        db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
        db->execute("UNWIND range(0, 29) AS i CREATE (:P {id: i})");
        auto rows_with = [](int64_t w0) {
            List rows;
            for (int64_t i = 0; i < 30; ++i)
                rows.push_back(Value(row_of(
                    {{"a", Value(i)}, {"b", Value((i * 7 + 3) % 30)}, {"w", Value(w0 + i)}})));
            return Value(rows);
        };
        const Value rows = rows_with(0), more = rows_with(100);
        const std::string load =
            "UNWIND $rows AS r MATCH (a:P {id: r.a}), (b:P {id: r.b}) "
            "CREATE (a)-[:K {w: r.w}]->(b)";
        db->execute(load, Params{{"rows", rows}});
        CHECK(db->mvcc_status().versions == 0);

        auto reader = db->begin();
        const std::string out = "MATCH (:P)-[k:K]->() RETURN count(k)";
        const std::string in = "MATCH (p:P)<-[k:K]-() RETURN count(k)";
        const std::string sum = "MATCH ()-[k:K]->() RETURN sum(k.w)";
        CHECK(count_of(*reader, out) == 30);

        // A writer creates more, deletes one of its own and one committed before.
        auto writer = db->begin();
        writer->execute(load, Params{{"rows", more}});
        writer->execute("MATCH ()-[k:K {w: 104}]->() DELETE k");  // its own
        writer->execute("MATCH ()-[k:K {w: 5}]->() DELETE k");    // committed before
        CHECK(count_of(*writer, out) == 58);
        CHECK(count_of(*writer, in) == 58);
        CHECK(count_of(*reader, out) == 30);
        CHECK(count_of(*reader, in) == 30);
        CHECK(count_of(*reader, sum) == 435);
        CHECK(count_of(*db, out) == 30);
        CHECK(count_of(*db, in) == 30);
        CHECK(count_of(*db, "MATCH ()-[k:K]-() RETURN count(k)") == 60);
        writer->commit();

        // Committed after the reader began: still not there for it, in either direction,
        // nor through the delete of a relationship it never saw.
        CHECK(count_of(*reader, out) == 30);
        CHECK(count_of(*reader, in) == 30);
        CHECK(count_of(*reader, sum) == 435);
        CHECK(count_of(*db, out) == 58);
        CHECK(count_of(*db, in) == 58);
        CHECK(count_of(*db, sum) == 435 + 3435 - 104 - 5);

        // A later transaction deletes relationships the reader never saw: they stay unseen.
        db->execute("MATCH ()-[k:K]->() WHERE k.w >= 100 WITH k ORDER BY k.w LIMIT 10 DELETE k");
        CHECK(count_of(*reader, out) == 30);
        CHECK(count_of(*reader, in) == 30);
        CHECK(count_of(*db, out) == 48);
        reader->rollback();
        db->execute("CREATE (:Other)");  // a commit lets the shards collect
        CHECK(db->mvcc_status().versions == 0);
        CHECK(count_of(*db, in) == 48);

        // Rolled back: nothing of it stays, no versions either.
        auto gone = db->begin();
        gone->execute(load, Params{{"rows", rows}});
        CHECK(count_of(*gone, out) == 78);
        gone->rollback();
        CHECK(count_of(*db, out) == 48);
        CHECK(count_of(*db, in) == 48);
        CHECK(db->mvcc_status().versions == 0);
    }
}

TEST_CASE("a bulk relationship load survives WAL replay and checkpoints", "[engine][unpack]") {
    const std::string dir = test::temp_dir("relingest");
    auto open = [&] {
        Options o;
        o.shards = 2;
        o.data_dir = dir;
        return Database::open(o);
    };
    List rows;
    for (int64_t i = 0; i < 200; ++i)
        rows.push_back(
            Value(row_of({{"a", Value(i % 50)}, {"b", Value((i * 13) % 50)}, {"w", Value(i)}})));
    const std::string load =
        "UNWIND $rows AS r MATCH (a:P {id: r.a}), (b:P {id: r.b}) CREATE (a)-[:K {w: r.w}]->(b)";
    {
        auto db = open();
        db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
        db->execute("UNWIND range(0, 49) AS i CREATE (:P {id: i})");
        db->execute(load, Params{{"rows", Value(List(rows.begin(), rows.begin() + 100))}});
        db->checkpoint();
        db->execute(load, Params{{"rows", Value(List(rows.begin() + 100, rows.end()))}});
    }
    {
        auto db = open();  // checkpoint + WAL tail
        CHECK(count_of(*db, "MATCH (:P)-[k:K]->(:P) RETURN count(k)") == 200);
        CHECK(count_of(*db, "MATCH (:P)<-[k:K]-(:P) RETURN count(k)") == 200);
        CHECK(count_of(*db, "MATCH ()-[k:K]->() RETURN sum(k.w)") == 199 * 200 / 2);
        CHECK(count_of(*db, "MATCH (:P {id: 7})-[k:K]->() RETURN count(k)") == 4);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("CREATE of a relationship with a literal property map", "[engine][unpack]") {
    // Nothing reads the relationship: its slot is not written; read later: it is.
    auto unread = plan_of("MATCH (a), (b) CREATE (a)-[:T {w: 1}]->(b)");
    auto read = plan_of("MATCH (a), (b) CREATE (a)-[r:T {w: 1}]->(b) RETURN r.w AS w");
    auto create_of = [](const plan::Plan& p) -> const plan::CreateRel& {
        for (const auto& s : p.steps)
            if (const auto* c = std::get_if<plan::CreateRel>(&s.op)) return *c;
        FAIL("no CreateRel in:\n" << p.explain());
        static const plan::CreateRel none;
        return none;
    };
    CHECK(create_of(*unread).rel == -1);
    CHECK(create_of(*read).rel >= 0);

    for (uint32_t shards : {1u, 2u}) {
        auto db = test::open_db(shards);
        db->execute("UNWIND range(1, 40) AS i CREATE (:P {id: i})");
        auto res = db->execute(
            "MATCH (a:P), (b:P) WHERE b.id = a.id % 7 + 1 "
            "CREATE (a)-[r:T {w: a.id, z: null, s: 'x' + toString(a.id), l: [a.id, 2]}]->(b) "
            "RETURN count(r) AS c, sum(r.w) AS w");
        REQUIRE(res.rows.size() == 1);
        CHECK(res.rows[0][0] == Value(int64_t{40}));
        CHECK(res.rows[0][1] == Value(int64_t{820}));
        CHECK(res.stats.properties_set == 120);  // the null one is not set
        CHECK(count_of(*db,
                       "MATCH ()-[r:T]->() WHERE r.z IS NULL AND r.s = 'x' + toString(r.w) "
                       "AND r.l = [r.w, 2] RETURN count(r)") == 40);
        CHECK(count_of(*db, "MATCH (:P {id: 8})-[r:T]->(b) RETURN b.id") == 2);
        // A value that cannot be a property fails the statement and leaves nothing.
        CHECK_THROWS_AS(
            db->execute("MATCH (a:P {id: 1}), (b:P {id: 2}) CREATE (a)-[:U {m: {k: 1}}]->(b)"),
            Error);
        CHECK(count_of(*db, "MATCH ()-[u:U]->() RETURN count(u)") == 0);
    }
}

TEST_CASE("queries answer the same before and after an index lets seeks take over filters",
          "[engine][index][unpack]") {
    // Filters removed from inside OPTIONAL MATCH, pattern predicates and MERGE renumber the
    // steps after them; any slip shows as a different answer or an error.
    const std::vector<std::string> queries = {
        "MATCH (p:P) OPTIONAL MATCH (q:P {id: p.id + 1}) RETURN p.id AS a, q.id AS b ORDER BY a",
        "MATCH (p:P) WHERE EXISTS { MATCH (q:P {id: p.id * 2}) } RETURN p.id AS a ORDER BY a",
        "MATCH (p:P) RETURN p.id AS a, [(q:P {id: p.id - 1})-->() | q.id] AS l ORDER BY a",
        "UNWIND [1, 2.0, 'x', null, 7] AS v OPTIONAL MATCH (p:P {id: v}) "
        "RETURN v AS v, count(p) AS c ORDER BY c, toString(v)",
        "UNWIND $rows AS r OPTIONAL MATCH (a:P {id: r.a}) OPTIONAL MATCH (b:P {id: r.b}) "
        "RETURN r.a AS a, r.b AS b, a.id AS x, b.id AS y ORDER BY toString(a), toString(b)",
        "MATCH (p:P {id: 3})-[:N]->(q) RETURN q.id AS b",
    };
    List rows;
    for (int64_t i = 0; i < 12; ++i)
        rows.push_back(Value(row_of({{"a", i % 4 == 0 ? Value(double(i)) : Value(i)},
                                     {"b", i % 3 == 0 ? Value() : Value(i + 1)}})));
    const Params params{{"rows", Value(rows)}};
    auto answers = [&](Database& db) {
        std::vector<std::vector<std::vector<Value>>> out;
        for (const auto& q : queries) out.push_back(db.execute(q, params).rows);
        return out;
    };
    for (uint32_t shards : {1u, 3u}) {
        auto db = test::open_db(shards);
        db->execute("UNWIND range(0, 9) AS i CREATE (:P {id: i})");
        db->execute("MATCH (a:P), (b:P) WHERE b.id = a.id + 1 CREATE (a)-[:N]->(b)");
        auto before = answers(*db);
        db->execute("CREATE INDEX FOR (p:P) ON (p.id)");
        auto after = answers(*db);
        for (size_t i = 0; i < queries.size(); ++i) {
            INFO(queries[i] << "\n" << explain(*db, queries[i]));
            CHECK(before[i] == after[i]);
        }
        // MERGE on an indexed key: matches the existing node, creates the missing one once.
        db->execute("UNWIND [3, 3.0, 42, 42] AS k MERGE (p:P {id: k}) ON CREATE SET p.new = true");
        CHECK(count_of(*db, "MATCH (p:P {id: 42}) RETURN count(p)") == 1);
        CHECK(count_of(*db, "MATCH (p:P) WHERE p.new RETURN count(p)") == 1);
    }
}

TEST_CASE("CREATE of nodes with a literal property map", "[engine][unpack]") {
    for (uint32_t shards : {1u, 2u}) {
        auto db = test::open_db(shards);
        auto res = db->execute(
            "UNWIND range(1, 30) AS i CREATE (n:A:B:A {i: i, z: null, s: toString(i), f: i / "
            "2.0})");
        CHECK(res.stats.nodes_created == 30);
        CHECK(res.stats.labels_added == 60);
        CHECK(res.stats.properties_set == 90);
        CHECK(count_of(*db,
                       "MATCH (n:A:B) WHERE n.z IS NULL AND n.s = toString(n.i) "
                       "AND n.f * 2 = n.i RETURN count(n)") == 30);
        CHECK(count_of(*db, "MATCH (n) RETURN count(n)") == 30);
        CHECK_THROWS_AS(db->execute("UNWIND range(1, 3) AS i CREATE (:C {i: i, m: {k: i}})"),
                        Error);
        CHECK(count_of(*db, "MATCH (c:C) RETURN count(c)") == 0);
        CHECK(count_of(*db, "MATCH (n) RETURN count(n)") == 30);
    }
}
