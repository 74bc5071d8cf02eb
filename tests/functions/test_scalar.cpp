// Tests of the scalar function library and the registry: each family, null handling and
// the error types the openCypher TCK expects.
#include <lora/functions/functions.hpp>
#include "call_support.hpp"

#include <lora/error.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace lora;
using lora::test::callf;

namespace {

// Runs the call and returns the error code ("TypeError.InvalidArgumentValue"), or "" if
// nothing was thrown.
std::string error_of(std::string_view name, std::vector<Value> args) {
    try {
        callf(name, std::move(args));
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

Value node(uint64_t id, std::vector<std::string> labels, Map props) {
    return Value(
        Node{id, std::make_shared<NodeData>(NodeData{std::move(labels), std::move(props)})});
}

Relationship rel(uint64_t id, uint64_t s, uint64_t e, std::string type, Map props = {}) {
    return Relationship{id, s, e, 7,
                        std::make_shared<RelData>(RelData{std::move(type), std::move(props)})};
}

const double nan_v = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("Registry lookup is case-insensitive and knows aggregates", "[functions]") {
    const fn::FunctionInfo* f = fn::find_function("toUpper");
    REQUIRE(f);
    CHECK(f->name == "toupper");
    CHECK_FALSE(f->aggregate);
    CHECK(fn::find_function("TOUPPER") == f);
    CHECK(fn::find_function("nosuchfunction") == nullptr);
    for (auto name : {"count", "sum", "avg", "min", "max", "collect", "percentileCont",
                      "percentileDisc", "stDev", "stDevP"}) {
        INFO(name);
        const fn::FunctionInfo* a = fn::find_function(name);
        REQUIRE(a);
        CHECK(a->aggregate);
    }
    CHECK_FALSE(fn::find_function("rand")->deterministic);
    CHECK_FALSE(fn::find_function("timestamp")->deterministic);
    CHECK(fn::find_function("coalesce")->max_args == -1);
    CHECK(fn::find_function("substring")->min_args == 2);
    CHECK(fn::find_function("substring")->max_args == 3);
    CHECK(error_of("substring", {"a"}) == "SyntaxError.InvalidNumberOfArguments");
    // A copy of an info (not the registry's own object) still dispatches by name.
    fn::FunctionInfo copy = *fn::find_function("abs");
    CHECK(fn::call(copy, std::vector<Value>{Value(-3)}) == Value(3));
}

TEST_CASE("Entity functions read hydrated data", "[functions]") {
    Value n = node(5, {"A", "B"}, {{"name", "x"}, {"age", 3}});
    Value r(rel(9, 5, 6, "KNOWS", {{"since", 2020}}));
    CHECK(callf("id", {n}) == Value(5));
    CHECK(callf("id", {r}) == Value(9));
    CHECK(callf("labels", {n}) == Value(List{"A", "B"}));
    CHECK(callf("type", {r}) == Value("KNOWS"));
    CHECK(callf("keys", {n}) == Value(List{"age", "name"}));
    CHECK(callf("keys", {Value(Map{{"k", Value()}, {"a", 1}})}) == Value(List{"a", "k"}));
    CHECK(callf("properties", {n}) == Value(Map{{"name", "x"}, {"age", 3}}));
    CHECK(callf("properties", {r}) == Value(Map{{"since", 2020}}));
    CHECK(callf("properties", {Value(Map{{"a", 1}})}) == Value(Map{{"a", 1}}));
    Value s = callf("startNode", {r});
    REQUIRE(s.is_node());
    CHECK(s.as_node().id == 5);
    CHECK(s.as_node().data == nullptr);
    CHECK(callf("endNode", {r}).as_node().id == 6);

    for (auto f : {"id", "labels", "type", "keys", "properties", "startNode", "endNode", "nodes",
                   "relationships", "length"}) {
        INFO(f);
        CHECK(callf(f, {Value()}).is_null());
    }
    CHECK(error_of("labels", {Value(1)}) == "TypeError.InvalidArgumentValue");
    CHECK(error_of("type", {n}) == "TypeError.InvalidArgumentValue");
    for (Value bad : {Value(0), Value(1.0), Value(true), Value(""), Value(List{})}) {
        INFO(bad.to_string());
        CHECK(error_of("type", {bad}) == "TypeError.InvalidArgumentValue");
    }
    CHECK(error_of("properties", {Value(1)}) == "TypeError.InvalidArgumentValue");

    try {
        callf("labels", {Value(Node{1, nullptr})});
        FAIL("no error for an unhydrated node");
    } catch (const Error& e) {
        CHECK(e.error_class() == ErrorClass::Database);
        CHECK(e.message().find("not hydrated") != std::string::npos);
    }
    CHECK(error_of("type", {Value(Relationship{1, 2, 3, 4, nullptr})}) != "");
    CHECK(callf("id", {Value(Node{1, nullptr})}) == Value(1));  // ids need no data
}

TEST_CASE("Path functions", "[functions]") {
    Node a{1, std::make_shared<NodeData>(NodeData{{"A"}, {}})};
    Node b{2, std::make_shared<NodeData>(NodeData{{"B"}, {}})};
    Relationship r = rel(10, 2, 1, "T");
    Value p(Path{{a, b}, {r}});
    CHECK(callf("length", {p}) == Value(1));
    CHECK(callf("length", {Value(Path{{a}, {}})}) == Value(0));
    Value ns = callf("nodes", {p});
    REQUIRE(ns.as_list().size() == 2);
    CHECK(ns.as_list()[1].as_node().id == 2);
    Value rs = callf("relationships", {p});
    REQUIRE(rs.as_list().size() == 1);
    CHECK(rs.as_list()[0].as_relationship().id == 10);
    CHECK(error_of("length", {Value("abc")}) == "TypeError.InvalidArgumentValue");
    CHECK(error_of("nodes", {Value(List{})}) == "TypeError.InvalidArgumentValue");
}

TEST_CASE("List functions", "[functions]") {
    Value l(List{1, 2, 3});
    CHECK(callf("size", {l}) == Value(3));
    CHECK(callf("size", {Value("h\xC3\xA9llo")}) == Value(5));  // code points, not bytes
    CHECK(callf("size", {Value()}).is_null());
    CHECK(error_of("size", {Value(5)}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("head", {l}) == Value(1));
    CHECK(callf("last", {l}) == Value(3));
    CHECK(callf("tail", {l}) == Value(List{2, 3}));
    CHECK(callf("head", {Value(List{})}).is_null());
    CHECK(callf("last", {Value(List{})}).is_null());
    CHECK(callf("tail", {Value(List{})}) == Value(List{}));
    CHECK(callf("head", {Value()}).is_null());
    CHECK(callf("coalesce", {Value(), Value(), Value(2), Value(3)}) == Value(2));
    CHECK(callf("coalesce", {Value(), Value()}).is_null());
    CHECK(callf("reverse", {l}) == Value(List{3, 2, 1}));
    CHECK(callf("reverse", {Value("ab\xC3\xA9")}) == Value("\xC3\xA9"
                                                           "ba"));
    CHECK(callf("reverse", {Value()}).is_null());
    CHECK(callf("isEmpty", {Value(List{})}) == Value(true));
    CHECK(callf("isEmpty", {Value(Map{{"a", 1}})}) == Value(false));
    CHECK(callf("isEmpty", {Value("")}) == Value(true));
    CHECK(callf("isEmpty", {Value()}).is_null());
    CHECK(error_of("isEmpty", {Value(1)}) == "TypeError.InvalidArgumentValue");
}

TEST_CASE("range", "[functions]") {
    CHECK(callf("range", {0, 3}) == Value(List{0, 1, 2, 3}));
    CHECK(callf("range", {0, 10, 4}) == Value(List{0, 4, 8}));
    CHECK(callf("range", {3, 0, -2}) == Value(List{3, 1}));
    CHECK(callf("range", {3, 0}) == Value(List{}));
    CHECK(callf("range", {0, -3, 1}) == Value(List{}));
    CHECK(callf("range", {5, 5}) == Value(List{5}));
    const int64_t mx = std::numeric_limits<int64_t>::max();
    CHECK(callf("range", {Value(mx - 1), Value(mx)}) == Value(List{Value(mx - 1), Value(mx)}));
    CHECK(callf("range", {Value(-mx), Value(mx), Value(mx)}) ==
          Value(List{Value(-mx), Value(0), Value(mx)}));
    for (auto args :
         std::vector<std::vector<Value>>{{0, 0, 0}, {2, 8, 0}, {-2, 8, 0}, {2, -8, 0}}) {
        CHECK(error_of("range", args) == "ArgumentError.NumberOutOfRange");
    }
    for (auto args : std::vector<std::vector<Value>>{{true, 1, 1},
                                                     {0, true, 1},
                                                     {0, 1, true},
                                                     {-1.1, 1, 1},
                                                     {-0.0, 1, 1},
                                                     {0.0, 1, 1},
                                                     {0, -1.1, 1},
                                                     {0, 1, 0.5}}) {
        CHECK(error_of("range", args) == "ArgumentError.InvalidArgumentType");
    }
    CHECK(error_of("range", {Value(int64_t{0}), Value(mx)}) == "ArgumentError.NumberOutOfRange");
}

TEST_CASE("Type conversions", "[functions]") {
    CHECK(callf("toString", {42}) == Value("42"));
    CHECK(callf("toString", {2.3}) == Value("2.3"));
    CHECK(callf("toString", {1.0}) == Value("1.0"));
    CHECK(callf("toString", {true}) == Value("true"));
    CHECK(callf("toString", {"apa"}) == Value("apa"));
    CHECK(callf("toString", {Value()}).is_null());

    CHECK(callf("toInteger", {82.9}) == Value(82));
    CHECK(callf("toInteger", {-82.9}) == Value(-82));
    CHECK(callf("toInteger", {"42"}) == Value(42));
    CHECK(callf("toInteger", {"2.9"}) == Value(2));
    CHECK(callf("toInteger", {"1.7"}) == Value(1));
    CHECK(callf("toInteger", {"foo"}).is_null());
    CHECK(callf("toInteger", {""}).is_null());
    CHECK(callf("toInteger", {"9223372036854775807"}) ==
          Value(std::numeric_limits<int64_t>::max()));
    CHECK(callf("toInteger", {true}) == Value(1));
    CHECK(callf("toInteger", {Value()}).is_null());
    CHECK(error_of("toInteger", {1e300}) == "ArgumentError.NumberOutOfRange");
    CHECK(callf("toIntegerOrNull", {1e300}).is_null());

    CHECK(callf("toFloat", {3}) == Value(3.0));
    CHECK(callf("toFloat", {3.4}) == Value(3.4));
    CHECK(callf("toFloat", {"5"}) == Value(5.0));
    CHECK(callf("toFloat", {"-1.5e3"}) == Value(-1500.0));
    CHECK(callf("toFloat", {"foo"}).is_null());
    CHECK(callf("toFloat", {""}).is_null());

    CHECK(callf("toBoolean", {true}) == Value(true));
    CHECK(callf("toBoolean", {"true"}) == Value(true));
    CHECK(callf("toBoolean", {"FALSE"}) == Value(false));
    CHECK(callf("toBoolean", {0}) == Value(false));
    CHECK(callf("toBoolean", {5}) == Value(true));
    for (Value s : {Value(""), Value(" tru "), Value("f alse"), Value()}) {
        CHECK(callf("toBoolean", {s}).is_null());
    }

    Node n{1, std::make_shared<NodeData>()};
    Relationship r = rel(2, 1, 1, "T");
    Value p(Path{{n, n}, {r}});
    std::vector<Value> entities = {Value(List{}), Value(Map{}), Value(n), Value(r), p};
    for (const Value& bad : entities) {
        INFO(bad.to_string());
        CHECK(error_of("toInteger", {bad}) == "TypeError.InvalidArgumentValue");
        CHECK(error_of("toFloat", {bad}) == "TypeError.InvalidArgumentValue");
        CHECK(error_of("toString", {bad}) == "TypeError.InvalidArgumentValue");
        CHECK(error_of("toBoolean", {bad}) == "TypeError.InvalidArgumentValue");
        CHECK(callf("toIntegerOrNull", {bad}).is_null());
        CHECK(callf("toFloatOrNull", {bad}).is_null());
        CHECK(callf("toStringOrNull", {bad}).is_null());
        CHECK(callf("toBooleanOrNull", {bad}).is_null());
    }
    CHECK(error_of("toBoolean", {1.0}) == "TypeError.InvalidArgumentValue");
    CHECK(error_of("toFloat", {true}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("toBooleanOrNull", {"true"}) == Value(true));
    CHECK(callf("toFloatOrNull", {"2"}) == Value(2.0));
    CHECK(callf("toStringOrNull", {7}) == Value("7"));
    CHECK(callf("toIntegerOrNull", {"7"}) == Value(7));
}

TEST_CASE("Mathematical functions", "[functions]") {
    CHECK(callf("abs", {-1}) == Value(1));
    CHECK(callf("abs", {-1.5}) == Value(1.5));
    CHECK(callf("abs", {Value()}).is_null());
    CHECK(error_of("abs", {Value(std::numeric_limits<int64_t>::min())}) ==
          "ArgumentError.NumberOutOfRange");
    CHECK(error_of("abs", {"x"}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("ceil", {1.2}) == Value(2.0));
    CHECK(callf("ceil", {1}) == Value(1.0));
    CHECK(callf("floor", {-1.2}) == Value(-2.0));
    CHECK(callf("sqrt", {16}) == Value(4.0));
    CHECK(std::isnan(callf("sqrt", {-1}).as_float()));
    CHECK(callf("exp", {0}) == Value(1.0));
    CHECK(callf("log", {1}) == Value(0.0));
    CHECK(callf("log", {0}) == Value(-std::numeric_limits<double>::infinity()));
    CHECK(callf("log10", {1000}) == Value(3.0));
    CHECK(callf("sin", {0}) == Value(0.0));
    CHECK(callf("cos", {0}) == Value(1.0));
    CHECK(callf("tan", {0}) == Value(0.0));
    CHECK(callf("asin", {1}).as_float() == Approx(std::acos(-1.0) / 2));
    CHECK(callf("acos", {1}) == Value(0.0));
    CHECK(callf("atan", {0}) == Value(0.0));
    CHECK(callf("atan2", {1, 1}).as_float() == Approx(std::acos(-1.0) / 4));
    CHECK(callf("atan2", {Value(), 1}).is_null());
    CHECK(callf("pi", {}).as_float() == Approx(3.14159265358979));
    CHECK(callf("e", {}).as_float() == Approx(2.71828182845904));
    for (int i = 0; i < 100; ++i) {
        double r = callf("rand", {}).as_float();
        REQUIRE(r >= 0.0);
        REQUIRE(r < 1.0);
    }
    CHECK(callf("timestamp", {}).as_int() > 1600000000000);
    CHECK(callf("sign", {-5}) == Value(-1));
    CHECK(callf("sign", {0}) == Value(0));
    CHECK(callf("sign", {2.5}) == Value(1));
    CHECK(callf("sign", {-0.1}) == Value(-1));
    CHECK(callf("isNaN", {Value(nan_v)}) == Value(true));
    CHECK(callf("isNaN", {1}) == Value(false));
    CHECK(callf("isNaN", {Value()}).is_null());
    CHECK(error_of("isNaN", {"x"}) == "TypeError.InvalidArgumentValue");
    CHECK(error_of("sqrt", {Value(List{})}) == "TypeError.InvalidArgumentValue");
}

TEST_CASE("round with precision and modes", "[functions]") {
    CHECK(callf("round", {2.5}) == Value(3.0));
    CHECK(callf("round", {-2.5}) == Value(-2.0));  // Java Math.round semantics
    CHECK(callf("round", {2.4}) == Value(2.0));
    CHECK(callf("round", {3}) == Value(3.0));
    CHECK(callf("round", {Value()}).is_null());
    CHECK(callf("round", {3.14159, 2}) == Value(3.14));
    CHECK(callf("round", {1.005, 2}) == Value(1.01));  // the decimal 1.005, not 1.00499...
    CHECK(callf("round", {-1.5, 0}) == Value(-2.0));   // HALF_UP rounds away from zero
    CHECK(callf("round", {1234.5, -2}) == Value(1200.0));
    CHECK(callf("round", {9.99, 1}) == Value(10.0));
    CHECK(callf("round", {0.0004, 2}) == Value(0.0));
    CHECK(callf("round", {2.5, 0, "HALF_EVEN"}) == Value(2.0));
    CHECK(callf("round", {3.5, 0, "half_even"}) == Value(4.0));
    CHECK(callf("round", {2.5, 0, "HALF_DOWN"}) == Value(2.0));
    CHECK(callf("round", {2.51, 0, "HALF_DOWN"}) == Value(3.0));
    CHECK(callf("round", {2.1, 0, "UP"}) == Value(3.0));
    CHECK(callf("round", {-2.1, 0, "UP"}) == Value(-3.0));
    CHECK(callf("round", {2.9, 0, "DOWN"}) == Value(2.0));
    CHECK(callf("round", {-2.1, 0, "CEILING"}) == Value(-2.0));
    CHECK(callf("round", {-2.1, 0, "FLOOR"}) == Value(-3.0));
    CHECK(callf("round", {0.05, 1, "UP"}) == Value(0.1));
    CHECK(callf("round", {0.05, 0, "UP"}) == Value(1.0));
    CHECK(callf("round", {123.0, 5}) == Value(123.0));
    CHECK(error_of("round", {1.5, 0, "SIDEWAYS"}) == "ArgumentError.InvalidArgumentValue");
    CHECK(error_of("round", {1.5, 0.5}) == "TypeError.InvalidArgumentValue");
}

TEST_CASE("String functions", "[functions]") {
    CHECK(callf("toUpper", {"abc"}) == Value("ABC"));
    CHECK(callf("upper", {"aBc"}) == Value("ABC"));
    CHECK(callf("toLower", {"ABC"}) == Value("abc"));
    CHECK(callf("lower", {"AbC"}) == Value("abc"));
    // Every letter, not only ASCII (Neo4j: Java's toUpperCase/toLowerCase).
    CHECK(callf("toUpper", {"\xC3\xA9t\xC3\xA9 \xD0\xB6"}) == Value("\xC3\x89T\xC3\x89 \xD0\x96"));
    CHECK(callf("toLower", {"\xC3\x89T\xC3\x89 \xD0\x96"}) == Value("\xC3\xA9t\xC3\xA9 \xD0\xB6"));
    CHECK(callf("toUpper", {"\xE2\x82\xAC"
                            "1"}) == Value("\xE2\x82\xAC"
                                           "1"));
    CHECK(callf("toUpper", {Value()}).is_null());
    CHECK(error_of("toUpper", {1}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("trim", {"  a b \n"}) == Value("a b"));
    CHECK(callf("ltrim", {"  a "}) == Value("a "));
    CHECK(callf("rtrim", {"  a "}) == Value("  a"));
    CHECK(callf("replace", {"hello", "l", "L"}) == Value("heLLo"));
    CHECK(callf("replace", {"aaa", "aa", "b"}) == Value("ba"));
    CHECK(callf("replace", {"ab", "", "-"}) == Value("-a-b-"));
    CHECK(callf("replace", {"ab", Value(), "-"}).is_null());
    CHECK(callf("substring", {"0123456789", 1}) == Value("123456789"));
    CHECK(callf("substring", {"0123456789", 1, 3}) == Value("123"));
    CHECK(callf("substring", {"0123456789", 8, 10}) == Value("89"));
    CHECK(callf("substring", {"abc", 5}) == Value(""));
    CHECK(callf("substring", {"h\xC3\xA9llo", 1, 2}) == Value("\xC3\xA9l"));
    CHECK(callf("substring", {Value(), 1}).is_null());
    CHECK(error_of("substring", {"abc", -1}) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of("substring", {"abc", 0, -1}) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of("substring", {"abc", 0.5}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("left", {"hello", 2}) == Value("he"));
    CHECK(callf("left", {"hello", 20}) == Value("hello"));
    CHECK(callf("right", {"hello", 2}) == Value("lo"));
    CHECK(callf("right", {"hello", 20}) == Value("hello"));
    CHECK(callf("right", {"h\xC3\xA9", 1}) == Value("\xC3\xA9"));
    CHECK(error_of("left", {"hello", -1}) == "ArgumentError.NumberOutOfRange");
    CHECK(callf("split", {"a,b,,c", ","}) == Value(List{"a", "b", "", "c"}));
    CHECK(callf("split", {"a::b", "::"}) == Value(List{"a", "b"}));
    CHECK(callf("split", {"abc", ""}) == Value(List{"a", "b", "c"}));
    CHECK(callf("split", {"a,b;c", Value(List{",", ";"})}) == Value(List{"a", "b", "c"}));
    CHECK(callf("split", {",", ","}) == Value(List{"", ""}));
    CHECK(callf("split", {Value(), ","}).is_null());
    CHECK(error_of("split", {"a", 1}) == "TypeError.InvalidArgumentValue");
    CHECK(callf("reverse", {"abc"}) == Value("cba"));
}

TEST_CASE("exists and coalesce follow null rules", "[functions]") {
    CHECK(callf("exists", {Value()}) == Value(false));
    CHECK(callf("exists", {Value(0)}) == Value(true));
    CHECK(callf("exists", {Value(List{})}) == Value(true));
}
