// Vector indexes in the engine: db.index.vector.queryNodes against exact search, composed
// with the rest of a query, kept current by writes and rollbacks, read at the snapshot,
// rebuilt or loaded from checkpoint images after restarts, and its errors.
#include "helpers.hpp"

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using lora::Database;
using lora::List;
using lora::Params;
using lora::Value;
using lora::test::open_db;
using lora::test::scalar;
using lora::test::scalar_int;

Value random_list(std::mt19937& rng, int dim) {
    std::normal_distribution<double> g(0, 1);
    List l;
    for (int i = 0; i < dim; ++i) l.emplace_back(g(rng));
    return Value(std::move(l));
}

// `ef_search` above the node count makes the HNSW search exact, so results can be compared
// with a brute-force ORDER BY.
void make_index(Database& db, const std::string& similarity, int dim = 8) {
    db.execute(
        "CREATE VECTOR INDEX doc_v FOR (d:Doc) ON (d.v) OPTIONS {indexConfig: {"
        "`vector.dimensions`: " +
        std::to_string(dim) + ", `vector.similarity_function`: '" + similarity +
        "', `vector.hnsw.ef_search`: 1000}}");
}

void fill(Database& db, int n, int dim = 8, uint32_t seed = 7) {
    std::mt19937 rng(seed);
    List rows;
    for (int i = 0; i < n; ++i) rows.push_back(random_list(rng, dim));
    db.execute(
        "UNWIND range(0, size($rows) - 1) AS i "
        "CREATE (:Doc {name: 'd' + i, i: i, v: vector($rows[i])})",
        Params{{"rows", Value(std::move(rows))}});
}

struct Hit {
    std::string name;
    double score;
};

std::vector<Hit> hits(const lora::Result& r) {
    std::vector<Hit> out;
    for (const auto& row : r.rows) out.push_back({row.at(0).as_string(), row.at(1).as_float()});
    return out;
}

template <typename Db>
std::vector<Hit> query(Db& db, const Value& q, int k) {
    return hits(
        db.execute("CALL db.index.vector.queryNodes('doc_v', $k, $q) YIELD node, score "
                   "RETURN node.name, score",
                   Params{{"k", Value(int64_t{k})}, {"q", q}}));
}

std::vector<Hit> exact(Database& db, const std::string& similarity, const Value& q, int k) {
    return hits(db.execute("MATCH (d:Doc) WITH d, vector.similarity." + similarity +
                               "(d.v, $q) AS s RETURN d.name, s ORDER BY s DESC LIMIT $k",
                           Params{{"k", Value(int64_t{k})}, {"q", q}}));
}

std::vector<std::string> names(const std::vector<Hit>& h) {
    std::vector<std::string> out;
    for (const auto& x : h) out.push_back(x.name);
    return out;
}

Value unit(int dim, int axis, double scale = 1.0) {
    List l;
    for (int i = 0; i < dim; ++i) l.emplace_back(i == axis ? scale : 0.0);
    return Value(std::move(l));
}

}  // namespace

TEST_CASE("queryNodes returns the exact top k, best first", "[engine][vector][vindex]") {
    for (uint32_t shards : {1u, 4u}) {
        for (std::string sim : {"cosine", "euclidean"}) {
            CAPTURE(shards, sim);
            auto db = open_db(shards);
            make_index(*db, sim);
            fill(*db, 300);
            std::mt19937 rng(99);
            for (int t = 0; t < 10; ++t) {
                Value q = random_list(rng, 8);
                for (int k : {1, 5, 20}) {
                    auto got = query(*db, q, k);
                    auto want = exact(*db, sim, q, k);
                    REQUIRE(names(got) == names(want));
                    for (size_t i = 0; i < got.size(); ++i)
                        CHECK(got[i].score == Approx(want[i].score).epsilon(1e-5));
                }
            }
            // k beyond the number of indexed nodes returns them all.
            CHECK(query(*db, random_list(rng, 8), 1000).size() == 300);
            // A VECTOR query value works like a list.
            CHECK(
                scalar_int(*db,
                           "CALL db.index.vector.queryNodes('doc_v', 3, vector([1,2,3,4,5,6,7,8])) "
                           "YIELD node RETURN count(node)") == 3);
        }
    }
}

