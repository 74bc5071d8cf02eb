// The VECTOR value: validation on construction, equality, comparability, orderability,
// equivalence and its literal text, as Neo4j defines them for FLOAT32 vectors.
#include <lora/error.hpp>
#include <lora/value.hpp>
#include <lora/vector_math.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <unordered_set>

using namespace lora;

namespace {

Value vv(std::vector<float> c) { return Value(Vector{std::move(c)}); }

std::string error_of(std::vector<float> c) {
    try {
        vv(std::move(c));
    } catch (const Error& e) {
        return e.code() + ": " + e.message();
    }
    return "";
}

}  // namespace

TEST_CASE("a VECTOR value holds float32 coordinates and names its kind", "[values][vector]") {
    Value v = vv({1.0f, 2.5f, -3.0f});
    REQUIRE(v.is_vector());
    CHECK(v.kind() == ValueKind::Vector);
    CHECK(kind_name(ValueKind::Vector) == "VECTOR");
    CHECK(v.as_vector().coords == std::vector<float>{1.0f, 2.5f, -3.0f});
    CHECK_FALSE(v.is_list());

    Value copy = v;  // shares the box
    CHECK(&copy.as_vector() == &v.as_vector());
    Value moved = std::move(copy);
    CHECK(moved == v);
}

TEST_CASE("a VECTOR refuses dimension 0, dimension above 4096 and non-finite coordinates",
          "[values][vector]") {
    CHECK(error_of({}).rfind("ArgumentError.InvalidArgumentValue: a VECTOR must have a dimension "
                             "between 1 and 4096, got 0",
                             0) == 0);
    CHECK(error_of(std::vector<float>(4097, 1.0f)).find("got 4097") != std::string::npos);
    CHECK(error_of(std::vector<float>(4096, 1.0f)).empty());
    CHECK(error_of({1.0f, std::numeric_limits<float>::quiet_NaN()}).find("coordinate 1 is NaN") !=
          std::string::npos);
    CHECK(error_of({std::numeric_limits<float>::infinity()}).find("coordinate 0 is infinite") !=
          std::string::npos);
}

TEST_CASE("VECTOR equality: same dimension and coordinates; never equal to a list",
          "[values][vector]") {
    CHECK(cypher_equals(vv({1, 2}), vv({1, 2})) == Tri::True);
    CHECK(cypher_equals(vv({1, 2}), vv({1, 3})) == Tri::False);
    CHECK(cypher_equals(vv({1, 2}), vv({1, 2, 0})) == Tri::False);
    CHECK(cypher_equals(vv({1, 2}), Value(List{Value(1.0), Value(2.0)})) == Tri::False);
    CHECK(cypher_equals(vv({1, 2}), Value()) == Tri::Null);
    CHECK(cypher_equals(vv({0.0f}), vv({-0.0f})) == Tri::True);
    CHECK(vv({1, 2}) == vv({1, 2}));
    CHECK(vv({1, 2}) != vv({2, 1}));
}

TEST_CASE("VECTOR values are not comparable with < but are orderable", "[values][vector]") {
    CHECK_FALSE(cypher_compare(vv({1}), vv({2})).has_value());
    CHECK(cypher_compare_op(CompareOp::Lt, vv({1}), vv({2})) == Tri::Null);
    CHECK(cypher_compare_op(CompareOp::Le, vv({1}), vv({1})) == Tri::Null);

    // Within FLOAT32 vectors: by dimension, then coordinate by coordinate.
    CHECK(order_compare(vv({9, 9}), vv({0, 0, 0})) < 0);
    CHECK(order_compare(vv({1, 2}), vv({2, 1})) < 0);
    CHECK(order_compare(vv({2, 1}), vv({1, 2})) > 0);
    CHECK(order_compare(vv({1, 2}), vv({1, 2})) == 0);

    // Among kinds: after paths and lists, before strings (Neo4j's hierarchy).
    Path p;
    p.nodes.push_back(Node{1, nullptr});
    CHECK(order_compare(Value(List{Value(1)}), vv({1})) < 0);
    CHECK(order_compare(Value(p), vv({1})) < 0);
    CHECK(order_compare(vv({1}), Value("a")) < 0);
    CHECK(order_compare(vv({1}), Value(true)) < 0);
    CHECK(order_compare(vv({1}), Value(1)) < 0);
    CHECK(order_compare(vv({1}), Value()) < 0);
}

TEST_CASE("VECTOR equivalence and hash agree (DISTINCT, grouping)", "[values][vector]") {
    CHECK(equivalent(vv({1, 2}), vv({1, 2})));
    CHECK_FALSE(equivalent(vv({1, 2}), vv({1, 2.5f})));
    CHECK_FALSE(equivalent(vv({1, 2}), Value(List{Value(1), Value(2)})));
    CHECK(equivalence_hash(vv({0.0f, 1})) == equivalence_hash(vv({-0.0f, 1})));
    std::unordered_set<Value, ValueEquivHash, ValueEquiv> set;
    set.insert(vv({1, 2}));
    set.insert(vv({1, 2}));
    set.insert(vv({2, 1}));
    set.insert(Value(List{Value(1.0), Value(2.0)}));
    CHECK(set.size() == 3);
}

TEST_CASE("VECTOR literal text is Neo4j's, with shortest float32 coordinates", "[values][vector]") {
    CHECK(vv({1, 2.5f, -3}).to_string() == "vector([1.0, 2.5, -3.0], 3, FLOAT32 NOT NULL)");
    // 0.1f widened to double is 0.10000000149011612; its shortest float32 text is 0.1.
    CHECK(vv({0.1f}).to_string() == "vector([0.1], 1, FLOAT32 NOT NULL)");
    CHECK(vv({1e20f}).to_string() == "vector([1e+20], 1, FLOAT32 NOT NULL)");
    CHECK(Value(List{vv({1})}).to_string() == "[vector([1.0], 1, FLOAT32 NOT NULL)]");
}

TEST_CASE("vector math: dot, distances and Neo4j-normalised similarities", "[values][vector]") {
    std::vector<float> a{1, 2, 3}, b{4, 5, 6}, z{0, 0, 0};
    CHECK(vec::dot(a, b) == 32.0);
    CHECK(vec::squared_l2(a, b) == 27.0);
    CHECK(vec::l2_norm(std::vector<float>{3, 4}) == 5.0);
    CHECK(vec::euclidean_similarity(a, b) == 1.0 / 28.0);
    // cos = 32 / (sqrt(14) * sqrt(77))
    CHECK(*vec::cosine_similarity(a, b) ==
          Approx((1.0 + 32.0 / std::sqrt(14.0 * 77.0)) / 2.0).epsilon(1e-15));
    CHECK(*vec::cosine_similarity(a, a) == 1.0);
    CHECK(*vec::cosine_similarity(std::vector<float>{1, 0}, std::vector<float>{-1, 0}) == 0.0);
    CHECK(*vec::cosine_similarity(std::vector<float>{1, 0}, std::vector<float>{0, 1}) == 0.5);
    CHECK_FALSE(vec::cosine_similarity(a, z).has_value());
    CHECK(vec::score_from_squared_l2(27.0) == 1.0 / 28.0);
    CHECK(vec::score_from_ip_distance(0.0) == 1.0);
    CHECK(vec::score_from_ip_distance(2.0) == 0.0);
    CHECK(vec::parse_similarity("COSINE") == vec::Similarity::Cosine);
    CHECK(vec::parse_similarity("Euclidean") == vec::Similarity::Euclidean);
    CHECK_FALSE(vec::parse_similarity("dot").has_value());
}
