// Tests of lora::Value: storage and copy-on-write, and the Cypher equality, comparison,
// orderability and equivalence tables (openCypher TCK semantics).
#include <lora/error.hpp>
#include <lora/value.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <unordered_set>

using namespace lora;

namespace {

const double nan_v = std::numeric_limits<double>::quiet_NaN();
const double inf_v = std::numeric_limits<double>::infinity();

Value node(uint64_t id, std::vector<std::string> labels = {}, Map props = {}) {
    return Value(
        Node{id, std::make_shared<NodeData>(NodeData{std::move(labels), std::move(props)})});
}

Value rel(uint64_t id, uint64_t s, uint64_t e, std::string type, Map props = {}) {
    return Value(Relationship{
        id, s, e, 0, std::make_shared<RelData>(RelData{std::move(type), std::move(props)})});
}

const char* tri(Tri t) { return t == Tri::True ? "true" : t == Tri::False ? "false" : "null"; }

}  // namespace

TEST_CASE("Value layout and kinds", "[values]") {
    STATIC_REQUIRE(sizeof(Value) == 16);
    CHECK(Value().is_null());
    CHECK(Value(true).kind() == ValueKind::Bool);
    CHECK(Value(3).kind() == ValueKind::Int);
    CHECK(Value(int64_t{3}).as_int() == 3);
    CHECK(Value(2.5).as_float() == 2.5);
    CHECK(Value("x").as_string() == "x");
    CHECK(Value(std::string_view("yz")).as_string() == "yz");
    CHECK(Value(List{1, 2}).as_list().size() == 2);
    CHECK(Value(Map{{"a", 1}}).as_map().at("a").as_int() == 1);
    CHECK(kind_name(ValueKind::Null) == "NULL");
    CHECK(kind_name(ValueKind::Bool) == "BOOLEAN");
    CHECK(kind_name(ValueKind::Int) == "INTEGER");
    CHECK(kind_name(ValueKind::Float) == "FLOAT");
    CHECK(kind_name(ValueKind::String) == "STRING");
    CHECK(kind_name(ValueKind::List) == "LIST");
    CHECK(kind_name(ValueKind::Map) == "MAP");
    CHECK(kind_name(ValueKind::Node) == "NODE");
    CHECK(kind_name(ValueKind::Relationship) == "RELATIONSHIP");
    CHECK(kind_name(ValueKind::Path) == "PATH");
}

TEST_CASE("Copies share the payload; moved-from values are null", "[values]") {
    Value a(List{1, 2, 3});
    Value b = a;
    CHECK(&a.as_list() == &b.as_list());
    Value m(Map{{"k", 2}});
    Value m2 = m;
    CHECK(&m.as_map() == &m2.as_map());

    Value moved = std::move(m2);
    CHECK(m2.is_null());  // NOLINT: moved-from values are null by contract of this type
    CHECK(moved.as_map().at("k").as_int() == 2);

    // Self-referential assignment: the source lives inside the target's payload.
    Value nested(List{Value(List{7})});
    nested = nested.as_list()[0];
    REQUIRE(nested.is_list());
    CHECK(nested.as_list()[0].as_int() == 7);
    nested = nested;
    CHECK(nested.as_list()[0].as_int() == 7);
}

TEST_CASE("Copies shared across threads release safely", "[values]") {
    Value shared(std::string(100, 'x'));
    std::vector<std::thread> ts;
    for (int t = 0; t < 2; ++t)
        ts.emplace_back([shared] {
            for (int i = 0; i < 20000; ++i) {
                Value c = shared;
                Value d = std::move(c);
                (void)d;
            }
        });
    for (auto& t : ts) t.join();
    CHECK(shared.as_string().size() == 100);
}

