// A shard's bookkeeping as a plain struct (no actor inside): transaction logs (kept for
// reuse), write locks, commit installs and version collection. The shard actor (shard.cpp)
// drives it; tests drive it directly.
#pragma once

#include "lora/actors/messages.hpp"

#include <lora/exec/txn_log.hpp>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace lora::storage {
class Catalog;
}  // namespace lora::storage

namespace lora::actors {

class CommitClock;
struct QueryContext;

using TxnLogs = std::unordered_map<uint64_t, exec::TxnLog>;

struct ShardState {
    PartitionPtr part;
    TxnLogs txns;  // uncommitted changes by transaction
    // Map nodes of finished small transactions, emptied with their vectors' capacity kept:
    // the next small write here allocates no node and no op vectors.
    std::vector<TxnLogs::node_type> spare_logs;
    exec::WriteLocks locks;
    storage::Catalog* catalog = nullptr;
    const CommitClock* clock = nullptr;
    bool collect_scheduled = false;
    uint32_t index = 0;
    uint32_t count = 1;
    static inline const char* name = "lora.shard";

    // The log of `txn` here, created (from a spare node when there is one) if it has none.
    exec::TxnLog& log_of(uint64_t txn);
    // Removes a finished transaction's log; a small one's node is kept for reuse (a bulk
    // statement's big vectors are freed).
    void drop_log(TxnLogs::iterator it);
    // The redo operations of `txn` here (empty when it changed nothing here).
    const std::vector<exec::RedoOp>& redo_of(uint64_t txn) const;
    // Makes `txn` visible at `ts` here; the last shard of `install` runs its callback (then
    // true). The caller collects old versions afterwards.
    bool install(uint64_t txn, uint64_t ts, const InstallPtr& install);
    // Undoes `txn` here.
    void abort(uint64_t txn);
    // Constraints (shard_constraints.cpp): the checks of txn's changes here, its unique
    // claims or an error map (validate_atom); the locks of the claims homed here and their
    // duplicates at q's snapshot (claim_atom).
    Payload validate(uint64_t txn);
    Payload claim(const QueryContext& q, const Payload& claims);
    // Snapshot load: the whole partition is replaced (no transaction is running).
    void replace(PartitionPtr p);
    // Drops the versions no running snapshot needs; true when some remain and no collect
    // is scheduled yet (the caller schedules one; it is then marked scheduled).
    bool collect();
};

}  // namespace lora::actors
