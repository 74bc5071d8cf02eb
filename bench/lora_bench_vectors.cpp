// The `vectors` benchmark (see lora_bench_vectors.hpp): random data, one VectorIndex per
// shard built and searched by one thread each, recall against a brute-force ground truth.
#include "lora_bench_vectors.hpp"

#include <lora/error.hpp>
#include <lora/lora.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/vector_math.hpp>

#include <nlohmann/json.hpp>

#include <time.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
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

// N x dim points around 1000 uniform centres with gaussian noise (sigma 0.25).
std::vector<float> clustered_matrix(size_t n, uint32_t dim, uint64_t seed) {
    const std::vector<float> centres = random_matrix(1000, dim, 12345);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, 999);
    std::normal_distribution<float> noise(0.0f, 0.25f);
    std::vector<float> m(n * dim);
    for (size_t i = 0; i < n; ++i) {
        const float* c = &centres[pick(rng) * dim];
        for (size_t j = 0; j < dim; ++j) m[i * dim + j] = c[j] + noise(rng);
    }
    return m;
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
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

// recall@k of one answer against the exact ids.
double recall_of(const std::vector<uint64_t>& truth, const std::vector<uint64_t>& found) {
    if (truth.empty()) return 1.0;
    std::set<uint64_t> t(truth.begin(), truth.end());
    size_t hit = 0;
    for (uint64_t id : found) hit += t.count(id);
    return static_cast<double>(hit) / static_cast<double>(t.size());
}

// The engine mode: the same data as nodes (:V {i, v}), queried in Cypher.
std::vector<VectorsResult> run_engine(const VectorsConfig& c, const VectorsResult& base,
                                      const std::vector<float>& data,
                                      const std::vector<float>& queries,
                                      const std::vector<std::vector<uint64_t>>& truth) {
    const size_t dim = c.dim;
    Options o;
    o.shards = c.shards;
    auto db = Database::open(o);
    auto vector_at = [&](const std::vector<float>& m, size_t i) {
        return Value(
            Vector{std::vector<float>(m.begin() + static_cast<std::ptrdiff_t>(i * dim),
                                      m.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim))});
    };
    auto t0 = Clock::now();
    const size_t batch = 2000;
    for (size_t from = 0; from < c.n; from += batch) {
        List rows;
        for (size_t i = from; i < std::min(c.n, from + batch); ++i)
            rows.push_back(vector_at(data, i));
        db->execute(
            "UNWIND range(0, size($rows) - 1) AS j CREATE (:V {i: $from + j, v: $rows[j]})",
            Params{{"rows", Value(std::move(rows))}, {"from", Value(static_cast<int64_t>(from))}});
    }
    const double load_s = seconds_since(t0);
    // Node id -> row of the data, so the queries need not fetch properties.
    std::unordered_map<uint64_t, uint64_t> row_of;
    for (const auto& r : db->execute("MATCH (d:V) RETURN id(d), d.i").rows)
        row_of[static_cast<uint64_t>(r[0].as_int())] = static_cast<uint64_t>(r[1].as_int());

    std::vector<VectorsResult> results;
    for (uint32_t ef : c.ef_search) {
        VectorsResult r = base;
        r.ef_search = ef;
        r.load_s = load_s;
        db->execute("DROP INDEX bench_v IF EXISTS");
        t0 = Clock::now();
        db->execute(
            "CREATE VECTOR INDEX bench_v FOR (d:V) ON (d.v) OPTIONS {indexConfig: {"
            "`vector.dimensions`: " +
            std::to_string(c.dim) + ", `vector.similarity_function`: '" + c.similarity +
            "', `vector.hnsw.m`: " + std::to_string(c.m) +
            ", `vector.hnsw.ef_construction`: " + std::to_string(c.ef_construction) +
            ", `vector.hnsw.ef_search`: " + std::to_string(ef) + "}}");
        r.build_s = seconds_since(t0);
        std::vector<std::vector<uint64_t>> found(c.queries);
        std::atomic<size_t> next{0};
        const uint32_t clients = std::max(1u, c.clients);
        t0 = Clock::now();
        parallel(clients, [&](uint32_t) {
            for (size_t q; (q = next.fetch_add(1)) < c.queries;) {
                auto res = db->execute(
                    "CALL db.index.vector.queryNodes('bench_v', $k, $q) "
                    "YIELD node RETURN id(node)",
                    Params{{"k", Value(static_cast<int64_t>(c.k))}, {"q", vector_at(queries, q)}});
                for (const auto& row : res.rows)
                    found[q].push_back(row_of.at(static_cast<uint64_t>(row[0].as_int())));
            }
        });
        r.query_s = seconds_since(t0);
        r.query_cpu_s = 0;  // the work runs on the actor threads, not the clients
        double sum = 0;
        r.min_recall = 1.0;
        for (size_t q = 0; q < c.queries; ++q) {
            const double rq = recall_of(truth[q], found[q]);
            sum += rq;
            r.min_recall = std::min(r.min_recall, rq);
        }
        r.recall = sum / static_cast<double>(c.queries);
        results.push_back(r);
    }
    return results;
}

}  // namespace

