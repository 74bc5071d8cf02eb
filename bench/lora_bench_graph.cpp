// lora-bench ingest / reads: the graph is generated from a fixed seed with a generator of
// our own (splitmix64), so every run on every platform builds the same graph.
#include "lora_bench_graph.hpp"

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <latch>
#include <mutex>
#include <sstream>
#include <thread>

#include <sys/resource.h>

namespace lora::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kNodeQuery =
    "UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age})";
constexpr const char* kNodeQueryIds =
    "UNWIND $rows AS r CREATE (p:Person {id: r.id, name: r.name, age: r.age}) "
    "RETURN r.id AS k, id(p) AS nid";
constexpr const char* kRelQueryProperty =
    "UNWIND $rows AS r MATCH (a:Person {id: r.a}), (b:Person {id: r.b}) "
    "CREATE (a)-[:KNOWS {since: r.since}]->(b)";
constexpr const char* kRelQueryId =
    "UNWIND $rows AS r MATCH (a), (b) WHERE id(a) = r.a AND id(b) = r.b "
    "CREATE (a)-[:KNOWS {since: r.since}]->(b)";
constexpr const char* kRelQueryNode =
    "UNWIND $rows AS r WITH r.a AS a, r.b AS b, r.since AS since "
    "CREATE (a)-[:KNOWS {since: since}]->(b)";
constexpr const char* kIndexQuery = "CREATE INDEX FOR (p:Person) ON (p.id)";

struct SplitMix {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
};

double round_to(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}
double us(uint64_t ns) { return round_to(static_cast<double>(ns) / 1000.0, 1); }
double secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// User + system CPU seconds of the whole process so far.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return tv(u.ru_utime) + tv(u.ru_stime);
}

int64_t count_of(Database& db, const char* query) {
    auto r = db.execute(query);
    return r.rows.at(0).at(0).as_int();
}

}  // namespace

uint64_t proc_status_bytes(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const size_t n = std::strlen(field);
    while (std::getline(in, line)) {
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
            return std::strtoull(line.c_str() + n + 1, nullptr, 10) * 1024;  // "kB"
        }
    }
    return 0;
}

double IngestResult::bytes_per_node() const {
    if (!nodes || rss_after_nodes < rss_start) return 0;
    return static_cast<double>(rss_after_nodes - rss_start) / static_cast<double>(nodes);
}
double IngestResult::bytes_per_rel() const {
    if (!rels || rss_after_rels < rss_after_nodes) return 0;
    return static_cast<double>(rss_after_rels - rss_after_nodes) / static_cast<double>(rels);
}

double IngestResult::bytes_per_entity() const {
    if (nodes + rels == 0 || rss_after_rels < rss_start) return 0;
    return static_cast<double>(rss_after_rels - rss_start) / static_cast<double>(nodes + rels);
}
double IngestResult::partition_bytes_per_entity() const {
    if (nodes + rels == 0) return 0;
    return static_cast<double>(partition_bytes) / static_cast<double>(nodes + rels);
}

std::unique_ptr<Database> open_graph_db(const GraphConfig& config) {
    Options options;
    options.shards = config.shards;
    options.data_dir = config.data_dir;
    options.sync = config.sync;
    return Database::open(options);
}

