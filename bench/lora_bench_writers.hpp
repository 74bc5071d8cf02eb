// The `writers` benchmark: K threads committing small write transactions against one
// persistent database, measuring commit latency, throughput and WAL group commit.
#pragma once

#include "lora_bench_histogram.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lora::bench {

// The statement every writer commits, with its writer number $w and sequence number $s.
inline constexpr const char* kWriteQuery =
    "CREATE (:W {w: $w, s: $s})-[:R]->(:W {w: $w, s: $s, t: 1})";

struct WritersConfig {
    std::string data_dir;
    uint32_t writers = 1;
    uint64_t txns = 0;            // per writer; ignored when duration_s > 0
    double duration_s = 0;        // > 0: each writer commits until this many seconds passed
    uint32_t shards = 0;          // 0 = the engine's default (hardware threads)
    uint32_t engine_threads = 0;  // Options::threads: the engine's worker threads (0 = cores)
    std::string sync = "per-commit";
    // "blocking": a thread per writer calling Database::execute; "async": writers are
    // chains of Database::execute_async, driven by the engine's completions.
    std::string api = "blocking";
    bool print_acks = false;  // "ack W S" on stdout after each acknowledged commit
    double time_limit_s = 0;  // > 0: a --txns run stops early after this long
    bool verify = false;      // count the relationships afterwards
};

// What one writer did (embedded or remote); WritersResult::add sums them.
struct WriterOutcome {
    LatencyHistogram latency_ns;
    uint64_t committed = 0;
    uint64_t retries = 0;
    bool time_limited = false;
};

struct WritersResult {
    std::string bench = "writers";  // the JSON "bench" field ("sqlite" for the comparison)
    std::string via = "embedded";   // "embedded" or "http"
    std::string api = "blocking";   // embedded: "blocking" or "async" (WritersConfig::api)
    uint32_t writers = 0;
    uint32_t shards = 0;  // 0 = unknown (http: the server's, unless stated with --shards)
    uint32_t engine_threads =
        0;  // embedded: the engine's worker threads; 0 = unknown (http, sqlite)
    std::string sync;
    uint64_t txns = 0;  // acknowledged commits, all writers
    double seconds = 0;
    LatencyHistogram latency_ns;
    bool wal_known = true;  // false when the WAL figures could not be read (http, sqlite)
    uint64_t fsyncs = 0, wal_batches = 0, wal_records = 0, wal_bytes = 0;
    uint64_t retries = 0;       // transient errors retried
    bool time_limited = false;  // a --txns run cut short by time_limit_s
    std::string error;          // first non-retryable error; the run stopped on it
    int verified = -1;          // -1 not checked, 0 mismatch, 1 relationships == commits

    void add(const WriterOutcome& o) {
        latency_ns.merge(o.latency_ns);
        txns += o.committed;
        retries += o.retries;
        time_limited = time_limited || o.time_limited;
    }

    double commits_per_s() const { return seconds > 0 ? static_cast<double>(txns) / seconds : 0; }
    // 0 when there was no fsync (sync mode none, or nothing committed).
    double commits_per_fsync() const {
        return fsyncs ? static_cast<double>(txns) / static_cast<double>(fsyncs) : 0;
    }
};

// Opens (or creates) the database at config.data_dir, runs the writers, closes it.
// Throws lora::Error when the database cannot be opened; errors of single commits end up
// in WritersResult::error.
WritersResult run_writers(const WritersConfig& config);

// The one-line JSON summary (`{"bench":"writers",...}`), without a newline.
std::string writers_json(const WritersResult& result);

// When a run that started at `start` must stop: after `duration_s` if that is set, else
// after the safety limit `time_limit_s`; never if both are 0.
std::optional<std::chrono::steady_clock::time_point> run_deadline(
    std::chrono::steady_clock::time_point start, double duration_s, double time_limit_s);

// A short human-readable table of the same figures.
std::string writers_table(const WritersResult& result);

// Checks a --sync value the way the engine reads it; empty when fine, else the problem.
std::string check_sync_mode(const std::string& mode);

}  // namespace lora::bench
