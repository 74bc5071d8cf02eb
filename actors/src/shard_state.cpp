// ShardState: a shard's transaction bookkeeping, without the actor (see shard_state.hpp).
#include "lora/actors/shard_state.hpp"

#include "lora/actors/commit_clock.hpp"
#include "lora/actors/install.hpp"

#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

namespace lora::actors {

exec::TxnLog& ShardState::log_of(uint64_t txn) {
    if (auto it = txns.find(txn); it != txns.end()) return it->second;
    if (spare_logs.empty()) return txns[txn];
    auto node = std::move(spare_logs.back());
    spare_logs.pop_back();
    node.key() = txn;
    return txns.insert(std::move(node)).position->second;
}

void ShardState::drop_log(TxnLogs::iterator it) {
    constexpr size_t kMaxSpares = 64, kMaxOps = 256;
    auto node = txns.extract(it);
    auto& log = node.mapped();
    if (spare_logs.size() >= kMaxSpares || log.redo.capacity() > kMaxOps ||
        log.undo.capacity() > kMaxOps || log.locked.capacity() > kMaxOps)
        return;
    log.redo.clear();
    log.undo.clear();
    log.locked.clear();
    log.checked = 0;
    spare_logs.push_back(std::move(node));
}

const std::vector<exec::RedoOp>& ShardState::redo_of(uint64_t txn) const {
    static const std::vector<exec::RedoOp> kNone;
    auto it = txns.find(txn);
    return it == txns.end() ? kNone : it->second.redo;
}

bool ShardState::install(uint64_t txn, uint64_t ts, const InstallPtr& in) {
    auto it = txns.find(txn);
    if (it != txns.end()) {
        locks.commit(it->second, ts);
        drop_log(it);
    }
    part->versions().commit(txn, ts);
    if (in->left.fetch_sub(1, std::memory_order_acq_rel) != 1) return false;
    in->installed();
    return true;
}

void ShardState::abort(uint64_t txn) {
    auto it = txns.find(txn);
    if (it != txns.end()) {
        exec::rollback(*part, it->second);
        locks.release(it->second);
        drop_log(it);
    }
    part->versions().abort(txn);
}

void ShardState::replace(PartitionPtr p) {
    part = std::move(p);
    txns.clear();
}

bool ShardState::collect() {
    auto& versions = part->versions();
    if (clock) {
        const uint64_t horizon = clock->horizon();
        versions.collect(horizon);
        locks.collect(horizon);
    }
    if (versions.empty() || collect_scheduled) return false;
    collect_scheduled = true;
    return true;
}

}  // namespace lora::actors
