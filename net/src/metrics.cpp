// Prometheus text rendering of the server's counters.
#include <lora/net/metrics.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <cstdio>

namespace lora::net {

namespace {

template <typename... Args>
void append(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

// One metric with its HELP and TYPE lines.
void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, uint64_t value) {
    append(out, "# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace

void Metrics::record_request(const std::string& route, unsigned status, double seconds) {
    std::lock_guard lock(mu_);
    ++requests_[{route, status}];
    size_t i = 0;
    while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
    if (i < kLatencyBuckets.size()) ++latency_counts_[i];
    ++latency_count_;
    latency_sum_ += seconds;
}

void Metrics::record_query(bool ok) {
    queries_.fetch_add(1, std::memory_order_relaxed);
    if (!ok) query_errors_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::tx_closed(TxEnd how) {
    tx_open_.fetch_sub(1, std::memory_order_relaxed);
    tx_ended_[static_cast<size_t>(how)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t Metrics::tx_ended(TxEnd how) const {
    return tx_ended_[static_cast<size_t>(how)].load(std::memory_order_relaxed);
}

uint64_t Metrics::requests(const std::string& route, unsigned status) const {
    std::lock_guard lock(mu_);
    auto it = requests_.find({route, status});
    return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
    std::string out;
    {
        std::lock_guard lock(mu_);
        append(out, "# HELP lora_http_requests_total HTTP requests by route and status.\n");
        append(out, "# TYPE lora_http_requests_total counter\n");
        for (const auto& [key, n] : requests_)
            append(out, "lora_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first,
                   key.second, n);
        append(out,
               "# HELP lora_http_request_duration_seconds Time from request header to response.\n");
        append(out, "# TYPE lora_http_request_duration_seconds histogram\n");
        uint64_t cumulative = 0;
        for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += latency_counts_[i];
            append(out, "lora_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                   kLatencyBuckets[i], cumulative);
        }
        append(out, "lora_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
               latency_count_);
        append(out, "lora_http_request_duration_seconds_sum {}\n", latency_sum_);
        append(out, "lora_http_request_duration_seconds_count {}\n", latency_count_);
    }
    append_metric(out, "lora_queries_total", "counter", "Queries handed to the engine.",
                  queries_.load());
    append_metric(out, "lora_query_errors_total", "counter", "Queries that ended with an error.",
                  query_errors_.load());
    append_metric(out, "lora_query_timeouts_total", "counter",
                  "Queries answered 504 because they ran past the limit.", timeouts_.load());
    append_metric(out, "lora_http_requests_in_flight", "gauge",
                  "Requests read but not yet answered.", in_flight_.load());
    append_metric(out, "lora_queries_running", "gauge",
                  "Queries executing, including ones already answered 504.",
                  queries_running_.load());
    append_metric(out, "lora_transactions_open", "gauge", "Explicit transactions open now.",
                  tx_open_.load());
    append_metric(out, "lora_transactions_committed_total", "counter",
                  "Explicit transactions committed.", tx_ended(TxEnd::Committed));
    append_metric(out, "lora_transactions_rolled_back_total", "counter",
                  "Explicit transactions rolled back (on request, by a failed statement or "
                  "commit, or at shutdown).",
                  tx_ended(TxEnd::RolledBack));
    append_metric(out, "lora_transactions_timed_out_total", "counter",
                  "Explicit transactions rolled back after the idle timeout.",
                  tx_ended(TxEnd::TimedOut));
    append(out,
           "# HELP lora_connections_refused_total Connections closed at once, by reason.\n"
           "# TYPE lora_connections_refused_total counter\n"
           "lora_connections_refused_total{{reason=\"connection_limit\"}} {}\n"
           "lora_connections_refused_total{{reason=\"tls_handshake\"}} {}\n",
           refused_connections(Refusal::ConnectionLimit),
           refused_connections(Refusal::TlsHandshake));
    append_metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                  process_rss_bytes());
    return out;
}

std::string render_engine_metrics(const EngineStats& s) {
    std::string out;
    append_metric(out, "lora_commits_total", "counter",
                  "Write transactions committed since the database opened.", s.commits);
    append(out,
           "# HELP lora_commit_duration_seconds Commit latency: prepare, WAL durability, install.\n"
           "# TYPE lora_commit_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.commit_latency_bounds.size() && i < s.commit_latency_counts.size();
         ++i) {
        cumulative += s.commit_latency_counts[i];
        append(out, "lora_commit_duration_seconds_bucket{{le=\"{}\"}} {}\n",
               s.commit_latency_bounds[i], cumulative);
    }
    if (!s.commit_latency_counts.empty()) cumulative += s.commit_latency_counts.back();
    append(out, "lora_commit_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
    append(out, "lora_commit_duration_seconds_sum {}\nlora_commit_duration_seconds_count {}\n",
           s.commit_latency_sum, cumulative);
    append(out,
           "# HELP lora_shard_mailbox_depth Messages waiting in a shard actor's mailbox.\n"
           "# TYPE lora_shard_mailbox_depth gauge\n");
    for (size_t i = 0; i < s.mailbox_depth.size(); ++i)
        append(out, "lora_shard_mailbox_depth{{shard=\"{}\"}} {}\n", i, s.mailbox_depth[i]);
    append_metric(out, "lora_mvcc_visible_timestamp", "gauge",
                  "Snapshots starting now see the commits up to this timestamp.",
                  s.mvcc.visible_ts);
    append_metric(out, "lora_mvcc_running_snapshots", "gauge",
                  "Statements and transactions reading at a snapshot.", s.mvcc.running_snapshots);
    append_metric(out, "lora_mvcc_versions", "gauge",
                  "Old versions kept for running snapshots (all shards).", s.mvcc.versions);
    const QueryMemoryStats& m = s.memory;
    append_metric(out, "lora_memory_pool_limit_bytes", "gauge",
                  "Memory all running queries may hold together (0: no limit).", m.limit);
    append_metric(out, "lora_memory_pool_used_bytes", "gauge",
                  "Memory the running queries hold now (taken in 1 MiB grains).", m.used);
    append_metric(out, "lora_memory_pool_peak_bytes", "gauge",
                  "The most memory the running queries held at once.", m.peak);
    append(out,
           "# HELP lora_memory_rejections_total Queries failed for passing their memory limit "
           "(query) or the pool's (pool).\n"
           "# TYPE lora_memory_rejections_total counter\n"
           "lora_memory_rejections_total{{limit=\"query\"}} {}\n"
           "lora_memory_rejections_total{{limit=\"pool\"}} {}\n",
           m.query_rejections, m.pool_rejections);
    static constexpr const char* kClasses[] = {"read", "write"};
    append(out,
           "# HELP lora_query_memory_peak_bytes The most memory each finished query held, by "
           "class.\n"
           "# TYPE lora_query_memory_peak_bytes summary\n");
    for (size_t c = 0; c < 2; ++c)
        append(out,
               "lora_query_memory_peak_bytes_count{{class=\"{0}\"}} {1}\n"
               "lora_query_memory_peak_bytes_sum{{class=\"{0}\"}} {2}\n",
               kClasses[c], m.queries[c], m.peak_sum[c]);
    append(out,
           "# HELP lora_query_memory_max_peak_bytes The most memory one finished query held, by "
           "class.\n"
           "# TYPE lora_query_memory_max_peak_bytes gauge\n");
    for (size_t c = 0; c < 2; ++c)
        append(out, "lora_query_memory_max_peak_bytes{{class=\"{}\"}} {}\n", kClasses[c],
               m.peak_max[c]);
    return out;
}

std::string render_wal_metrics(const WalStatus& wal) {
    std::string out;
    if (!wal.enabled) return out;
    auto counter = [&](std::string_view name, std::string_view help, uint64_t v) {
        append_metric(out, name, "counter", help, v);
    };
    auto gauge = [&](std::string_view name, std::string_view help, uint64_t v) {
        append_metric(out, name, "gauge", help, v);
    };
    counter("lora_wal_records_total", "WAL records appended since the database opened.",
            wal.records);
    counter("lora_wal_bytes_total", "WAL bytes appended since the database opened.", wal.bytes);
    counter("lora_wal_fsyncs_total", "WAL fdatasync calls since the database opened.", wal.fsyncs);
    counter("lora_wal_batches_total", "WAL group-commit batches written.", wal.batches);
    gauge("lora_wal_last_durable_lsn", "Highest LSN known durable.", wal.last_durable_lsn);
    gauge("lora_wal_checkpoint_lsn", "LSN of the latest checkpoint.", wal.checkpoint_lsn);
    gauge("lora_wal_poisoned", "1 once a WAL write or sync failed (the database is read-only).",
          wal.poisoned ? 1 : 0);
    return out;
}

uint64_t process_rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    if (n != 2) return 0;
    return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace lora::net
