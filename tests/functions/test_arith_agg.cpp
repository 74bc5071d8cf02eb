// Tests of the arithmetic operators and the aggregators, including that merging partial
// states (as shards and the coordinator do) gives the single-pass result.
#include <lora/functions/functions.hpp>

#include <lora/error.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace lora;

namespace {

const int64_t kMax = std::numeric_limits<int64_t>::max();
const int64_t kMin = std::numeric_limits<int64_t>::min();
const double nan_v = std::numeric_limits<double>::quiet_NaN();

template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

std::unique_ptr<fn::Aggregator> agg(std::string_view name, bool distinct = false,
                                    bool star = false) {
    const fn::FunctionInfo* f = fn::find_function(name);
    REQUIRE(f);
    REQUIRE(f->aggregate);
    return fn::make_aggregator(*f, distinct, star);
}

// Feeds rows (each a vector of argument values) in one pass.
Value single_pass(std::string_view name, const std::vector<std::vector<Value>>& rows,
                  bool distinct = false, bool star = false) {
    auto a = agg(name, distinct, star);
    for (const auto& r : rows) a->add(r);
    return a->result();
}

// Splits rows round-robin over `parts` partial aggregators, ships their states (through a
// copy, as a message would) and merges them into a fresh one.
Value merged(std::string_view name, const std::vector<std::vector<Value>>& rows, size_t parts,
             bool distinct = false, bool star = false) {
    std::vector<std::unique_ptr<fn::Aggregator>> partial;
    for (size_t i = 0; i < parts; ++i) partial.push_back(agg(name, distinct, star));
    for (size_t i = 0; i < rows.size(); ++i) partial[i % parts]->add(rows[i]);
    auto total = agg(name, distinct, star);
    for (auto& p : partial) {
        Value st = p->state();
        total->merge(Value(st));
    }
    return total->result();
}

std::vector<std::vector<Value>> column(std::vector<Value> vs) {
    std::vector<std::vector<Value>> rows;
    for (auto& v : vs) rows.push_back({v});
    return rows;
}

}  // namespace

TEST_CASE("Addition: numbers, strings, lists, null", "[functions][arith]") {
    CHECK(fn::add(1, 2) == Value(3));
    CHECK(fn::add(1, 2.5) == Value(3.5));
    CHECK(fn::add(1.5, 1) == Value(2.5));
    CHECK(fn::add("a", 1) == Value("a1"));
    CHECK(fn::add(1, "a") == Value("1a"));
    CHECK(fn::add("a", 1.5) == Value("a1.5"));
    CHECK(fn::add("a", true) == Value("atrue"));
    CHECK(fn::add("a", "b") == Value("ab"));
    CHECK(fn::add(Value(List{1, 10, 100}), Value(List{4, 5})) == Value(List{1, 10, 100, 4, 5}));
    CHECK(fn::add(Value(List{false, true}), false) == Value(List{false, true, false}));
    CHECK(fn::add(0, Value(List{1})) == Value(List{0, 1}));
    CHECK(fn::add(Value(List{Value(List{}), Value(List{})}), Value(List{Value(List{})}))
              .as_list()
              .size() == 3);
    CHECK(fn::add(Value(), 1).is_null());
    CHECK(fn::add("a", Value()).is_null());
    CHECK(error_of([] { fn::add(kMax, 1); }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] { fn::add(true, 1); }) == "TypeError.InvalidArgumentType");
    CHECK(error_of([] { fn::add(Value(Map{}), 1); }) == "TypeError.InvalidArgumentType");
    CHECK(error_of([] { fn::add("a", Value(Map{})); }) == "TypeError.InvalidArgumentType");
}