TEST_CASE("queryNodes composes with MATCH, WITH, ORDER BY and LIMIT", "[engine][vector][vindex]") {
    for (uint32_t shards : {1u, 4u}) {
        CAPTURE(shards);
        auto db = open_db(shards);
        make_index(*db, "cosine");
        fill(*db, 120);
        db->execute(
            "MATCH (d:Doc) UNWIND range(0, d.i % 3) AS j CREATE (d)-[:R]->(:M {x: j + d.i % 2})");
        std::mt19937 rng(5);
        for (int t = 0; t < 5; ++t) {
            Params p{{"q", random_list(rng, 8)}};
            auto a = db->execute(
                "CALL db.index.vector.queryNodes('doc_v', 10, $q) YIELD node, score "
                "MATCH (node)-[:R]->(m) WHERE m.x > 1 RETURN node.name, score, m.x "
                "ORDER BY score DESC, m.x",
                p);
            auto b = db->execute(
                "MATCH (d:Doc) WITH d, vector.similarity.cosine(d.v, $q) AS score "
                "ORDER BY score DESC LIMIT 10 "
                "MATCH (d)-[:R]->(m) WHERE m.x > 1 RETURN d.name, score, m.x "
                "ORDER BY score DESC, m.x",
                p);
            REQUIRE(a.rows.size() == b.rows.size());
            for (size_t i = 0; i < a.rows.size(); ++i) {
                CHECK(a.rows[i][0] == b.rows[i][0]);
                CHECK(a.rows[i][2] == b.rows[i][2]);
            }
            // WITH / ORDER BY / LIMIT after the call, aggregation, and order as yielded.
            auto c = db->execute(
                "CALL db.index.vector.queryNodes('doc_v', 6, $q) YIELD node, score "
                "WITH node, score ORDER BY node.i LIMIT 3 RETURN node.i",
                p);
            REQUIRE(c.rows.size() == 3);
            CHECK(c.rows[0][0].as_int() < c.rows[1][0].as_int());
            auto order = query(*db, p.at("q"), 8);
            for (size_t i = 1; i < order.size(); ++i) CHECK(order[i - 1].score >= order[i].score);
            CHECK(scalar_int(*db,
                             "CALL db.index.vector.queryNodes('doc_v', 7, $q) YIELD node "
                             "RETURN count(*)",
                             p) == 7);
        }
        // One search per input row.
        auto per_row = db->execute(
            "UNWIND [1, 2, 3] AS axis "
            "CALL db.index.vector.queryNodes('doc_v', 2, "
            "[x IN range(0, 7) | CASE WHEN x = axis THEN 1.0 ELSE 0.0 END]) "
            "YIELD node RETURN axis, count(node) AS c ORDER BY axis");
        REQUIRE(per_row.rows.size() == 3);
        for (const auto& r : per_row.rows) CHECK(r[1].as_int() == 2);
        // Standalone call with implicit arguments, and a yielded node carries its data.
        auto st = db->execute("CALL db.index.vector.queryNodes",
                              Params{{"indexName", Value("doc_v")},
                                     {"numberOfNearestNeighbours", Value(int64_t{2})},
                                     {"query", unit(8, 0)}});
        REQUIRE(st.rows.size() == 2);
        REQUIRE(st.columns == std::vector<std::string>{"node", "score"});
        CHECK(st.rows[0][0].to_string().find(":Doc") != std::string::npos);
    }
}

