// Long inputs for every string and list function (and the operators on strings and lists):
// strings of 10^6 characters, lists of 10^6 elements, maps of 10^5 keys, values nested
// 10^5 deep. Each must give the right answer without overflowing the stack. The queries
// run on 4 shards and read a node, so the values also cross shards in result rows.
#include "engine/helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

namespace {

using lora::List;
using lora::Map;
using lora::Value;

constexpr int64_t kChars = 1'000'000;
constexpr int64_t kElems = 1'000'000;

std::string repeat(const std::string& s, int64_t n) {
    std::string out;
    out.reserve(s.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out += s;
    return out;
}

struct Fixture {
    std::unique_ptr<lora::Database> db = lora::test::open_db(4);
    Fixture() { db->execute("UNWIND range(1, 8) AS i CREATE (:One {i: i})"); }
    // One value, computed on the shard of the node with i = 1.
    Value one(const std::string& expr, const lora::Params& p = {}) {
        return lora::test::scalar(*db, "MATCH (o:One {i: 1}) RETURN " + expr + " AS v", p);
    }
    int64_t one_int(const std::string& expr, const lora::Params& p = {}) {
        Value v = one(expr, p);
        if (!v.is_int()) throw std::runtime_error(expr + " gave " + v.to_string().substr(0, 80));
        return v.as_int();
    }
    bool one_bool(const std::string& expr, const lora::Params& p = {}) {
        Value v = one(expr, p);
        if (!v.is_bool()) throw std::runtime_error(expr + " gave " + v.to_string().substr(0, 80));
        return v.as_bool();
    }
    std::string one_str(const std::string& expr, const lora::Params& p = {}) {
        Value v = one(expr, p);
        if (!v.is_string()) throw std::runtime_error(expr + " gave " + v.to_string().substr(0, 80));
        return v.as_string();
    }
};

// "" when equal, else where the strings first differ (never the whole megabyte).
std::string diff(const std::string& got, const std::string& want) {
    if (got == want) return "";
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    return "sizes " + std::to_string(got.size()) + " vs " + std::to_string(want.size()) +
           ", first difference at byte " + std::to_string(i) + ": got '" + got.substr(i, 20) +
           "', want '" + want.substr(i, 20) + "'";
}

}  // namespace

TEST_CASE("string functions on a string of a million characters", "[random][long]") {
    Fixture f;
    const std::string s = repeat("aBc-", kChars / 4);  // 10^6 characters
    lora::Params p{{"s", Value(s)}};

    CHECK(f.one_int("size($s)", p) == kChars);
    std::string up = s, low = s;
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    std::transform(low.begin(), low.end(), low.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    CHECK(diff(f.one_str("toUpper($s)", p), up) == "");
    CHECK(diff(f.one_str("toLower($s)", p), low) == "");
    CHECK(diff(f.one_str("upper($s)", p), up) == "");
    CHECK(diff(f.one_str("lower($s)", p), low) == "");

    const std::string pad(100'000, ' ');
    lora::Params pp{{"s", Value(pad + s + pad)}};
    CHECK(diff(f.one_str("trim($s)", pp), s) == "");
    CHECK(diff(f.one_str("ltrim($s)", pp), s + pad) == "");
    CHECK(diff(f.one_str("rtrim($s)", pp), pad + s) == "");
    CHECK(f.one_str("trim($p)", {{"p", Value(pad)}}).empty());

    std::string replaced;
    for (char c : s) replaced += c == 'B' ? std::string("xy") : std::string(1, c);
    CHECK(diff(f.one_str("replace($s, 'B', 'xy')", p), replaced) == "");
    CHECK(diff(f.one_str("replace($s, $s, 'z')", p), "z") == "");
    CHECK(f.one_int("size(replace($s, '-', ''))", p) == kChars / 4 * 3);

    CHECK(f.one_int("size(split($s, '-'))", p) == kChars / 4 + 1);
    CHECK(diff(f.one_str("split($s, '-')[1000]", p), "aBc") == "");
    CHECK(f.one_str("last(split($s, '-'))", p).empty());
    CHECK(f.one_int("size(split($s, ''))", p) == kChars);
    CHECK(f.one_int("size(split($s, ['B', '-']))", p) == kChars / 2 + 1);

    CHECK(diff(f.one_str("substring($s, 1, 500000)", p), s.substr(1, 500000)) == "");
    CHECK(diff(f.one_str("substring($s, 999996)", p), "aBc-") == "");
    CHECK(diff(f.one_str("left($s, 999999)", p), s.substr(0, 999999)) == "");
    CHECK(diff(f.one_str("right($s, 999999)", p), s.substr(1)) == "");
    std::string rev(s.rbegin(), s.rend());
    CHECK(diff(f.one_str("reverse($s)", p), rev) == "");
    CHECK(diff(f.one_str("toString($s)", p), s) == "");
    CHECK(diff(f.one_str("toStringOrNull($s)", p), s) == "");
    CHECK(f.one_int("size($s + $s)", p) == 2 * kChars);
    CHECK(f.one_int("size(reduce(acc = '', x IN ['a', $s, 'b'] | acc + x))", p) == kChars + 2);

    CHECK(f.one_bool("$s STARTS WITH substring($s, 0, 999000)", p));
    CHECK(f.one_bool("$s ENDS WITH substring($s, 1000)", p));
    CHECK(f.one_bool("$s CONTAINS substring($s, 400, 500000)", p));
    CHECK_FALSE(f.one_bool("$s CONTAINS ($s + 'x')", p));
    CHECK(f.one_bool("$s = toString($s)", p));
    CHECK(f.one_bool("$s < $s + 'a'", p));
    CHECK(f.one_bool("$s IN ['x', $s]", p));
    CHECK_FALSE(f.one_bool("isEmpty($s)", p));
    CHECK(f.one_bool("$s =~ '[aBc-]*'", p));

    // Code points, not bytes: a million two-byte characters.
    const std::string e = repeat("\xC3\xA9x", kChars / 2);
    lora::Params pe{{"e", Value(e)}};
    CHECK(f.one_int("size($e)", pe) == kChars);
    CHECK(diff(f.one_str("reverse($e)", pe), repeat("x\xC3\xA9", kChars / 2)) == "");
    CHECK(diff(f.one_str("toUpper($e)", pe), repeat("\xC3\x89X", kChars / 2)) == "");
    CHECK(diff(f.one_str("left($e, 3)", pe), "\xC3\xA9x\xC3\xA9") == "");
    CHECK(diff(f.one_str("right($e, 3)", pe), "x\xC3\xA9x") == "");
    CHECK(diff(f.one_str("substring($e, 999998)", pe), "\xC3\xA9x") == "");
    CHECK(f.one_int("size(split($e, ''))", pe) == kChars);

    // Numbers and booleans from long strings.
    const std::string digits = std::string(100'000, '0') + "17";
    CHECK(f.one_int("toInteger($d)", {{"d", Value(digits)}}) == 17);
    CHECK(f.one("toFloat($d)", {{"d", Value(digits)}}) == Value(17.0));
    CHECK(f.one("toInteger($s)", p).is_null());
    CHECK(f.one("toFloat($s)", p).is_null());
    CHECK(f.one("toBoolean($s)", p).is_null());

    // A long string as a property, indexed, found by equality and by prefix.
    f.db->execute("CREATE INDEX FOR (n:Str) ON (n.s)");
    f.db->execute("CREATE (:Str {s: $s}), (:Str {s: $s + 'x'}), (:Str {s: 'short'})", p);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Str) WHERE n.s = $s RETURN count(n)", p) == 1);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Str) WHERE n.s STARTS WITH $s RETURN count(n)",
                                 p) == 2);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Str) RETURN max(size(n.s))") == kChars + 1);
}

