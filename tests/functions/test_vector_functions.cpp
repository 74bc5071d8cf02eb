// The vector functions against hand-computed values (and the figures Neo4j's manual
// prints), null handling, and the errors for bad dimensions and argument kinds.
#include <lora/functions/functions.hpp>
#include "call_support.hpp"

#include <lora/error.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace lora;
using lora::test::call_error;
using lora::test::callf;

namespace {

Value vec(std::vector<float> c) { return Value(Vector{std::move(c)}); }
Value list(std::initializer_list<double> xs) {
    List l;
    for (double x : xs) l.emplace_back(x);
    return Value(std::move(l));
}

double f32(double x) { return static_cast<double>(static_cast<float>(x)); }

}  // namespace

TEST_CASE("vector() builds a FLOAT32 VECTOR from a list, a string or a vector",
          "[functions][vector]") {
    CHECK(callf("vector", {Value(List{Value(1), Value(2.5), Value(-3)})}) == vec({1, 2.5f, -3}));
    CHECK(callf("vector", {list({1, 2, 3}), Value(3)}) == vec({1, 2, 3}));
    CHECK(callf("vector", {list({1, 2, 3}), Value(3), Value("float32")}) == vec({1, 2, 3}));
    CHECK(callf("vector", {Value("[1.05000e+00, 0.123, 5]"), Value(3), Value("FLOAT32")}) ==
          vec({1.05f, 0.123f, 5.0f}));
    CHECK(callf("vector", {Value(" [ -1 ,+2e1] ")}) == vec({-1, 20}));
    CHECK(callf("vector", {vec({4, 5})}) == vec({4, 5}));
    // Integers too large for exact float32 are rounded, as Neo4j allows.
    CHECK(callf("vector", {Value(List{Value(int64_t{16777217})})}) == vec({16777216.0f}));

    CHECK(callf("vector", {Value()}).is_null());
    CHECK(callf("vector", {list({1}), Value()}).is_null());
    CHECK(callf("vector", {Value(), Value(3), Value("FLOAT32")}).is_null());
}

TEST_CASE("vector() refuses bad values with clear errors", "[functions][vector]") {
    CHECK(call_error("vector", {Value(List{})}) ==
          "ArgumentError.InvalidArgumentValue: vector(): the dimension of a VECTOR must be between "
          "1 and 4096, got 0");
    CHECK(call_error("vector", {list({1, 2}), Value(3)}) ==
          "ArgumentError.InvalidArgumentValue: vector(): the dimension is 3 but the value has 2 "
          "coordinates");
    CHECK(call_error("vector", {list({1}), Value(5000)}).find("between 1 and 4096, got 5000") !=
          std::string::npos);
    CHECK(call_error("vector", {Value(List{Value(1), Value()})}) ==
          "ArgumentError.InvalidArgumentValue: vector(): null is not allowed as a coordinate value "
          "(coordinate 1)");
    CHECK(call_error("vector", {Value(List{Value(1), Value("x")})}) ==
          "TypeError.InvalidArgumentValue: vector() expects a LIST of numbers, got a list holding "
          "STRING at index 1");
    CHECK(call_error("vector", {list({std::nan("")})}).find("NaN and Infinity are not allowed") !=
          std::string::npos);
    CHECK(call_error("vector", {list({1e39})}).find("does not fit into FLOAT32") !=
          std::string::npos);
    CHECK(call_error("vector", {Value("1, 2")}).find("enclosed in square brackets") !=
          std::string::npos);
    CHECK(call_error("vector", {Value("[1, two]")}).find("'two' is not a number (coordinate 1)") !=
          std::string::npos);
    CHECK(call_error("vector", {Value(7)}).rfind("TypeError.InvalidArgumentValue", 0) == 0);
    CHECK(
        call_error("vector", {list({1}), Value(1.0)}).rfind("TypeError.InvalidArgumentValue", 0) ==
        0);
    CHECK(call_error("vector", {list({1}), Value(1), Value("INT8")}) ==
          "ArgumentError.InvalidArgumentValue: vector(): coordinate type INT8 is not supported: "
          "lora stores VECTOR coordinates as FLOAT32");
    CHECK(call_error("vector", {list({1}), Value(1), Value("BLOB")})
              .find("unknown coordinate type 'BLOB'") != std::string::npos);
}

