// Long query texts: flat operator chains of any length answer (they need no stack depth
// proportional to their length), and what truly nests past the bound is a syntax error.
#include <catch2/catch.hpp>
#include "helpers.hpp"

#include <lora/error.hpp>
#include <lora/lora.hpp>

#include <string>

namespace {

// `first` then `count` times `sep` + `term`.
std::string chain(const std::string& first, const std::string& sep, const std::string& term,
                  int count) {
    std::string s = first;
    for (int i = 0; i < count; ++i) s += sep + term;
    return s;
}

std::string repeat(const std::string& s, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += s;
    return out;
}

// The code of the error `query` fails with, or "" when it answers.
std::string error_code(lora::Database& db, const std::string& query) {
    try {
        db.execute(query);
    } catch (const lora::Error& e) {
        return e.code();
    }
    return {};
}

}  // namespace

TEST_CASE("long flat operator chains answer", "[engine][parser]") {
    for (uint32_t shards : {1u, 4u}) {
        CAPTURE(shards);
        auto db = lora::test::open_db(shards);
        CHECK(lora::test::scalar_int(*db, "RETURN " + chain("1", " + ", "1", 19999) + " AS s") ==
              20000);
        CHECK(lora::test::scalar(*db, "RETURN " + chain("true", " AND ", "true", 19999) + " AS s")
                  .as_bool());
        CHECK_FALSE(
            lora::test::scalar(*db, "RETURN " + chain("false", " OR ", "false", 19999) + " AS s")
                .as_bool());
        // Alternating operators of one precedence level are one chain too.
        CHECK(lora::test::scalar_int(
                  *db, "RETURN " + chain("1", "", " + 2 - 1", 10000) + " AS s") == 10001);
        CHECK(lora::test::scalar_int(
                  *db, "RETURN " + chain("1", " * 1", " + 1", 10000) + " AS s") == 10001);
        CHECK(lora::test::scalar_int(
                  *db, "RETURN size(" + chain("'a'", " + ", "'b'", 19999) + ") AS s") == 20000);
        // As a WHERE conjunction over rows spread across the shards.
        CHECK(lora::test::scalar_int(*db, "UNWIND range(1, 10) AS x WITH x WHERE " +
                                              chain("x > 0", " AND ", "x < 100", 19999) +
                                              " RETURN count(*) AS c") == 10);
    }
}

TEST_CASE("expressions nested past the bound are a syntax error", "[engine][parser]") {
    auto db = lora::test::open_db(2);
    const std::string deep = "SyntaxError.UnexpectedSyntax";
    CHECK(error_code(*db, "RETURN " + repeat("(", 20000) + "1" + repeat(")", 20000)) == deep);
    CHECK(error_code(*db, "RETURN " + repeat("NOT ", 20000) + "true") == deep);
    CHECK(error_code(*db, "RETURN " + repeat("- ", 20000) + "1") == deep);
    CHECK(error_code(*db, "RETURN 1" + repeat(" IS NULL", 20000)) == deep);
    CHECK(error_code(*db, "RETURN 1" + repeat(" IN [true]", 20000)) == deep);
    CHECK(error_code(*db, "RETURN 'a'" + repeat(" STARTS WITH 'a'", 20000)) == deep);
    CHECK(error_code(*db, "WITH {a: 1} AS m RETURN m" + repeat(".a", 20000)) == deep);
    CHECK(error_code(*db, "RETURN [1]" + repeat("[0]", 20000)) == deep);
    // Within the bound the same forms answer.
    CHECK(lora::test::scalar(*db, "RETURN 1" + repeat(" IS NULL", 100) + " AS s").is_bool());
    CHECK(lora::test::scalar_int(
              *db, "RETURN " + repeat("(", 100) + "1" + repeat(")", 100) + " AS s") == 1);
}