TEST_CASE("list functions on a list of a million elements", "[random][long]") {
    Fixture f;
    const std::string n = std::to_string(kElems);
    CHECK(f.one_int("size(range(1, " + n + "))") == kElems);
    CHECK(f.one_int("reduce(s = 0, x IN range(1, " + n + ") | s + x)") ==
          kElems * (kElems + 1) / 2);
    CHECK(f.one_int("head(reverse(range(1, " + n + ")))") == kElems);
    CHECK(f.one_int("last(reverse(range(1, " + n + ")))") == 1);
    CHECK(f.one_int("size(tail(range(1, " + n + ")))") == kElems - 1);
    CHECK(f.one_int("head(tail(range(1, " + n + ")))") == 2);
    CHECK(f.one_int("last(range(1, " + n + "))") == kElems);
    CHECK(f.one_int("size(range(" + n + ", 1, -1))") == kElems);
    CHECK(f.one_int("size([x IN range(1, " + n + ") WHERE x % 2 = 0 | x * 2])") == kElems / 2);
    CHECK(f.one_int("last([x IN range(1, " + n + ") WHERE x % 2 = 0 | x * 2])") == 2 * kElems);
    CHECK(f.one_bool("all(x IN range(1, " + n + ") WHERE x > 0)"));
    CHECK(f.one_bool("any(x IN range(1, " + n + ") WHERE x = " + n + ")"));
    CHECK(f.one_bool("none(x IN range(1, " + n + ") WHERE x < 0)"));
    CHECK(f.one_bool("single(x IN range(1, " + n + ") WHERE x = 7)"));
    CHECK(f.one_bool(n + " IN range(1, " + n + ")"));
    CHECK(f.one_int("size(range(1, " + n + ")[1..-1])") == kElems - 2);
    CHECK(f.one_int("range(1, " + n + ")[-1]") == kElems);
    CHECK(f.one_int("size(range(1, " + n + ") + range(1, " + n + "))") == 2 * kElems);
    CHECK(f.one_int("size(range(1, " + n + ") + 0)") == kElems + 1);
    CHECK(f.one_bool("range(1, " + n + ") = range(1, " + n + ")"));
    CHECK(f.one_bool("range(1, " + n + ") < range(1, " + n + ") + 1"));
    CHECK_FALSE(f.one_bool("isEmpty(range(1, " + n + "))"));
    CHECK(f.one_int("coalesce(null, range(1, " + n + "))[5]") == 6);

    // As a parameter, a property and through aggregation.
    List big;
    for (int64_t i = 0; i < kElems; ++i) big.emplace_back(i);
    lora::Params p{{"l", Value(big)}};
    CHECK(f.one_int("size($l)", p) == kElems);
    CHECK(f.one_int("$l[999999]", p) == kElems - 1);
    CHECK(f.one_int("size(reverse($l))", p) == kElems);
    f.db->execute("CREATE (:Lst {l: $l})", p);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Lst) RETURN size(n.l)") == kElems);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Lst) WHERE n.l = $l RETURN count(*)", p) == 1);
    auto agg = f.db->execute("UNWIND range(1, " + n +
                             ") AS x RETURN count(*) AS c, sum(x) AS s, min(x) AS lo, max(x) AS "
                             "hi, size(collect(x)) AS k, count(DISTINCT x % 1000) AS d");
    REQUIRE(agg.rows.size() == 1);
    CHECK(agg.rows[0][0].as_int() == kElems);
    CHECK(agg.rows[0][1].as_int() == kElems * (kElems + 1) / 2);
    CHECK(agg.rows[0][2].as_int() == 1);
    CHECK(agg.rows[0][3].as_int() == kElems);
    CHECK(agg.rows[0][4].as_int() == kElems);
    CHECK(agg.rows[0][5].as_int() == 1000);
    CHECK(lora::test::scalar_int(*f.db, "UNWIND [range(1, " + n + "), range(1, " + n +
                                            ")] AS l RETURN count(DISTINCT l)") == 1);
    // The whole list as a result value.
    auto whole = f.db->execute("MATCH (o:One {i: 1}) RETURN range(1, " + n + ") AS l");
    REQUIRE(whole.rows.size() == 1);
    CHECK(whole.rows[0][0].as_list().size() == static_cast<size_t>(kElems));

    // keys() and properties() of a map with 10^5 keys.
    Map m;
    for (int i = 0; i < 100'000; ++i) m.emplace("k" + std::to_string(i), Value(int64_t{i}));
    lora::Params pm{{"m", Value(m)}};
    CHECK(f.one_int("size(keys($m))", pm) == 100'000);
    CHECK(f.one_int("$m.k99999", pm) == 99'999);
    f.db->execute("CREATE (n:Wide) SET n = $m", pm);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Wide) RETURN size(keys(n))") == 100'000);
    CHECK(lora::test::scalar_int(*f.db, "MATCH (n:Wide) RETURN size(keys(properties(n)))") ==
          100'000);
}

// Lists and maps nest at most kMaxValueNesting (1000) levels: every walk over a value
// (compare, hash for DISTINCT, to_string, encoding into a row between shards, freeing)
// recurses per level, and the bound keeps that far from any stack's end. Up to the bound
// everything works across shards; past it the query fails cleanly.
TEST_CASE("values nest up to the limit and a deeper one is a clear error", "[random][long]") {
    Fixture f;
    const std::string at_limit = "reduce(acc = [], i IN range(1, 999) | [acc])";
    CHECK(f.one_int("size(" + at_limit + ")") == 1);
    CHECK(f.one_bool(at_limit + " = " + at_limit));
    CHECK_FALSE(f.one_bool(at_limit + " = reduce(acc = [], i IN range(1, 998) | [acc])"));
    CHECK(f.one_bool(at_limit + " < reduce(acc = [1], i IN range(1, 999) | [acc])"));
    // [d, d] nests one level more than d.
    CHECK(lora::test::scalar_int(*f.db,
                                 "WITH reduce(acc = [], i IN range(1, 998) | [acc]) AS d "
                                 "UNWIND [d, d] AS x RETURN count(DISTINCT x)") == 1);
    // Made at every shard and sent to the coordinator: encoded into rows and back.
    auto r = f.db->execute("MATCH (o:One) RETURN " + at_limit + " AS d");
    REQUIRE(r.rows.size() == 8);
    CHECK(r.rows[0][0].nesting() == lora::kMaxValueNesting);
    auto rm = f.db->execute(
        "MATCH (o:One) RETURN reduce(acc = {}, i IN range(1, 999) | {a: acc}) "
        "AS d");
    CHECK(rm.rows.size() == 8);

    for (const std::string deeper : {"reduce(acc = [], i IN range(1, 100000) | [acc])",
                                     "reduce(acc = {}, i IN range(1, 100000) | {a: acc})",
                                     "reduce(acc = [], i IN range(1, 1000) | [1, acc])"}) {
        INFO(deeper);
        try {
            f.db->execute("MATCH (o:One) RETURN " + deeper + " AS d");
            FAIL("a value deeper than the limit was built");
        } catch (const lora::Error& e) {
            CHECK(e.code() == "ArgumentError.ValueTooDeep");
        }
    }
    // The database goes on.
    CHECK(lora::test::scalar_int(*f.db, "MATCH (o:One) RETURN count(o)") == 8);
}
