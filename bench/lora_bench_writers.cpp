// lora-bench writers: each thread runs auto-commit CREATE statements back to back; the
// latency of every commit goes to a per-thread histogram, merged when the threads end.
#include "lora_bench_writers.hpp"

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <latch>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace lora::bench {

namespace {

using Clock = std::chrono::steady_clock;

int64_t count_relationships(Database& db) {
    auto r = db.execute("MATCH (:W)-[r:R]->(:W) RETURN count(r) AS c");
    return r.rows.at(0).at(0).as_int();
}

// Rounds to `digits` decimals; dividing by an exact power of ten keeps the JSON short.
double round_to(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

double us(uint64_t ns) { return round_to(static_cast<double>(ns) / 1000.0, 1); }

// What every writer thread shares.
struct Shared {
    Shared(const WritersConfig& c, Database& d) : config(c), db(d) {}

    const WritersConfig& config;
    Database& db;
    std::optional<Clock::time_point> deadline;
    std::atomic<bool> stop{false};
    std::mutex ack_mu;
    std::mutex error_mu;
    std::string first_error;

    // --print-acks: "ack W S" once writer W's statement S is acknowledged.
    void ack(uint32_t w, uint64_t s) {
        if (!config.print_acks) return;
        char line[64];
        int n = std::snprintf(line, sizeof line, "ack %u %llu\n", w,
                              static_cast<unsigned long long>(s));
        std::lock_guard lock(ack_mu);
        std::fwrite(line, 1, static_cast<size_t>(n), stdout);
        std::fflush(stdout);
    }

    void fail(uint32_t w, uint64_t s, const std::string& what) {
        fail("writer " + std::to_string(w) + " txn " + std::to_string(s) + ": " + what);
    }

    void fail(const std::string& message) {
        {
            std::lock_guard lock(error_mu);
            if (first_error.empty()) first_error = message;
        }
        stop.store(true, std::memory_order_relaxed);
    }
};

void run_one_writer(Shared& shared, uint32_t w, WriterOutcome& out) {
    const uint64_t limit = shared.config.duration_s > 0 ? UINT64_MAX : shared.config.txns;
    for (uint64_t s = 0; s < limit; ++s) {
        if (shared.stop.load(std::memory_order_relaxed)) return;
        if (shared.deadline && Clock::now() >= *shared.deadline) {
            out.time_limited = shared.config.duration_s <= 0;
            return;
        }
        Params params{{"w", Value(static_cast<int64_t>(w))}, {"s", Value(static_cast<int64_t>(s))}};
        const auto start = Clock::now();
        for (;;) {
            try {
                shared.db.execute(kWriteQuery, params);
                break;
            } catch (const Error& e) {
                // A transient error is the engine asking for a retry; the retry belongs to
                // this commit's latency.
                if (e.error_class() == ErrorClass::Transient &&
                    !shared.stop.load(std::memory_order_relaxed)) {
                    ++out.retries;
                    continue;
                }
                shared.fail(w, s, e.code() + ": " + e.message());
                return;
            } catch (const std::exception& e) {
                shared.fail(w, s, e.what());
                return;
            }
        }
        const auto end = Clock::now();
        out.latency_ns.record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count()));
        ++out.committed;
        shared.ack(w, s);
    }
}

// --api async: a writer is a chain of execute_async calls, each completion starting the
// writer's next statement, so K writers need no thread each. Every writer still has one
// statement in flight at a time; its state is touched only by its own completions, which
// follow one another.
struct AsyncWriter {
    Shared* shared = nullptr;
    uint32_t w = 0;
    uint64_t s = 0;
    uint64_t limit = 0;
    Clock::time_point started;
    WriterOutcome* out = nullptr;
    std::latch* finished = nullptr;

    void next() {
        if (shared->stop.load(std::memory_order_relaxed) || s >= limit) return finish();
        if (shared->deadline && Clock::now() >= *shared->deadline) {
            out->time_limited = shared->config.duration_s <= 0;
            return finish();
        }
        started = Clock::now();
        submit();
    }

    void submit() {
        Params params{{"w", Value(static_cast<int64_t>(w))}, {"s", Value(static_cast<int64_t>(s))}};
        shared->db.execute_async(kWriteQuery, std::move(params),
                                 [this](Completion&& c) { completed(c); });
    }

    void completed(const Completion& c) {
        if (c.error) {
            if (c.error->error_class() == ErrorClass::Transient &&
                !shared->stop.load(std::memory_order_relaxed)) {
                ++out->retries;
                return submit();
            }
            shared->fail(w, s, c.error->code() + ": " + c.error->message());
            return finish();
        }
        out->latency_ns.record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count()));
        ++out->committed;
        shared->ack(w, s);
        ++s;
        next();
    }

    void finish() { finished->count_down(); }
};

}  // namespace