TEST_CASE("vector indexes follow SET, REMOVE, DELETE, label changes and rollback",
          "[engine][vector][vindex]") {
    for (uint32_t shards : {1u, 4u}) {
        CAPTURE(shards);
        auto db = open_db(shards);
        fill(*db, 50);  // before the index: the build indexes existing nodes
        make_index(*db, "cosine");
        const Value q = unit(8, 3);
        auto top = [&] { return query(*db, q, 1).at(0).name; };
        auto count = [&] { return query(*db, q, 1000).size(); };
        REQUIRE(count() == 50);

        db->execute("MATCH (d:Doc {i: 7}) SET d.v = vector($q)", Params{{"q", q}});
        CHECK(top() == "d7");
        CHECK(query(*db, q, 1).at(0).score == Approx(1.0));
        db->execute("MATCH (d:Doc {i: 7}) REMOVE d.v");
        CHECK(top() != "d7");
        CHECK(count() == 49);
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = vector($q)", Params{{"q", q}});
        CHECK(top() == "d7");
        db->execute("MATCH (d:Doc {i: 7}) REMOVE d:Doc");
        CHECK(top() != "d7");
        db->execute("MATCH (d {i: 7}) SET d:Doc");
        CHECK(top() == "d7");
        // Wrong dimension, a string, a zero vector, a list of strings: not indexed, no error.
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = vector([1.0, 2.0])");
        CHECK(count() == 49);
        // A list of numbers of the index's dimension is indexed (Neo4j's LIST<FLOAT>), ints too.
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = $q", Params{{"q", q}});
        CHECK(count() == 50);
        CHECK(top() == "d7");
        CHECK(query(*db, q, 1).at(0).score == Approx(1.0));
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = [0, 0, 0, 1, 0, 0, 0, 0]");
        CHECK(top() == "d7");
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = [0.0, 0.0, 0.0, 1.0]");
        CHECK(count() == 49);
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = ['0', '0', '0', '1', '0', '0', '0', '0']");
        CHECK(count() == 49);
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = [0, 0, 0, 1, 0, 0, 0, 0]");
        CHECK(count() == 50);
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = 'x'");
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = vector($z)", Params{{"z", unit(8, 0, 0.0)}});
        CHECK(count() == 49);
        db->execute("MATCH (d:Doc {i: 7}) SET d = {i: 7, name: 'd7', v: vector($q)}",
                    Params{{"q", q}});
        CHECK(top() == "d7");
        db->execute("MATCH (d:Doc {i: 7}) DETACH DELETE d");
        CHECK(count() == 49);
        CHECK(top() != "d7");
        // New nodes, then a transaction that is rolled back.
        db->execute("CREATE (:Doc {name: 'new', v: vector($q)})", Params{{"q", q}});
        CHECK(top() == "new");
        {
            auto tx = db->begin();
            tx->execute("MATCH (d:Doc {name: 'new'}) DELETE d");
            tx->execute("MATCH (d:Doc {i: 1}) SET d.v = vector($q)", Params{{"q", q}});
            tx->execute("CREATE (:Doc {name: 'tx', v: vector($q)})", Params{{"q", q}});
            tx->rollback();
        }
        CHECK(top() == "new");
        CHECK(count() == 50);
        // Another label or property does not enter the index.
        db->execute("CREATE (:Other {v: vector($q)}), (:Doc {w: vector($q)})", Params{{"q", q}});
        CHECK(count() == 50);
    }
}