TEST_CASE("cypher_equals table", "[values]") {
    struct Row {
        Value a, b;
        Tri expect;
    };
    const int64_t big = (int64_t{1} << 53) + 1;
    std::vector<Row> rows = {
        {Value(), Value(), Tri::Null},
        {Value(1), Value(), Tri::Null},
        {Value(1), Value(1), Tri::True},
        {Value(1), Value(1.0), Tri::True},
        {Value(1), Value(1.5), Tri::False},
        {Value(big), Value(static_cast<double>(big)), Tri::False},
        {Value(big - 1), Value(static_cast<double>(big - 1)), Tri::True},
        {Value(nan_v), Value(nan_v), Tri::False},
        {Value(nan_v), Value(1), Tri::False},
        {Value(nan_v), Value("a"), Tri::False},
        {Value("a"), Value("a"), Tri::True},
        {Value("1"), Value(1), Tri::False},
        {Value(true), Value(1), Tri::False},
        {Value(List{1, 2}), Value(List{1, 2}), Tri::True},
        {Value(List{1, 2}), Value(List{1.0, 2.0}), Tri::True},
        {Value(List{1, 2}), Value(List{1}), Tri::False},
        {Value(List{1, Value()}), Value(List{1, 2}), Tri::Null},
        {Value(List{2, Value()}), Value(List{1, 2}), Tri::False},
        {Value(List{Value()}), Value(List{Value()}), Tri::Null},
        {Value(List{Value(List{Value()})}), Value(List{Value(List{1})}), Tri::Null},
        {Value(Map{{"k", Value()}}), Value(Map{{"k", Value()}}), Tri::Null},
        {Value(Map{{"k", 1}}), Value(Map{{"k", 1.0}}), Tri::True},
        {Value(Map{{"k", 1}, {"l", Value()}}), Value(Map{{"k", 1}, {"l", 1}}), Tri::Null},
        {Value(Map{{"k", 1}, {"l", Value()}}), Value(Map{{"k", 2}, {"l", 1}}), Tri::False},
        {Value(Map{{"k", Value()}}), Value(Map{{"l", Value()}}), Tri::False},
        {Value(Map{{"k", 1}}), Value(Map{{"k", 1}, {"l", 1}}), Tri::False},
        {node(1, {"A"}), node(1, {"B"}), Tri::True},
        {node(1), node(2), Tri::False},
        {rel(5, 1, 2, "T"), rel(5, 1, 2, "T"), Tri::True},
        {node(5), rel(5, 1, 2, "T"), Tri::False},
        {Value(List{}), Value(Map{}), Tri::False},
    };
    for (const Row& r : rows) {
        INFO(r.a.to_string() << " = " << r.b.to_string());
        CHECK(tri(cypher_equals(r.a, r.b)) == std::string(tri(r.expect)));
        CHECK(tri(cypher_equals(r.b, r.a)) == std::string(tri(r.expect)));
    }
}

TEST_CASE("cypher_compare table", "[values]") {
    struct Row {
        Value a, b;
        std::optional<int> expect;
    };
    const int64_t big = (int64_t{1} << 53) + 1;
    std::vector<Row> rows = {
        {Value(1), Value(2), -1},
        {Value(2), Value(1.5), 1},
        {Value(1), Value(1.0), 0},
        {Value(big), Value(static_cast<double>(big - 1)), 1},
        {Value(std::numeric_limits<int64_t>::max()), Value(9223372036854775808.0), -1},
        {Value(std::numeric_limits<int64_t>::min()), Value(-9223372036854775808.0), 0},
        {Value(-1), Value(-0.5), -1},
        {Value(-1), Value(-1.5), 1},
        {Value(1), Value(inf_v), -1},
        {Value(1), Value(-inf_v), 1},
        {Value("a"), Value("b"), -1},
        {Value("b"), Value("ab"), 1},
        {Value("\xC3\xA9"), Value("z"), 1},  // é (U+00E9) after z by code point
        {Value(false), Value(true), -1},
        {Value(1), Value("a"), std::nullopt},
        {Value(1), Value(), std::nullopt},
        {Value(), Value(), std::nullopt},
        {Value(nan_v), Value(1), std::nullopt},
        {Value(List{1, 0}), Value(List{1}), 1},
        {Value(List{1, Value()}), Value(List{1}), 1},
        {Value(List{1, 2}), Value(List{1, Value()}), std::nullopt},
        {Value(List{1, "a"}), Value(List{1, Value()}), std::nullopt},
        {Value(List{1, 2}), Value(List{3, Value()}), -1},
        {Value(List{}), Value(List{}), 0},
        {Value(Map{{"a", 1}}), Value(Map{{"a", 1}}), std::nullopt},
        {node(1), node(2), std::nullopt},
        {Value(true), Value(1), std::nullopt},
    };
    for (const Row& r : rows) {
        INFO(r.a.to_string() << " <=> " << r.b.to_string());
        CHECK(cypher_compare(r.a, r.b) == r.expect);
        auto inv = r.expect ? std::optional<int>(-*r.expect) : std::nullopt;
        CHECK(cypher_compare(r.b, r.a) == inv);
    }
}

TEST_CASE("Comparison operators: NaN with numbers is false, not null", "[values]") {
    for (CompareOp op : {CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge}) {
        CHECK(cypher_compare_op(op, Value(nan_v), Value(1)) == Tri::False);
        CHECK(cypher_compare_op(op, Value(nan_v), Value(1.0)) == Tri::False);
        CHECK(cypher_compare_op(op, Value(nan_v), Value(nan_v)) == Tri::False);
        CHECK(cypher_compare_op(op, Value(nan_v), Value("a")) == Tri::Null);
        CHECK(cypher_compare_op(op, Value(1), Value()) == Tri::Null);
    }
    CHECK(cypher_compare_op(CompareOp::Lt, Value(1), Value(1.0)) == Tri::False);
    CHECK(cypher_compare_op(CompareOp::Le, Value(1), Value(1.0)) == Tri::True);
    CHECK(cypher_compare_op(CompareOp::Gt, Value(3.14), Value(1)) == Tri::True);
    CHECK(cypher_compare_op(CompareOp::Ge, Value(List{1, 0}), Value(List{1})) == Tri::True);
    CHECK(cypher_compare_op(CompareOp::Ge, Value("1"), Value(1)) == Tri::Null);
}

