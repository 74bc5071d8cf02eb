// Vector arithmetic and Neo4j's similarity normalisation (see lora/vector_math.hpp).
#include <lora/vector_math.hpp>

#include <cassert>
#include <cctype>
#include <cmath>
#include <string>

namespace lora::vec {

std::optional<Similarity> parse_similarity(std::string_view name) {
    std::string n(name);
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "euclidean") return Similarity::Euclidean;
    if (n == "cosine") return Similarity::Cosine;
    return std::nullopt;
}

std::string_view similarity_name(Similarity s) {
    return s == Similarity::Euclidean ? "euclidean" : "cosine";
}

double dot(std::span<const float> a, std::span<const float> b) {
    assert(a.size() == b.size());
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
}

double squared_l2(std::span<const float> a, std::span<const float> b) {
    assert(a.size() == b.size());
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        double d = static_cast<double>(a[i]) - b[i];
        s += d * d;
    }
    return s;
}

double l2_norm(std::span<const float> a) { return std::sqrt(dot(a, a)); }

double euclidean_similarity(std::span<const float> a, std::span<const float> b) {
    return 1.0 / (1.0 + squared_l2(a, b));
}

std::optional<double> cosine(std::span<const float> a, std::span<const float> b) {
    const double na = l2_norm(a), nb = l2_norm(b);
    if (na == 0.0 || nb == 0.0) return std::nullopt;
    double c = dot(a, b) / (na * nb);
    // Rounding can push |c| a hair past 1 for (anti)parallel vectors.
    return c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
}

std::optional<double> cosine_similarity(std::span<const float> a, std::span<const float> b) {
    auto c = cosine(a, b);
    if (!c) return std::nullopt;
    return (1.0 + *c) / 2.0;
}

}  // namespace lora::vec
