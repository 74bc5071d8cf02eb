// The shard: sole owner of one partition (nodes id % shard_count == index, their labels,
// properties and adjacency, the relationships they start). Its interface and spawn function;
// the bookkeeping it keeps per transaction is ShardState (shard_state.hpp).
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

namespace lora::storage {
class Catalog;
}  // namespace lora::storage

namespace lora::actors {

class CommitClock;

// Every message a shard accepts (docs/architecture.md, "Protocol", checks this list).
using shard_actor = caf::typed_actor<
    // Rows for plan step `rows.step` of query `q`; the shard reports (progress_atom) to the
    // query actor before it sends what the rows produced.
    caf::reacts_to<batch_atom, QueryRef, Payload>,
    // Partition changes another shard asks for (incoming adjacency of a new relationship).
    caf::reacts_to<mutate_atom, QueryRef, Payload>,
    // A deferred source step (scan, UNWIND) continues here; counted as a batch in flight.
    caf::reacts_to<resume_atom, QueryRef, exec::ContinuationPtr>,
    // Labels and properties of the requested nodes / relationships at snapshot (ts, txn).
    caf::replies_to<fetch_atom, Payload, uint64_t, uint64_t>::with<Payload>,
    // Node count, relationship count, bytes in use, mailbox length.
    caf::replies_to<stats_atom>::with<uint64_t, uint64_t, uint64_t, uint64_t>,
    // An explicit transaction's COMMIT: its redo operations here (a Redo payload).
    caf::replies_to<prepare_atom, uint64_t>::with<Payload>,
    // Before a commit, when constraints exist: the checks of txn's changes here. A Values
    // payload of its unique claims (exec::UniqueClaim::to_value), or of one map {error}
    // when a change breaks a constraint (exec/constraints.hpp).
    caf::replies_to<validate_atom, uint64_t>::with<Payload>,
    // Locks the claims homed here (key % shard count) for q's transaction and looks each up
    // at q's snapshot: a Values payload with, per claim, a duplicate node's id or null; or
    // one map {error, conflict} when a claim is held by another transaction.
    caf::replies_to<claim_atom, QueryRef, Payload>::with<Payload>,
    // Install txn at commit_ts; the last shard of the Install runs its callback.
    caf::reacts_to<commit_atom, uint64_t, uint64_t, InstallPtr>,
    // The same for every commit of one WAL batch that wrote here, in commit order.
    caf::reacts_to<commit_atom, InstallBatchPtr>,
    // Undo txn here (true when done).
    caf::replies_to<abort_atom, uint64_t>::with<bool>,
    // Snapshot load: take `partition` in place of the current one, then run fn on it.
    caf::replies_to<replace_atom, PartitionPtr, PartitionFn>::with<bool>,
    // Self-sent timer: drop the versions no snapshot needs any more.
    caf::reacts_to<collect_atom>,
    // Run fn on the partition (index builds and drops, checkpoints).
    caf::replies_to<partition_atom, PartitionFn>::with<bool>>;

// Spawns the shard actor owning `partition` (recovered, or new and empty); `clock` tells it
// which old versions no snapshot needs any more.
shard_actor spawn_shard(caf::actor_system& sys, PartitionPtr partition, storage::Catalog* catalog,
                        const CommitClock* clock);

}  // namespace lora::actors