TEST_CASE("order_compare is the openCypher orderability", "[values]") {
    Path p{{Node{1, nullptr}, Node{2, nullptr}}, {Relationship{9, 1, 2, 0, nullptr}}};
    // Ascending, as ORDER BY must produce it.
    std::vector<Value> expected = {
        Value(Map{{"a", 1}}),
        node(1),
        rel(3, 1, 2, "T"),
        Value(List{1}),
        Value(List{1, 2}),
        Value(p),
        Value(""),
        Value("a"),
        Value(false),
        Value(true),
        Value(-inf_v),
        Value(std::numeric_limits<int64_t>::min()),
        Value(-1.5),
        Value(1),
        Value(1.5),
        Value(2),
        Value(inf_v),
        Value(nan_v),
        Value(),
    };
    std::vector<Value> shuffled(expected.rbegin(), expected.rend());
    std::swap(shuffled[2], shuffled[7]);
    std::swap(shuffled[0], shuffled[11]);
    std::stable_sort(shuffled.begin(), shuffled.end(),
                     [](const Value& a, const Value& b) { return order_compare(a, b) < 0; });
    for (size_t i = 0; i < expected.size(); ++i) {
        INFO(i << ": " << shuffled[i].to_string() << " vs " << expected[i].to_string());
        CHECK(shuffled[i] == expected[i]);
    }
    CHECK(order_compare(Value(1), Value(1.0)) == 0);
    CHECK(order_compare(Value(nan_v), Value(nan_v)) == 0);
    CHECK(order_compare(Value(), Value()) == 0);
    CHECK(order_compare(Value(List{1, Value()}), Value(List{1, 2})) > 0);  // null sorts last
    CHECK(order_compare(Value(List{"a"}), Value(List{1})) < 0);            // strings before numbers
}

TEST_CASE("equivalent and equivalence_hash agree", "[values]") {
    std::vector<std::pair<Value, Value>> same = {
        {Value(), Value()},
        {Value(nan_v), Value(nan_v)},
        {Value(1), Value(1.0)},
        {Value(0.0), Value(-0.0)},
        {Value(0), Value(-0.0)},
        {Value(List{1, Value(), nan_v}), Value(List{1.0, Value(), nan_v})},
        {Value(Map{{"a", List{1}}}), Value(Map{{"a", List{1.0}}})},
        {node(4, {"A"}), node(4, {"B"})},
        {Value(int64_t{1} << 62), Value(static_cast<double>(int64_t{1} << 62))},
    };
    for (auto& [a, b] : same) {
        INFO(a.to_string() << " ~ " << b.to_string());
        CHECK(equivalent(a, b));
        CHECK(equivalence_hash(a) == equivalence_hash(b));
    }
    std::vector<std::pair<Value, Value>> differ = {
        {Value(), Value(0)},
        {Value(1), Value(1.5)},
        {Value(1), Value("1")},
        {Value(nan_v), Value(1.0)},
        {Value(List{1}), Value(List{1, 1})},
        {Value(Map{{"a", 1}}), Value(Map{{"b", 1}})},
        {Value((int64_t{1} << 53) + 1), Value(static_cast<double>(int64_t{1} << 53))},
        {Value(true), Value(1)},
    };
    for (auto& [a, b] : differ) {
        INFO(a.to_string() << " !~ " << b.to_string());
        CHECK_FALSE(equivalent(a, b));
    }

    std::unordered_set<Value, ValueEquivHash, ValueEquiv> set;
    for (Value v : {Value(1), Value(1.0), Value(), Value(), Value(nan_v), Value(nan_v), Value(2)})
        set.insert(v);
    CHECK(set.size() == 4);

    using Row = std::vector<Value>;
    std::unordered_set<Row, ValueEquivHash, ValueEquiv> rows;
    rows.insert(Row{1, "a"});
    rows.insert(Row{1.0, "a"});
    rows.insert(Row{1, "b"});
    rows.insert(Row{Value(), Value()});
    rows.insert(Row{Value(), Value()});
    CHECK(rows.size() == 3);
}