IngestResult run_ingest(Database& db, const GraphConfig& config) {
    IngestResult r;
    r.shards = db.shard_count();
    r.batch = config.batch;
    r.rels_per_node = config.rels_per_node;
    r.sync = config.data_dir.empty() ? "in-memory" : config.sync;

    try {
        db.execute(kIndexQuery);
        r.indexed = true;
    } catch (const Error& e) {
        r.index_error = e.message();
    }
    // Without an index both MATCH forms scan every Person per row (quadratic); passing the
    // endpoints as node references is then the only way to load a large graph.
    r.match = config.match == "auto" ? (r.indexed ? "property" : "node") : config.match;
    const bool by_id = r.match != "property";
    const bool as_node = r.match == "node";
    const char* rel_query = r.match == "property" ? kRelQueryProperty
                            : as_node             ? kRelQueryNode
                                                  : kRelQueryId;
    // Allocated and touched before the first RSS sample so it is not counted as graph memory.
    std::vector<int64_t> node_ids;  // person id -> engine node id (match id / node)
    if (by_id) node_ids.assign(config.nodes, -1);

    const auto start = Clock::now();
    auto over_time = [&] {
        return config.time_limit_s > 0 && secs(Clock::now() - start) > config.time_limit_s;
    };

    r.rss_start = proc_status_bytes("VmRSS");
    SplitMix rng{config.seed};

    for (uint64_t first = 0; first < config.nodes; first += config.batch) {
        if (over_time()) {
            r.time_limited = true;
            break;
        }
        const uint64_t last = std::min<uint64_t>(config.nodes, first + config.batch);
        const auto g0 = Clock::now();
        List rows;
        rows.reserve(last - first);
        for (uint64_t i = first; i < last; ++i) {
            Map row;
            row.emplace("id", Value(static_cast<int64_t>(i)));
            row.emplace("name", Value("person-" + std::to_string(i)));
            row.emplace("age", Value(static_cast<int64_t>(18 + rng.below(80))));
            rows.emplace_back(std::move(row));
        }
        Params params{{"rows", Value(std::move(rows))}};
        const auto g1 = Clock::now();
        const double c1 = cpu_seconds();
        Result res = db.execute(by_id ? kNodeQueryIds : kNodeQuery, params);
        r.node_cpu_seconds += cpu_seconds() - c1;
        const auto g2 = Clock::now();
        r.generate_seconds += secs(g1 - g0);
        r.node_seconds += secs(g2 - g1);
        r.nodes += static_cast<uint64_t>(res.stats.nodes_created);
        if (by_id)
            for (const auto& row : res.rows)
                node_ids.at(static_cast<size_t>(row.at(0).as_int())) = row.at(1).as_int();
    }
    r.rss_after_nodes = proc_status_bytes("VmRSS");

    // Relationships from each node in id order; targets uniform over all nodes (self loops
    // included), so every node has exactly R outgoing and on average R incoming.
    const uint64_t created_nodes = r.nodes;
    const uint64_t total_rels = r.time_limited ? 0 : created_nodes * config.rels_per_node;
    for (uint64_t first = 0; first < total_rels; first += config.batch) {
        if (over_time()) {
            r.time_limited = true;
            break;
        }
        const uint64_t last = std::min<uint64_t>(total_rels, first + config.batch);
        const auto g0 = Clock::now();
        List rows;
        rows.reserve(last - first);
        for (uint64_t k = first; k < last; ++k) {
            const uint64_t a = k / config.rels_per_node;
            const uint64_t b = rng.below(created_nodes);
            Map row;
            auto endpoint = [&](uint64_t i) {
                if (as_node) return Value(Node{static_cast<uint64_t>(node_ids[i]), nullptr});
                return Value(by_id ? node_ids[i] : static_cast<int64_t>(i));
            };
            row.emplace("a", endpoint(a));
            row.emplace("b", endpoint(b));
            row.emplace("since", Value(static_cast<int64_t>(1990 + rng.below(35))));
            rows.emplace_back(std::move(row));
        }
        Params params{{"rows", Value(std::move(rows))}};
        const auto g1 = Clock::now();
        const double c1 = cpu_seconds();
        Result res = db.execute(rel_query, params);
        r.rel_cpu_seconds += cpu_seconds() - c1;
        const auto g2 = Clock::now();
        r.generate_seconds += secs(g1 - g0);
        r.rel_seconds += secs(g2 - g1);
        r.rels += static_cast<uint64_t>(res.stats.relationships_created);
    }
    r.rss_after_rels = proc_status_bytes("VmRSS");
    r.hwm = proc_status_bytes("VmHWM");
    for (uint64_t b : db.engine_stats().partition_bytes) r.partition_bytes += b;

    r.nodes_counted = static_cast<uint64_t>(count_of(db, "MATCH (p:Person) RETURN count(p)"));
    r.rels_counted =
        static_cast<uint64_t>(count_of(db, "MATCH (:Person)-[k:KNOWS]->(:Person) RETURN count(k)"));
    return r;
}

std::string ingest_json(const IngestResult& r) {
    nlohmann::ordered_json j;
    j["bench"] = "ingest";
    j["nodes"] = r.nodes;
    j["rels"] = r.rels;
    j["rels_per_node"] = r.rels_per_node;
    j["batch"] = r.batch;
    j["shards"] = r.shards;
    j["sync"] = r.sync;
    j["match"] = r.match;
    j["indexed"] = r.indexed;
    j["node_seconds"] = round_to(r.node_seconds, 3);
    j["rel_seconds"] = round_to(r.rel_seconds, 3);
    j["generate_seconds"] = round_to(r.generate_seconds, 3);
    j["nodes_per_s"] = round_to(r.nodes_per_s(), 1);
    j["rels_per_s"] = round_to(r.rels_per_s(), 1);
    j["bytes_per_node"] = round_to(r.bytes_per_node(), 1);
    j["bytes_per_rel"] = round_to(r.bytes_per_rel(), 1);
    j["bytes_per_entity"] = round_to(r.bytes_per_entity(), 1);
    j["partition_bytes_per_entity"] = round_to(r.partition_bytes_per_entity(), 1);
    j["node_cpu_seconds"] = round_to(r.node_cpu_seconds, 3);
    j["rel_cpu_seconds"] = round_to(r.rel_cpu_seconds, 3);
    j["rss_start"] = r.rss_start;
    j["rss_end"] = r.rss_after_rels;
    j["peak_rss"] = r.hwm;
    j["nodes_counted"] = r.nodes_counted;
    j["rels_counted"] = r.rels_counted;
    if (r.time_limited) j["time_limited"] = true;
    return j.dump();
}

