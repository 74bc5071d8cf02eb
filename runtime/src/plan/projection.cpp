// WITH / RETURN (projection, aggregation, DISTINCT, ORDER BY, SKIP, LIMIT) and UNWIND: the
// clauses that (re)bind the variables in scope.
#include "plan/planner_state.hpp"

namespace lora::plan {

namespace {

bool contains_aggregate(const Expr& e) {
    if (is_aggregate_call(e)) return true;
    // Aggregates inside comprehensions still count as aggregates of the projection.
    for (auto& c : e.children)
        if (c && contains_aggregate(*c)) return true;
    for (auto& p : e.projection)
        if (p.value && contains_aggregate(*p.value)) return true;
    return false;
}

}  // namespace

void Planner::plan_unwind(const Clause& c) {
    Info info;
    auto e = compile(*c.expr, info);
    Location loc = place(info);
    Unwind s;
    s.list = std::move(e);
    if (lookup(c.variable))
        throw_semantic("SyntaxError", "VariableAlreadyBound",
                       "Variable `" + c.variable + "` already declared");
    Var v = declare(c.variable, VT::Value);
    scope_[c.variable].may_entity = info.may_entity;
    s.slot = v.slot;
    add(step(loc, std::move(s)));
}

void Planner::plan_projection(const ProjectionBody& body, const Expr* where, bool is_return) {
    std::vector<Item> items;
    std::vector<std::unique_ptr<Expr>> synthetic;
    if (body.star) {
        std::vector<std::string> names;
        for (auto& [k, v] : scope_)
            if (!k.empty() && k[0] != ' ') names.push_back(k);
        for (auto& n : names) {
            auto v = std::make_unique<Expr>(variable_expr(n));
            items.push_back({v.get(), n});
            synthetic.push_back(std::move(v));
        }
    }
    for (auto& it : body.items) items.push_back({it.expr.get(), column_name(it)});

    bool agg = false;
    for (auto& it : items) agg |= contains_aggregate(*it.expr);

    std::map<std::string, Var> out_scope;
    std::vector<int> out_slots;
    std::vector<std::pair<int, CExprPtr>> post;  // after aggregation
    std::vector<Info> post_info;

    if (!agg) {
        for (auto& it : items) {
            Var v = project_item(*it.expr, it.name);
            out_scope[it.name] = v;
            out_slots.push_back(v.slot);
        }
        if (is_return) attach_outputs(out_scope);
    } else {
        std::vector<int> key_slots;
        std::vector<AggItem> aggs;
        // Grouping keys first: they are evaluated before the aggregation.
        std::vector<int> item_slot(items.size(), -1);
        for (size_t i = 0; i < items.size(); ++i) {
            if (contains_aggregate(*items[i].expr)) continue;
            Var v = project_item(*items[i].expr, items[i].name);
            out_scope[items[i].name] = v;
            item_slot[i] = v.slot;
            key_slots.push_back(v.slot);
        }
        if (is_return) attach_outputs(out_scope);
        // Aggregation is allowed here even inside a subquery (EXISTS { ... WITH count(*)
        // ... }); there it groups per outer row through the subquery's tag slots.
        bool saved_agg_blocked = agg_blocked_;
        agg_blocked_ = false;
        agg_sink_ = [&](const Expr& call, Info& outer) -> CExprPtr {
            AggItem a;
            a.count_star = call.kind == ExprKind::CountStar;
            a.fn = fn::find_function(a.count_star ? "count" : call.name);
            a.distinct = call.distinct;
            bool saved_blocked = agg_blocked_;
            agg_blocked_ = true;  // nested aggregation is an error
            for (auto& arg : call.children) {
                if (contains_aggregate(*arg))
                    throw_semantic("SyntaxError", "NestedAggregation",
                                   "Cannot nest aggregations: " + call.text);
                Info ai;
                auto ce = compile(*arg, ai);
                a.arg_slots.push_back(project_new(std::move(ce), ai, " aggarg"));
                // Only these aggregates hand their input values back out.
                std::string_view fname = a.fn->name;
                if (ai.may_entity && (fname == "collect" || fname == "min" || fname == "max"))
                    outer.may_entity = true;
            }
            agg_blocked_ = saved_blocked;
            a.slot = new_slot(call.text);
            int slot = a.slot;
            aggs.push_back(std::move(a));
            return slot_expr(slot);
        };
        for (size_t i = 0; i < items.size(); ++i) {
            if (item_slot[i] >= 0) continue;
            Info info;
            auto ce = compile(*items[i].expr, info);
            if (ce->kind == EK::Slot) {
                item_slot[i] = ce->slot;
            } else {
                item_slot[i] = new_slot(items[i].name);
                post.emplace_back(item_slot[i], std::move(ce));
                post_info.push_back(info);
            }
            Var v{item_slot[i], VT::Value, info.may_entity};
            out_scope[items[i].name] = v;
        }
        agg_sink_ = nullptr;
        agg_blocked_ = saved_agg_blocked;
        Aggregate a;
        a.keys = key_slots;
        if (a.keys.empty() && !subquery_begins_.empty()) a.per_input = subquery_begins_.back();
        a.keys.insert(a.keys.end(), pinned_.begin(), pinned_.end());
        a.aggs = std::move(aggs);
        add(coord(std::move(a), true));
        for (size_t i = 0; i < post.size(); ++i) {
            Project p;
            p.outputs.push_back({post[i].first, std::move(post[i].second)});
            add(step({LocKind::Any, -1}, std::move(p)));
        }
        for (auto& it : items) out_slots.push_back(out_scope[it.name].slot);
    }

    // ORDER BY sees the projected names, and (without DISTINCT or aggregation) the
    // variables in scope before the projection.
    std::vector<SortKey> sort_keys;
    std::map<std::string, int, std::less<>> item_text;
    for (size_t i = 0; i < items.size(); ++i)
        if (items[i].expr->kind != ExprKind::Variable)
            item_text[items[i].expr->text] = out_scope[items[i].name].slot;
    if (!body.order_by.empty()) {
        auto saved = scope_;
        if (agg || body.distinct) scope_.clear();
        for (auto& [k, v] : out_scope) scope_[k] = v;
        text_subst_ = item_text;
        for (auto& si : body.order_by) {
            Info info;
            auto ce = compile(*si.expr, info);
            int slot;
            if (ce->kind == EK::Slot) {
                slot = ce->slot;
            } else {
                slot = project_new(std::move(ce), info, " sortkey");
            }
            sort_keys.push_back({slot, si.descending});
        }
        text_subst_.clear();
        scope_ = std::move(saved);
    }
    // Inside a subquery these apply to each outer row's rows: its tags (pinned_) take part.
    if (body.distinct) {
        std::vector<int> slots = out_slots;
        slots.insert(slots.end(), pinned_.begin(), pinned_.end());
        add(coord(Distinct{std::move(slots)}));
    }
    if (!sort_keys.empty()) {
        add(coord(Sort{sort_keys}, true));
    }
    if (body.skip) add(coord(Skip{skip_limit_count(*body.skip), pinned_}));
    if (body.limit) add(coord(Limit{skip_limit_count(*body.limit), pinned_}));

    if (is_return) {
        std::vector<int> deep;
        for (auto& it : items) {
            const Var& v = out_scope[it.name];
            if ((v.type == VT::Value && v.may_entity) || v.type == VT::Path)
                if (!attached_.count(v.slot)) deep.push_back(v.slot);
        }
        if (!deep.empty()) {
            add(coord(AttachDeep{deep}, true));
        }
        for (auto& it : items) plan_->columns.push_back(it.name);
        add_produce(std::move(out_slots));
    } else {
        if (where) {
            // WITH ... WHERE sees the projected names, and (without DISTINCT or
            // aggregation) the variables in scope before the projection.
            auto saved = scope_;
            if (agg || body.distinct) scope_.clear();
            for (auto& [k, v] : out_scope) scope_[k] = v;
            text_subst_ = item_text;
            Info info;
            auto pred = compile(*where, info);
            text_subst_.clear();
            add_filter(std::move(pred), info);
            scope_ = std::move(saved);
        }
        scope_ = std::move(out_scope);
        clear_dead_slots();
    }
}

Var Planner::project_item(const Expr& e, const std::string& name) {
    if (e.kind == ExprKind::Variable) {
        const Var* v = lookup(e.name);
        if (!v) undefined(e.name);
        return *v;
    }
    Info info;
    auto ce = compile(e, info);
    int slot = project_new(std::move(ce), info, name);
    return Var{slot, VT::Value, info.may_entity};
}

CExprPtr Planner::skip_limit_count(const Expr& e) {
    std::set<std::string> vars;
    collect_variables(e, vars);
    if (!vars.empty())
        throw_semantic("SyntaxError", "NonConstantExpression",
                       "It is not allowed to refer to variables in SKIP or LIMIT");
    Info info;
    auto saved = std::move(scope_);
    scope_.clear();
    auto ce = compile(e, info);
    scope_ = std::move(saved);
    return ce;
}

}  // namespace lora::plan
