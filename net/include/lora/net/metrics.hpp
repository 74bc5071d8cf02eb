// Counters lorad exports on GET /metrics in the Prometheus text format.
#pragma once

#include <lora/lora.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace lora::net {

class Metrics {
public:
    // Upper bounds (seconds) of the request latency histogram buckets; +Inf is implied.
    static constexpr std::array<double, 12> kLatencyBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

    // One finished HTTP request. `route` is the matched route path or "unmatched", so a
    // scan of random URLs cannot grow the label set without bound.
    void record_request(const std::string& route, unsigned status, double seconds);
    // One query handed to the engine and how it ended.
    void record_query(bool ok);
    void record_timeout() { timeouts_.fetch_add(1, std::memory_order_relaxed); }

    // Explicit transactions (POST /tx): how each one ended. A transaction closed by a
    // failed statement or a failed commit counts as rolled back.
    enum class TxEnd { Committed, RolledBack, TimedOut };
    void tx_opened() { tx_open_.fetch_add(1, std::memory_order_relaxed); }
    void tx_closed(TxEnd how);
    int64_t tx_open() const { return tx_open_.load(std::memory_order_relaxed); }
    uint64_t tx_ended(TxEnd how) const;

    // Connections closed at once (lora_connections_refused_total{reason}): over the limit
    // per client address, or a failed TLS handshake.
    enum class Refusal { ConnectionLimit, TlsHandshake };
    void record_refused_connection(Refusal why) {
        refused_[static_cast<size_t>(why)].fetch_add(1, std::memory_order_relaxed);
    }
    uint64_t refused_connections(Refusal why) const {
        return refused_[static_cast<size_t>(why)].load(std::memory_order_relaxed);
    }

    void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void request_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    void query_started() { queries_running_.fetch_add(1, std::memory_order_relaxed); }
    void query_finished() { queries_running_.fetch_sub(1, std::memory_order_relaxed); }

    int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
    int64_t queries_running() const { return queries_running_.load(std::memory_order_relaxed); }
    uint64_t requests(const std::string& route, unsigned status) const;

    std::string render() const;

private:
    mutable std::mutex mu_;
    std::map<std::pair<std::string, unsigned>, uint64_t> requests_;
    std::array<uint64_t, kLatencyBuckets.size()> latency_counts_{};  // per bucket, not cumulative
    uint64_t latency_count_ = 0;
    double latency_sum_ = 0;
    std::atomic<uint64_t> queries_{0};
    std::atomic<uint64_t> query_errors_{0};
    std::atomic<uint64_t> timeouts_{0};
    std::atomic<int64_t> in_flight_{0};
    std::atomic<int64_t> queries_running_{0};
    std::atomic<int64_t> tx_open_{0};
    std::array<std::atomic<uint64_t>, 3> tx_ended_{};  // by TxEnd
    std::array<std::atomic<uint64_t>, 2> refused_{};   // by Refusal
};

// The WAL counters (records, bytes, fsyncs, ...) in the Prometheus text format; empty for
// an in-memory database.
std::string render_wal_metrics(const WalStatus& wal);
// Commits, commit latency histogram, shard mailbox depths, MVCC gauges.
std::string render_engine_metrics(const EngineStats& stats);

// Resident set size of this process in bytes (0 if /proc is unavailable).
uint64_t process_rss_bytes();

}  // namespace lora::net