std::string ingest_table(const IngestResult& r) {
    char buf[2048];
    const double mib = 1024.0 * 1024.0;
    std::snprintf(
        buf, sizeof buf,
        "ingest   %llu nodes, %llu rels (%u per node), batch %u, shards %u, sync %s\n"
        "match    %s%s\n"
        "nodes    %.3f s = %.1f nodes/s (CPU %.3f s)\n"
        "rels     %.3f s = %.1f rels/s (CPU %.3f s)\n"
        "memory   %.1f bytes/node, %.1f bytes/rel (VmRSS growth / count), peak VmHWM %.1f MiB\n"
        "         %.1f bytes per node+rel (VmRSS growth / (nodes + rels)); partitions' own "
        "estimate %.1f\n"
        "         (parameter generation %.3f s, not in the rates)\n"
        "counted  %llu :Person nodes, %llu :KNOWS rels\n",
        static_cast<unsigned long long>(r.nodes), static_cast<unsigned long long>(r.rels),
        r.rels_per_node, r.batch, r.shards, r.sync.c_str(),
        r.match == "id" ? "endpoints by WHERE id(a) = r.a"
        : r.match == "node"
            ? "endpoints passed as node references (ids returned by the node statements)"
            : "endpoints by MATCH (a:Person {id: r.a})",
        r.indexed ? " through the index on :Person(id)"
                  : (" WITHOUT an index (CREATE INDEX failed: " + r.index_error + ")").c_str(),
        r.node_seconds, r.nodes_per_s(), r.node_cpu_seconds, r.rel_seconds, r.rels_per_s(),
        r.rel_cpu_seconds, r.bytes_per_node(), r.bytes_per_rel(), static_cast<double>(r.hwm) / mib,
        r.bytes_per_entity(), r.partition_bytes_per_entity(), r.generate_seconds,
        static_cast<unsigned long long>(r.nodes_counted),
        static_cast<unsigned long long>(r.rels_counted));
    std::string s = buf;
    if (r.time_limited) s += "note     stopped at the time limit; the rates cover what ran\n";
    return s;
}

std::string read_query(const std::string& kind) {
    if (kind == "point") return "MATCH (p:Person {id: $id}) RETURN p.name";
    if (kind == "1hop") return "MATCH (p:Person {id: $id})-[:KNOWS]->(q) RETURN count(q)";
    if (kind == "2hop")
        return "MATCH (p:Person {id: $id})-[:KNOWS]->()-[:KNOWS]->(q) RETURN count(q)";
    if (kind == "agg") return "MATCH (p:Person) RETURN avg(p.age)";
    if (kind == "shortest")
        return "MATCH (p:Person {id: $id}), (q:Person {id: $to}) WHERE p <> q "
               "MATCH path = shortestPath((p)-[:KNOWS*]-(q)) RETURN length(path)";
    if (kind == "shortest3")
        return "MATCH (p:Person {id: $id}), (q:Person {id: $to}) WHERE p <> q "
               "MATCH path = SHORTEST 3 (p)-[:KNOWS]-+(q) RETURN length(path)";
    return {};
}

std::vector<ReadKindResult> run_reads(Database& db, uint64_t nodes, const ReadsConfig& config,
                                      uint64_t seed) {
    auto embedded = [&db]() -> ReadStatement {
        return [&db](const std::string& q, const Params& p) { return db.execute(q, p); };
    };
    return run_reads(embedded, nodes, config, seed);
}

