// DELETE and DETACH DELETE. A relationship is deleted at its own shard (the record and
// its outgoing entry), which asks the end node's shard to drop the incoming entry.
#include <lora/exec/executor.hpp>

#include <lora/error.hpp>
#include <lora/storage/partition.hpp>

namespace lora::exec {

using storage::Catalog;

void Executor::delete_rel(const plan::DeleteRel& op, Row& row) {
    const Value& v = row[static_cast<size_t>(op.slot)];
    if (v.is_relationship())
        delete_rel(v.as_relationship().id);
    else if (!v.is_null())
        throw_type_error("InvalidArgumentType", "DELETE expects a relationship");
}

void Executor::delete_rel(uint64_t rel) {
    uint32_t owner = shard_of(rel);
    if (env_.here != static_cast<int32_t>(owner)) {
        mutate(owner, Mutation{Mutation::Kind::DeleteRel, 0, rel, 0, 0});
        return;
    }
    auto info = env_.part->relationship(rel);
    if (!info) return;  // already deleted (by this query or another)
    lock(rel, true);
    std::vector<storage::Property> props;
    if (env_.log) {
        auto span = env_.part->rel_properties(rel);
        props.assign(span.begin(), span.end());
    }
    if (env_.log) {
        env_.part->versions().before_rel_change(*env_.part, rel, env_.txn);
        env_.part->versions().edge_changed(info->start, storage::Edge{rel, info->end, info->type},
                                           true, false, env_.txn);
    }
    env_.part->delete_relationship(rel);
    if (env_.log) {
        // Undo runs in reverse: the revive is pushed last so it runs before the restores.
        env_.log->redo.push_back({RedoOp::Kind::DeleteRel, rel, 0, 0, {}, {}});
        for (auto& p : props)
            env_.log->undo.push_back({UndoOp::Kind::SetRelProperty, rel, 0, 0, p.key, p.value});
        env_.log->undo.push_back(
            {UndoOp::Kind::ReviveRel, rel, info->start, info->end, info->type, {}});
    }
    ++env_.stats->relationships_deleted;
    mutate(shard_of(info->end),
           Mutation{Mutation::Kind::RemoveInEdge, info->end, rel, info->start, info->type});
}

void Executor::delete_node(const plan::DeleteNode& op, Row& row) {
    const Value& v = row[static_cast<size_t>(op.slot)];
    if (v.is_null()) return;
    if (!v.is_node()) throw_type_error("InvalidArgumentType", "DELETE expects a node");
    uint64_t id = v.as_node().id;
    // Gone for this snapshot: nothing to do. Gone only since (deleted by a transaction this
    // one does not see): the lock reports the conflict.
    if (!view().node_exists(id)) return;
    lock(id, false);
    if (!env_.part->node_exists(id)) return;
    if (op.detach) {
        std::vector<storage::Edge> out(env_.part->out_edges(id).begin(),
                                       env_.part->out_edges(id).end());
        std::vector<storage::Edge> in(env_.part->in_edges(id).begin(),
                                      env_.part->in_edges(id).end());
        for (const auto& e : out) delete_rel(e.rel);
        for (const auto& e : in) {
            w_remove_in_edge(id, e.rel, e.type, e.other);
            delete_rel(e.rel);
        }
    }
    if (env_.part->degree(id) != 0)
        throw_constraint("DeleteConnectedNode",
                         "Cannot delete node " + std::to_string(id) +
                             " because it still has relationships. To delete this node, you must "
                             "first delete its relationships, or use DETACH DELETE.");
    std::vector<uint32_t> labels;
    std::vector<storage::Property> props;
    if (env_.log) {
        auto ls = env_.part->labels(id);
        labels.assign(ls.begin(), ls.end());
        auto ps = env_.part->node_properties(id);
        props.assign(ps.begin(), ps.end());
    }
    if (env_.log) env_.part->versions().before_node_change(*env_.part, id, env_.txn);
    env_.part->delete_node(id);
    if (env_.log) {
        env_.log->redo.push_back({RedoOp::Kind::DeleteNode, id, 0, 0, {}, {}});
        for (auto& p : props)
            env_.log->undo.push_back({UndoOp::Kind::SetNodeProperty, id, 0, 0, p.key, p.value});
        for (auto l = labels.rbegin(); l != labels.rend(); ++l)
            env_.log->undo.push_back({UndoOp::Kind::AddLabel, id, 0, 0, *l, {}});
        env_.log->undo.push_back({UndoOp::Kind::ReviveNode, id, 0, 0, 0, {}});
    }
    ++env_.stats->nodes_deleted;
}

}  // namespace lora::exec
