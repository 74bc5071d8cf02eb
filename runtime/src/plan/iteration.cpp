// Iterations (list comprehensions, quantifiers, reduce) whose bodies hold patterns over the
// iteration variable: a per-row subquery computes those for every element, ahead of the iteration.
//
// A pattern is a subquery of steps, run once per row; an iteration's body is evaluated per
// element inside one expression. So when a pattern in the body uses the iteration variable
// (or a variable of an iteration nested in the body), the planner hoists a subquery that
// unwinds the list with each element's index, binds the variable as an ordinary one, and
// computes per element the list comprehension's WHERE (or the quantifier's predicate) and the
// sub-expressions of the body that hold such patterns; the values come back per row as a list
// in element order (SubqueryEnd ordered by the index). The iteration then runs as usual over
// the list, reading element i's values from that list (CExpr::pre_slot), so nulls, non-lists,
// three-valued quantifiers and reduce keep their one implementation in exec/expr.cpp.
// A read of the data of a node startNode() or endNode() computes from the variable counts as
// a pattern here: that node is in no row value that could be attached, but per element it is
// an ordinary computed entity, projected into a slot and attached before it is read.
#include "plan/planner_state.hpp"

#include <string_view>

namespace lora::plan {

namespace {

bool is_iteration(const Expr& e) {
    return e.kind == ExprKind::ListComprehension || e.kind == ExprKind::Quantifier ||
           e.kind == ExprKind::Reduce;
}

// Whether `e` or any expression inside it (map projection values included) satisfies `pred`.
template <class Pred>
bool any_subexpression(const Expr& e, const Pred& pred) {
    if (pred(e)) return true;
    for (const auto& c : e.children)
        if (c && any_subexpression(*c, pred)) return true;
    for (const auto& p : e.projection)
        if (p.value && any_subexpression(*p.value, pred)) return true;
    return false;
}

bool is_endpoint_call(const Expr& e) {
    if (e.kind != ExprKind::FunctionCall) return false;
    const fn::FunctionInfo* f = fn::find_function(e.name);
    return f &&
           (std::string_view(f->name) == "startnode" || std::string_view(f->name) == "endnode");
}

bool has_endpoint_call(const Expr& e) { return any_subexpression(e, is_endpoint_call); }

bool has_data_read(const Expr& e) {
    return any_subexpression(e, [](const Expr& x) { return data_read_base(x) != nullptr; });
}

// What needs steps of its own when it uses the iteration variable: a pattern, or a read of
// the data of a node startNode() / endNode() computes (planned per element, where that node
// can be computed into a slot and attached).
bool is_pattern(const Expr& e) {
    if (e.kind == ExprKind::PatternComprehension || e.kind == ExprKind::PatternPredicate ||
        e.kind == ExprKind::Subquery)
        return true;
    if (reads_endpoint_data(e)) return true;
    // size((a)-->()) counts the pattern's matches (compile_call).
    if (e.kind == ExprKind::FunctionCall && e.children.size() == 1 && e.children[0] &&
        e.children[0]->kind == ExprKind::PatternPredicate) {
        const fn::FunctionInfo* f = fn::find_function(e.name);
        return f && std::string_view(f->name) == "size";
    }
    return false;
}

bool has_pattern(const Expr& e) { return any_subexpression(e, is_pattern); }

bool uses_any(const Expr& e, const std::set<std::string>& names) {
    std::set<std::string> vars;
    collect_variables(e, vars);
    for (const auto& n : names)
        if (vars.count(n)) return true;
    return false;
}

// The largest sub-expressions of `e` that hold a pattern and use one of `names`: a pattern,
// or an iteration with a pattern inside (computed per element as a whole, its own patterns
// then planned in the subquery). Patterns that use none of `names` are hoisted as usual.
void find_units(const Expr& e, const std::set<std::string>& names, std::vector<const Expr*>& out) {
    if (is_pattern(e) || (is_iteration(e) && has_pattern(e))) {
        if (uses_any(e, names)) out.push_back(&e);
        return;
    }
    for (const auto& c : e.children)
        if (c) find_units(*c, names, out);
    for (const auto& p : e.projection)
        if (p.value) find_units(*p.value, names, out);
}

struct Parts {
    const Expr* list = nullptr;
    const Expr* where = nullptr;  // a list comprehension's WHERE or a quantifier's predicate
    const Expr* body = nullptr;   // a list comprehension's projection or reduce's expression
};

Parts parts_of(const Expr& e) {
    auto child = [&](size_t i) { return i < e.children.size() ? e.children[i].get() : nullptr; };
    if (e.kind == ExprKind::Reduce) return {child(1), nullptr, child(2)};
    return {child(0), child(1), e.kind == ExprKind::ListComprehension ? child(2) : nullptr};
}

CExprPtr null_literal() { return std::make_unique<CExpr>(EK::Literal); }

}  // namespace

CExprPtr element_value(int slot, int index) {
    auto c = std::make_unique<CExpr>(EK::Subscript);
    c->children.push_back(slot_expr(slot));
    auto i = std::make_unique<CExpr>(EK::Literal);
    i->value = Value(static_cast<int64_t>(index));
    c->children.push_back(std::move(i));
    return c;
}

const Expr* data_read_base(const Expr& e) {
    switch (e.kind) {
        case ExprKind::Property:
        case ExprKind::HasLabels:
        case ExprKind::MapProjection:
        case ExprKind::DynamicSubscript: return e.children.empty() ? nullptr : e.children[0].get();
        case ExprKind::FunctionCall: {
            if (e.children.size() != 1 || !e.children[0]) return nullptr;
            const fn::FunctionInfo* f = fn::find_function(e.name);
            if (!f) return nullptr;
            const std::string_view n = f->name;
            return n == "labels" || n == "keys" || n == "properties" ? e.children[0].get()
                                                                     : nullptr;
        }
        default: return nullptr;
    }
}

bool reads_endpoint_data(const Expr& e) {
    if (const Expr* base = data_read_base(e)) return base && has_endpoint_call(*base);
    if (!is_iteration(e)) return false;
    // An iteration over (or accumulating) such nodes whose body reads data.
    const Parts p = parts_of(e);
    const bool from_endpoints =
        (p.list && has_endpoint_call(*p.list)) ||
        (e.kind == ExprKind::Reduce && e.children[0] && has_endpoint_call(*e.children[0]));
    return from_endpoints &&
           ((p.where && has_data_read(*p.where)) || (p.body && has_data_read(*p.body)));
}

// Whether a pattern in the iteration's WHERE, predicate or body uses its variable, its
// accumulator or a variable of an enclosing iteration.
bool Planner::needs_per_element(const Expr& e) const {
    std::set<std::string> names{e.variable};
    if (e.kind == ExprKind::Reduce && !e.keys.empty()) names.insert(e.keys[0]);
    for (const auto& [name, v] : locals_) names.insert(name);
    const Parts p = parts_of(e);
    std::vector<const Expr*> units;
    if (p.where) find_units(*p.where, names, units);
    if (p.body) find_units(*p.body, names, units);
    return !units.empty();
}

CExprPtr Planner::compile_per_element(const Expr& e, Info& info, EK kind) {
    const Parts p = parts_of(e);
    const bool reduce = kind == EK::Reduce;
    // An enclosing iteration whose variable this one uses computes this one per element of
    // its own (its variable is then an ordinary one here); what is left is an accumulator.
    if (uses_locals(e)) unsupported("patterns inside reduce that depend on the accumulator");

    std::set<std::string> names{e.variable};
    if (reduce) names.insert(e.keys.at(0));
    std::vector<const Expr*> units;
    if (p.body) find_units(*p.body, names, units);
    if (reduce)
        for (const Expr* u : units)
            if (uses_any(*u, {e.keys[0]}))
                unsupported("patterns inside reduce that depend on the accumulator");

    auto c = std::make_unique<CExpr>(kind);
    c->quant = static_cast<int>(e.quantifier);
    Info ii;
    if (reduce) c->children.push_back(compile(*e.children[0], ii));
    Info li;
    CExprPtr list = compile(*p.list, li);
    const int list_slot =
        list->kind == EK::Slot ? list->slot : project_new(std::move(list), li, " iteration_list");

    // The subquery: a row per element, with its index; per element the list of values
    // [WHERE or predicate,] unit 1, unit 2, ...
    std::vector<PerElementValue> unit_values;
    int values_slot = -1, index_slot = -1;
    const int values = hoist(
        [&] {
            const bool attached = attached_.count(list_slot) > 0;
            Unwind u;
            u.list = slot_expr(list_slot);
            Var x = declare(e.variable, VT::Value);
            scope_[e.variable].may_entity = li.may_entity;
            if (attached) attached_.insert(x.slot);
            u.slot = x.slot;
            u.index = index_slot = new_slot(" iteration_index");
            add(step({LocKind::Any, -1}, std::move(u)));
            auto row = std::make_unique<CExpr>(EK::List);
            Info ri;
            if (p.where) {
                Info wi;
                CExprPtr w = compile(*p.where, wi);
                if (kind == EK::ListComp && !units.empty()) {
                    // The projection is computed for the elements WHERE keeps: the others
                    // give its patterns a null, whose values nothing reads, instead of an
                    // element that may make them fail (a number where a node is expected).
                    const int w_slot = project_new(std::move(w), wi, " iteration_where");
                    auto keep = std::make_unique<CExpr>(EK::Case);
                    keep->has_else = true;
                    keep->children.push_back(slot_expr(w_slot));
                    keep->children.push_back(slot_expr(x.slot));
                    keep->children.push_back(null_literal());
                    const int kept = project_new(std::move(keep), Info{}, " " + e.variable);
                    scope_[e.variable] = Var{kept, VT::Value, li.may_entity};
                    if (attached) attached_.insert(kept);
                    w = slot_expr(w_slot);
                    wi = Info{};
                }
                merge_info(ri, wi, false);
                row->children.push_back(std::move(w));
            }
            for (const Expr* unit : units) {
                Info ui;
                row->children.push_back(compile(*unit, ui));
                unit_values.push_back(
                    {-1, static_cast<int>(row->children.size()) - 1, ui.may_entity});
                merge_info(ri, ui, false);
            }
            values_slot = project_new(std::move(row), ri, " iteration_values");
        },
        [&] {
            return HoistYield{values_slot, index_slot};
        });

    bool entities = false;
    for (const auto& v : unit_values) entities |= v.may_entity;
    // The body may read the data of entities the units give (head([(x)-->(m) | m]).name).
    if (entities) materialize(slot_expr(values), Info{});

    // The iteration itself, over the same list, element i's values in pre_slot.
    c->pre_slot = new_slot(" iteration_element");
    c->slot = new_slot(e.variable);
    c->children.push_back(slot_expr(list_slot));
    if (reduce) {
        c->slot2 = new_slot(e.keys[0]);
        locals_.push_back({e.keys[0], Var{c->slot2, VT::Value, true}});
    }
    locals_.push_back({e.variable, Var{c->slot, VT::Value, li.may_entity}});
    for (size_t i = 0; i < units.size(); ++i) {
        unit_values[i].slot = c->pre_slot;
        per_element_[units[i]] = unit_values[i];
    }
    Info bi;
    if (p.where)
        c->children.push_back(element_value(c->pre_slot, 0));
    else if (kind == EK::ListComp)
        c->children.push_back(nullptr);
    if (kind != EK::Quantifier) c->children.push_back(p.body ? compile(*p.body, bi) : nullptr);
    for (const Expr* unit : units) per_element_.erase(unit);
    locals_.pop_back();
    if (reduce) locals_.pop_back();
    c->children.push_back(slot_expr(values));

    // The body reads the elements' data: the list's entities must be attached.
    const bool reads_elements =
        reads_iterands(e, reduce ? &c->children[0] : nullptr, ii, bi, c->slot, c->slot2);
    merge_info(info, ii, true);
    if (reads_elements && li.may_entity) materialize(slot_expr(list_slot), Info{});
    switch (kind) {
        case EK::ListComp:
            merge_info(info, bi, true);
            if (!p.body) info.may_entity |= li.may_entity;
            break;
        case EK::Reduce:
            merge_info(info, bi, true);
            info.may_entity |= li.may_entity;
            break;
        default: info.may_entity = false;
    }
    return c;
}

}  // namespace lora::plan
