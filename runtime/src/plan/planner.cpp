// Planner entry point: build_plan, the clause-by-clause dispatch (run_single), UNION, and the
// bookkeeping of slots and steps every clause uses (new_slot, declare, coord, add).
#include "plan/planner_state.hpp"

namespace lora::plan {

PlanPtr Planner::run(const Statement& st) {
    if (st.query.parts.size() > 1) {
        for (const auto& part : st.query.parts) {
            Planner sub(plan_->query, procedures_, indexes_);
            auto p = sub.run_single(part);
            if (plan_->union_parts.empty())
                plan_->columns = p->columns;
            else if (p->columns != plan_->columns)
                throw_semantic(
                    "SyntaxError", "DifferentColumnsInUnion",
                    "All sub queries in an UNION must have the same return column names");
            plan_->union_parts.push_back(std::move(p));
        }
        plan_->union_all = !st.query.union_all.empty() && st.query.union_all[0];
        for (auto& p : plan_->union_parts) plan_->writes |= p->writes;
        return plan_;
    }
    return run_single(st.query.parts[0]);
}

PlanPtr Planner::run_single(const SingleQuery& q) {
    const auto& clauses = q.clauses;
    bool returned = false;
    for (size_t i = 0; i < clauses.size(); ++i) {
        const Clause& c = clauses[i];
        if (plan_clause(c)) continue;
        switch (c.kind) {
            case ClauseKind::Return:
                plan_projection(c.body, nullptr, true);
                returned = true;
                break;
            case ClauseKind::Call:
                if (plan_call(c, clauses.size() == 1)) returned = true;
                break;
            case ClauseKind::CreateIndex:
            case ClauseKind::DropIndex:
            case ClauseKind::CreateConstraint:
            case ClauseKind::DropConstraint: return plan_schema(c, clauses.size());
            default: break;
        }
    }
    if (!returned) {
        // Nothing to return: the rows end wherever they are (a shard drops them) instead
        // of travelling to the coordinator to be dropped there.
        Step s;
        s.op = Produce{};
        s.loc.kind = LocKind::Any;
        add(std::move(s));
    }
    plan_->slot_count = next_slot_;
    unpack_unwind_maps(*plan_);
    drop_unread_rel_slots(*plan_);
    if (indexes_ && !indexes_->empty()) use_indexes(*plan_, *indexes_);
    return plan_;
}

// The clauses planned alike wherever they stand, in a query or in a subquery. False for
// RETURN, CALL of a procedure and the schema commands, which the caller plans.
bool Planner::plan_clause(const Clause& c) {
    switch (c.kind) {
        case ClauseKind::Match: plan_match(c); return true;
        case ClauseKind::Unwind: plan_unwind(c); return true;
        case ClauseKind::With: plan_projection(c.body, c.where.get(), false); return true;
        case ClauseKind::Create: plan_create(c); return true;
        case ClauseKind::Set: plan_set(c); return true;
        case ClauseKind::Remove: plan_remove(c); return true;
        case ClauseKind::Delete: plan_delete(c); return true;
        case ClauseKind::Merge: plan_merge(c); return true;
        case ClauseKind::Foreach: plan_foreach(c); return true;
        case ClauseKind::Subquery: plan_call_subquery(c); return true;
        case ClauseKind::LoadCsv: plan_load_csv(c); return true;
        default: return false;
    }
}

int Planner::new_slot(const std::string& name) {
    plan_->slot_names.push_back(name);
    return next_slot_++;
}

Var Planner::declare(const std::string& name, VT type) {
    Var v{new_slot(name), type, false};
    scope_[name] = v;
    return v;
}

Step Planner::coord(Operator op, bool barrier) {
    Step s;
    s.op = std::move(op);
    s.loc.kind = LocKind::Coordinator;
    s.barrier = barrier;
    return s;
}

void Planner::add(Step s) {
    if (s.kind() == OpKind::Sort)
        ordered_ = true;
    else if (s.loc.kind != LocKind::Any && s.loc.kind != LocKind::Coordinator)
        ordered_ = false;
    if (guard_slot_ >= 0 && !s.barrier && s.guard.slot < 0) s.guard = {guard_slot_, guard_value_};
    switch (s.loc.kind) {
        case LocKind::Coordinator: here_ = -1; break;
        case LocKind::Shard: here_ = s.loc.slot; break;
        case LocKind::AllShards:
            here_ = s.kind() == OpKind::ScanNodes ? std::get<ScanNodes>(s.op).slot : -1;
            break;
        case LocKind::NewNode: here_ = std::get<CreateNode>(s.op).slot; break;
        case LocKind::Any: break;
    }
    if (const auto* e = std::get_if<Expand>(&s.op)) here_ = e->from;
    switch (s.kind()) {
        case OpKind::CreateNode:
        case OpKind::CreateRel:
        case OpKind::SetProperty:
        case OpKind::SetProperties:
        case OpKind::SetLabels:
        case OpKind::RemoveProperty:
        case OpKind::RemoveLabels:
        case OpKind::DeleteRel:
        case OpKind::DeleteNode:
            plan_->writes = true;
            attached_.clear();  // attached snapshots may be stale now
            break;
        default: break;
    }
    plan_->steps.push_back(std::move(s));
}

PlanPtr build_plan(const Statement& statement, const std::string& text,
                   const exec::Procedures* procedures, const storage::IndexRegistry* indexes) {
    Planner p(text, procedures, indexes);
    return p.run(statement);
}

}  // namespace lora::plan
