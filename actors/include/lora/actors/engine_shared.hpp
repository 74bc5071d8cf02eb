// What every query actor (and the shards' outboxes) knows about the engine: the shards,
// the catalog, the plan cache, the pool of query actors, the commit clock and counters, the
// WAL and the gates that keep checkpoints, snapshot loads and schema changes apart.
#pragma once

#include "lora/actors/commit_clock.hpp"
#include "lora/actors/install.hpp"
#include "lora/actors/plan_cache.hpp"
#include "lora/actors/query_pool.hpp"
#include "lora/actors/running_transactions.hpp"
#include "lora/actors/shard.hpp"
#include "lora/actors/wal_actor.hpp"

#include <lora/exec/executor.hpp>
#include <lora/exec/procedures.hpp>
#include <lora/memory.hpp>
#include <lora/storage/catalog.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lora::actors {

struct EngineShared {
    std::vector<shard_actor> shards;
    // Shared: a query actor still finishing after its Database is gone keeps it alive (in a
    // service's actor system nothing joins the actors).
    std::shared_ptr<storage::Catalog> catalog;
    PlanCache plans;
    QueryPool query_pool;
    uint32_t batch_rows = 1024;
    uint32_t chunk_rows = 4096;  // rows a source step produces per message (ExecEnv)
    std::string import_dir;      // LOAD CSV's files (ExecEnv; empty: none)
    std::atomic<uint64_t> next_query{1};
    RunningTransactions running;  // SHOW TRANSACTIONS, TERMINATE TRANSACTION
    CommitClock commits;          // commit timestamps, snapshots, the version horizon
    // Commit counters (EngineStats): bucket bounds in microseconds, the last bucket is +Inf.
    static constexpr std::array<uint64_t, 12> kCommitBucketsUs{
        100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
    std::array<std::atomic<uint64_t>, 13> commit_buckets{};
    std::atomic<uint64_t> commit_us_sum{0};
    std::atomic<uint64_t> commits_total{0};
    void record_commit(uint64_t us) {
        size_t i = 0;
        while (i < kCommitBucketsUs.size() && us > kCommitBucketsUs[i]) ++i;
        commit_buckets[i].fetch_add(1, std::memory_order_relaxed);
        commit_us_sum.fetch_add(us, std::memory_order_relaxed);
        commits_total.fetch_add(1, std::memory_order_relaxed);
    }
    void record_commit_since(std::chrono::steady_clock::time_point started) {
        record_commit(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - started)
                                                .count()));
    }
    // Query memory (lora/memory.hpp): the pool of all queries (set at open, never null
    // after), each query's default limit, and what finished queries held per class.
    std::shared_ptr<MemoryPool> memory;
    uint64_t query_memory_limit = 0;
    std::array<std::atomic<uint64_t>, 2> memory_queries{}, memory_peak_sum{}, memory_peak_max{};
    void record_query_memory(bool write, uint64_t peak) {
        const size_t c = write ? 1 : 0;
        memory_queries[c].fetch_add(1, std::memory_order_relaxed);
        memory_peak_sum[c].fetch_add(peak, std::memory_order_relaxed);
        uint64_t max = memory_peak_max[c].load(std::memory_order_relaxed);
        while (peak > max &&
               !memory_peak_max[c].compare_exchange_weak(max, peak, std::memory_order_relaxed)) {}
    }
    std::atomic<uint32_t> round_robin{0};
    exec::Procedures procedures;
    // Durability (null / unset for an in-memory database).
    wal_actor wal;
    // Commits append to the writer directly (wal_append), an actor hop less per commit;
    // schema changes go through the WAL actor.
    std::shared_ptr<wal::Writer> wal_writer;
    InstallOutbox wal_installs;  // the WAL's I/O thread's (see InstallOutbox)
    std::atomic<bool> read_only{false};
    std::mutex read_only_mu;
    std::string read_only_reason;
    // Checkpoints wait for running write transactions; new ones wait for the checkpoint.
    std::atomic<int> active_writers{0};
    std::atomic<bool> checkpointing{false};
    // Checkpoints run online at a snapshot, so they wait only for schema changes (which
    // change the catalog in place, outside MVCC), and new ones wait for the checkpoint.
    std::atomic<int> active_schema{0};
    std::atomic<bool> schema_frozen{false};
    // New constraints and commits: a commit reads the epoch before checking constraints
    // and, holding constraint_mu, compares it again as it takes its timestamp (WAL append or
    // counter); CREATE CONSTRAINT bumps it holding constraint_mu after registering, then
    // waits until every commit timestamped before is visible and checks the existing data.
    // So a commit either saw the constraint, or is in the data the creation checks, or
    // fails with a retryable conflict.
    std::mutex constraint_mu;
    std::atomic<uint64_t> constraint_epoch{0};
    // An explicit transaction ends (commit, rollback, or the rollback of a terminated idle
    // one): whoever takes it out of the running transactions (once: its client, or the
    // termination's rollback) gives its snapshot and the writer gate back.
    void end_transaction(uint64_t txn) {
        if (RunningTxnPtr t = running.remove(txn)) {
            commits.end_snapshot(t->start_ts);
            active_writers.fetch_sub(1);
        }
    }
    void set_read_only(const std::string& why) {
        std::lock_guard lock(read_only_mu);
        if (!read_only.exchange(true)) read_only_reason = why;
    }
};
using EnginePtr = std::shared_ptr<EngineShared>;

}  // namespace lora::actors
