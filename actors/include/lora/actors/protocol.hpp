// The actor protocol: atoms, the shared per-query context and the messages the shard,
// query and coordinator actors accept. Data travels as flatbuffer Payloads (codec.hpp).
//
//   shard:       (batch_atom, QueryRef, Payload rows)       run rows at a step
//                (mutate_atom, QueryRef, Payload mutations) apply partition changes
//                (fetch_atom, Payload request, uint64 ts, uint64 txn) -> Payload
//                                                           attach entity data as of a snapshot
//                (stats_atom) -> (uint64 nodes, uint64 rels, uint64 bytes, uint64 mailbox)
//   query:       (start_atom, QueryRequestPtr) -> OutcomePtr  plan and drive one query
//                (batch_atom, QueryRef, Payload rows)         rows for coordinator steps
//                (progress_atom, uint64 query id, int64 produced, int64 consumed,
//                 std::vector<int64> stats)
//                (error_atom, uint64 query id, ErrorPtr)
//                (cancel_atom, uint8 reason, StopFlag)        stop: 1 cancelled, 2 deadline
//   both:        (resume_atom, QueryRef, ContinuationPtr)     run a deferred source step
//   shard:       (prepare_atom, uint64 txn) -> Payload redo   the txn's changes here
//                (commit_atom, uint64 txn, uint64 commit_ts, InstallPtr)   install; the last
//                                                           shard runs the Install's callback
//                (commit_atom, InstallBatchPtr)             the same for a WAL batch's commits
//                (abort_atom, uint64 txn) -> bool
//   query:       (visible_atom, bool logged)  its commit is installed and visible
//                (partition_atom, PartitionFn) -> bool      run fn on the partition
//   wal:         (append_atom, Payload record, actor reply_to, uint64 tag); once durable
//                (or failed) reply_to gets (durable_atom, uint64 tag, uint64 lsn, string error)
//   coordinator: (execute_atom, QueryRequestPtr) -> OutcomePtr
#pragma once

#include <lora/plan/plan.hpp>
#include "lora/actors/codec.hpp"
#include "lora/actors/stream.hpp"

#include <lora/lora.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>
#include <lora/wal/writer.hpp>

#include <caf/all.hpp>

#include <lora/actors/commit_clock.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lora::actors {

using batch_atom = caf::atom_constant<caf::atom("batch")>;
using mutate_atom = caf::atom_constant<caf::atom("mutate")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using error_atom = caf::atom_constant<caf::atom("error")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using prepare_atom = caf::atom_constant<caf::atom("prepare")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using abort_atom = caf::atom_constant<caf::atom("abort")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using durable_atom = caf::atom_constant<caf::atom("durable")>;
using partition_atom = caf::atom_constant<caf::atom("partition")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using replace_atom = caf::atom_constant<caf::atom("replace")>;
using visible_atom = caf::atom_constant<caf::atom("visible")>;
using collect_atom = caf::atom_constant<caf::atom("collect")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;

// Why a query was stopped from outside (QueryContext::stop).
enum : uint8_t { kStopNone = 0, kStopCancelled = 1, kStopDeadline = 2 };
using StopFlag = std::shared_ptr<std::atomic<uint8_t>>;

// Query text -> plan, shared by all query actors. Plans are immutable once built.
class PlanCache {
public:
    explicit PlanCache(size_t capacity = 1024) : capacity_(capacity) {}
    plan::PlanPtr get(const std::string& text);
    void put(const std::string& text, plan::PlanPtr plan);
    void clear();

private:
    std::mutex mu_;
    size_t capacity_;
    std::unordered_map<std::string, plan::PlanPtr> map_;
};

// Idle query actors. Spawning an actor per query costs more than the work of a small write
// (and in CAF 0.17 every actor's exit wakes the clock thread), so a query actor that has
// answered resets itself and waits here for the next request.
class QueryPool {
public:
    caf::actor take();       // an idle actor, or null
    bool put(caf::actor a);  // false: full or closed (the actor should quit)
    void close();            // at shutdown: ends the idle actors, refuses new ones
private:
    std::mutex mu_;
    std::vector<caf::actor> idle_;
    size_t capacity_ = 256;
    bool closed_ = false;
};