std::vector<VectorsResult> run_vectors(const VectorsConfig& c) {
    auto sim = vec::parse_similarity(c.similarity);
    if (!sim)
        throw_argument_error(
            "InvalidArgumentValue",
            "--similarity must be cosine or euclidean, got '" + c.similarity + "'");
    if (c.n == 0 || c.queries == 0 || c.k == 0 || c.shards == 0 || c.ef_search.empty())
        throw_argument_error("InvalidArgumentValue",
                             "--n, --queries, --k, --shards and --ef must be positive");
    VectorsResult base;
    base.config = c;
    const size_t dim = c.dim;
    if (c.data != "uniform" && c.data != "clustered")
        throw_argument_error("InvalidArgumentValue",
                             "--data must be uniform or clustered, got '" + c.data + "'");
    auto make = c.data == "uniform" ? random_matrix : clustered_matrix;
    const std::vector<float> data = make(c.n, c.dim, c.seed);
    const std::vector<float> queries = make(c.queries, c.dim, c.seed + 1);
    if (c.engine) {
        auto t0 = Clock::now();
        const auto truth = exact_topk(c, *sim, data, queries);
        base.exact_s = seconds_since(t0);
        return run_engine(c, base, data, queries, truth);
    }

    storage::VectorIndexOptions o;
    o.dimension = c.dim;
    o.similarity = *sim;
    o.m = c.m;
    o.ef_construction = c.ef_construction;
    o.ef_search = c.ef_search.front();
    std::vector<VectorIndex> shards;
    for (uint32_t s = 0; s < c.shards; ++s) shards.emplace_back(o);

    auto t0 = Clock::now();
    parallel(c.shards, [&](uint32_t s) {
        for (size_t i = s; i < c.n; i += c.shards)
            shards[s].upsert(i, std::span<const float>(&data[i * dim], dim));
    });
    base.build_s = seconds_since(t0);

    t0 = Clock::now();
    const auto truth = exact_topk(c, *sim, data, queries);
    base.exact_s = seconds_since(t0);

    std::vector<VectorsResult> results;
    for (uint32_t ef : c.ef_search) {
        VectorsResult r = base;
        r.ef_search = ef;
        for (auto& s : shards) s.set_ef_search(ef);
        std::vector<std::vector<std::vector<VectorHit>>> per_shard(
            c.shards, std::vector<std::vector<VectorHit>>(c.queries));
        std::vector<std::vector<VectorHit>> merged(c.queries);
        std::vector<double> cpu(c.shards);
        t0 = Clock::now();
        parallel(c.shards, [&](uint32_t s) {
            const double start = thread_cpu_seconds();
            for (size_t q = 0; q < c.queries; ++q)
                per_shard[s][q] =
                    shards[s].search(std::span<const float>(&queries[q * dim], dim), c.k);
            cpu[s] = thread_cpu_seconds() - start;
        });
        r.query_cpu_s = *std::max_element(cpu.begin(), cpu.end());
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

        double sum = 0;
        r.min_recall = 1.0;
        for (size_t q = 0; q < c.queries; ++q) {
            std::set<uint64_t> t(truth[q].begin(), truth[q].end());
            size_t hit = 0;
            for (const auto& h : merged[q]) hit += t.count(h.id);
            const double rq =
                t.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(t.size());
            sum += rq;
            r.min_recall = std::min(r.min_recall, rq);
        }
        r.recall = sum / static_cast<double>(c.queries);
        results.push_back(r);
    }
    return results;
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
    j["data"] = c.data;
    j["m"] = c.m;
    j["ef_construction"] = c.ef_construction;
    j["ef_search"] = r.ef_search;
    j["mode"] = c.engine ? "engine" : "direct";
    j["clients"] = c.engine ? c.clients : 0;
    if (c.engine) j["load_s"] = r.load_s;
    j["build_s"] = r.build_s;
    j["inserts_per_s"] = r.inserts_per_s();
    j["queries_per_s"] = r.queries_per_s();
    j["cpu_bound_queries_per_s"] = r.cpu_bound_queries_per_s();
    j["recall_at_k"] = r.recall;
    j["min_recall_at_k"] = r.min_recall;
    j["exact_queries_per_s"] = r.exact_s > 0 ? static_cast<double>(c.queries) / r.exact_s : 0;
    return j.dump();
}

std::string vectors_table(const VectorsResult& r) {
    const auto& c = r.config;
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "vectors: n=%zu dim=%u k=%u shards=%u queries=%zu %s %s data (M=%u "
                  "ef_construction=%u ef_search=%u)\n"
                  "  build            %10.2f s  (%.0f inserts/s)\n"
                  "  queries          %10.0f /s  (%.3f ms each, shards in parallel; %.0f /s "
                  "CPU-bound)\n"
                  "  recall@%-3u       %10.4f     (worst query %.2f)\n"
                  "  exact search     %10.1f /s  (brute force, for comparison)\n",
                  c.n, c.dim, c.k, c.shards, c.queries, c.similarity.c_str(), c.data.c_str(), c.m,
                  c.ef_construction, r.ef_search, r.build_s, r.inserts_per_s(), r.queries_per_s(),
                  r.queries_per_s() > 0 ? 1000.0 / r.queries_per_s() : 0.0,
                  r.cpu_bound_queries_per_s(), c.k, r.recall, r.min_recall,
                  r.exact_s > 0 ? static_cast<double>(c.queries) / r.exact_s : 0.0);
    std::string out = buf;
    if (c.engine) {
        std::snprintf(
            buf, sizeof buf,
            "  engine mode: %u concurrent clients running CALL db.index.vector.queryNodes; "
            "nodes loaded in %.2f s; build = CREATE VECTOR INDEX over them\n",
            c.clients, r.load_s);
        out += buf;
    }
    return out;
}

}  // namespace lora::bench
