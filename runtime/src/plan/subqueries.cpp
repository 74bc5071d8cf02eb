// Subqueries run once per row (Planner::hoist): FOREACH, whose updates run for each element
// of a list while the rows go on unchanged; CALL { }, whose rows join the row that ran it;
// and the subquery expressions EXISTS { }, COUNT { } and COLLECT { }, which make a value of
// the rows their query produces.
#include "plan/planner_state.hpp"

#include <algorithm>
#include <iterator>

namespace lora::plan {

// The clauses of a subquery, its final RETURN planned as a WITH (so DISTINCT, ORDER BY, SKIP
// and LIMIT apply to each outer row's rows, and the returned names are then in scope).
void Planner::plan_subquery_clauses(const std::vector<Clause>& clauses) {
    for (const auto& c : clauses) {
        if (plan_clause(c)) continue;
        if (c.kind != ClauseKind::Return) unsupported("this clause inside a subquery");
        plan_projection(c.body, nullptr, false);
    }
}

// One query of CALL { } (a UNION has several): per row, it runs over the variables it
// imports (CALL (x, y), CALL (*), or an importing WITH). Returns the slot of the list of the
// rows it returned, as maps of `names` (a unit subquery: of nothing), and notes in `fx`
// whether it read, wrote, or may return entities.
int Planner::plan_call_part(const Clause& c, const std::vector<Clause>& clauses,
                            const std::vector<std::string>& names, bool returning,
                            SubqueryEffects& fx) {
    return hoist(
        [&] {
            const bool imports_all =
                c.scope_all || (!c.scope && clauses.front().kind == ClauseKind::With);
            for (auto it = scope_.begin(); it != scope_.end();) {
                const bool user = !it->first.empty() && it->first[0] != ' ';
                const bool imported =
                    imports_all || (c.scope && std::find(c.scope->begin(), c.scope->end(),
                                                         it->first) != c.scope->end());
                it = user && !imported ? scope_.erase(it) : std::next(it);
            }
            plan_subquery_clauses(clauses);
            fx.read |= read_;
            fx.wrote |= wrote_;
        },
        [&] {
            if (!returning) return HoistYield{};
            return HoistYield{returned_row(names, fx.entity), -1};
        });
}

// The map of the returned `names` of the row a subquery's query ends with (what UNION
// compares); `entity` notes whether one may hold an entity.
int Planner::returned_row(const std::vector<std::string>& names, bool& entity) {
    auto row = std::make_unique<CExpr>(EK::Map);
    Info info;
    for (const auto& name : names) {
        const Var* v = lookup(name);
        if (!v) undefined(name);
        entity |= may_hold_entity(*v);
        row->keys.push_back(name);
        row->children.push_back(slot_expr(v->slot));
    }
    return project_new(std::move(row), info, " subquery_row");
}

// Per row, the lists the `parts` return (each the slot of one hoisted query's list),
// concatenated in order; without `all` (UNION) without repeats. Returns the combined list's
// slot.
int Planner::union_of(const std::vector<std::function<int()>>& parts, bool all) {
    int element = -1;
    return hoist(
        [&] {
            auto lists = std::make_unique<CExpr>(EK::Arith);
            lists->arith = '+';
            for (const auto& part : parts) lists->children.push_back(slot_expr(part()));
            Info info;
            const int list = project_new(std::move(lists), info, " union_rows");
            element = new_slot(" union_row");
            add(coord(Unwind{element, slot_expr(list), {}, -1}));
            if (!all) {
                std::vector<int> slots{element};
                slots.insert(slots.end(), pinned_.begin(), pinned_.end());
                add(coord(Distinct{std::move(slots)}));
            }
        },
        [&] {
            return HoistYield{element, -1};
        });
}

// CALL { ... }: each row a subquery returns goes on joined to the row that ran it (none: the
// row is dropped); a subquery without RETURN (a unit subquery, which writes) lets each row go
// on once. The rows come back as a list of maps of the returned names, unwound into the
// names' slots. With UNION [ALL] the parts run one after another per row and their lists are
// concatenated (UNION: without repeats, per row).
void Planner::plan_call_subquery(const Clause& c) {
    // The engine runs a top-level IN TRANSACTIONS itself (engine/in_transactions.cpp); one
    // that reaches the planner is inside an explicit transaction or a subquery.
    if (c.in_transactions) throw errors::implicit_transaction_required();
    const Query& q = *c.subquery;
    const Clause& last = q.parts[0].clauses.back();
    const bool returning = last.kind == ClauseKind::Return;
    std::vector<std::string> names;
    if (returning)
        for (const auto& item : last.body.items) names.push_back(column_name(item));
    SubqueryEffects fx;
    const size_t begin = plan_->steps.size();
    int rows = -1;
    if (q.parts.size() == 1) {
        rows = plan_call_part(c, q.parts[0].clauses, names, returning, fx);
    } else {
        std::vector<std::function<int()>> parts;
        for (const auto& part : q.parts)
            parts.push_back([&] { return plan_call_part(c, part.clauses, names, true, fx); });
        rows = union_of(parts, q.union_all[0]);
    }
    const bool inner_read = fx.read, inner_wrote = fx.wrote, yields_entity = fx.entity;
    if (inner_wrote) {
        wrote_ = true;
        attached_.clear();
    }
    if (inner_read && !read_) {
        read_ = true;
        reads_from_ = begin;
    }
    if (!returning) return;
    Unwind u;
    u.slot = new_slot(" call_rows");
    u.list = slot_expr(rows);
    for (const auto& name : names) {
        const Var v = declare(name, VT::Value);
        scope_[name].may_entity = yields_entity;
        u.unpack.emplace_back(name, v.slot);
    }
    add(coord(std::move(u)));
}

// FOREACH (x IN list | updates): per row, a subquery unwinds the list into x and runs the
// updates for each element in list order (a later element sees what an earlier one wrote,
// as MERGE does between rows). The row then goes on once, with neither x nor what the
// updates bound.
void Planner::plan_foreach(const Clause& c) {
    note_write_clause();
    hoist([&] {
        Info info;
        auto list = compile(*c.expr, info);
        const Location loc = place(info);
        if (lookup(c.variable))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + c.variable + "` already declared");
        const Var v = declare(c.variable, VT::Value);
        scope_[c.variable].may_entity = info.may_entity;
        add(step(loc, Unwind{v.slot, std::move(list), {}, -1}));
        // Analysis let only updating clauses in.
        for (const auto& inner : c.body_clauses) plan_clause(inner);
    });
    // What the rows carry of entities was read before the updates.
    attached_.clear();
}

