// VectorIndex: one shard's approximate nearest-neighbour index (HNSW, hnswlib) over the
// vectors of its nodes, answering top-k queries with Neo4j-normalised similarity scores.
#pragma once

#include <lora/value.hpp>
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
    // HNSW graph degree and build beam, and the query beam (a query uses max(ef_search, k)).
    // The walk runs on int8 codes and the whole beam is re-ranked on float vectors, so the
    // scores are exact and the beam is cheap. The defaults meet issue #7's target on the
    // hardest data: 100,000 uniform random 128-dim vectors over 2 shards (the engine's
    // default on 2 cores) give recall@10 ~0.96 at ~1,500 CPU-bound queries/s; clustered
    // data (like real embeddings) gives 1.00. Smaller M and ef_search trade that recall for
    // memory, build time and speed (figures in docs/benchmarks.md, lora-bench vectors).
    uint32_t m = 48;
    uint32_t ef_construction = 200;
    uint32_t ef_search = 224;
    size_t initial_capacity = 1024;  // grows by doubling
    uint64_t seed = 100;             // level generator: same inserts, same graph
};

struct IndexDef;
// The settings of a VECTOR index definition: vector.dimensions, vector.similarity_function
// and the optional vector.hnsw.m / ef_construction / ef_search (defaults above otherwise).
VectorIndexOptions vector_index_options(const IndexDef& def);

// The coordinates a vector index reads from a property value: a VECTOR's, or a list of
// numbers converted to float32 (how Neo4j stores embeddings: LIST<FLOAT>). Returns null for
// anything else: other types, null elements, non-finite numbers. `scratch` holds a list's
// converted coordinates (the result points into it or into the VECTOR).
const std::vector<float>* index_coords(const Value& v, std::vector<float>& scratch);

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
    // True when `id` is indexed with exactly `vector` as upsert() would store it (checked,
    // and normalised for cosine): how recovery reconciles a checkpoint image with the nodes.
    bool holds(uint64_t id, std::span<const float> vector) const;
    // Calls `f` with every indexed (live) id, in slot order.
    void for_each_id(const std::function<void(uint64_t)>& f) const;
    size_t size() const;      // indexed (live) vectors
    size_t capacity() const;  // slots allocated, live and deleted
    // Bytes held, roughly: per slot the base layer (links, int8 code, label) and the float
    // copy, plus the upper layers and the id lookup of the elements present.
    size_t memory_bytes() const;

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