// A commit being installed at its shards (one-way commit_atom messages): the last shard to
// install it runs `installed` (which tells the commit clock), so the query actor gets one
// message back instead of a reply per shard.
struct Install {
    explicit Install(size_t shards, std::function<void()> done)
        : left(shards), installed(std::move(done)) {}
    std::atomic<size_t> left;
    std::function<void()> installed;
};
using InstallPtr = std::shared_ptr<Install>;

// A shard's installs of one WAL batch, sent as one (commit_atom, InstallBatchPtr) message:
// a batch of 20 commits is then one message per shard instead of 20.
struct InstallEntry {
    uint64_t txn;
    uint64_t ts;
    InstallPtr install;
};
using InstallBatchPtr = std::shared_ptr<std::vector<InstallEntry>>;

// Installs queued by the WAL's I/O thread while it runs one batch's durable callbacks, sent
// when the batch ends (wal::Writer::on_batch_end). Only that thread touches it.
class InstallOutbox {
public:
    // Queues the install of `txn` at `ts` at every shard of `targets`; the last shard to
    // install runs `all` (at once when `targets` is empty).
    void add(const std::vector<caf::actor>& targets, uint64_t txn, uint64_t ts,
             std::function<void()> all);
    // Sends what was queued, one message per shard, in commit order.
    void flush();

private:
    std::vector<std::pair<caf::actor, InstallBatchPtr>> per_shard_;
};

// What every query actor needs to know about the engine.
struct EngineShared {
    std::vector<caf::actor> shards;
    storage::Catalog* catalog = nullptr;
    PlanCache plans;
    QueryPool query_pool;
    uint32_t batch_rows = 1024;
    uint32_t chunk_rows = 4096;  // rows a source step produces per message (ExecEnv)
    std::atomic<uint64_t> next_query{1};
    CommitClock commits;  // commit timestamps, snapshots, the version horizon
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
    std::atomic<uint32_t> round_robin{0};
    exec::Procedures procedures;
    // Durability (null / unset for an in-memory database).
    caf::actor wal;
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
    void set_read_only(const std::string& why) {
        std::lock_guard lock(read_only_mu);
        if (!read_only.exchange(true)) read_only_reason = why;
    }
};
using EnginePtr = std::shared_ptr<EngineShared>;

// Shared by the query actor and every shard that works on the query. Immutable except the
// atomics.
struct QueryContext {
    uint64_t id = 0;
    uint64_t txn = 0;  // the transaction the query writes in (UNION parts share one)
    uint64_t start_ts = 0;
    plan::PlanPtr plan;
    Map params;
    caf::actor query;  // the query actor: receives progress, results and errors
    EnginePtr engine;
    std::atomic<bool> cancelled{false};
    std::atomic<uint32_t> round_robin{0};
    // Set from outside (cancel token, deadline, a consumer gone): every actor stops working
    // on the query; shared by the parts of a UNION. Never null.
    StopFlag stop;
    // Streaming queries: the consumer's channel and credit (null: collect the result).
    std::shared_ptr<StreamChannel> stream;
    // Auto-commit writes (null otherwise): slot i is shard i's log of the transaction, set by
    // shard i when it first works on the query and written only by it. The query actor reads
    // the logs once nothing is in flight (every shard's progress report, sent after its
    // writes, has arrived), so a commit needs no prepare round trip and skips the shards
    // that did nothing. Shared by the parts of a UNION (one transaction).
    std::shared_ptr<std::vector<exec::TxnLog*>> logs;
};
using QueryRef = std::shared_ptr<QueryContext>;