TEST_CASE("vector.similarity.euclidean is 1 / (1 + squared distance), in float32 like Neo4j",
          "[functions][vector]") {
    // The example of Neo4j's manual: query [4, 5, 6] against [2, 8, 3] and [1, 4, 2].
    CHECK(callf("vector.similarity.euclidean", {list({4, 5, 6}), list({2, 8, 3})}).as_float() ==
          0.043478261679410934);  // 1 / (1 + 22)
    CHECK(callf("vector.similarity.euclidean", {list({4, 5, 6}), list({1, 4, 2})}).as_float() ==
          0.03703703731298447);  // 1 / (1 + 26)
    CHECK(callf("vector.similarity.euclidean", {vec({1, 2}), vec({1, 2})}).as_float() == 1.0);
    // Lists and vectors mix; integers are numbers too.
    CHECK(callf("vector.similarity.euclidean", {vec({0, 0}), Value(List{Value(3), Value(4)})})
              .as_float() == f32(1.0 / 26.0));
}

TEST_CASE("vector.similarity.cosine is (1 + cos) / 2, in float32 like Neo4j",
          "[functions][vector]") {
    CHECK(callf("vector.similarity.cosine", {list({1, 0}), list({0, 1})}).as_float() == 0.5);
    CHECK(callf("vector.similarity.cosine", {list({1, 1}), list({2, 2})}).as_float() == 1.0);
    CHECK(callf("vector.similarity.cosine", {list({1, 0}), list({-1, 0})}).as_float() == 0.0);
    // cos([3, 4], [4, 3]) = 24 / 25
    CHECK(callf("vector.similarity.cosine", {vec({3, 4}), vec({4, 3})}).as_float() == f32(0.98));
    CHECK(callf("vector.similarity.cosine", {vec({3, 4}), vec({4, 3})}).as_float() ==
          0.98000001907348633);
}

TEST_CASE("similarity functions: nulls, invalid vectors and mismatched dimensions",
          "[functions][vector]") {
    for (auto f : {"vector.similarity.cosine", "vector.similarity.euclidean"}) {
        INFO(f);
        CHECK(callf(f, {Value(), list({1})}).is_null());
        CHECK(callf(f, {list({1}), Value()}).is_null());
        CHECK(callf(f, {Value(), Value()}).is_null());
        // Not a valid vector (Neo4j answers null): a coordinate float32 cannot hold.
        CHECK(callf(f, {list({1e39, 1}), list({1, 1})}).is_null());
        CHECK(call_error(f, {list({1, 2, 3}), list({1, 2})}) ==
              "ArgumentError.InvalidArgumentValue: " + std::string(f) +
                  "(): the vectors must have the same dimension, got 3 and 2");
        CHECK(call_error(f, {vec({1, 2, 3}), vec({1, 2})}).find("got 3 and 2") !=
              std::string::npos);
        CHECK(call_error(f, {Value("[1]"), list({1})}).rfind("TypeError.InvalidArgumentValue", 0) ==
              0);
        CHECK(
            call_error(f, {Value(List{Value("a")}), list({1})}).find("got a list holding STRING") !=
            std::string::npos);
        CHECK(call_error(f, {Value(List{}), Value(List{})}).find("at least one coordinate") !=
              std::string::npos);
    }
    // A zero vector has no cosine.
    CHECK(callf("vector.similarity.cosine", {list({0, 0}), list({1, 1})}).is_null());
    CHECK(callf("vector.similarity.euclidean", {list({0, 0}), list({1, 1})}).as_float() ==
          f32(1.0 / 3.0));
}

