// Rolling a transaction's changes back at one shard.
#include <lora/exec/txn_log.hpp>

#include <lora/errors.hpp>

#include <lora/storage/partition.hpp>

namespace lora::exec {

void rollback(storage::Partition& part, TxnLog& log) {
    for (auto it = log.undo.rbegin(); it != log.undo.rend(); ++it) {
        const UndoOp& u = *it;
        switch (u.kind) {
            case UndoOp::Kind::DropNode: part.delete_node(u.id); break;
            case UndoOp::Kind::ReviveNode: part.revive_node(u.id); break;
            case UndoOp::Kind::AddLabel: part.add_label(u.id, u.key); break;
            case UndoOp::Kind::RemoveLabel: part.remove_label(u.id, u.key); break;
            case UndoOp::Kind::SetNodeProperty: part.set_node_property(u.id, u.key, u.value); break;
            case UndoOp::Kind::DropRel: part.delete_relationship(u.id); break;
            case UndoOp::Kind::ReviveRel:
                part.revive_relationship(u.id, u.start, u.key, u.end);
                break;
            case UndoOp::Kind::SetRelProperty: part.set_rel_property(u.id, u.key, u.value); break;
            case UndoOp::Kind::AddInEdge: part.add_in_edge(u.end, u.id, u.key, u.start); break;
            case UndoOp::Kind::RemoveInEdge: part.remove_in_edge(u.end, u.id); break;
        }
    }
    log.redo.clear();
    log.undo.clear();
}

}  // namespace lora::exec

#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>

namespace lora::exec {

namespace {

[[noreturn]] void bad_log(const std::string& what) {
    throw errors::corrupt_log("WAL replay: " + what);
}

}  // namespace

WriteLocks::Taken WriteLocks::take(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log) {
    auto it = owner_.find(key);
    if (it != owner_.end()) return it->second == txn ? Taken::Already : Taken::Held;
    auto c = committed_.find(key);
    if (c != committed_.end() && c->second > start_ts) return Taken::Newer;
    owner_.emplace(key, txn);
    log.locked.push_back(key);
    return Taken::Now;
}

void WriteLocks::acquire(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log) {
    const Taken taken = take(key, txn, start_ts, log);
    if (taken == Taken::Now || taken == Taken::Already) return;
    const std::string entity =
        std::string(key % 2 ? "relationship " : "node ") + std::to_string(key / 2);
    switch (taken) {
        case Taken::Now:
        case Taken::Already: return;
        case Taken::Held:
            throw errors::conflict("another transaction is writing the same " + entity +
                                   "; retry the transaction");
        case Taken::Newer:
            throw errors::conflict("the " + entity +
                                   " was changed by a transaction that committed after this one "
                                   "started; retry the transaction");
    }
}

void WriteLocks::claim(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log,
                       const std::string& what) {
    switch (take(key, txn, start_ts, log)) {
        case Taken::Now:
        case Taken::Already: return;
        case Taken::Held:
            throw errors::conflict("another transaction is writing a node with " + what +
                                   " under a uniqueness constraint; retry the transaction");
        case Taken::Newer:
            throw errors::conflict("a node with " + what +
                                   " was written by a transaction that committed after this one "
                                   "started; retry the transaction");
    }
}

void WriteLocks::commit(TxnLog& log, uint64_t commit_ts) {
    for (uint64_t k : log.locked) {
        owner_.erase(k);
        committed_[k] = commit_ts;
        order_.emplace_back(commit_ts, k);
    }
    log.locked.clear();
}

void WriteLocks::collect(uint64_t horizon) {
    while (!order_.empty() && order_.front().first <= horizon) {
        auto [ts, key] = order_.front();
        order_.pop_front();
        auto it = committed_.find(key);
        if (it != committed_.end() && it->second <= horizon) committed_.erase(it);
    }
}

void WriteLocks::release(TxnLog& log) {
    for (uint64_t k : log.locked) owner_.erase(k);
    log.locked.clear();
}

void replay(const std::vector<RedoOp>& ops, const std::vector<storage::Partition*>& parts,
            storage::Catalog& catalog) {
    using K = RedoOp::Kind;
    using CK = storage::Catalog::Kind;
    const uint64_t n = parts.size();
    auto at = [&](uint64_t id) -> storage::Partition& { return *parts[id % n]; };
    for (const auto& op : ops) {
        if (op.kind == K::CreateNode && !at(op.id).revive_node(op.id))
            bad_log("node " + std::to_string(op.id) + " created twice");
    }
    for (const auto& op : ops) {
        if (op.kind != K::CreateRel) continue;
        uint32_t type = catalog.intern(CK::Type, op.name);
        if (!at(op.id).revive_relationship(op.id, op.start, type, op.end))
            bad_log("relationship " + std::to_string(op.id) + " cannot be created");
        at(op.end).add_in_edge(op.end, op.id, type, op.start);
    }
    for (const auto& op : ops) {
        switch (op.kind) {
            case K::AddLabel: at(op.id).add_label(op.id, catalog.intern(CK::Label, op.name)); break;
            case K::RemoveLabel:
                if (auto l = catalog.lookup(CK::Label, op.name)) at(op.id).remove_label(op.id, *l);
                break;
            case K::SetNodeProperty:
                at(op.id).set_node_property(op.id, catalog.intern(CK::Key, op.name), op.value);
                break;
            case K::SetRelProperty:
                at(op.id).set_rel_property(op.id, catalog.intern(CK::Key, op.name), op.value);
                break;
            // Definitions only: the database builds the partitions' indexes after recovery.
            case K::CreateIndex:
                catalog.indexes().restore(storage::IndexDef::from_value(op.name, op.value));
                break;
            case K::DropIndex: catalog.indexes().restore_drop(op.name); break;
            case K::CreateConstraint:
                catalog.constraints().restore(
                    storage::ConstraintDef::from_value(op.name, op.value));
                break;
            case K::DropConstraint: catalog.constraints().restore_drop(op.name); break;
            default: break;
        }
    }
    for (const auto& op : ops) {
        if (op.kind != K::DeleteRel) continue;
        auto info = at(op.id).relationship(op.id);
        if (!info) continue;
        at(op.id).delete_relationship(op.id);
        at(info->end).remove_in_edge(info->end, op.id);
    }
    for (const auto& op : ops) {
        if (op.kind == K::DeleteNode && at(op.id).node_exists(op.id) &&
            !at(op.id).delete_node(op.id))
            bad_log("node " + std::to_string(op.id) + " deleted while it has relationships");
    }
}

}  // namespace lora::exec
