// lora::Value <-> TckValue: engine results become comparable TCK values, parameters and
// procedure outputs go back to the engine.
#include "value_convert.hpp"

#include <catch2/catch.hpp>

using namespace lora::tck;

namespace {
lora::Node make_node(uint64_t id, std::vector<std::string> labels, lora::Map props) {
    auto d = std::make_shared<lora::NodeData>();
    d->labels = std::move(labels);
    d->properties = std::move(props);
    return lora::Node{id, d};
}
lora::Relationship make_rel(uint64_t id, uint64_t start, uint64_t end, std::string type) {
    auto d = std::make_shared<lora::RelData>();
    d->type = std::move(type);
    return lora::Relationship{id, start, end, 0, d};
}
}  // namespace

TEST_CASE("engine values convert to TCK values", "[tck][convert]") {
    CHECK(tck_equal(to_tck(lora::Value()), parse_value("null")));
    CHECK(tck_equal(to_tck(lora::Value(int64_t{7})), parse_value("7")));
    CHECK(tck_equal(to_tck(lora::Value(7.0)), parse_value("7.0")));
    CHECK_FALSE(tck_equal(to_tck(lora::Value(7.0)), parse_value("7")));
    lora::List l{lora::Value("a"), lora::Value(true),
                 lora::Value(lora::Map{{"k", lora::Value(int64_t{1})}})};
    CHECK(tck_equal(to_tck(lora::Value(l)), parse_value("['a', true, {k: 1}]")));

    TckValue n = to_tck(lora::Value(make_node(42, {"B", "A"}, {{"name", lora::Value("x")}})));
    CHECK(n.i == 42);
    CHECK(tck_equal(n, parse_value("(:A:B {name: 'x'})")));

    lora::Path p;
    p.nodes = {make_node(1, {"A"}, {}), make_node(2, {"B"}, {}), make_node(3, {}, {})};
    p.rels = {make_rel(10, 1, 2, "T"), make_rel(11, 3, 2, "U")};
    TckValue tp = to_tck(lora::Value(p));
    CHECK(tck_equal(tp, parse_value("<(:A)-[:T]->(:B)<-[:U]-()>")));
    CHECK_FALSE(tck_equal(tp, parse_value("<(:A)-[:T]->(:B)-[:U]->()>")));
    CHECK(tp.list[1].i == 10);
}

TEST_CASE("TCK values convert back for parameters and procedure rows", "[tck][convert]") {
    lora::Value v = from_tck(parse_value("{a: [1, 2.5, 'x', null], b: false}"));
    REQUIRE(v.is_map());
    const lora::Value& a = v.as_map().at("a");
    REQUIRE(a.is_list());
    CHECK(a.as_list()[0].is_int());
    CHECK(a.as_list()[1].is_float());
    CHECK(a.as_list()[2].as_string() == "x");
    CHECK(a.as_list()[3].is_null());
    CHECK(tck_equal(to_tck(v), parse_value("{b: false, a: [1, 2.5, 'x', null]}")));
    CHECK_THROWS_AS(from_tck(parse_value("(:A)")), TckError);
}
