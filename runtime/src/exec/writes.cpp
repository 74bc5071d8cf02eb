// Logged partition changes: every write goes through these, so the transaction log has
// the redo (for the WAL) and undo (for abort) of each change, the versions readers need
// are kept, and write-write conflicts are detected (locks). Also the changes one shard
// asks of another (Mutation).
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>
#include <lora/storage/partition.hpp>

namespace lora::exec {

using storage::Catalog;

namespace {

bool scalar_kind(ValueKind k) {
    return k == ValueKind::Bool || k == ValueKind::Int || k == ValueKind::Float ||
           k == ValueKind::String || (k >= ValueKind::Date && k <= ValueKind::Duration);
}

}  // namespace

void check_property_value(const Value& v) {
    if (v.is_null() || scalar_kind(v.kind()) || v.is_vector()) return;
    if (v.is_list()) {
        const auto& l = v.as_list();
        ValueKind first = ValueKind::Null;
        for (const auto& x : l) {
            if (!scalar_kind(x.kind()))
                throw_type_error("InvalidPropertyType",
                                 "Property values can only be of primitive types or arrays "
                                 "thereof, got a list holding " +
                                     std::string(kind_name(x.kind())));
            ValueKind k = x.is_number() ? ValueKind::Float : x.kind();
            if (first == ValueKind::Null)
                first = k;
            else if (first != k)
                throw_type_error("InvalidPropertyType",
                                 "Collections containing mixed types can not be stored in "
                                 "properties");
        }
        return;
    }
    throw_type_error("InvalidPropertyType",
                     "Property values can only be of primitive types or arrays thereof, got " +
                         std::string(kind_name(v.kind())));
}

void Executor::mutate(uint32_t shard, const Mutation& m) {
    if (env_.here == static_cast<int32_t>(shard))
        apply(m);
    else
        env_.runtime->send_mutation(shard, m);
}

void Executor::apply(const Mutation& m) {
    if (!env_.part) internal("mutation outside a shard");
    switch (m.kind) {
        case Mutation::Kind::AddInEdge: w_add_in_edge(m.node, m.rel, m.type, m.other); break;
        case Mutation::Kind::RemoveInEdge: w_remove_in_edge(m.node, m.rel, m.type, m.other); break;
        case Mutation::Kind::DeleteRel: delete_rel(m.rel); break;
    }
}

const std::string& Executor::name_of(Catalog::Kind kind, uint32_t id) const {
    return env_.catalog->name(kind, id);
}

void Executor::lock(uint64_t id, bool rel) {
    if (env_.locks && env_.log)
        env_.locks->acquire(WriteLocks::key(id, rel), env_.txn, env_.start_ts, *env_.log);
}

// A logged change's bytes: its redo and undo entries and the record or entry it made.
constexpr uint64_t kLoggedChangeBytes = sizeof(RedoOp) + sizeof(UndoOp) + 64;

void Executor::logged(uint64_t bytes) {
    if (!env_.memory) return;
    // Charged in steps: the shards of one query would otherwise contend on its counter.
    constexpr uint64_t kStep = 64 << 10;
    unlogged_bytes_ += bytes;
    if (unlogged_bytes_ < kStep) return;
    env_.memory->charge(unlogged_bytes_, "the transaction's changes");
    unlogged_bytes_ = 0;
}

// Each write charges its bytes before it changes anything: a refusal leaves nothing to undo.
uint64_t Executor::w_create_node() {
    if (env_.log) logged(kLoggedChangeBytes);
    uint64_t id = env_.part->create_node();
    if (env_.log) {
        env_.part->versions().node_created(id, env_.txn);
        env_.log->redo.push_back({RedoOp::Kind::CreateNode, id, 0, 0, {}, {}});
        env_.log->undo.push_back({UndoOp::Kind::DropNode, id, 0, 0, 0, {}});
    }
    ++env_.stats->nodes_created;
    return id;
}

bool Executor::w_label(uint64_t node, uint32_t label, bool add, bool fresh) {
    if (!fresh) lock(node, false);
    if (env_.part->has_label(node, label) == add) return false;
    if (env_.log) {
        logged(kLoggedChangeBytes);
        env_.part->versions().before_node_change(*env_.part, node, env_.txn);
    }
    bool changed = add ? env_.part->add_label(node, label) : env_.part->remove_label(node, label);
    if (!changed) return false;
    if (env_.log) {
        env_.log->redo.push_back({add ? RedoOp::Kind::AddLabel : RedoOp::Kind::RemoveLabel,
                                  node,
                                  0,
                                  0,
                                  name_of(Catalog::Kind::Label, label),
                                  {}});
        env_.log->undo.push_back(
            {add ? UndoOp::Kind::RemoveLabel : UndoOp::Kind::AddLabel, node, 0, 0, label, {}});
    }
    if (add)
        ++env_.stats->labels_added;
    else
        ++env_.stats->labels_removed;
    return true;
}

bool Executor::w_set_property(bool node, uint64_t id, uint32_t key, const Value& v, bool fresh) {
    if (!fresh) lock(id, !node);
    const Value* cur = node ? env_.part->node_property(id, key) : env_.part->rel_property(id, key);
    Value old = cur ? *cur : Value();
    // The value is kept by the partition and the redo entry, the old one by the undo.
    if (env_.log) logged(kLoggedChangeBytes + 2 * v.footprint() + old.footprint());
    // A fresh entity is versioned as created already: no image of it to keep.
    if (env_.log && !fresh) {
        if (node)
            env_.part->versions().before_node_change(*env_.part, id, env_.txn);
        else
            env_.part->versions().before_rel_change(*env_.part, id, env_.txn);
    }
    bool changed =
        node ? env_.part->set_node_property(id, key, v) : env_.part->set_rel_property(id, key, v);
    if (!changed) return false;
    if (env_.log) {
        env_.log->redo.push_back(
            {node ? RedoOp::Kind::SetNodeProperty : RedoOp::Kind::SetRelProperty, id, 0, 0,
             name_of(Catalog::Kind::Key, key), v});
        // A fresh relationship's properties go with it when its creation is undone
        // (Partition::delete_relationship clears them): no undo entry of their own.
        if (node || !fresh)
            env_.log->undo.push_back(
                {node ? UndoOp::Kind::SetNodeProperty : UndoOp::Kind::SetRelProperty, id, 0, 0, key,
                 std::move(old)});
    }
    return true;
}

uint64_t Executor::w_create_rel(uint64_t start, uint32_t type, uint64_t end) {
    if (env_.log) logged(kLoggedChangeBytes);
    uint64_t rel = env_.part->create_relationship(start, type, end);
    if (env_.log) {
        env_.part->versions().rel_created(rel, env_.txn);  // its outgoing entry included
        env_.log->redo.push_back(
            {RedoOp::Kind::CreateRel, rel, start, end, name_of(Catalog::Kind::Type, type), {}});
        env_.log->undo.push_back({UndoOp::Kind::DropRel, rel, start, end, type, {}});
    }
    ++env_.stats->relationships_created;
    return rel;
}

void Executor::w_add_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start) {
    if (env_.part->add_in_edge(end, rel, type, start) && env_.log) {
        env_.log->undo.push_back({UndoOp::Kind::RemoveInEdge, rel, start, end, type, {}});
        // Only create_rel adds incoming entries: the relationship is this transaction's.
        env_.part->versions().in_edge_created(rel, env_.txn);
    }
}

void Executor::w_remove_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start) {
    if (env_.part->remove_in_edge(end, rel) && env_.log) {
        env_.log->undo.push_back({UndoOp::Kind::AddInEdge, rel, start, end, type, {}});
        env_.part->versions().edge_changed(end, storage::Edge{rel, start, type}, false, false,
                                           env_.txn);
    }
}

}  // namespace lora::exec