TEST_CASE("queryNodes reads at the snapshot: uncommitted vectors are invisible to others",
          "[engine][vector][vindex][mvcc]") {
    for (uint32_t shards : {1u, 4u}) {
        CAPTURE(shards);
        auto db = open_db(shards);
        make_index(*db, "cosine");
        fill(*db, 100);
        const Value q = unit(8, 5);
        const auto before = names(query(*db, q, 5));
        const std::string victim = before.at(2);  // deleted by the transaction
        auto tx = db->begin();
        tx->execute("MATCH (d:Doc {i: 11}) SET d.v = vector($q)", Params{{"q", q}});
        tx->execute("CREATE (:Doc {name: 'fresh', v: vector($q)})", Params{{"q", q}});
        tx->execute("MATCH (d:Doc {name: $n}) DELETE d", Params{{"n", Value(victim)}});
        // Others see the committed state: d11 where it was, no 'fresh', the victim still there.
        CHECK(names(query(*db, q, 5)) == before);
        CHECK(names(query(*db, q, 100)) == names(exact(*db, "cosine", q, 100)));
        // The transaction sees its own changes.
        auto mine = names(query(*tx, q, 3));
        REQUIRE(mine.size() == 3);
        CHECK(
            ((mine[0] == "fresh" && mine[1] == "d11") || (mine[0] == "d11" && mine[1] == "fresh")));
        CHECK(std::find(mine.begin(), mine.end(), victim) == mine.end());
        auto all_mine = names(query(*tx, q, 1000));
        CHECK(all_mine.size() == 100);  // +fresh -victim
        // A reader that started before the commit keeps its snapshot.
        auto reader = db->begin();
        CHECK(names(query(*reader, q, 5)) == before);
        tx->commit();
        CHECK(names(query(*reader, q, 5)) == before);
        reader->commit();
        auto after = names(query(*db, q, 3));
        CHECK(std::find(after.begin(), after.end(), "fresh") != after.end());
        CHECK(std::find(after.begin(), after.end(), "d11") != after.end());
    }
}

