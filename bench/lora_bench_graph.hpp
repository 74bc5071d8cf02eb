// The `ingest` and `reads` benchmarks: a seeded Person/KNOWS graph loaded with batched
// UNWIND statements, then point, 1-hop, 2-hop and aggregate reads against it.
#pragma once

#include "lora_bench_histogram.hpp"

#include <lora/lora.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lora::bench {

struct GraphConfig {
    uint64_t nodes = 100000;
    uint32_t rels_per_node = 10;
    uint32_t batch = 10000;  // rows per UNWIND statement
    uint32_t shards = 0;     // 0 = the engine's default (hardware threads)
    std::string data_dir;    // empty = in memory
    std::string sync = "per-commit";
    // How the relationship statement finds its endpoints: "property" (MATCH on {id: r.a},
    // through the index when CREATE INDEX works), "id" (WHERE id(a) = r.a with the ids
    // the node statements returned), "node" (the endpoints are node-reference parameters
    // built from those ids; embedding API only) or "auto" (property if the index exists,
    // else node).
    std::string match = "auto";
    uint64_t seed = 20261124;
    double time_limit_s = 0;  // > 0: stop the ingest after this long (figures cover what ran)
};

struct IngestResult {
    uint64_t nodes = 0, rels = 0;                  // created (as acknowledged by the statements)
    uint64_t nodes_counted = 0, rels_counted = 0;  // counted afterwards with MATCH
    double node_seconds = 0, rel_seconds = 0;      // time inside Database::execute only
    double generate_seconds = 0;                   // building the parameter lists
    uint32_t shards = 0, batch = 0, rels_per_node = 0;
    std::string sync;  // "in-memory" when there is no data directory
    std::string match;
    bool indexed = false;  // CREATE INDEX succeeded
    std::string index_error;
    bool time_limited = false;
    // /proc/self/status, bytes. rss_* are VmRSS samples; hwm is VmHWM at the end.
    uint64_t rss_start = 0, rss_after_nodes = 0, rss_after_rels = 0, hwm = 0;
    // The shards' own estimate of their partitions' bytes after the load (EngineStats).
    uint64_t partition_bytes = 0;
    // Process CPU time (user + system, all threads) spent inside the statements: what the
    // load costs whatever else shares the machine.
    double node_cpu_seconds = 0, rel_cpu_seconds = 0;

    double nodes_per_s() const { return node_seconds > 0 ? nodes / node_seconds : 0; }
    double rels_per_s() const { return rel_seconds > 0 ? rels / rel_seconds : 0; }
    double bytes_per_node() const;
    double bytes_per_rel() const;
    // RSS growth over the whole load / (nodes + relationships): the memory figure.
    double bytes_per_entity() const;
    double partition_bytes_per_entity() const;
};

// Opens the database a graph benchmark runs against (in memory unless data_dir is set).
std::unique_ptr<Database> open_graph_db(const GraphConfig& config);

// Loads the graph into `db` (which should be empty) and counts it afterwards.
IngestResult run_ingest(Database& db, const GraphConfig& config);

std::string ingest_json(const IngestResult& r);
std::string ingest_table(const IngestResult& r);

struct ReadsConfig {
    double seconds = 3;  // per kind
    uint32_t threads = 1;
    uint64_t max_queries = 0;  // > 0: per kind and thread, stop after this many (tests)
    std::vector<std::string> kinds = {"point", "1hop", "2hop", "agg"};
};

struct ReadKindResult {
    std::string kind;
    std::string query;
    uint64_t queries = 0;
    double seconds = 0;
    LatencyHistogram latency_ns;
    int64_t rows_checksum = 0;  // sum of the returned counts (1hop/2hop), to keep results honest
    std::string error;
    double per_s() const { return seconds > 0 ? queries / seconds : 0; }
};

struct ReadsResult {
    std::string via = "embedded";  // or "http" / "bolt": a lorad's graph, not loaded here
    IngestResult ingest;
    uint32_t threads = 0;
    std::vector<ReadKindResult> kinds;
};

// The query text of a read kind ("point", "1hop", "2hop", "agg"); empty if unknown.
std::string read_query(const std::string& kind);

// How one reader runs a statement: the embedded database, or its own connection to a lorad.
using ReadStatement = std::function<Result(const std::string& query, const Params& params)>;

// Runs each read kind in turn against a graph built by run_ingest. Each reader thread gets
// its way to run statements from `connect`, called on that thread before the clock starts.
std::vector<ReadKindResult> run_reads(const std::function<ReadStatement()>& connect, uint64_t nodes,
                                      const ReadsConfig& config, uint64_t seed);
std::vector<ReadKindResult> run_reads(Database& db, uint64_t nodes, const ReadsConfig& config,
                                      uint64_t seed);

std::string reads_json(const ReadsResult& r);
std::string reads_table(const ReadsResult& r);

// VmRSS / VmHWM of this process in bytes (0 if /proc is unreadable).
uint64_t proc_status_bytes(const char* field);

}  // namespace lora::bench