TEST_CASE("Subtraction, multiplication, division, modulo, power, negation", "[functions][arith]") {
    CHECK(fn::subtract(5, 7) == Value(-2));
    CHECK(fn::subtract(5, 0.5) == Value(4.5));
    CHECK(fn::multiply(6, 7) == Value(42));
    CHECK(fn::multiply(2, 0.5) == Value(1.0));
    CHECK(fn::divide(12, 4) == Value(3));
    CHECK(fn::divide(7, 2) == Value(3));
    CHECK(fn::divide(-7, 2) == Value(-3));  // truncates toward zero
    CHECK(fn::divide(7, 2.0) == Value(3.5));
    CHECK(fn::modulo(7, 3) == Value(1));
    CHECK(fn::modulo(-7, 3) == Value(-1));
    CHECK(fn::modulo(7.5, 2) == Value(1.5));
    CHECK(fn::modulo(kMin, -1) == Value(0));
    CHECK(fn::power(2, 3) == Value(8.0));
    CHECK(fn::power(2, -1) == Value(0.5));
    CHECK(fn::negate(5) == Value(-5));
    CHECK(fn::negate(-1.5) == Value(1.5));
    CHECK(fn::negate(Value()).is_null());
    CHECK(fn::divide(Value(), 0).is_null());

    // 12 / 4 * 3 - 2 * 4 = 1 and 12 / 4 * (3 - 2 * 4) = -15 (TCK Mathematical8)
    CHECK(fn::subtract(fn::multiply(fn::divide(12, 4), 3), fn::multiply(2, 4)) == Value(1));
    CHECK(fn::multiply(fn::divide(12, 4), fn::subtract(3, fn::multiply(2, 4))) == Value(-15));

    CHECK(fn::divide(1.0, 0) == Value(std::numeric_limits<double>::infinity()));
    CHECK(std::isnan(fn::divide(0.0, 0.0).as_float()));
    CHECK(std::isnan(fn::modulo(1.0, 0).as_float()));
    CHECK(error_of([] { fn::divide(1, 0); }) == "ArgumentError.DivisionByZero");
    CHECK(error_of([] { fn::modulo(1, 0); }) == "ArgumentError.DivisionByZero");
    CHECK(error_of([] { fn::divide(kMin, -1); }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] { fn::subtract(kMin, 1); }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] { fn::multiply(kMax, 2); }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] { fn::negate(kMin); }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] { fn::negate("a"); }) == "TypeError.InvalidArgumentType");
    CHECK(error_of([] { fn::subtract("a", 1); }) == "TypeError.InvalidArgumentType");
    CHECK(error_of([] { fn::multiply(Value(List{}), 2); }) == "TypeError.InvalidArgumentType");
    CHECK(error_of([] { fn::power("2", 2); }) == "TypeError.InvalidArgumentType");
}

TEST_CASE("count, count(*), count(DISTINCT)", "[functions][agg]") {
    auto rows = column({1, Value(), 2, 1, 1.0, "a", Value()});
    CHECK(single_pass("count", rows) == Value(5));
    CHECK(single_pass("count", rows, false, true) == Value(7));
    CHECK(single_pass("count", rows, true) == Value(3));  // 1 ~ 1.0; null never counts
    CHECK(single_pass("count", {}) == Value(0));
    for (size_t parts : {1, 2, 3}) {
        CHECK(merged("count", rows, parts) == Value(5));
        CHECK(merged("count", rows, parts, false, true) == Value(7));
        CHECK(merged("count", rows, parts, true) == Value(3));
    }
}

TEST_CASE("sum", "[functions][agg]") {
    CHECK(single_pass("sum", column({33, Value(), 42})) == Value(75));
    CHECK(single_pass("sum", column({1, 2.5})) == Value(3.5));
    CHECK(single_pass("sum", {}) == Value(0));
    CHECK(single_pass("sum", column({Value()})) == Value(0));
    // TCK Aggregation3 [2]: 1000000 + ... + 1002999
    std::vector<Value> big;
    for (int64_t i = 1000000; i < 1003000; ++i) big.emplace_back(i);
    CHECK(single_pass("sum", column(big)) == Value(int64_t{3004498500}));
    CHECK(merged("sum", column(big), 3) == Value(int64_t{3004498500}));
    // Overflow is judged on the total, not on intermediate partial sums.
    auto swing = column({kMax, 1, Value(int64_t{-2})});
    CHECK(single_pass("sum", swing) == Value(kMax - 1));
    CHECK(merged("sum", swing, 2) == Value(kMax - 1));
    CHECK(error_of([] {
              single_pass("sum", column({kMax, 1}));
          }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] {
              single_pass("sum", column({1, "a"}));
          }) == "TypeError.InvalidArgumentValue");
    CHECK(single_pass("sum", column({1, 1, 2, 2.0}), true) == Value(3));
    auto rows = column({1, 0.5, 2, Value(), 4, 0.25});
    for (size_t parts : {1, 2, 4}) CHECK(merged("sum", rows, parts) == single_pass("sum", rows));
}