TEST_CASE("vector indexes survive restarts (WAL replay and checkpoint)",
          "[engine][vector][vindex][persist]") {
    char tmpl[] = "/tmp/lora-vindex-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    lora::Options o;
    o.shards = 3;
    o.data_dir = dir;
    const Value q = unit(8, 2);
    std::vector<std::string> want;
    {
        auto db = Database::open(o);
        make_index(*db, "euclidean");
        fill(*db, 80);
        db->execute("MATCH (d:Doc {i: 4}) SET d.v = vector($q)", Params{{"q", q}});
        want = names(query(*db, q, 10));
        REQUIRE(want.at(0) == "d4");
    }
    {
        auto db = Database::open(o);  // WAL replay
        CHECK(names(query(*db, q, 10)) == want);
        CHECK(names(query(*db, q, 10)) == names(exact(*db, "euclidean", q, 10)));
        db->checkpoint();
        db->execute("MATCH (d:Doc {i: 4}) DELETE d");
        db->execute("CREATE (:Doc {name: 'late', v: vector($q)})", Params{{"q", q}});
    }
    {
        auto db = Database::open(o);  // checkpoint, then the WAL tail
        auto got = names(query(*db, q, 10));
        CHECK(got.at(0) == "late");
        CHECK(got == names(exact(*db, "euclidean", q, 10)));
        CHECK(scalar(*db, "SHOW INDEXES YIELD name, state WHERE name = 'doc_v' RETURN state") ==
              Value("ONLINE"));
        db->execute("DROP INDEX doc_v");
    }
    {
        auto db = Database::open(o);
        CHECK_THROWS_WITH(query(*db, q, 1), Catch::Contains("no such vector index"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("queryNodes errors and SHOW INDEXES", "[engine][vector][vindex]") {
    auto db = open_db(2);
    make_index(*db, "cosine", 4);
    db->execute("CREATE (:Doc {name: 'a', v: vector([1, 2, 3, 4])})");
    auto err = [&](const std::string& args) {
        try {
            db->execute("CALL db.index.vector.queryNodes(" + args + ") YIELD node RETURN node");
        } catch (const lora::Error& e) {
            return e.code() + ": " + e.message();
        }
        return std::string("no error");
    };
    CHECK_THAT(err("'nope', 1, [1, 2, 3, 4]"), Catch::Contains("no such vector index: 'nope'"));
    CHECK_THAT(err("'doc_v', 0, [1, 2, 3, 4]"), Catch::Contains("positive integer"));
    CHECK_THAT(err("'doc_v', -3, [1, 2, 3, 4]"), Catch::Contains("positive integer"));
    CHECK_THAT(err("'doc_v', 1.5, [1, 2, 3, 4]"), Catch::Contains("positive integer"));
    CHECK_THAT(err("'doc_v', 1, [1, 2, 3]"), Catch::Contains("3 dimensions"));
    CHECK_THAT(err("'doc_v', 1, vector([1, 2])"), Catch::Contains("2 dimensions"));
    CHECK_THAT(err("'doc_v', 1, ['a', 2, 3, 4]"), Catch::Contains("list of numbers"));
    CHECK_THAT(err("'doc_v', 1, null"), Catch::Contains("list of numbers"));
    CHECK_THAT(err("'doc_v', 1, [0, 0, 0, 0]"), Catch::Contains("zero vector"));
    CHECK_THAT(err("'doc_v', 1"), Catch::Contains("takes 3 arguments"));
    CHECK_THAT(err("'doc_v', 1, [1, 2, 3, 4]").substr(0, 8), Catch::Equals("no error"));
    db->execute("CREATE INDEX doc_name FOR (d:Doc) ON (d.name)");
    CHECK_THAT(err("'doc_name', 1, [1, 2, 3, 4]"), Catch::Contains("no such vector index"));
    auto show = db->execute("SHOW VECTOR INDEXES YIELD name, state, type, options");
    REQUIRE(show.rows.size() == 1);
    CHECK(show.rows[0][1] == Value("ONLINE"));
    CHECK(show.rows[0][3].to_string().find("vector.hnsw.ef_search") != std::string::npos);
    CHECK_THROWS_WITH(db->execute("CREATE VECTOR INDEX bad FOR (d:X) ON (d.v) OPTIONS "
                                  "{indexConfig: {`vector.dimensions`: 4, `vector.hnsw.m`: 0}}"),
                      Catch::Contains("vector.hnsw.m"));
    db->execute("DROP INDEX doc_v");
    CHECK_THAT(err("'doc_v', 1, [1, 2, 3, 4]"), Catch::Contains("no such vector index: 'doc_v'"));
}

// ---- checkpoint images of the vector indexes (storage/src/partition_vectors.cpp)

namespace {

using lora::test::crash_image;
using lora::test::temp_dir;

// Brute force over the nodes that have a vector (similarity of a missing one is null).
std::vector<Hit> exact_present(Database& db, const Value& q, int k,
                               const std::string& where = "d.v IS NOT NULL") {
    return hits(db.execute("MATCH (d:Doc) WHERE " + where +
                               " WITH d, "
                               "vector.similarity.euclidean(d.v, $q) AS s "
                               "RETURN d.name, s ORDER BY s DESC LIMIT $k",
                           Params{{"k", Value(int64_t{k})}, {"q", q}}));
}

std::vector<std::filesystem::path> vector_image_files(const std::string& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/checkpoints"))
        if (e.path().filename().string().starts_with("vectors-")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

// Captures what spdlog's default logger writes while alive.
struct LogCapture {
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
        std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(128);
    LogCapture() { spdlog::default_logger()->sinks().push_back(sink); }
    ~LogCapture() {
        auto& s = spdlog::default_logger()->sinks();
        s.erase(std::remove(s.begin(), s.end(), sink), s.end());
    }
    bool contains(const std::string& text) const {
        for (const auto& line : sink->last_formatted())
            if (line.find(text) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("a restart after a checkpoint loads the vector indexes from their images",
          "[engine][vector][vindex][persist][vecimg]") {
    const std::string dir = temp_dir("vecimg");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    std::mt19937 rng(11);
    std::vector<Value> queries;
    for (int i = 0; i < 5; ++i) queries.push_back(random_list(rng, 8));
    std::vector<std::vector<Hit>> before;
    {
        auto db = Database::open(o);
        make_index(*db, "euclidean");
        fill(*db, 150);
        db->checkpoint();
        for (const auto& q : queries) before.push_back(query(*db, q, 20));
        CHECK(vector_image_files(dir).size() == 2);
    }
    auto db = Database::open(o);
    CHECK(db->wal_status().vector_indexes_from_image == 2);
    CHECK(db->wal_status().vector_indexes_rebuilt == 0);
    for (size_t i = 0; i < queries.size(); ++i) {
        const auto got = query(*db, queries[i], 20);
        REQUIRE(got.size() == before[i].size());
        for (size_t j = 0; j < got.size(); ++j) {
            CHECK(got[j].name == before[i][j].name);
            CHECK(got[j].score == before[i][j].score);
        }
        CHECK(names(got) == names(exact_present(*db, queries[i], 20)));
    }
    db.reset();
    std::filesystem::remove_all(dir);
}

TEST_CASE("a stale vector index image is reconciled with the committed nodes",
          "[engine][vector][vindex][persist][vecimg]") {
    const std::string dir = temp_dir("vecimg-stale");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    const Value q = unit(8, 3);
    const Value ghost = unit(8, 5, 3.0);
    std::string image;
    {
        auto db = Database::open(o);
        make_index(*db, "euclidean");
        fill(*db, 120);
        // Uncommitted while the checkpoint runs: the image holds these, the checkpoint not.
        auto tx = db->begin();
        tx->execute("MATCH (d:Doc {i: 1}) SET d.v = vector($q)", Params{{"q", ghost}});
        tx->execute("CREATE (:Doc {name: 'ghost', v: vector($q)})", Params{{"q", ghost}});
        REQUIRE(query(*db, ghost, 1).at(0).name != "ghost");  // other readers do not see it
        db->checkpoint();
        tx->rollback();
        // Committed after the checkpoint: replayed from the WAL over the image.
        db->execute("MATCH (d:Doc {i: 2}) SET d.v = vector($q)", Params{{"q", q}});
        db->execute("MATCH (d:Doc {i: 3}) DELETE d");
        db->execute("MATCH (d:Doc {i: 4}) REMOVE d:Doc SET d:Old");
        db->execute("MATCH (d:Doc {i: 6}) REMOVE d.v");
        db->execute("MATCH (d:Doc {i: 7}) SET d.v = [0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0]");
        db->execute("CREATE (:Doc {name: 'late', v: vector($v)})", Params{{"v", unit(8, 3, 0.5)}});
        image = crash_image(dir);
    }
    auto db = Database::open([&] {
        lora::Options c = o;
        c.data_dir = image;
        return c;
    }());
    CHECK(db->wal_status().vector_indexes_from_image == 2);
    CHECK(db->wal_status().vector_indexes_rebuilt == 0);
    const auto top = names(query(*db, q, 2));
    CHECK(top == std::vector<std::string>{"d2", "d7"});
    // Every indexed node, in order: exactly what an exact search over the committed data has.
    std::vector<Value> probes{q, ghost, unit(8, 0), unit(8, 7, -2.0)};
    for (const auto& p : probes) {
        const auto all = names(query(*db, p, 1000));
        CHECK(all == names(exact_present(*db, p, 1000)));
        CHECK(all.size() == 120 - 3 + 1);  // d3 deleted, d4 relabelled, d6 without a vector
        for (const char* gone : {"ghost", "d3", "d4", "d6"})
            CHECK(std::find(all.begin(), all.end(), gone) == all.end());
    }
    CHECK(names(query(*db, ghost, 1)).at(0) != "d1");
    db.reset();
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(image);
}

TEST_CASE("a damaged vector index image is rebuilt with a warning",
          "[engine][vector][vindex][persist][vecimg]") {
    const std::string dir = temp_dir("vecimg-bad");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    const Value q = unit(8, 1);
    {
        auto db = Database::open(o);
        make_index(*db, "euclidean");
        fill(*db, 100);
        db->checkpoint();
    }
    const auto files = vector_image_files(dir);
    REQUIRE(files.size() == 2);
    {
        std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
        const auto size = std::filesystem::file_size(files[0]);
        for (auto at : {size / 2, size - 3}) {
            f.seekg(static_cast<std::streamoff>(at));
            const char c = static_cast<char>(f.get());
            f.seekp(static_cast<std::streamoff>(at));
            f.put(static_cast<char>(c ^ 0x5a));
        }
    }
    LogCapture log;
    auto db = Database::open(o);
    CHECK(log.contains("ignoring the vector index images of shard 0"));
    CHECK(db->wal_status().vector_indexes_from_image == 1);
    CHECK(db->wal_status().vector_indexes_rebuilt == 1);
    CHECK(names(query(*db, q, 1000)) == names(exact_present(*db, q, 1000)));
    CHECK(query(*db, q, 1000).size() == 100);
    db.reset();
    std::filesystem::remove_all(dir);
}

TEST_CASE("an index recreated with other options after the checkpoint ignores its image",
          "[engine][vector][vindex][persist][vecimg]") {
    const std::string dir = temp_dir("vecimg-opts");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    {
        auto db = Database::open(o);
        make_index(*db, "euclidean");
        fill(*db, 60);
        db->checkpoint();
        db->execute("DROP INDEX doc_v");
        db->execute("MATCH (d:Doc) WHERE d.i < 30 SET d.v = vector([d.i, 1.0, 2.0, 3.0])");
        make_index(*db, "euclidean", 4);
    }
    LogCapture log;
    auto db = Database::open(o);
    CHECK(log.contains("other options"));
    CHECK(db->wal_status().vector_indexes_from_image == 0);
    CHECK(db->wal_status().vector_indexes_rebuilt == 2);
    const Value q4 = unit(4, 0, 7.0);
    const auto got = names(query(*db, q4, 1000));
    CHECK(got.size() == 30);
    CHECK(got.at(0) == "d7");
    CHECK(got == names(exact_present(*db, q4, 1000, "d.i < 30")));
    db.reset();
    std::filesystem::remove_all(dir);
}

// Open time after a checkpoint with and without the vector index images (docs/vectors.md,
// "Recovery"). Hidden: run with ./build/tests/test_engine "[vecimg-bench]".
TEST_CASE("open time with vector index images", "[.][vecimg-bench]") {
    const int n = std::getenv("LORA_VECIMG_N") ? std::atoi(std::getenv("LORA_VECIMG_N")) : 100000;
    const int dim = 128;
    const std::string dir = temp_dir("vecimg-bench");
    lora::Options o;
    o.shards = 2;
    o.data_dir = dir;
    o.checkpoint_wal_bytes = 0;
    {
        auto db = Database::open(o);
        db->execute(
            "CREATE VECTOR INDEX doc_v FOR (d:Doc) ON (d.v) OPTIONS {indexConfig: {"
            "`vector.dimensions`: 128, `vector.similarity_function`: 'cosine'}}");
        std::mt19937 rng(5);
        for (int base = 0; base < n; base += 5000) {
            List rows;
            for (int i = base; i < std::min(n, base + 5000); ++i)
                rows.push_back(random_list(rng, dim));
            db->execute("UNWIND $rows AS r CREATE (:Doc {v: vector(r)})",
                        Params{{"rows", Value(std::move(rows))}});
        }
        const auto t0 = std::chrono::steady_clock::now();
        db->checkpoint();
        std::printf("checkpoint (partitions and vector images): wall %.2f s\n",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    size_t image_bytes = 0;
    for (const auto& f : vector_image_files(dir)) image_bytes += std::filesystem::file_size(f);
    auto timed_open = [&](const char* what) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        auto db = Database::open(o);
        const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const auto st = db->wal_status();
        std::printf(
            "open %s: %d x %d vectors, 2 shards: wall %.2f s, process CPU %.2f s "
            "(indexes from image %u, rebuilt %u)\n",
            what, n, dim, wall, cpu, st.vector_indexes_from_image, st.vector_indexes_rebuilt);
        CHECK(scalar_int(*db, "MATCH (d:Doc) RETURN count(d)") == n);
    };
    std::printf("vector images: %.1f MiB on disk\n", double(image_bytes) / (1 << 20));
    timed_open("with images");
    for (const auto& f : vector_image_files(dir)) std::filesystem::remove(f);
    timed_open("without images (rebuild)");
    std::filesystem::remove_all(dir);
}
