// The query actor: one per running query (pooled, see query_pool.hpp), the coordinator of its
// dataflow. Its interface and how to get one; its run bookkeeping is RunBook (query_state.hpp).
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>
#include <string>
#include <vector>

namespace lora::actors {

class StreamChannel;
struct EngineShared;
using EnginePtr = std::shared_ptr<EngineShared>;

// Every message a query actor accepts (docs/architecture.md, "Protocol", checks this list).
// Messages of an earlier run of a pooled actor carry its run number, query id or stop flag
// and are ignored.
using query_actor = caf::typed_actor<
    // Plan and drive one request; answers once it is complete (and calls its `done`).
    caf::replies_to<start_atom, QueryRequestPtr>::with<OutcomePtr>,
    // Rows for a coordinator step (barriers, results).
    caf::reacts_to<batch_atom, QueryRef, Payload>,
    // A shard's report: query id, batches it produced, batches it consumed, the statistics
    // delta (7 counters; PROFILE: then rows and ns per step).
    caf::reacts_to<progress_atom, uint64_t, int64_t, int64_t, std::vector<int64_t>>,
    // A shard failed the query (query id, error).
    caf::reacts_to<error_atom, uint64_t, ErrorPtr>,
    // Stop from outside: reason (kStopCancelled, kStopDeadline, kStopTerminated) and the
    // query's stop flag.
    caf::reacts_to<cancel_atom, uint8_t, StopFlag>,
    // A deferred coordinator source step continues.
    caf::reacts_to<resume_atom, QueryRef, exec::ContinuationPtr>,
    // Run number, logged: the run's commit is installed and visible.
    caf::reacts_to<visible_atom, uint64_t, bool>,
    // Run number: try to take the writer gate again (a checkpoint or snapshot load held it).
    caf::reacts_to<retry_atom, uint64_t>,
    // txn, lsn, error: the WAL append of the run's commit failed (error not empty).
    caf::reacts_to<durable_atom, uint64_t, uint64_t, std::string>>;

// A query actor for one request: an idle one from the engine's pool, or a new one. Send it
// (start_atom, QueryRequestPtr) once; it answers with an OutcomePtr (and calls the request's
// `done`), then goes back to the pool.
query_actor acquire_query(caf::actor_system& sys, const EnginePtr& engine);

// Stops a running query from any thread: sets its stop flag (long loops see it), tells the
// query actor (it fails the query with Cancelled or Timeout, rolling back writes), and
// releases its parked producers so they drain.
void stop_query(const query_actor& query, const StopFlag& stop,
                const std::shared_ptr<StreamChannel>& stream, uint8_t reason);
// The error a stopped query of transaction `txn` fails with.
Error stop_error(uint8_t reason, uint64_t txn);

}  // namespace lora::actors
