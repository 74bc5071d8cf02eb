// VectorIndex: one shard's approximate nearest-neighbour index (HNSW, hnswlib) over the
// vectors of its nodes, answering top-k queries with Neo4j-normalised similarity scores.
#pragma once

#include <lora/vector_math.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace lora::storage {

struct VectorIndexOptions {
    uint32_t dimension = 0;  // 1..kMaxVectorDimension
    vec::Similarity similarity = vec::Similarity::Cosine;
    // HNSW graph degree and build beam. With M = 16, ef_construction = 200, ef_search = 64,
    // clustered 128-dim data (like real embeddings) gives recall@10 = 1.00; structureless
    // uniform random 128-dim data needs M = 48 and ef_search ~ 200 for 0.95 (figures in
    // docs/benchmarks.md, measured with lora-bench vectors).
    uint32_t m = 16;
    uint32_t ef_construction = 200;
    // Search beam; a query uses max(ef_search, k).
    uint32_t ef_search = 64;
    size_t initial_capacity = 1024;  // grows by doubling
    uint64_t seed = 100;             // level generator: same inserts, same graph
};

struct IndexDef;
// The settings of a VECTOR index definition: vector.dimensions, vector.similarity_function
// and the optional vector.hnsw.m / ef_construction / ef_search (defaults above otherwise).
VectorIndexOptions vector_index_options(const IndexDef& def);

struct VectorHit {
    uint64_t id = 0;
    double score = 0;  // in [0, 1], higher is more similar
    friend bool operator==(const VectorHit&, const VectorHit&) = default;
};

// Not thread-safe: like the partition it indexes, it belongs to one shard actor. Invalid
// input (wrong dimension, NaN, a zero vector in a cosine index, bad k) is a lora::Error.
class VectorIndex {
public:
    explicit VectorIndex(const VectorIndexOptions& options);
    VectorIndex(VectorIndex&&) noexcept;
    VectorIndex& operator=(VectorIndex&&) noexcept;
    ~VectorIndex();

    const VectorIndexOptions& options() const;

    // Inserts node `id`'s vector, or replaces it if `id` is already indexed.
    void upsert(uint64_t id, std::span<const float> vector);
    // Removes `id` (hnswlib marks it deleted; its slot is reused if `id` comes back).
    // Returns false when `id` was not indexed.
    bool remove(uint64_t id);
    bool contains(uint64_t id) const;
    size_t size() const;      // indexed (live) vectors
    size_t capacity() const;  // slots allocated, live and deleted

    // The k most similar live vectors, best first; ties by id. `filter`, when set, admits
    // only the ids it returns true for: the search then widens its beam until k admitted
    // hits are found, and scans exactly when the filter admits few.
    std::vector<VectorHit> search(std::span<const float> query, size_t k,
                                  const std::function<bool(uint64_t)>& filter = {});
    void set_ef_search(uint32_t ef);

    // The whole index (options, graph and vectors) as bytes, for a checkpoint; load()
    // validates them and throws lora::Error (CorruptIndex) on anything inconsistent.
    std::vector<std::byte> save() const;
    static VectorIndex load(std::span<const std::byte> bytes);

private:
    struct Impl;
    explicit VectorIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lora::storage
