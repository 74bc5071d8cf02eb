// The query actor's state and the functions its handlers share, split by concern over
// query_actor.cpp (requests, batches, the done check), attach_deep.cpp and commit.cpp.
#pragma once

#include "lora/actors/query.hpp"

#include <lora/errors.hpp>
#include "lora/actors/query_context.hpp"
#include "lora/actors/query_state.hpp"
#include "outbox.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lora::actors::query_impl {

struct QueryState {
    QueryRequestPtr req;
    QueryRef q;
    plan::PlanPtr top;                 // the statement's plan (a UNION has parts)
    std::vector<plan::PlanPtr> parts;  // plans run one after another
    std::unique_ptr<Outbox> out;
    std::unique_ptr<exec::Executor> ex;
    Result result;
    RunBook book;  // batches in flight, barriers, parts, statistics (query_state.hpp)
    // What the run holds of its query's memory (q->memory): the rows held at each barrier
    // step (released once the barrier ran) and the result rows collected or pending.
    MemoryLease held_memory;
    std::map<size_t, uint64_t> held_bytes;
    MemoryLease result_memory;
    caf::typed_response_promise<OutcomePtr> rp;
    // Transactions: a query whose plan writes holds the writer gate, and at its end either
    // commits (prepare at every shard, one WAL record, durable, commit at every shard) or,
    // after an error, waits for its batches to drain and aborts at every shard.
    bool writes = false;
    bool gate_held = false;
    bool schema_held = false;  // a schema change: also keeps checkpoints out
    std::function<void(uint64_t, const std::string&)> durable_handler;
    bool waiting_for_gate = false;
    bool rollback_only = false;  // a Rollback request: abort without an error
    // Constraints: the epoch the commit's check began at (EngineShared::constraint_epoch),
    // and whether the failure is a conflict an auto-commit statement retries by itself
    // (a claim held by another transaction, a constraint created meanwhile).
    uint64_t constraint_epoch = 0;
    bool retry_conflict = false;
    int retries = 0;               // of this statement so far
    bool restart_pending = false;  // a retry waits for its retry_atom
    bool published = false;        // live rows went to the stream: no retry
    // Streaming: result rows go to the channel as they come (after each handler) unless the
    // statement's answer is only known at its end (PROFILE, EXPLAIN, UNION without ALL).
    bool live = false;
    std::vector<exec::Row> pending;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point commit_started;
    std::optional<Error> failure;
    // An auto-commit statement's snapshot, released when the query ends (an explicit
    // transaction's belongs to the transaction).
    bool own_snapshot = false;
    void end_snapshot() {
        if (own_snapshot && q && q->engine) q->engine->commits.end_snapshot(q->start_ts);
        own_snapshot = false;
    }
    // An auto-commit statement's entry among the running transactions, removed when it is
    // answered (a retry keeps it).
    RunningTxnPtr running;
    void end_running() {
        if (running && q && q->engine) q->engine->running.remove(running->id);
        running.reset();
    }
    // Query actors are pooled (QueryPool): one runs many requests, one after another. `run`
    // numbers them; continuations and self-addressed messages of an earlier run carry its
    // number (or its query id / stop flag) and are ignored.
    uint64_t run = 0;
    // The commit's visible callback answers this run (on_visible): the actor must not.
    bool answered_elsewhere = false;
    QueryState() = default;
    QueryState(QueryState&&) = default;
    QueryState& operator=(QueryState&&) = default;
    ~QueryState() {
        end_snapshot();
        release_memory();
    }
    // Ends what points into q->memory before q may go (the executor's and the leases').
    void release_memory() {
        ex.reset();
        held_memory.clear();
        result_memory.clear();
    }
    static inline const char* name = "lora.query";
};

using QueryActor = query_actor::stateful_pointer<QueryState>;

// query_actor.cpp
query_actor spawn_query(caf::actor_system& sys, EnginePtr engine);
std::vector<std::string> result_columns(const plan::Plan& p);
// Answers the run (once): the stream, the writer gate, `done`, the promise; then back to the
// pool.
void deliver(QueryActor self, OutcomePtr o);
void fail(QueryActor self, const Error& e);
void succeed(QueryActor self);
// The answer of a statement that ran to its end (not PROFILE): its rows and counters.
OutcomePtr success_outcome(QueryActor self);
// Sends what the coordinator steps produced (counted in flight) and publishes live rows.
void flush(QueryActor self);
// Runs whatever can run now that a handler is done (RunBook::next).
void check_done(QueryActor self);
void start_part(QueryActor self);

// attach_deep.cpp
void attach_deep(QueryActor self, size_t step, std::vector<exec::Row> rows);

// constraint_check.cpp: checks constraints (when any exist), then commit(); and, for a
// writing statement of an explicit transaction, then succeed() (others succeed at once).
void commit_checked(QueryActor self);
void succeed_checked(QueryActor self);

// query_actor.cpp: runs the failed auto-commit statement again after a pause when its
// failure is a retryable conflict (QueryState::retry_conflict) and nothing was answered;
// false when it may not.
bool retry_statement(QueryActor self);

// commit.cpp
void commit(QueryActor self);
void abort_all(QueryActor self);
std::function<void()> on_visible(QueryActor self, bool logged);

// Holds a row at barrier `step` (counted in the query's memory).
void hold(QueryActor self, size_t step, exec::Row&& row);

template <typename F>
bool guarded(QueryActor self, F&& f) {
    memory::Scope scope(self->state.q ? self->state.q->memory.get() : nullptr);
    try {
        f();
        return true;
    } catch (const Error& e) {
        fail(self, e);
    } catch (const std::bad_alloc&) {
        fail(self, errors::out_of_memory("at coordinator"));
    } catch (const std::exception& e) {
        fail(self, errors::internal(std::string("at coordinator: ") + e.what()));
    }
    return false;
}

}  // namespace lora::actors::query_impl