std::string check_sync_mode(const std::string& mode) {
    if (mode == "per-commit" || mode == "none") return {};
    if (mode.rfind("interval:", 0) == 0) {
        const std::string ms = mode.substr(9);
        bool digits = !ms.empty() && ms.size() <= 9 &&
                      ms.find_first_not_of("0123456789") == std::string::npos;
        if (digits && std::stol(ms) > 0) return {};
        return "--sync interval:<ms> needs a positive whole number of milliseconds, got '" + mode +
               "'";
    }
    return "--sync must be per-commit, interval:<ms> or none, got '" + mode + "'";
}

WritersResult run_writers(const WritersConfig& config) {
    Options options;
    options.shards = config.shards;
    options.threads = config.engine_threads;
    options.data_dir = config.data_dir;
    options.sync = config.sync;
    auto db = Database::open(options);

    WritersResult result;
    result.writers = config.writers;
    result.api = config.api;
    result.shards = db->shard_count();
    result.engine_threads = config.engine_threads
                                ? config.engine_threads
                                : std::max(1u, std::thread::hardware_concurrency());
    result.sync = config.sync;

    const int64_t rels_before = config.verify ? count_relationships(*db) : 0;

    Shared shared(config, *db);
    std::vector<WriterOutcome> outcomes(config.writers);
    std::vector<std::thread> threads;
    std::vector<AsyncWriter> async_writers;
    std::latch async_finished(config.writers);
    // Threads start together so thread creation is not part of the measured run.
    std::latch go(1);
    if (config.api == "async") {
        const uint64_t limit = config.duration_s > 0 ? UINT64_MAX : config.txns;
        async_writers.resize(config.writers);
        for (uint32_t w = 0; w < config.writers; ++w)
            async_writers[w] = AsyncWriter{&shared, w, 0, limit, {}, &outcomes[w], &async_finished};
    } else {
        threads.reserve(config.writers);
        for (uint32_t w = 0; w < config.writers; ++w) {
            threads.emplace_back([&, w] {
                go.wait();
                run_one_writer(shared, w, outcomes[w]);
            });
        }
    }

    const WalStatus wal_before = db->wal_status();
    const auto start = Clock::now();
    shared.deadline = run_deadline(start, config.duration_s, config.time_limit_s);
    go.count_down();
    for (auto& a : async_writers) a.next();
    if (!async_writers.empty()) async_finished.wait();
    for (auto& t : threads) t.join();
    const auto end = Clock::now();
    const WalStatus wal_after = db->wal_status();

    result.seconds = std::chrono::duration<double>(end - start).count();
    for (const auto& o : outcomes) result.add(o);
    result.fsyncs = wal_after.fsyncs - wal_before.fsyncs;
    result.wal_batches = wal_after.batches - wal_before.batches;
    result.wal_records = wal_after.records - wal_before.records;
    result.wal_bytes = wal_after.bytes - wal_before.bytes;
    result.error = shared.first_error;
    if (config.verify) {
        const int64_t rels_after = count_relationships(*db);
        result.verified = rels_after - rels_before == static_cast<int64_t>(result.txns) ? 1 : 0;
    }
    return result;
}