TEST_CASE("avg", "[functions][agg]") {
    CHECK(single_pass("avg", column({1, 2, Value(), 3})) == Value(2.0));
    CHECK(single_pass("avg", {}).is_null());
    CHECK(single_pass("avg", column({Value()})).is_null());
    CHECK(single_pass("avg", column({1, 1, 3}), true) == Value(2.0));
    auto rows = column({1, 2.5, 4, 8, Value()});
    for (size_t parts : {1, 2, 3}) CHECK(merged("avg", rows, parts) == single_pass("avg", rows));
    CHECK(merged("avg", rows, 4, true) == single_pass("avg", rows, true));
}

TEST_CASE("min and max", "[functions][agg]") {
    auto nums = column({3, Value(), 1.5, 7, -2});
    CHECK(single_pass("min", nums) == Value(-2));
    CHECK(single_pass("max", nums) == Value(7));
    CHECK(single_pass("min", {}).is_null());
    CHECK(single_pass("max", column({Value(), Value()})).is_null());
    // Mixed kinds follow orderability: strings < numbers.
    auto mixed = column({1, "a", Value(List{1})});
    CHECK(single_pass("min", mixed) == Value(List{1}));
    CHECK(single_pass("max", mixed) == Value(1));
    CHECK(single_pass("max", column({1, Value(nan_v)})).is_float());
    for (size_t parts : {2, 3}) {
        CHECK(merged("min", nums, parts) == Value(-2));
        CHECK(merged("max", nums, parts) == Value(7));
        CHECK(merged("max", mixed, parts) == Value(1));
    }
}

TEST_CASE("collect", "[functions][agg]") {
    auto rows = column({1, Value(), "a", 1, 1.0});
    CHECK(single_pass("collect", rows) == Value(List{1, "a", 1, 1.0}));
    CHECK(single_pass("collect", rows, true) == Value(List{1, "a"}));
    CHECK(single_pass("collect", {}) == Value(List{}));
    CHECK(merged("collect", rows, 1) == Value(List{1, "a", 1, 1.0}));
    Value m = merged("collect", rows, 2);
    CHECK(m.as_list().size() == 4);
    Value md = merged("collect", rows, 3, true);
    CHECK(md.as_list().size() == 2);
}

TEST_CASE("percentileDisc and percentileCont", "[functions][agg]") {
    auto prices = [](double p) {
        return std::vector<std::vector<Value>>{{10.0, p}, {20.0, p}, {30.0, p}};
    };
    // TCK Aggregation6 [1] and [2]
    CHECK(single_pass("percentileDisc", prices(0.0)) == Value(10.0));
    CHECK(single_pass("percentileDisc", prices(0.5)) == Value(20.0));
    CHECK(single_pass("percentileDisc", prices(1.0)) == Value(30.0));
    CHECK(single_pass("percentileCont", prices(0.0)) == Value(10.0));
    CHECK(single_pass("percentileCont", prices(0.5)) == Value(20.0));
    CHECK(single_pass("percentileCont", prices(1.0)) == Value(30.0));
    CHECK(single_pass("percentileCont", prices(0.25)) == Value(15.0));
    std::vector<std::vector<Value>> ints = {{4, 0.5}, {1, 0.5}, {3, 0.5}, {2, 0.5}, {Value(), 0.5}};
    CHECK(single_pass("percentileDisc", ints) == Value(2));  // keeps the INTEGER kind
    CHECK(single_pass("percentileCont", ints) == Value(2.5));
    CHECK(single_pass("percentileDisc", {}).is_null());
    for (size_t parts : {2, 3}) {
        CHECK(merged("percentileDisc", ints, parts) == Value(2));
        CHECK(merged("percentileCont", ints, parts) == Value(2.5));
    }
    for (Value bad : {Value(1000), Value(-1), Value(1.1)}) {
        INFO(bad.to_string());
        CHECK(error_of([&] {
                  single_pass("percentileCont", {{10.0, bad}});
              }) == "ArgumentError.NumberOutOfRange");
        CHECK(error_of([&] {
                  single_pass("percentileDisc", {{10.0, bad}});
              }) == "ArgumentError.NumberOutOfRange");
    }
    // TCK Aggregation6 [5]: percentileDisc(0.90, deg) with deg > 1 fails.
    CHECK(error_of([] {
              single_pass("percentileDisc", {{0.9, 3}});
          }) == "ArgumentError.NumberOutOfRange");
    CHECK(error_of([] {
              single_pass("percentileDisc", {{"x", 0.5}});
          }) == "TypeError.InvalidArgumentValue");
    std::vector<std::vector<Value>> dup = {{1, 0.5}, {1, 0.5}, {1, 0.5}, {5, 0.5}};
    CHECK(single_pass("percentileCont", dup, true) == Value(3.0));
    CHECK(merged("percentileCont", dup, 2, true) == Value(3.0));
}

