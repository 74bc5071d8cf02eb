// The `vectors` benchmark (see lora_bench_vectors.hpp): random data, one VectorIndex per
// shard built and searched by one thread each, recall against a brute-force ground truth.
#include "lora_bench_vectors.hpp"

#include <lora/error.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/vector_math.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace lora::bench {

namespace {

using Clock = std::chrono::steady_clock;
using storage::VectorHit;
using storage::VectorIndex;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Row-major n x dim, uniform in [-1, 1).
std::vector<float> random_matrix(size_t n, uint32_t dim, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> m(n * dim);
    for (auto& x : m) x = u(rng);
    return m;
}

// Runs f(t) on `threads` threads and waits for them.
template <typename F>
void parallel(uint32_t threads, F&& f) {
    std::vector<std::thread> ts;
    for (uint32_t t = 0; t < threads; ++t) ts.emplace_back([&f, t] { f(t); });
    for (auto& t : ts) t.join();
}

// Exact top-k ids per query; the scores are the same normalised similarities the index
// reports, in double precision.
std::vector<std::vector<uint64_t>> exact_topk(const VectorsConfig& c, vec::Similarity sim,
                                              const std::vector<float>& data,
                                              const std::vector<float>& queries) {
    const size_t dim = c.dim;
    std::vector<double> norms;
    if (sim == vec::Similarity::Cosine) {
        norms.resize(c.n);
        for (size_t i = 0; i < c.n; ++i)
            norms[i] = vec::l2_norm(std::span<const float>(&data[i * dim], dim));
    }
    std::vector<std::vector<uint64_t>> out(c.queries);
    const uint32_t threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
    parallel(threads, [&](uint32_t t) {
        std::vector<std::pair<double, uint64_t>> best;  // min-heap on score via greater<>
        for (size_t q = t; q < c.queries; q += threads) {
            std::span<const float> qv(&queries[q * dim], dim);
            const double qn = sim == vec::Similarity::Cosine ? vec::l2_norm(qv) : 0;
            best.clear();
            for (size_t i = 0; i < c.n; ++i) {
                std::span<const float> v(&data[i * dim], dim);
                double s = sim == vec::Similarity::Cosine
                               ? (1.0 + vec::dot(qv, v) / (qn * norms[i])) / 2.0
                               : vec::euclidean_similarity(qv, v);
                if (best.size() < c.k) {
                    best.emplace_back(s, i);
                    std::push_heap(best.begin(), best.end(), std::greater<>());
                } else if (s > best.front().first) {
                    std::pop_heap(best.begin(), best.end(), std::greater<>());
                    best.back() = {s, i};
                    std::push_heap(best.begin(), best.end(), std::greater<>());
                }
            }
            for (const auto& [s, id] : best) out[q].push_back(id);
        }
    });
    return out;
}

}  // namespace

