// The vector functions: vector() builds a VECTOR value; vector.similarity.*, vector.distance,
// vector.norm and vector.dimension measure them, with Neo4j's meanings and normalisation.
#include "functions/internal.hpp"

#include <lora/vector_math.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace lora::fn::detail {

namespace {

[[noreturn]] void bad_value(std::string_view fn, const std::string& message) {
    throw_argument_error("InvalidArgumentValue", std::string(fn) + "(): " + message);
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// One coordinate as float32. Integers convert with rounding as Neo4j allows; a float that
// is not finite or overflows float32 is refused.
float to_coordinate(std::string_view fn, double x, size_t index) {
    if (!std::isfinite(x))
        bad_value(fn, "NaN and Infinity are not allowed as coordinate values (coordinate " +
                          std::to_string(index) + ")");
    if (std::fabs(x) > static_cast<double>(std::numeric_limits<float>::max()))
        bad_value(fn, "coordinate " + std::to_string(index) + " (" + float_text(x) +
                          ") does not fit into FLOAT32");
    return static_cast<float>(x);
}

std::vector<float> coords_from_list(std::string_view fn, const List& l) {
    std::vector<float> out;
    out.reserve(l.size());
    for (size_t i = 0; i < l.size(); ++i) {
        const Value& x = l[i];
        if (x.is_null())
            bad_value(fn, "null is not allowed as a coordinate value (coordinate " +
                              std::to_string(i) + ")");
        if (!x.is_number())
            throw_type_error("InvalidArgumentValue",
                             std::string(fn) + "() expects a LIST of numbers, got a list holding " +
                                 std::string(kind_name(x.kind())) + " at index " +
                                 std::to_string(i));
        out.push_back(to_coordinate(fn, x.as_number(), i));
    }
    return out;
}

// Neo4j's text form: '[1, 2.5, 3e-2]' (decimal or scientific numbers, comma separated).
std::vector<float> coords_from_string(std::string_view fn, std::string_view s) {
    auto trim = [](std::string_view t) {
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
            t.remove_prefix(1);
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
        return t;
    };
    std::string_view body = trim(s);
    if (body.size() < 2 || body.front() != '[' || body.back() != ']')
        bad_value(fn, "a STRING vector value must be enclosed in square brackets, got '" +
                          std::string(s) + "'");
    body = trim(body.substr(1, body.size() - 2));
    std::vector<float> out;
    if (body.empty()) return out;
    size_t index = 0;
    while (true) {
        size_t comma = body.find(',');
        std::string_view tok = trim(body.substr(0, comma));
        if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
        double x = 0;
        auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), x);
        if (tok.empty() || ec != std::errc() || end != tok.data() + tok.size()) {
            // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(tok).
            std::string msg(1, '\'');
            msg.append(tok)
                .append("' is not a number (coordinate ")
                .append(std::to_string(index))
                .append(")");
            bad_value(fn, msg);
        }
        out.push_back(to_coordinate(fn, x, index));
        ++index;
        if (comma == std::string_view::npos) break;
        body = body.substr(comma + 1);
    }
    return out;
}

Value make_vector(std::string_view fn, std::vector<float> coords) {
    if (coords.empty() || coords.size() > kMaxVectorDimension)
        bad_value(fn, "the dimension of a VECTOR must be between 1 and " +
                          std::to_string(kMaxVectorDimension) + ", got " +
                          std::to_string(coords.size()));
    return Value(Vector{std::move(coords)});
}

// The coordinates of a similarity argument: a VECTOR, or a LIST of numbers (as Neo4j's
// vector.similarity.* accept). nullopt when the list is not a valid vector (a coordinate is
// NaN, infinite or too large for float32): Neo4j answers null for such vectors.
std::optional<std::vector<float>> similarity_coords(std::string_view fn, const Value& v) {
    if (v.is_vector()) return v.as_vector().coords;
    if (!v.is_list()) bad_argument(fn, v, "a VECTOR or a LIST of numbers");
    const List& l = v.as_list();
    std::vector<float> out;
    out.reserve(l.size());
    for (size_t i = 0; i < l.size(); ++i) {
        const Value& x = l[i];
        if (!x.is_number())
            throw_type_error("InvalidArgumentValue",
                             std::string(fn) + "() expects a LIST of numbers, got a list holding " +
                                 std::string(kind_name(x.kind())) + " at index " +
                                 std::to_string(i));
        double d = x.as_number();
        if (!std::isfinite(d) ||
            std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max()))
            return std::nullopt;
        out.push_back(static_cast<float>(d));
    }
    if (out.empty()) bad_value(fn, "a vector must have at least one coordinate");
    return out;
}

void check_same_dimension(std::string_view fn, size_t a, size_t b) {
    if (a != b)
        bad_value(fn, "the vectors must have the same dimension, got " + std::to_string(a) +
                          " and " + std::to_string(b));
}

const Vector& vector_arg(std::string_view fn, const Value& v) {
    if (!v.is_vector())
        bad_argument(
            fn, v, v.is_list() ? "a VECTOR (build one from a list with vector(list))" : "a VECTOR");
    return v.as_vector();
}

// Neo4j computes similarities in float32 and returns that float widened; rounding our
// double result the same way gives the same figures (0.043478261679410934 for 1/23).
Value similarity_result(double s) { return Value(static_cast<double>(static_cast<float>(s))); }