// EXISTS / COUNT / COLLECT { query }: the query runs per row; EXISTS is whether it produced a
// row, COUNT how many, COLLECT the list of its one column's values in its order. With UNION
// [ALL] the parts' rows are combined per row as in CALL { }: COUNT counts the rows of the
// union, COLLECT collects its values.
CExprPtr Planner::compile_subquery(const Expr& e, Info& info) {
    refuse_local_patterns(e);
    const Query& q = *e.subquery;
    const bool collect = e.subquery_kind == SubqueryKind::Collect;
    bool yields_entity = false;
    // One query's rows: COLLECT's one column; with UNION the rows as maps of the returned
    // columns (which UNION compares); otherwise nothing but their number.
    auto one = [&](const std::vector<Clause>& clauses) {
        return hoist([&] { plan_subquery_clauses(clauses); },
                     [&]() -> HoistYield {
                         const auto& items = clauses.back().body.items;
                         if (collect) {
                             const std::string& name = column_name(items.at(0));
                             const Var* v = lookup(name);
                             if (!v) undefined(name);
                             yields_entity |= may_hold_entity(*v);
                             return HoistYield{v->slot, -1};
                         }
                         if (q.parts.size() == 1) return HoistYield{};
                         std::vector<std::string> names;
                         for (const auto& item : items) names.push_back(column_name(item));
                         return HoistYield{returned_row(names, yields_entity), -1};
                     });
    };
    int r = -1;
    if (q.parts.size() == 1) {
        r = one(q.parts[0].clauses);
    } else {
        std::vector<std::function<int()>> parts;
        for (const auto& part : q.parts) parts.push_back([&] { return one(part.clauses); });
        r = union_of(parts, q.union_all[0]);
    }
    switch (e.subquery_kind) {
        case SubqueryKind::Exists: return non_empty(r);
        case SubqueryKind::Count: return list_size(r);
        case SubqueryKind::Collect: info.may_entity |= yields_entity; return slot_expr(r);
    }
    unsupported("subquery expression");
}

}  // namespace lora::plan
