// TCK value literals: parsing each kind, printing, and TCK equality.
#include "tck_value.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace lora::tck;
using K = TckValue::Kind;

TEST_CASE("scalars parse to their kinds", "[tck][value]") {
    CHECK(parse_value("null").kind == K::Null);
    CHECK(parse_value("true").b);
    CHECK_FALSE(parse_value(" false ").b);
    CHECK(parse_value("42").kind == K::Int);
    CHECK(parse_value("-42").i == -42);
    CHECK(parse_value("9223372036854775807").i == std::numeric_limits<int64_t>::max());
    CHECK(parse_value("-9223372036854775808").i == std::numeric_limits<int64_t>::min());
    CHECK_THROWS_AS(parse_value("9223372036854775808"), TckError);
    CHECK(parse_value("1.0").kind == K::Float);
    CHECK(parse_value("-0.5").f == -0.5);
    CHECK(parse_value(".5").f == 0.5);
    CHECK(parse_value("1e-305").f == 1e-305);
    CHECK(parse_value("1.2635418652381264e305").f == 1.2635418652381264e305);
    CHECK(parse_value("2E3").kind == K::Float);
    CHECK(std::isnan(parse_value("NaN").f));
    CHECK(std::isinf(parse_value("-Infinity").f));
}

TEST_CASE("strings unescape only an escaped quote and backslash", "[tck][value]") {
    CHECK(parse_value("'abc'").s == "abc");
    CHECK(parse_value("''").s.empty());
    CHECK(parse_value(R"('it\'s')").s == "it's");
    CHECK(parse_value(R"('a\\b')").s == R"(a\b)");
    CHECK(parse_value(R"('a\nb')").s == R"(a\nb)");
    CHECK(parse_value("'Malmö 🧐'").s == "Malmö 🧐");
    CHECK(parse_value("'x\ny'").s == "x\ny");
    CHECK_THROWS_AS(parse_value("'open"), TckError);
}

TEST_CASE("lists, maps, nodes, relationships and paths parse", "[tck][value]") {
    TckValue l = parse_value("[1, 'a', null, [2]]");
    REQUIRE(l.kind == K::List);
    REQUIRE(l.list.size() == 4);
    CHECK(l.list[3].list[0].i == 2);
    CHECK(parse_value("[]").list.empty());

    TckValue m = parse_value("{k: 1, m: {x: [true]}, `odd key`: 'v'}");
    REQUIRE(m.kind == K::Map);
    CHECK(m.map.at("m").map.at("x").list[0].b);
    CHECK(m.map.at("odd key").s == "v");
    CHECK(parse_value("{}").map.empty());

    TckValue n = parse_value("(:B:A {name: 'x', num: 1})");
    REQUIRE(n.kind == K::Node);
    CHECK(n.labels == std::vector<std::string>{"A", "B"});
    CHECK(n.map.at("num").i == 1);
    CHECK(parse_value("()").labels.empty());

    TckValue r = parse_value("[:T {num: 1}]");
    REQUIRE(r.kind == K::Rel);
    CHECK(r.s == "T");
    CHECK(parse_value("[:T]").map.empty());

    TckValue p = parse_value("<(:A)-[:T]->(:B)<-[:U {k: 1}]-()>");
    REQUIRE(p.kind == K::Path);
    REQUIRE(p.list.size() == 5);
    CHECK(p.forward == std::vector<bool>{true, false});
    CHECK(p.list[3].s == "U");
    CHECK(parse_value("<()>").list.size() == 1);

    CHECK_THROWS_AS(parse_value("[1, 2"), TckError);
    CHECK_THROWS_AS(parse_value("1 2"), TckError);
    CHECK_THROWS_AS(parse_value("(:A)-"), TckError);
}

TEST_CASE("to_string reads back to an equal value", "[tck][value]") {
    for (const char* text : {"null", "true", "-7", "0.1", "1.0E-305", "'it\\'s'", "[1, [2.5, 'x']]",
                             "{a: 1, b: {c: null}}", "(:A:B {k: 'v'})", "()", "[:T {k: [1]}]",
                             "<(:A)-[:T]->(:B)<-[:U]-()>"}) {
        TckValue v = parse_value(text);
        INFO(text << " printed as " << v.to_string());
        CHECK(tck_equal(parse_value(v.to_string()), v));
    }
    CHECK(parse_value("(:B:A {k: 1})").to_string() == "(:A:B {k: 1})");
    CHECK(format_float(1.0) == "1.0");
    CHECK(format_float(0.1) == "0.1");
}

TEST_CASE("TCK equality is exact on kinds and lenient on maps and labels order", "[tck][value]") {
    CHECK_FALSE(tck_equal(parse_value("1"), parse_value("1.0")));
    CHECK(tck_equal(parse_value("NaN"), parse_value("NaN")));
    CHECK_FALSE(tck_equal(parse_value("NaN"), parse_value("1.0")));
    CHECK(tck_equal(parse_value("{a: 1, b: 2}"), parse_value("{b: 2, a: 1}")));
    CHECK_FALSE(tck_equal(parse_value("{a: 1}"), parse_value("{a: 1, b: null}")));
    CHECK(tck_equal(parse_value("(:A:B {k: 1})"), parse_value("(:B:A {k: 1})")));
    CHECK_FALSE(tck_equal(parse_value("(:A)"), parse_value("()")));
    CHECK_FALSE(tck_equal(parse_value("(:A {k: 1})"), parse_value("(:A {k: 1.0})")));
    CHECK_FALSE(tck_equal(parse_value("[:T]"), parse_value("[:U]")));
    CHECK_FALSE(tck_equal(parse_value("<(:A)-[:T]->()>"), parse_value("<(:A)<-[:T]-()>")));
    CHECK_FALSE(tck_equal(parse_value("'a'"), parse_value("'A'")));
    CHECK_FALSE(tck_equal(parse_value("[1, 2]"), parse_value("[2, 1]")));

    // Nodes read from an engine carry ids; the TCK compares them by content only.
    TckValue a = parse_value("(:A)"), b = parse_value("(:A)");
    a.i = 1;
    b.i = 2;
    CHECK(tck_equal(a, b));
}

TEST_CASE("unordered-list mode compares every list as a multiset", "[tck][value]") {
    CHECK(tck_equal(parse_value("[1, 2, 2]"), parse_value("[2, 1, 2]"), true));
    CHECK_FALSE(tck_equal(parse_value("[1, 2, 2]"), parse_value("[1, 1, 2]"), true));
    CHECK(tck_equal(parse_value("{k: [[3, 4], [1, 2]]}"), parse_value("{k: [[2, 1], [4, 3]]}"),
                    true));
    CHECK(
        tck_equal(parse_value("(:A {l: ['x', 'y']})"), parse_value("(:A {l: ['y', 'x']})"), true));
    CHECK_FALSE(tck_equal(parse_value("[1, 2]"), parse_value("[1, 2, 3]"), true));
}

TEST_CASE("deeply nested lists parse and compare", "[tck][value]") {
    std::string text = std::string(40, '[') + std::string(40, ']');
    TckValue v = parse_value(text);
    int depth = 0;
    for (const TckValue* p = &v; p->kind == K::List; p = p->list.empty() ? nullptr : &p->list[0]) {
        ++depth;
        if (p->list.empty()) break;
    }
    CHECK(depth == 40);
    CHECK(tck_equal(v, parse_value(v.to_string()), true));
}
