// Arithmetic over VECTOR coordinates shared by the vector functions, the per-shard HNSW
// index and the benchmarks, so all three score a pair of vectors the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace lora::vec {

// The similarity functions of vector indexes and of vector.similarity.*(), with Neo4j's
// normalisation to [0, 1] (1 = most similar).
enum class Similarity : unsigned char { Euclidean, Cosine };

// "euclidean" / "cosine" (case-insensitive); nullopt for anything else.
std::optional<Similarity> parse_similarity(std::string_view name);
std::string_view similarity_name(Similarity s);  // "euclidean", "cosine"

// Accumulated in double: float32 sums over 4096 coordinates lose too many digits.
double dot(std::span<const float> a, std::span<const float> b);
double squared_l2(std::span<const float> a, std::span<const float> b);
double l2_norm(std::span<const float> a);

// Neo4j's euclidean similarity: 1 / (1 + squared distance).
double euclidean_similarity(std::span<const float> a, std::span<const float> b);
// Neo4j's cosine similarity: (1 + cos) / 2. nullopt when either vector has norm 0, for
// which no angle exists.
std::optional<double> cosine_similarity(std::span<const float> a, std::span<const float> b);

// The raw cosine, nullopt for a zero vector.
std::optional<double> cosine(std::span<const float> a, std::span<const float> b);

// Scores of the HNSW spaces turned into the same normalised similarities: L2 space
// distances are squared euclidean distances; inner-product distances of unit vectors are
// 1 - cos.
inline double score_from_squared_l2(double d2) { return 1.0 / (1.0 + d2); }
inline double score_from_ip_distance(double d) {
    double s = 1.0 - d / 2.0;
    return s < 0.0 ? 0.0 : (s > 1.0 ? 1.0 : s);
}

}  // namespace lora::vec