VectorsResult run_vectors(const VectorsConfig& c) {
    auto sim = vec::parse_similarity(c.similarity);
    if (!sim)
        throw_argument_error("InvalidArgumentValue",
                             "--similarity must be cosine or euclidean, got '" + c.similarity + "'");
    if (c.n == 0 || c.queries == 0 || c.k == 0 || c.shards == 0)
        throw_argument_error("InvalidArgumentValue", "--n, --queries, --k and --shards must be positive");
    VectorsResult r;
    r.config = c;
    const size_t dim = c.dim;
    const std::vector<float> data = random_matrix(c.n, c.dim, c.seed);
    const std::vector<float> queries = random_matrix(c.queries, c.dim, c.seed + 1);

    storage::VectorIndexOptions o;
    o.dimension = c.dim;
    o.similarity = *sim;
    o.m = c.m;
    o.ef_construction = c.ef_construction;
    o.ef_search = c.ef_search;
    std::vector<VectorIndex> shards;
    for (uint32_t s = 0; s < c.shards; ++s) shards.emplace_back(o);

    auto t0 = Clock::now();
    parallel(c.shards, [&](uint32_t s) {
        for (size_t i = s; i < c.n; i += c.shards)
            shards[s].upsert(i, std::span<const float>(&data[i * dim], dim));
    });
    r.build_s = seconds_since(t0);

    std::vector<std::vector<std::vector<VectorHit>>> per_shard(
        c.shards, std::vector<std::vector<VectorHit>>(c.queries));
    std::vector<std::vector<VectorHit>> merged(c.queries);
    t0 = Clock::now();
    parallel(c.shards, [&](uint32_t s) {
        for (size_t q = 0; q < c.queries; ++q)
            per_shard[s][q] = shards[s].search(std::span<const float>(&queries[q * dim], dim), c.k);
    });
    for (size_t q = 0; q < c.queries; ++q) {
        auto& m = merged[q];
        for (uint32_t s = 0; s < c.shards; ++s)
            m.insert(m.end(), per_shard[s][q].begin(), per_shard[s][q].end());
        std::sort(m.begin(), m.end(), [](const VectorHit& a, const VectorHit& b) {
            return a.score != b.score ? a.score > b.score : a.id < b.id;
        });
        if (m.size() > c.k) m.resize(c.k);
    }
    r.query_s = seconds_since(t0);

    t0 = Clock::now();
    const auto truth = exact_topk(c, *sim, data, queries);
    r.exact_s = seconds_since(t0);

    double sum = 0;
    r.min_recall = 1.0;
    for (size_t q = 0; q < c.queries; ++q) {
        std::set<uint64_t> t(truth[q].begin(), truth[q].end());
        size_t hit = 0;
        for (const auto& h : merged[q]) hit += t.count(h.id);
        const double rq = t.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(t.size());
        sum += rq;
        r.min_recall = std::min(r.min_recall, rq);
    }
    r.recall = sum / static_cast<double>(c.queries);
    return r;
}

std::string vectors_json(const VectorsResult& r) {
    const auto& c = r.config;
    nlohmann::ordered_json j;
    j["bench"] = "vectors";
    j["n"] = c.n;
    j["dim"] = c.dim;
    j["k"] = c.k;
    j["shards"] = c.shards;
    j["queries"] = c.queries;
    j["similarity"] = c.similarity;
    j["m"] = c.m;
    j["ef_construction"] = c.ef_construction;
    j["ef_search"] = c.ef_search;
    j["build_s"] = r.build_s;
    j["inserts_per_s"] = r.inserts_per_s();
    j["queries_per_s"] = r.queries_per_s();
    j["recall_at_k"] = r.recall;
    j["min_recall_at_k"] = r.min_recall;
    j["exact_queries_per_s"] = r.exact_s > 0 ? static_cast<double>(c.queries) / r.exact_s : 0;
    return j.dump();
}

std::string vectors_table(const VectorsResult& r) {
    const auto& c = r.config;
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "vectors: n=%zu dim=%u k=%u shards=%u queries=%zu %s (M=%u ef_construction=%u "
                  "ef_search=%u)\n"
                  "  build            %10.2f s  (%.0f inserts/s)\n"
                  "  queries          %10.0f /s  (%.3f ms each, shards in parallel)\n"
                  "  recall@%-3u       %10.4f     (worst query %.2f)\n"
                  "  exact search     %10.1f /s  (brute force, for comparison)\n",
                  c.n, c.dim, c.k, c.shards, c.queries, c.similarity.c_str(), c.m, c.ef_construction,
                  c.ef_search, r.build_s, r.inserts_per_s(), r.queries_per_s(),
                  r.queries_per_s() > 0 ? 1000.0 / r.queries_per_s() : 0.0, c.k, r.recall,
                  r.min_recall, r.exact_s > 0 ? static_cast<double>(c.queries) / r.exact_s : 0.0);
    return buf;
}

}  // namespace lora::bench
