// SET / REMOVE / DELETE: writes at the shard owning the entity; DELETE of a path, a list or a
// computed value deletes its parts in a per-row subquery.
#include "plan/planner_state.hpp"

namespace lora::plan {

int Planner::entity_target(const Expr& e, const char* what) {
    if (e.kind != ExprKind::Variable) unsupported(std::string(what) + " on an expression");
    const Var* v = lookup(e.name);
    if (!v) undefined(e.name);
    if (!entity_type(v->type) && v->type != VT::Value)
        throw_type_error("InvalidArgumentType",
                         std::string(what) + " requires a node or relationship");
    return v->slot;
}

void Planner::plan_set(const Clause& c) {
    note_write_clause();
    for (const auto& it : c.set_items) plan_set_item(it);
}

void Planner::plan_set_item(const SetItem& it) {
    Info info;
    switch (it.kind) {
        case SetItem::Kind::Property: {
            SetProperty op;
            op.slot = entity_target(*it.target->children[0], "SET");
            op.key = it.target->name;
            if (it.value) op.value = compile(*it.value, info);
            const Location loc = place(info, op.slot);
            add(step(loc, std::move(op)));
            break;
        }
        case SetItem::Kind::Replace:
        case SetItem::Kind::Merge: {
            SetProperties op;
            op.slot = entity_target(*it.target, "SET");
            op.merge = it.kind == SetItem::Kind::Merge;
            note_data_read(*it.value, info);
            if (it.value) op.value = compile(*it.value, info);
            const Location loc = place(info, op.slot);
            add(step(loc, std::move(op)));
            break;
        }
        case SetItem::Kind::Labels: {
            SetLabels op;
            op.slot = entity_target(*it.target, "SET");
            op.labels = it.labels;
            const Location loc = place(info, op.slot);
            add(step(loc, std::move(op)));
            break;
        }
    }
}

void Planner::plan_remove(const Clause& c) {
    note_write_clause();
    for (const auto& it : c.remove_items) {
        if (it.kind == RemoveItem::Kind::Property) {
            const int slot = entity_target(*it.target->children[0], "REMOVE");
            add(step({LocKind::Shard, slot}, RemoveProperty{slot, it.target->name}));
        } else {
            const int slot = entity_target(*it.target, "REMOVE");
            add(step({LocKind::Shard, slot}, RemoveLabels{slot, it.labels}));
        }
    }
}

void Planner::plan_delete(const Clause& c) {
    note_write_clause();
    std::vector<int> rels, nodes, computed;
    for (const auto& e : c.delete_exprs) {
        if (e->kind == ExprKind::Literal || e->kind == ExprKind::Parameter ||
            e->kind == ExprKind::Binary)
            throw_semantic("SyntaxError", "InvalidDelete",
                           "DELETE expects a node, relationship or path");
        if (e->kind == ExprKind::Variable) {
            const Var* v = lookup(e->name);
            if (!v) undefined(e->name);
            if (v->type == VT::Rel) {
                rels.push_back(v->slot);
                continue;
            }
            if (v->type == VT::Node) {
                nodes.push_back(v->slot);
                continue;
            }
        }
        // A path, a list, or a computed entity: its parts are deleted one by one.
        Info info;
        auto ce = compile(*e, info);
        computed.push_back(project_new(std::move(ce), info, " delete"));
    }
    for (int s : rels) {
        add(step({LocKind::Shard, s}, DeleteRel{s}));
    }
    for (int s : computed) delete_parts(s, false, c.detach);
    if ((!rels.empty() || !computed.empty()) && (!nodes.empty() || !computed.empty()))
        add(coord(Eager{}, true));
    for (int s : nodes) {
        add(step({LocKind::Shard, s}, DeleteNode{s, c.detach}));
    }
    for (int s : computed) delete_parts(s, true, c.detach);
    attached_.clear();
}

// Deletes the relationships (or nodes) inside the value in `slot`, as a per-row
// subquery so the rows themselves go on unchanged.
void Planner::delete_parts(int slot, bool nodes, bool detach) {
    hoist([&] {
        auto parts = std::make_unique<CExpr>(EK::Entities);
        parts->quant = nodes ? 1 : 0;
        parts->children.push_back(slot_expr(slot));
        int each = new_slot(nodes ? " delete_node" : " delete_rel");
        add(step({LocKind::Any, -1}, Unwind{each, std::move(parts), {}, -1}));
        if (nodes)
            add(step({LocKind::Shard, each}, DeleteNode{each, detach}));
        else
            add(step({LocKind::Shard, each}, DeleteRel{each}));
    });
}

}  // namespace lora::plan
