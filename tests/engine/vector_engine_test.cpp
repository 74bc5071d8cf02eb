// VECTOR values through the whole engine: built in Cypher and from parameters, stored as
// properties on several shards (rows cross the flatbuffer codec), compared, ordered, and
// surviving a restart by WAL replay and by checkpoint.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <stdlib.h>
#include <filesystem>

namespace {

using lora::List;
using lora::Value;
using lora::Vector;
using lora::test::scalar;
using lora::test::scalar_int;

Value vec(std::vector<float> c) { return Value(Vector{std::move(c)}); }

std::string error_code(lora::Database& db, const std::string& q, const lora::Params& p = {}) {
    try {
        db.execute(q, p);
    } catch (const lora::Error& e) {
        return e.code();
    }
    return "";
}

List floats(std::initializer_list<double> xs) {
    List l;
    for (double x : xs) l.emplace_back(x);
    return l;
}

void fill(lora::Database& db) {
    db.execute("UNWIND range(0, 29) AS i CREATE (:Doc {i: i, e: vector([i, 1.0, -i / 4.0])})");
    db.execute("CREATE (:Doc {i: 100, e: vector($e)})", {{"e", Value(floats({0.5, 0.25, 0.125}))}});
}

void check_contents(lora::Database& db) {
    CHECK(scalar_int(db, "MATCH (d:Doc) WHERE d.e IS NOT NULL RETURN count(d)") == 31);
    CHECK(scalar(db, "MATCH (d:Doc {i: 7}) RETURN d.e") == vec({7, 1, -1.75f}));
    CHECK(scalar(db, "MATCH (d:Doc {i: 100}) RETURN d.e") == vec({0.5f, 0.25f, 0.125f}));
    CHECK(scalar(db, "MATCH (d:Doc) WHERE d.e = vector([3, 1, -0.75]) RETURN d.i") == Value(3));
    CHECK(scalar_int(db, "MATCH (d:Doc) RETURN sum(vector.dimension(d.e))") == 93);
}

}  // namespace

TEST_CASE("VECTOR values as properties, across shards", "[engine][vector]") {
    auto db = lora::test::open_db(3);
    fill(*db);
    check_contents(*db);

    // Nearest neighbours by exhaustive search, ordered by similarity (rows from 3 shards).
    lora::Result r = db->execute(
        "MATCH (d:Doc) WITH d, vector.similarity.euclidean(d.e, $q) AS s "
        "RETURN d.i AS i, s ORDER BY s DESC, i LIMIT 3",
        {{"q", Value(floats({4, 1, -1}))}});
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[0][0] == Value(4));
    CHECK(r.rows[0][1] == Value(1.0));
    // [3, 1, -0.75] and [5, 1, -1.25]: squared distances 1.0625 and 1.0625.
    CHECK(r.rows[1][0] == Value(3));
    CHECK(r.rows[2][0] == Value(5));
    CHECK(r.rows[1][1].as_float() == static_cast<double>(static_cast<float>(1.0 / 2.0625)));

    // SET replaces, REMOVE deletes; a vector from a parameter list.
    db->execute("MATCH (d:Doc {i: 1}) SET d.e = vector($v)", {{"v", Value(floats({9, 9, 9}))}});
    CHECK(scalar(*db, "MATCH (d:Doc {i: 1}) RETURN d.e") == vec({9, 9, 9}));
    db->execute("MATCH (d:Doc {i: 2}) REMOVE d.e");
    CHECK(scalar(*db, "MATCH (d:Doc {i: 2}) RETURN d.e").is_null());

    // Vectors in rows: DISTINCT, grouping, ORDER BY (dimension first), lists of vectors.
    CHECK(scalar_int(*db,
                     "UNWIND [vector([1, 2]), vector([1, 2]), vector([2, 1])] AS v "
                     "RETURN count(DISTINCT v)") == 2);
    r = db->execute(
        "UNWIND [vector([2, 1]), vector([0, 0, 0]), vector([1, 2])] AS v RETURN v ORDER BY v");
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[0][0] == vec({1, 2}));
    CHECK(r.rows[1][0] == vec({2, 1}));
    CHECK(r.rows[2][0] == vec({0, 0, 0}));
    CHECK(scalar(*db, "RETURN vector([1, 2]) < vector([2, 3])").is_null());
    CHECK(scalar(*db, "RETURN vector([1, 2]) = [1.0, 2.0]") == Value(false));
    CHECK(scalar(*db, "RETURN [vector([1])][0]") == vec({1}));
    CHECK(scalar(*db, "RETURN vector.norm(vector([3, 4]))") == Value(5.0));
    CHECK(scalar(*db, "RETURN vector.distance(vector([1]), vector([2]), 'DOT')") == Value(-2.0));
}

TEST_CASE("VECTOR errors reach the caller as lora::Error", "[engine][vector]") {
    auto db = lora::test::open_db(2);
    CHECK(error_code(*db, "CREATE ({v: [vector([1])]})") == "TypeError.InvalidPropertyType");
    CHECK(error_code(*db, "RETURN vector.similarity.cosine([1, 2], [1, 2, 3])") ==
          "ArgumentError.InvalidArgumentValue");
    CHECK(error_code(*db, "RETURN vector([])") == "ArgumentError.InvalidArgumentValue");
    CHECK(error_code(*db, "RETURN vector($v)", {{"v", Value("nope")}}) ==
          "ArgumentError.InvalidArgumentValue");
    CHECK(error_code(*db, "RETURN vector.dimension([1, 2])") == "TypeError.InvalidArgumentValue");
    CHECK(scalar_int(*db, "MATCH (n) RETURN count(n)") == 0);
}

TEST_CASE("VECTOR properties survive a restart by WAL replay and by checkpoint",
          "[engine][vector][persist]") {
    char tmpl[] = "/tmp/lora-vector-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    lora::Options o;
    o.shards = 3;
    o.data_dir = dir;
    {
        auto db = lora::Database::open(o);
        fill(*db);
    }
    {
        auto db = lora::Database::open(o);  // WAL replay only
        check_contents(*db);
        db->checkpoint();
        db->execute("MATCH (d:Doc {i: 0}) SET d.e = vector([0.1, 0.2, 0.3])");
        db->execute("CREATE (:Doc {i: 200, e: vector('[1e-3, 2, 3]')})");
    }
    {
        auto db = lora::Database::open(o);  // checkpoint, then the WAL tail
        CHECK(scalar(*db, "MATCH (d:Doc {i: 0}) RETURN d.e") == vec({0.1f, 0.2f, 0.3f}));
        CHECK(scalar(*db, "MATCH (d:Doc {i: 200}) RETURN d.e") == vec({1e-3f, 2, 3}));
        CHECK(scalar(*db, "MATCH (d:Doc {i: 7}) RETURN d.e") == vec({7, 1, -1.75f}));
        db->execute("MATCH (d:Doc {i: 200}) DELETE d");
        db->checkpoint();
    }
    {
        auto db = lora::Database::open(o);  // checkpoint only
        check_contents(*db);
        CHECK(scalar_int(*db, "MATCH (d:Doc {i: 200}) RETURN count(d)") == 0);
    }
    std::filesystem::remove_all(dir);
}
