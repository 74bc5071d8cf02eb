// The per-query context shared by the query actor and every shard working on the query, and
// a client's request and outcome.
#pragma once

#include "lora/actors/engine_shared.hpp"
#include "lora/actors/query.hpp"
#include "lora/actors/stream.hpp"

#include <lora/lora.hpp>
#include <lora/memory.hpp>
#include <lora/plan/plan.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lora::actors {

// Shared by the query actor and every shard that works on the query. Immutable except the
// atomics.
struct QueryContext {
    uint64_t id = 0;
    uint64_t txn = 0;  // the transaction the query writes in (UNION parts share one)
    uint64_t start_ts = 0;
    // The statement clock (nanoseconds since the UTC epoch, read when the statement began):
    // date(), datetime(), ... and their .statement() / .transaction() forms read it.
    int64_t clock_nanos = 0;
    plan::PlanPtr plan;
    Map params;
    query_actor query;  // the query actor: receives progress, results and errors
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
    // What the query holds (lora/memory.hpp), against its limit and the engine's pool;
    // shared by the parts of a UNION. Never null.
    std::shared_ptr<QueryMemory> memory;
};

struct Outcome {
    Result result;
    std::optional<Error> error;
    bool txn_aborted = false;  // the explicit transaction was rolled back (after an error)
};

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
    // Who sent it (SHOW TRANSACTIONS); an auto-commit statement's registration takes it.
    ClientInfo client;
    // The query's memory limit (QueryOptions::memory_limit; 0: the engine's default).
    uint64_t memory_limit = 0;
    // QueryOptions::read_only: a statement whose plan changes state is refused.
    bool read_only = false;
};

}  // namespace lora::actors