TEST_CASE("Structural equality uses exact kinds", "[values]") {
    CHECK(Value(1) != Value(1.0));
    CHECK(Value(List{1, "a"}) == Value(List{1, "a"}));
    CHECK(Value(nan_v) == Value(nan_v));
    CHECK(Value() == Value());
    CHECK(node(1, {"A"}) != node(1, {"B"}));
    CHECK(Value(Map{{"a", 1}}) != Value(Map{{"a", 2}}));
}

TEST_CASE("to_string writes Cypher literals", "[values]") {
    CHECK(Value().to_string() == "null");
    CHECK(Value(true).to_string() == "true");
    CHECK(Value(false).to_string() == "false");
    CHECK(Value(-12).to_string() == "-12");
    CHECK(Value(1.0).to_string() == "1.0");
    CHECK(Value(1.5).to_string() == "1.5");
    CHECK(Value(0.1).to_string() == "0.1");
    CHECK(Value(1e20).to_string() == "1e+20");
    CHECK(Value(-0.0).to_string() == "-0.0");
    CHECK(Value(nan_v).to_string() == "NaN");
    CHECK(Value(inf_v).to_string() == "Infinity");
    CHECK(Value(-inf_v).to_string() == "-Infinity");
    CHECK(Value("it's a \\ test").to_string() == "'it\\'s a \\\\ test'");
    CHECK(Value(List{1, "x", Value(), List{}}).to_string() == "[1, 'x', null, []]");
    CHECK(Value(Map{{"b", "x"}, {"a", 1}}).to_string() == "{a: 1, b: 'x'}");
    CHECK(Value(Map{{"a b", 1}}).to_string() == "{`a b`: 1}");
    CHECK(Value(Map{}).to_string() == "{}");
    CHECK(node(1, {"A", "B"}, {{"p", 1}}).to_string() == "(:A:B {p: 1})");
    CHECK(node(1).to_string() == "()");
    CHECK(node(1, {}, {{"name", "a"}}).to_string() == "({name: 'a'})");
    CHECK(Value(Node{42, nullptr}).to_string() == "(42)");
    CHECK(rel(1, 1, 2, "T", {{"p", 1}}).to_string() == "[:T {p: 1}]");
    CHECK(rel(1, 1, 2, "T").to_string() == "[:T]");

    auto nd = [](uint64_t id, std::string label) {
        return Node{id, std::make_shared<NodeData>(NodeData{{std::move(label)}, {}})};
    };
    auto rd = [](uint64_t id, uint64_t s, uint64_t e) {
        return Relationship{id, s, e, 0, std::make_shared<RelData>(RelData{"T", {}})};
    };
    Path p{{nd(1, "A"), nd(2, "B"), nd(3, "C")}, {rd(10, 1, 2), rd(11, 3, 2)}};
    CHECK(Value(p).to_string() == "<(:A)-[:T]->(:B)<-[:T]-(:C)>");
    Path single{{nd(1, "A")}, {}};
    CHECK(Value(single).to_string() == "<(:A)>");
}

TEST_CASE("Lists order as in the TCK (ReturnOrderBy1 [10])", "[values]") {
    // Ascending order of the TCK's descending table.
    std::vector<Value> expected = {
        Value(List{}),           Value(List{"a"}),        Value(List{"a", 1}),
        Value(List{1}),          Value(List{1, "a"}),     Value(List{1, Value()}),
        Value(List{Value(), 1}), Value(List{Value(), 2}),
    };
    for (size_t i = 0; i < expected.size(); ++i)
        for (size_t j = 0; j < expected.size(); ++j) {
            INFO(expected[i].to_string() << " vs " << expected[j].to_string());
            int c = order_compare(expected[i], expected[j]);
            CHECK((i < j ? c < 0 : i > j ? c > 0 : c == 0));
        }
}

TEST_CASE("Lists and maps record how deeply they nest, up to kMaxValueNesting", "[values]") {
    CHECK(Value(1).nesting() == 0);
    CHECK(Value("text").nesting() == 0);
    CHECK(Value(List{}).nesting() == 1);
    CHECK(Value(List{Value(Map{{"a", Value(List{1})}})}).nesting() == 3);
    Value v(List{});
    for (uint32_t depth = 1; depth < lora::kMaxValueNesting; ++depth) v = Value(List{v});
    CHECK(v.nesting() == lora::kMaxValueNesting);
    try {
        Value deeper(List{v});
        FAIL("a list deeper than the limit was made");
    } catch (const lora::Error& e) {
        CHECK(e.code() == "ArgumentError.ValueTooDeep");
        CHECK(e.message().find("1000 levels") != std::string::npos);
    }
    CHECK_THROWS_AS(Value(lora::Map{{"k", v}}), lora::Error);
    // Copies and moves keep the recorded depth.
    Value copy = v;
    CHECK(copy.nesting() == lora::kMaxValueNesting);
}