struct Outcome {
    Result result;
    std::optional<Error> error;
    bool txn_aborted = false;  // the explicit transaction was rolled back (after an error)
};
using OutcomePtr = std::shared_ptr<Outcome>;
using ErrorPtr = std::shared_ptr<Error>;

struct QueryRequest {
    // Statement: run `query` (auto-commit when txn == 0, else inside explicit transaction
    // `txn`, which commits later). Commit / Rollback: end explicit transaction `txn`.
    enum class Kind : uint8_t { Statement, Commit, Rollback } kind = Kind::Statement;
    uint64_t txn = 0;
    uint64_t start_ts = 0;  // explicit transactions: the timestamp the transaction began at
    std::string query;
    Map params;
    // Called once with the outcome, from the query actor's thread. Optional: without it
    // the outcome is only the actor reply to (execute_atom, ...).
    std::function<void(OutcomePtr)> done;
    // Optional: a stop flag the caller can set (with a cancel_atom to the query actor).
    StopFlag stop;
    // Optional: stream the result through this channel instead of collecting it.
    std::shared_ptr<StreamChannel> stream;
    // Optional: fail with a Timeout error when the query runs longer.
    std::chrono::milliseconds timeout{0};
};
using QueryRequestPtr = std::shared_ptr<QueryRequest>;

using PartitionFn = std::shared_ptr<std::function<void(storage::Partition&)>>;

}  // namespace lora::actors

// Local-only message types: pointers to shared immutable state. A remote deployment sends
// the query text and parameters instead and re-plans (plans are deterministic).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::Payload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRef)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::OutcomePtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::ErrorPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRequestPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::InstallPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::InstallBatchPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::StopFlag)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::PartitionFn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::exec::ContinuationPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lora::storage::Partition>)

namespace lora::actors {

// Spawns the shard actor owning `partition` (recovered, or new and empty); `clock` tells it
// which old versions no snapshot needs any more.
caf::actor spawn_shard(caf::actor_system& sys, std::shared_ptr<storage::Partition> partition,
                       storage::Catalog* catalog, const CommitClock* clock);
// Spawns the WAL actor owning `writer`; commit failures turn `engine` read-only.
// Appends a commit record to the WAL from any thread; `done(lsn, error)` runs on the
// writer's I/O thread once it is durable (per the sync mode) or failed (error not empty), or
// here when the append is refused; it must be quick and may only send messages. Reserves the
// LSN at the commit clock as the writer assigns it. The WAL actor's append message runs it.
void wal_append(const std::shared_ptr<wal::Writer>& writer,
                const std::weak_ptr<EngineShared>& engine, const Payload& record,
                std::function<void(uint64_t, const std::string&)> done);

caf::actor spawn_wal(caf::actor_system& sys, std::shared_ptr<wal::Writer> writer,
                     std::weak_ptr<EngineShared> engine);
// A query actor for one request: an idle one from the engine's pool, or a new one. Send it
// (start_atom, QueryRequestPtr) once; it answers with an OutcomePtr (and calls the request's
// `done`), then goes back to the pool.
caf::actor acquire_query(caf::actor_system& sys, const EnginePtr& engine);
// Spawns the actor running the schema command of `plan` (CREATE / DROP INDEX); it answers
// (start_atom) with an OutcomePtr once the change is built, durable and visible to plans.
caf::actor spawn_schema_change(caf::actor_system& sys, EnginePtr engine, plan::PlanPtr plan,
                               Map params, uint64_t txn);
// Stops a running query from any thread: sets its stop flag (long loops see it), tells the
// query actor (it fails the query with Cancelled or Timeout, rolling back writes), and
// releases its parked producers so they drain.
void stop_query(const caf::actor& query, const StopFlag& stop,
                const std::shared_ptr<StreamChannel>& stream, uint8_t reason);
// The error a stopped query fails with.
Error stop_error(uint8_t reason);
// Spawns the coordinator: the entry point for queries.
caf::actor spawn_coordinator(caf::actor_system& sys, EnginePtr engine);

}  // namespace lora::actors
