// The query actor's decisions as plain data and functions (no actor inside): batches in
// flight, barrier release, the done check, statistics, the commit path. The query actor
// (query_actor.cpp, commit.cpp) drives them; tests drive them directly.
#pragma once

#include <lora/exec/executor.hpp>
#include <lora/lora.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace lora::actors {

// A shard's statistics delta as sent in progress_atom: the 7 counters (PROFILE: then rows,
// then times, per step).
std::vector<int64_t> stats_vector(const QueryStats& s);
void add_stats(QueryStats& into, const std::vector<int64_t>& delta);

// What the query actor does next once a handler is done.
enum class NextStep {
    Wait,      // batches or fetches in flight, finished, or committing: nothing to do
    Abort,     // a writing query failed and drained: undo everywhere, then answer
    Stop,      // stopped from outside: fail with the stop error
    Barrier,   // release the next barrier (take_barrier)
    NextPart,  // start the next UNION part
    Commit,    // an auto-commit write ran to its end
    Succeed,   // a read (or a statement of an explicit transaction) ran to its end
};

// One run's progress: what is in flight, which barriers are left, what waits at them.
struct RunBook {
    int64_t in_flight = 0;         // batches sent and not yet consumed (see "Knowing when a query
                                   // is done" in docs/architecture.md)
    int fetching = 0;              // AttachDeep fetch requests unanswered
    std::vector<size_t> barriers;  // the current part's barrier steps, in plan order
    size_t next_barrier = 0;
    std::map<size_t, std::vector<exec::Row>> held;  // rows waiting at each barrier step
    size_t part = 0;                                // the UNION part running
    size_t part_count = 0;                          // parts of the statement (1 without UNION)
    bool finished = false;                          // answered
    bool committing = false;  // commit or abort under way: nothing else may start
    QueryStats stats;
    std::vector<int64_t> step_rows;  // PROFILE: rows per step, all actors summed
    std::vector<int64_t> step_ns;    // PROFILE: time per step (ns), all actors summed

    // Batches or fetches out, answered, or committing: no decision to take.
    bool waiting() const { return finished || committing || in_flight != 0 || fetching != 0; }
    // A new part starts: its barrier steps, nothing held.
    void begin_part(std::vector<size_t> barrier_steps);
    // A shard's progress report.
    void on_progress(int64_t produced, int64_t consumed, const std::vector<int64_t>& delta);
    // The next step given the run's failure (`failed`), the query's stop flag (`stop`) and
    // whether the statement is an auto-commit write. Reads in that order: a failure wins
    // over a stop, a stop over barriers.
    NextStep next(bool failed, uint8_t stop, bool autocommit_write) const;
    // Releases the next barrier: its step and the rows held there (removed from `held`).
    std::pair<size_t, std::vector<exec::Row>> take_barrier();
};

// How a commit reaches the visible timestamp.
enum class CommitPath {
    Visible,  // nothing changed, with a WAL: no record; stamp the visible timestamp
    Counter,  // no WAL (or nothing changed): a timestamp from the commit clock's counter
    Wal,      // one WAL record; its LSN is the timestamp
};
CommitPath commit_path(std::span<const std::vector<exec::RedoOp>* const> parts, bool has_wal);

// Calls f(i, log) for every shard an auto-commit statement commits at: those that left a log
// (slot i: shard i's), in shard order.
template <class F>
void for_each_commit_target(const std::vector<exec::TxnLog*>& logs, F&& f) {
    for (size_t i = 0; i < logs.size(); ++i)
        if (const exec::TxnLog* log = logs[i]) f(i, *log);
}

// Whether a visible commit is answered right where it becomes visible (the request's `done`
// callback, on that thread) instead of through a visible_atom to the query actor.
struct AnswerRoute {
    bool has_done = false;    // the request has a `done` callback
    bool reply_owed = false;  // an actor request waits for the reply
    bool streaming = false;
    bool profile = false;
    bool explicit_txn = false;
    bool statement = true;  // not a Commit / Rollback request
    bool direct() const {
        return has_done && !reply_owed && !streaming && !profile && !explicit_txn && statement;
    }
};

}  // namespace lora::actors
