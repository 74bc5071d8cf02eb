// The `vectors` benchmark: build per-shard HNSW vector indexes over random vectors, then
// measure top-k query throughput and recall@k against exact (brute-force) search.
#pragma once

#include <lora/storage/vector_index.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lora::bench {

struct VectorsConfig {
    size_t n = 100000;  // indexed vectors
    uint32_t dim = 128;
    uint32_t k = 10;
    uint32_t shards = 1;  // indexes over a partition of the ids (id % shards), one thread each
    size_t queries = 1000;
    std::string similarity = "cosine";
    // The index's defaults unless given.
    uint32_t m = storage::VectorIndexOptions{}.m;
    uint32_t ef_construction = storage::VectorIndexOptions{}.ef_construction;
    std::vector<uint32_t> ef_search{storage::VectorIndexOptions{}.ef_search};  // one pass each
    uint64_t seed = 1;
    // "uniform": coordinates uniform in [-1, 1) (no structure: the hardest case for HNSW);
    // "clustered": 1000 gaussian clusters (sigma 0.25 around uniform centres), closer to
    // real embeddings, which have a low intrinsic dimension.
    std::string data = "uniform";
    // Through a Database instead of the bare structure: load the nodes, CREATE VECTOR INDEX
    // (one build per ef value, as ef_search is an index setting), then `clients` threads run
    // CALL db.index.vector.queryNodes concurrently.
    bool engine = false;
    uint32_t clients = 1;
};

// The figures of one query pass (one ef_search value).
struct VectorsResult {
    VectorsConfig config;
    uint32_t ef_search = 0;
    double build_s = 0;      // all shards, built in parallel
    double query_s = 0;      // all queries, every shard searched by its own thread, merged
    double query_cpu_s = 0;  // CPU time of the busiest shard thread during the queries
    double exact_s = 0;      // the brute-force ground truth, for comparison
    double recall = 0;       // mean over the queries of |found ∩ exact| / k
    double min_recall = 0;   // the worst single query
    double load_s = 0;       // engine: creating the nodes (before the index exists)

    double inserts_per_s() const {
        return build_s > 0 ? static_cast<double>(config.n) / build_s : 0;
    }
    double queries_per_s() const {
        return query_s > 0 ? static_cast<double>(config.queries) / query_s : 0;
    }
    // The rate if every shard thread had a core of its own: on a machine shared with other
    // work the wall-clock rate understates what the index does.
    double cpu_bound_queries_per_s() const {
        return query_cpu_s > 0 ? static_cast<double>(config.queries) / query_cpu_s : 0;
    }
};

// Runs the benchmark: one result per ef_search value (build and exact figures are shared).
// This round it drives lora::storage::VectorIndex directly (one per shard, as the shard
// actors will hold them); Cypher queries come once the index is wired into the engine.
// Throws lora::Error on bad options.
std::vector<VectorsResult> run_vectors(const VectorsConfig& config);

std::string vectors_json(const VectorsResult& result);  // one line, no newline
std::string vectors_table(const VectorsResult& result);

}  // namespace lora::bench
