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
    Step s;
    Info info;
    switch (it.kind) {
        case SetItem::Kind::Property: {
            s.op = OpKind::SetProperty;
            s.slot = entity_target(*it.target->children[0], "SET");
            s.key = it.target->name;
            break;
        }
        case SetItem::Kind::Replace:
        case SetItem::Kind::Merge:
            s.op = OpKind::SetProperties;
            s.slot = entity_target(*it.target, "SET");
            s.merge_props = it.kind == SetItem::Kind::Merge;
            note_data_read(*it.value, info);
            break;
        case SetItem::Kind::Labels:
            s.op = OpKind::SetLabels;
            s.slot = entity_target(*it.target, "SET");
            s.labels = it.labels;
            break;
    }
    if (it.value) s.expr = compile(*it.value, info);
    s.loc = place(info, s.slot);
    add(std::move(s));
}

void Planner::plan_remove(const Clause& c) {
    note_write_clause();
    for (const auto& it : c.remove_items) {
        Step s;
        if (it.kind == RemoveItem::Kind::Property) {
            s.op = OpKind::RemoveProperty;
            s.slot = entity_target(*it.target->children[0], "REMOVE");
            s.key = it.target->name;
        } else {
            s.op = OpKind::RemoveLabels;
            s.slot = entity_target(*it.target, "REMOVE");
            s.labels = it.labels;
        }
        s.loc = {LocKind::Shard, s.slot};
        add(std::move(s));
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
        Step d;
        d.op = OpKind::DeleteRel;
        d.slot = s;
        d.loc = {LocKind::Shard, s};
        add(std::move(d));
    }
    for (int s : computed) delete_parts(s, false, c.detach);
    if ((!rels.empty() || !computed.empty()) && (!nodes.empty() || !computed.empty()))
        add(coord(OpKind::Eager, true));
    for (int s : nodes) {
        Step d;
        d.op = OpKind::DeleteNode;
        d.slot = s;
        d.detach = c.detach;
        d.loc = {LocKind::Shard, s};
        add(std::move(d));
    }
    for (int s : computed) delete_parts(s, true, c.detach);
    attached_.clear();
}

// Deletes the relationships (or nodes) inside the value in `slot`, as a per-row
// subquery so the rows themselves go on unchanged.
void Planner::delete_parts(int slot, bool nodes, bool detach) {
    hoist(
        [&] {
            auto parts = std::make_unique<CExpr>(EK::Entities);
            parts->quant = nodes ? 1 : 0;
            parts->children.push_back(slot_expr(slot));
            int each = new_slot(nodes ? " delete_node" : " delete_rel");
            Step u;
            u.op = OpKind::Unwind;
            u.loc = {LocKind::Any, -1};
            u.slot = each;
            u.expr = std::move(parts);
            add(std::move(u));
            Step d;
            d.op = nodes ? OpKind::DeleteNode : OpKind::DeleteRel;
            d.slot = each;
            d.detach = detach;
            d.loc = {LocKind::Shard, each};
            add(std::move(d));
        },
        nullptr, nullptr);
}

}  // namespace lora::plan