std::vector<ReadKindResult> run_reads(const std::function<ReadStatement()>& connect, uint64_t nodes,
                                      const ReadsConfig& config, uint64_t seed) {
    std::vector<ReadKindResult> out;
    for (const auto& kind : config.kinds) {
        ReadKindResult k;
        k.kind = kind;
        k.query = read_query(kind);
        struct PerThread {
            LatencyHistogram h;
            uint64_t n = 0;
            int64_t checksum = 0;
        };
        std::vector<PerThread> per(config.threads);
        std::atomic<bool> stop{false};
        std::mutex err_mu;
        std::latch go(1);
        Clock::time_point deadline;
        std::vector<std::thread> threads;
        for (uint32_t t = 0; t < config.threads; ++t) {
            threads.emplace_back([&, t] {
                SplitMix rng{seed + 7919 * (t + 1)};
                ReadStatement execute;
                try {
                    execute = connect();
                } catch (const std::exception& e) {
                    std::lock_guard lock(err_mu);
                    if (k.error.empty()) k.error = e.what();
                    stop = true;
                }
                go.wait();
                if (!execute) return;
                PerThread& me = per[t];
                while (!stop.load(std::memory_order_relaxed) && Clock::now() < deadline &&
                       (config.max_queries == 0 || me.n < config.max_queries)) {
                    Params params{{"id", Value(static_cast<int64_t>(rng.below(nodes)))}};
                    const bool pair = kind == "shortest" || kind == "shortest3";
                    if (pair) params["to"] = Value(static_cast<int64_t>(rng.below(nodes)));
                    const auto t0 = Clock::now();
                    try {
                        Result res = execute(k.query, params);
                        if (kind == "1hop" || kind == "2hop")
                            me.checksum += res.rows.at(0).at(0).as_int();
                        if (pair && !res.rows.empty()) me.checksum += res.rows.at(0).at(0).as_int();
                    } catch (const std::exception& e) {
                        std::lock_guard lock(err_mu);
                        if (k.error.empty()) k.error = e.what();
                        stop = true;
                        return;
                    }
                    me.h.record(static_cast<uint64_t>(
                        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0)
                            .count()));
                    ++me.n;
                }
            });
        }
        const auto start = Clock::now();
        deadline = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(config.seconds));
        go.count_down();
        for (auto& t : threads) t.join();
        k.seconds = secs(Clock::now() - start);
        for (const auto& p : per) {
            k.latency_ns.merge(p.h);
            k.queries += p.n;
            k.rows_checksum += p.checksum;
        }
        out.push_back(std::move(k));
    }
    return out;
}

std::string reads_json(const ReadsResult& r) {
    nlohmann::ordered_json j;
    j["bench"] = "reads";
    j["via"] = r.via;
    j["nodes"] = r.ingest.nodes;
    j["rels"] = r.ingest.rels;
    j["rels_per_node"] = r.ingest.rels_per_node;
    j["shards"] = r.ingest.shards;
    j["sync"] = r.ingest.sync;
    j["indexed"] = r.ingest.indexed;
    j["threads"] = r.threads;
    j["kinds"] = nlohmann::ordered_json::array();
    for (const auto& k : r.kinds) {
        nlohmann::ordered_json kj;
        kj["kind"] = k.kind;
        kj["queries"] = k.queries;
        kj["seconds"] = round_to(k.seconds, 3);
        kj["queries_per_s"] = round_to(k.per_s(), 1);
        kj["latency_us"] = {{"p50", us(k.latency_ns.percentile(50))},
                            {"p95", us(k.latency_ns.percentile(95))},
                            {"p99", us(k.latency_ns.percentile(99))},
                            {"max", us(k.latency_ns.max())}};
        if (!k.error.empty()) kj["error"] = k.error;
        j["kinds"].push_back(kj);
    }
    if (r.via == "embedded") j["ingest"] = nlohmann::ordered_json::parse(ingest_json(r.ingest));
    return j.dump();
}

std::string reads_table(const ReadsResult& r) {
    std::ostringstream out;
    char buf[512];
    if (r.via == "embedded")
        std::snprintf(buf, sizeof buf,
                      "reads    %llu nodes, %llu rels, shards %u, sync %s, %u thread(s), %s\n",
                      static_cast<unsigned long long>(r.ingest.nodes),
                      static_cast<unsigned long long>(r.ingest.rels), r.ingest.shards,
                      r.ingest.sync.c_str(), r.threads,
                      r.ingest.indexed ? "index on :Person(id)" : "no index (label scan + filter)");
    else
        std::snprintf(buf, sizeof buf,
                      "reads    via %s: a lorad's graph of %llu nodes, %u thread(s), one "
                      "connection each\n",
                      r.via.c_str(), static_cast<unsigned long long>(r.ingest.nodes), r.threads);
    out << buf;
    std::snprintf(buf, sizeof buf, "%-6s %10s %12s %10s %10s %10s %10s\n", "kind", "queries",
                  "queries/s", "p50 us", "p95 us", "p99 us", "max us");
    out << buf;
    for (const auto& k : r.kinds) {
        std::snprintf(buf, sizeof buf, "%-6s %10llu %12.1f %10.1f %10.1f %10.1f %10.1f\n",
                      k.kind.c_str(), static_cast<unsigned long long>(k.queries), k.per_s(),
                      us(k.latency_ns.percentile(50)), us(k.latency_ns.percentile(95)),
                      us(k.latency_ns.percentile(99)), us(k.latency_ns.max()));
        out << buf;
        if (!k.error.empty()) out << "       error: " << k.error << "\n";
    }
    return out.str();
}

}  // namespace lora::bench
