// Writers against a running lorad: connections opened first, one thread each, the start
// signal, then commits until --txns or --duration; WAL figures around the run if known.
#include "lora_bench_remote.hpp"

#include <lora/error.hpp>

#include <atomic>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lora::bench {

namespace {
using Clock = std::chrono::steady_clock;
}

WritersResult run_writers_remote(const WritersConfig& config, const std::string& via,
                                 const RemoteControl& control) {
    WritersResult result;
    result.via = via;
    result.writers = config.writers;
    result.shards = config.shards;
    result.sync = config.sync.empty() ? "unknown" : config.sync;

    const int64_t rels_before = config.verify ? control.count_relationships() : 0;

    // Every connection is opened before the start signal, so connecting is not measured.
    std::vector<std::unique_ptr<RemoteWriter>> conns;
    for (uint32_t w = 0; w < config.writers; ++w) conns.push_back(control.connect());

    std::vector<WriterOutcome> outcomes(config.writers);
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::string first_error;
    std::optional<Clock::time_point> deadline;
    std::latch go(1);
    std::vector<std::thread> threads;
    for (uint32_t w = 0; w < config.writers; ++w) {
        threads.emplace_back([&, w] {
            go.wait();
            WriterOutcome& out = outcomes[w];
            RemoteWriter& conn = *conns[w];
            const uint64_t limit = config.duration_s > 0 ? UINT64_MAX : config.txns;
            for (uint64_t s = 0; s < limit; ++s) {
                if (stop.load(std::memory_order_relaxed)) return;
                if (deadline && Clock::now() >= *deadline) {
                    out.time_limited = config.duration_s <= 0;
                    return;
                }
                const auto start = Clock::now();
                for (;;) {
                    std::string error;
                    RemoteWriter::Outcome o;
                    try {
                        o = conn.commit(w, s, error);
                    } catch (const Error& e) {
                        o = RemoteWriter::Outcome::Failed;
                        error = e.message();
                    }
                    if (o == RemoteWriter::Outcome::Committed) break;
                    if (o == RemoteWriter::Outcome::Retry &&
                        !stop.load(std::memory_order_relaxed)) {
                        ++out.retries;
                        continue;
                    }
                    std::lock_guard lock(mu);
                    if (first_error.empty())
                        first_error = "writer " + std::to_string(w) + " txn " + std::to_string(s) +
                                      ": " + error;
                    stop = true;
                    return;
                }
                out.latency_ns.record(static_cast<uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start)
                        .count()));
                ++out.committed;
            }
        });
    }

    const WalFigures before = control.wal();
    const auto start = Clock::now();
    deadline = run_deadline(start, config.duration_s, config.time_limit_s);
    go.count_down();
    for (auto& t : threads) t.join();
    const auto end = Clock::now();
    const WalFigures after = control.wal();

    result.seconds = std::chrono::duration<double>(end - start).count();
    for (const auto& o : outcomes) result.add(o);
    result.wal_known = before.known && after.known;
    if (result.wal_known) {
        result.fsyncs = after.fsyncs - before.fsyncs;
        result.wal_batches = after.batches - before.batches;
        result.wal_records = after.records - before.records;
        result.wal_bytes = after.bytes - before.bytes;
    }
    result.error = first_error;
    if (config.verify) {
        // Other clients of the same server would make this mismatch: verify on a quiet server.
        const int64_t rels_after = control.count_relationships();
        result.verified = rels_after - rels_before == static_cast<int64_t>(result.txns) ? 1 : 0;
    }
    return result;
}

}  // namespace lora::bench