TEST_CASE("vector.distance with every metric", "[functions][vector]") {
    Value a = vec({1, 2, 3}), b = vec({4, 5, 6});
    CHECK(callf("vector.distance", {a, b, Value("euclidean")}).as_float() == std::sqrt(27.0));
    CHECK(callf("vector.distance", {a, b, Value("EUCLIDEAN_SQUARED")}).as_float() == 27.0);
    CHECK(callf("vector.distance", {a, b, Value("MANHATTAN")}).as_float() == 9.0);
    CHECK(callf("vector.distance", {a, b, Value("cosine")}).as_float() ==
          Approx(1.0 - 32.0 / std::sqrt(14.0 * 77.0)).epsilon(1e-15));
    CHECK(callf("vector.distance", {a, b, Value("dot")}).as_float() == -32.0);
    CHECK(callf("vector.distance", {a, vec({1, 0, 3}), Value("HAMMING")}).as_float() == 1.0);
    CHECK(callf("vector_distance", {a, b, Value("MANHATTAN")}).as_float() == 9.0);
    CHECK(callf("vector.distance", {a, a, Value("cosine")}).as_float() == 0.0);

    CHECK(callf("vector.distance", {Value(), b, Value("dot")}).is_null());
    CHECK(callf("vector.distance", {a, b, Value()}).is_null());
    CHECK(callf("vector.distance", {vec({0, 0, 0}), b, Value("cosine")}).is_null());
    CHECK(call_error("vector.distance", {a, vec({1}), Value("dot")}).find("got 3 and 1") !=
          std::string::npos);
    CHECK(
        call_error("vector.distance", {a, b, Value("chebyshev")}) ==
        "ArgumentError.InvalidArgumentValue: vector.distance(): unknown metric 'chebyshev' (known: "
        "EUCLIDEAN, EUCLIDEAN_SQUARED, MANHATTAN, COSINE, DOT, HAMMING)");
    // Like Neo4j's vector_distance, it takes VECTOR values, not lists.
    CHECK(call_error("vector.distance", {list({1, 2, 3}), b, Value("dot")}) ==
          "TypeError.InvalidArgumentValue: vector.distance() expects a VECTOR (build one from a "
          "list with vector(list)), got LIST");
}

TEST_CASE("vector.norm and vector.dimension", "[functions][vector]") {
    CHECK(callf("vector.norm", {vec({3, 4})}).as_float() == 5.0);
    CHECK(callf("vector.norm", {vec({3, -4}), Value("MANHATTAN")}).as_float() == 7.0);
    CHECK(callf("vector_norm", {vec({3, -4}), Value("euclidean")}).as_float() == 5.0);
    CHECK(callf("vector.norm", {Value()}).is_null());
    CHECK(call_error("vector.norm", {vec({1}), Value("DOT")}).find("unknown metric 'DOT'") !=
          std::string::npos);
    CHECK(call_error("vector.norm", {list({3, 4})}).rfind("TypeError.InvalidArgumentValue", 0) ==
          0);

    CHECK(callf("vector.dimension", {vec({1, 2, 3})}) == Value(3));
    CHECK(callf("vector_dimension_count", {vec(std::vector<float>(4096, 1))}) == Value(4096));
    CHECK(callf("vector.dimension", {Value()}).is_null());
    CHECK(call_error("vector.dimension", {Value("x")}).rfind("TypeError.InvalidArgumentValue", 0) ==
          0);
    // size() stays a LIST/STRING function, as in Neo4j.
    CHECK(call_error("size", {vec({1})}).rfind("TypeError.InvalidArgumentValue", 0) == 0);
}

TEST_CASE("vector functions are registered with their arities", "[functions][vector]") {
    CHECK(fn::find_function("VECTOR.SIMILARITY.COSINE") ==
          fn::find_function("vector.similarity.cosine"));
    CHECK(fn::find_function("vector")->min_args == 1);
    CHECK(fn::find_function("vector")->max_args == 3);
    CHECK(fn::find_function("vector.distance")->min_args == 3);
    CHECK(fn::find_function("vector.norm")->max_args == 2);
    CHECK(call_error("vector.similarity.cosine", {list({1})})
              .rfind("SyntaxError.InvalidNumberOfArguments", 0) == 0);
}