std::string writers_json(const WritersResult& r) {
    nlohmann::ordered_json j;
    j["bench"] = r.bench;
    if (r.bench == "writers") j["via"] = r.via;
    if (r.bench == "writers" && r.via == "embedded") j["api"] = r.api;
    j["writers"] = r.writers;
    j["txns"] = r.txns;
    if (r.shards)
        j["shards"] = r.shards;
    else
        j["shards"] = nullptr;
    j["sync"] = r.sync;
    if (r.engine_threads) j["engine_threads"] = r.engine_threads;
    j["seconds"] = round_to(r.seconds, 3);
    j["commits_per_s"] = round_to(r.commits_per_s(), 1);
    j["latency_us"] = {{"p50", us(r.latency_ns.percentile(50))},
                       {"p95", us(r.latency_ns.percentile(95))},
                       {"p99", us(r.latency_ns.percentile(99))},
                       {"max", us(r.latency_ns.max())}};
    if (r.wal_known)
        j["fsyncs"] = r.fsyncs;
    else
        j["fsyncs"] = nullptr;
    if (r.fsyncs)
        j["commits_per_fsync"] = round_to(r.commits_per_fsync(), 2);
    else
        j["commits_per_fsync"] = nullptr;
    if (r.wal_known) {
        j["wal_records"] = r.wal_records;
        j["wal_batches"] = r.wal_batches;
    }
    j["retries"] = r.retries;
    if (r.time_limited) j["time_limited"] = true;
    if (r.verified >= 0) j["verified"] = r.verified == 1;
    if (!r.error.empty()) j["error"] = r.error;
    return j.dump();
}

std::string writers_table(const WritersResult& r) {
    char buf[1024];
    std::ostringstream out;
    std::snprintf(
        buf, sizeof buf,
        "%-8s %u  (%s, shards %s, sync %s%s)\n"
        "commits  %llu in %.3f s = %.1f commits/s\n"
        "latency  p50 %.1f us  p95 %.1f us  p99 %.1f us  max %.1f us\n",
        r.bench.c_str(), r.writers,
        r.bench != "writers"  ? "threads"
        : r.via == "embedded" ? ("via embedded, api " + r.api).c_str()
                              : ("via " + r.via).c_str(),
        r.shards ? std::to_string(r.shards).c_str() : "unknown", r.sync.c_str(),
        r.engine_threads ? (", engine threads " + std::to_string(r.engine_threads)).c_str() : "",
        static_cast<unsigned long long>(r.txns), r.seconds, r.commits_per_s(),
        us(r.latency_ns.percentile(50)), us(r.latency_ns.percentile(95)),
        us(r.latency_ns.percentile(99)), us(r.latency_ns.max()));
    out << buf;
    if (!r.wal_known)
        std::snprintf(buf, sizeof buf, "wal      fsync count not available\n");
    else if (r.fsyncs)
        std::snprintf(buf, sizeof buf, "wal      %llu fsyncs, %.2f commits per fsync\n",
                      static_cast<unsigned long long>(r.fsyncs), r.commits_per_fsync());
    else
        std::snprintf(buf, sizeof buf, "wal      no fsync during the run\n");
    out << buf;
    if (r.time_limited) out << "note     stopped early at the time limit\n";
    if (r.verified >= 0)
        out << "verify   " << (r.verified ? "relationships match commits" : "MISMATCH") << "\n";
    if (!r.error.empty()) out << "error    " << r.error << "\n";
    return out.str();
}

std::optional<Clock::time_point> run_deadline(Clock::time_point start, double duration_s,
                                              double time_limit_s) {
    const double bound = duration_s > 0 ? duration_s : time_limit_s;
    if (bound <= 0) return std::nullopt;
    return start +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(bound));
}

}  // namespace lora::bench