Value similarity(std::string_view fn, std::span<const Value> a, vec::Similarity kind) {
    if (a[0].is_null() || a[1].is_null()) return Value();
    auto x = similarity_coords(fn, a[0]);
    auto y = similarity_coords(fn, a[1]);
    if (x && y) check_same_dimension(fn, x->size(), y->size());
    if (!x || !y) return Value();
    if (kind == vec::Similarity::Euclidean)
        return similarity_result(vec::euclidean_similarity(*x, *y));
    auto s = vec::cosine_similarity(*x, *y);
    return s ? similarity_result(*s) : Value();
}

}  // namespace

Value f_vector(std::span<const Value> a) {
    constexpr std::string_view fn = "vector";
    if (a[0].is_null()) return Value();
    if (a.size() > 1 && a[1].is_null()) return Value();
    std::vector<float> coords;
    if (a[0].is_vector())
        coords = a[0].as_vector().coords;
    else if (a[0].is_list())
        coords = coords_from_list(fn, a[0].as_list());
    else if (a[0].is_string())
        coords = coords_from_string(fn, a[0].as_string());
    else
        bad_argument(fn, a[0], "a LIST of numbers, a STRING such as '[1, 2.5]' or a VECTOR");
    if (a.size() > 1) {
        if (!a[1].is_int()) bad_argument(fn, a[1], "an INTEGER dimension");
        const int64_t dim = a[1].as_int();
        if (dim < 1 || dim > static_cast<int64_t>(kMaxVectorDimension))
            bad_value(fn, "the dimension must be between 1 and " +
                              std::to_string(kMaxVectorDimension) + ", got " + std::to_string(dim));
        if (static_cast<size_t>(dim) != coords.size())
            bad_value(fn, "the dimension is " + std::to_string(dim) + " but the value has " +
                              std::to_string(coords.size()) + " coordinates");
    }
    if (a.size() > 2) {
        if (!a[2].is_string()) bad_argument(fn, a[2], "a coordinate type name such as 'FLOAT32'");
        const std::string t = upper(a[2].as_string());
        if (t != "FLOAT32") {
            static constexpr std::string_view known[] = {
                "FLOAT",     "FLOAT64",        "INTEGER",   "INT",   "INT64",
                "INTEGER64", "SIGNED INTEGER", "INTEGER32", "INT32", "INTEGER16",
                "INT16",     "INTEGER8",       "INT8"};
            for (auto k : known)
                if (t == k)
                    bad_value(fn,
                              "coordinate type " + t +
                                  " is not supported: lora stores VECTOR coordinates as FLOAT32");
            bad_value(fn, "unknown coordinate type '" + a[2].as_string() + "'");
        }
    }
    return make_vector(fn, std::move(coords));
}

Value f_vector_similarity_cosine(std::span<const Value> a) {
    return similarity("vector.similarity.cosine", a, vec::Similarity::Cosine);
}

Value f_vector_similarity_euclidean(std::span<const Value> a) {
    return similarity("vector.similarity.euclidean", a, vec::Similarity::Euclidean);
}

Value f_vector_distance(std::span<const Value> a) {
    constexpr std::string_view fn = "vector.distance";
    if (a[0].is_null() || a[1].is_null() || a[2].is_null()) return Value();
    const auto& x = vector_arg(fn, a[0]).coords;
    const auto& y = vector_arg(fn, a[1]).coords;
    if (!a[2].is_string()) bad_argument(fn, a[2], "a metric name such as 'EUCLIDEAN'");
    check_same_dimension(fn, x.size(), y.size());
    const std::string m = upper(a[2].as_string());
    if (m == "EUCLIDEAN") return Value(std::sqrt(vec::squared_l2(x, y)));
    if (m == "EUCLIDEAN_SQUARED") return Value(vec::squared_l2(x, y));
    if (m == "MANHATTAN") {
        double s = 0;
        for (size_t i = 0; i < x.size(); ++i) s += std::fabs(static_cast<double>(x[i]) - y[i]);
        return Value(s);
    }
    if (m == "COSINE") {
        auto c = vec::cosine(x, y);
        return c ? Value(1.0 - *c) : Value();
    }
    // Negated so that, as for every other metric, smaller means closer.
    if (m == "DOT") return Value(-vec::dot(x, y));
    if (m == "HAMMING") {
        int64_t n = 0;
        for (size_t i = 0; i < x.size(); ++i) n += x[i] != y[i];
        return Value(static_cast<double>(n));
    }
    bad_value(fn, "unknown metric '" + a[2].as_string() +
                      "' (known: EUCLIDEAN, EUCLIDEAN_SQUARED, MANHATTAN, COSINE, DOT, HAMMING)");
}

Value f_vector_norm(std::span<const Value> a) {
    constexpr std::string_view fn = "vector.norm";
    if (a[0].is_null() || (a.size() > 1 && a[1].is_null())) return Value();
    const auto& x = vector_arg(fn, a[0]).coords;
    std::string m = "EUCLIDEAN";
    if (a.size() > 1) {
        if (!a[1].is_string()) bad_argument(fn, a[1], "a metric name such as 'EUCLIDEAN'");
        m = upper(a[1].as_string());
    }
    if (m == "EUCLIDEAN") return Value(vec::l2_norm(x));
    if (m == "MANHATTAN") {
        double s = 0;
        for (float f : x) s += std::fabs(static_cast<double>(f));
        return Value(s);
    }
    bad_value(fn, "unknown metric '" + a[1].as_string() + "' (known: EUCLIDEAN, MANHATTAN)");
}

Value f_vector_dimension(std::span<const Value> a) {
    if (a[0].is_null()) return Value();
    return Value(static_cast<int64_t>(vector_arg("vector.dimension", a[0]).coords.size()));
}

}  // namespace lora::fn::detail