TEST_CASE("stDev and stDevP", "[functions][agg]") {
    auto rows = column({2, 4, 4, 4, 5, 5, 7, 9, Value()});
    CHECK(single_pass("stDevP", rows).as_float() == Approx(2.0));
    CHECK(single_pass("stDev", rows).as_float() == Approx(std::sqrt(32.0 / 7.0)));
    CHECK(single_pass("stDev", column({1})) == Value(0.0));
    CHECK(single_pass("stDev", {}) == Value(0.0));
    CHECK(single_pass("stDevP", {}) == Value(0.0));
    for (size_t parts : {2, 3, 5}) {
        CHECK(merged("stDevP", rows, parts).as_float() == Approx(2.0));
        CHECK(merged("stDev", rows, parts).as_float() == Approx(std::sqrt(32.0 / 7.0)));
    }
    CHECK(single_pass("stDevP", rows, true).as_float() ==
          Approx(single_pass("stDevP", column({2, 4, 5, 7, 9})).as_float()));
    CHECK(error_of([] { single_pass("stDev", column({"a"})); }) ==
          "TypeError.InvalidArgumentValue");
}

TEST_CASE("Malformed partial states are reported, not crashed on", "[functions][agg]") {
    auto a = agg("avg");
    CHECK(error_of([&] { a->merge(Value("junk")); }) == "DatabaseError.Internal");
    auto d = agg("count", true);
    CHECK(error_of([&] { d->merge(Value(5)); }) == "DatabaseError.Internal");
}

TEST_CASE("min/max/collect tables from the TCK (Aggregation2, Aggregation8)", "[functions][agg]") {
    struct Case {
        const char* fn;
        std::vector<Value> in;
        Value expect;
        bool distinct = false;
    };
    std::vector<Case> cases = {
        {"max", {1, 2, 0, Value(), -1}, Value(2)},
        {"min", {1, 2, 0, Value(), -1}, Value(-1)},
        {"max", {1.0, 2.0, 0.5, Value()}, Value(2.0)},
        {"min", {1.0, 2.0, 0.5, Value()}, Value(0.5)},
        {"max", {1, 2.0, 5, Value(), 3.2, 0.1}, Value(5)},
        {"min", {1, 2.0, 5, Value(), 3.2, 0.1}, Value(0.1)},
        {"max", {"a", "b", "B", Value(), "abc", "abc1"}, Value("b")},
        {"min", {"a", "b", "B", Value(), "abc", "abc1"}, Value("B")},
        {"max", {Value(List{1}), Value(List{2}), Value(List{2, 1})}, Value(List{2, 1})},
        {"min", {Value(List{1}), Value(List{2}), Value(List{2, 1})}, Value(List{1})},
        {"max", {1, "a", Value(), Value(List{1, 2}), 0.2, "b"}, Value(1)},
        {"min", {1, "a", Value(), Value(List{1, 2}), 0.2, "b"}, Value(List{1, 2})},
        {"collect", {Value(), Value()}, Value(List{}), true},
        {"collect", {Value(), 1, Value()}, Value(List{1}), true},
        {"count", {Value()}, Value(0), true},
    };
    for (const Case& c : cases) {
        INFO(c.fn << (c.distinct ? " DISTINCT " : " ") << Value(List(c.in)).to_string());
        CHECK(single_pass(c.fn, column(c.in), c.distinct) == c.expect);
        CHECK(merged(c.fn, column(c.in), 2, c.distinct) == c.expect);
    }
}
