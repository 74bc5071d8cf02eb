// Expressions: AST expressions compiled into CExpr trees, noting which entities' data they read;
// pattern comprehensions, pattern predicates and EXISTS are hoisted into per-row subqueries.
#include "plan/planner_state.hpp"

namespace lora::plan {

CExprPtr Planner::compile(const Expr& e, Info& info) {
    if (!per_element_.empty()) {
        auto it = per_element_.find(&e);
        if (it != per_element_.end()) {
            info.may_entity |= it->second.may_entity;
            return element_value(it->second.slot, it->second.index);
        }
    }
    if (!text_subst_.empty() && e.kind != ExprKind::Literal && e.kind != ExprKind::Variable &&
        e.kind != ExprKind::Parameter) {
        auto it = text_subst_.find(e.text);
        if (it != text_subst_.end()) return slot_expr(it->second);
    }
    switch (e.kind) {
        case ExprKind::Literal: {
            auto c = std::make_unique<CExpr>(EK::Literal);
            c->value = e.value;
            return c;
        }
        case ExprKind::Parameter: {
            auto c = std::make_unique<CExpr>(EK::Param);
            c->name = e.name;
            return c;
        }
        case ExprKind::Variable: {
            const Var* v = lookup(e.name);
            if (!v) undefined(e.name);
            if (v->type != VT::Value || v->may_entity) info.may_entity = true;
            return slot_expr(v->slot);
        }
        case ExprKind::Property: {
            auto c = std::make_unique<CExpr>(EK::Property);
            c->name = e.name;
            Info sub;
            auto base = compile(*e.children[0], sub);
            note_entity_read(*e.children[0], base, sub, info);
            c->children.push_back(std::move(base));
            merge_info(info, sub, false);
            return c;
        }
        case ExprKind::DynamicSubscript: {
            auto c = std::make_unique<CExpr>(EK::Subscript);
            Info sub;
            auto base = compile(*e.children[0], sub);
            // An integer index reads a list, not an entity's data.
            const Expr& key = *e.children[1];
            if (e.children[0]->kind == ExprKind::Variable || key.kind != ExprKind::Literal ||
                key.value.kind() != ValueKind::Int)
                note_entity_read(*e.children[0], base, sub, info);
            c->children.push_back(std::move(base));
            c->children.push_back(compile(key, info));
            merge_info(info, sub, true);
            return c;
        }
        case ExprKind::Slice: {
            auto c = std::make_unique<CExpr>(EK::Slice);
            c->children.push_back(compile(*e.children[0], info));
            for (int i = 1; i <= 2; ++i) {
                if (static_cast<size_t>(i) < e.children.size() && e.children[i])
                    c->children.push_back(compile(*e.children[i], info));
                else
                    c->children.push_back(nullptr);
            }
            return c;
        }
        case ExprKind::ListLiteral: {
            auto c = std::make_unique<CExpr>(EK::List);
            for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
            return c;
        }
        case ExprKind::MapLiteral: {
            auto c = std::make_unique<CExpr>(EK::Map);
            c->keys = e.keys;
            for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
            return c;
        }
        case ExprKind::Unary: {
            if (e.op == Op::Plus) return compile(*e.children[0], info);
            auto c = std::make_unique<CExpr>(e.op == Op::Not ? EK::Not : EK::Negate);
            c->children.push_back(compile(*e.children[0], info));
            return c;
        }
        case ExprKind::Binary: return compile_binary(e, info);
        case ExprKind::Comparison: {
            auto c = std::make_unique<CExpr>(EK::Compare);
            for (auto op : e.ops) c->cmps.push_back(to_cmp(op));
            for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
            return c;
        }
        case ExprKind::IsNull:
        case ExprKind::IsNotNull: {
            auto c =
                std::make_unique<CExpr>(e.kind == ExprKind::IsNull ? EK::IsNull : EK::IsNotNull);
            c->children.push_back(compile(*e.children[0], info));
            info.may_entity = false;
            return c;
        }
        case ExprKind::HasLabels: {
            auto c = std::make_unique<CExpr>(EK::HasLabels);
            c->labels = e.keys;
            Info sub;
            auto base = compile(*e.children[0], sub);
            note_entity_read(*e.children[0], base, sub, info);
            c->children.push_back(std::move(base));
            merge_info(info, sub, false);
            return c;
        }
        case ExprKind::FunctionCall:
        case ExprKind::CountStar: return compile_call(e, info);
        case ExprKind::Case: {
            auto c = std::make_unique<CExpr>(EK::Case);
            // AST: children[0] = subject or null; then (when, then) pairs; else last if
            // the count is odd after the subject.
            c->simple_case = e.children[0] != nullptr;
            if (c->simple_case) c->children.push_back(compile(*e.children[0], info));
            size_t rest = e.children.size() - 1;
            c->has_else = rest % 2 == 1;
            for (size_t i = 1; i < e.children.size(); ++i)
                c->children.push_back(compile(*e.children[i], info));
            return c;
        }
        case ExprKind::ListComprehension: return compile_iteration(e, info, EK::ListComp);
        case ExprKind::Quantifier: return compile_iteration(e, info, EK::Quantifier);
        case ExprKind::Reduce: {
            if (needs_per_element(e)) return compile_per_element(e, info, EK::Reduce);
            auto c = std::make_unique<CExpr>(EK::Reduce);
            Info ii, li, bi;
            c->children.push_back(compile(*e.children[0], ii));
            c->children.push_back(compile(*e.children[1], li));
            c->slot2 = new_slot(e.keys.at(0));
            c->slot = new_slot(e.variable);
            locals_.push_back({e.keys[0], Var{c->slot2, VT::Value, true}});
            locals_.push_back({e.variable, Var{c->slot, VT::Value, true}});
            c->children.push_back(compile(*e.children[2], bi));
            locals_.pop_back();
            locals_.pop_back();
            if (reads_iterands(e, &c->children[0], ii, bi, c->slot, c->slot2))
                note_entity_read(*e.children[1], c->children[1], li, li);
            merge_info(info, ii, true);
            merge_info(info, li, true);
            merge_info(info, bi, true);
            return c;
        }
        case ExprKind::MapProjection: {
            auto c = std::make_unique<CExpr>(EK::MapProjection);
            Info sub;
            auto base = compile(*e.children[0], sub);
            note_entity_read(*e.children[0], base, sub, info);
            c->children.push_back(std::move(base));
            merge_info(info, sub, false);
            for (auto& p : e.projection) {
                exec::MapProjEntry m;
                m.key = p.key;
                switch (p.kind) {
                    case MapProjectionItem::Kind::Property:
                        m.kind = exec::MapProjEntry::Kind::Property;
                        break;
                    case MapProjectionItem::Kind::AllProperties:
                        m.kind = exec::MapProjEntry::Kind::AllProperties;
                        break;
                    case MapProjectionItem::Kind::Literal:
                        m.kind = exec::MapProjEntry::Kind::Value;
                        m.value = compile(*p.value, info);
                        break;
                    case MapProjectionItem::Kind::Variable: {
                        m.kind = exec::MapProjEntry::Kind::Value;
                        Expr ve = variable_expr(p.key);
                        m.value = compile(ve, info);
                        break;
                    }
                }
                c->projection.push_back(std::move(m));
            }
            return c;
        }
        case ExprKind::PatternComprehension: {
            refuse_local_patterns(e);
            bool yields_entity = false;
            int r = hoist(
                [&] {
                    RelScope rels;
                    plan_part(*e.pattern, rels);
                    if (e.children[0]) {
                        Info wi;
                        auto pred = compile(*e.children[0], wi);
                        add_filter(std::move(pred), wi);
                    }
                },
                [&] {
                    Info yi;
                    auto ce = compile(*e.children[1], yi);
                    yields_entity = yi.may_entity;
                    return HoistYield{project_new(std::move(ce), yi, " subquery_value"), -1};
                });
            info.may_entity |= yields_entity;
            return slot_expr(r);
        }
        case ExprKind::PatternPredicate:
            refuse_local_patterns(e);
            return non_empty(hoist_pattern(*e.pattern));
        case ExprKind::Subquery: return compile_subquery(e, info);
    }
    unsupported("expression");
}

// Plans a subquery run once per row: the rows go to the coordinator, are remembered,
// run `body`, and come back each with the list of the values `yield` names (or of nulls)
// its subquery produced, in the returned slot. Iteration variables are not visible inside:
// an iteration whose patterns use its variable binds it in a subquery of its own
// (iteration.cpp).
int Planner::hoist(const std::function<void()>& body, const std::function<HoistYield()>& yield) {
    auto saved_scope = scope_;
    auto saved_attached = attached_;
    auto saved_locals = std::move(locals_);
    locals_.clear();
    bool saved_blocked = agg_blocked_;
    agg_blocked_ = true;
    bool saved_read = read_, saved_wrote = wrote_;
    // SubqueryEnd releases the remembered rows in the order they came.
    const bool saved_ordered = ordered_;
    const int tag = new_slot(" subquery_tag");
    Step b = coord(OptionalBegin{tag});
    pinned_.push_back(tag);
    size_t begin = plan_->steps.size();
    subquery_begins_.push_back(static_cast<int>(begin));
    add(std::move(b));
    body();
    pinned_.pop_back();
    subquery_begins_.pop_back();
    HoistYield y;
    if (yield) y = yield();
    int result = new_slot(" subquery_result");
    add(coord(SubqueryEnd{static_cast<int>(begin), result, y.value, y.order}, true));
    scope_ = std::move(saved_scope);
    attached_ = std::move(saved_attached);
    locals_ = std::move(saved_locals);
    agg_blocked_ = saved_blocked;
    read_ = saved_read;
    wrote_ = saved_wrote;
    ordered_ = saved_ordered;
    return result;
}

// Patterns that use an iteration variable are compiled inside the per-element subquery of
// their iteration (iteration.cpp), where that variable is an ordinary one; what is left here
// is a pattern over a reduce accumulator, which changes from element to element.
void Planner::refuse_local_patterns(const Expr& e) const {
    if (uses_locals(e)) unsupported("patterns that use the accumulator of reduce");
}

// Computes `e` into a new slot and attaches every entity inside it.
int Planner::materialize(CExprPtr e, const Info& info) {
    int slot;
    if (e->kind == EK::Slot)
        slot = e->slot;
    else
        slot = project_new(std::move(e), info, " entity");
    if (!attached_.count(slot)) {
        add(coord(AttachDeep{{slot}}, true));
        attached_.insert(slot);
    }
    return slot;
}

int Planner::hoist_pattern(const PatternPart& part) {
    return hoist([&] {
        RelScope rels;
        plan_part(part, rels);
    });
}

// size(list_slot)
CExprPtr Planner::list_size(int list_slot) {
    auto size = std::make_unique<CExpr>(EK::Call);
    size->fn = fn::find_function("size");
    size->children.push_back(slot_expr(list_slot));
    return size;
}

CExprPtr Planner::non_empty(int list_slot) {
    auto cmp = std::make_unique<CExpr>(EK::Compare);
    cmp->cmps.push_back(exec::Cmp::Gt);
    cmp->children.push_back(list_size(list_slot));
    auto zero = std::make_unique<CExpr>(EK::Literal);
    zero->value = Value(int64_t{0});
    cmp->children.push_back(std::move(zero));
    return cmp;
}

// `into_entity`: the sub-expression's entity-ness carries over to the result.
void Planner::merge_info(Info& into, const Info& sub, bool into_entity) {
    into.data_slots.insert(sub.data_slots.begin(), sub.data_slots.end());
    into.deep_slots.insert(sub.deep_slots.begin(), sub.deep_slots.end());
    into.aggregate |= sub.aggregate;
    if (into_entity) into.may_entity |= sub.may_entity;
}

exec::Cmp Planner::to_cmp(Op op) {
    switch (op) {
        case Op::Eq: return exec::Cmp::Eq;
        case Op::Ne: return exec::Cmp::Ne;
        case Op::Lt: return exec::Cmp::Lt;
        case Op::Le: return exec::Cmp::Le;
        case Op::Gt: return exec::Cmp::Gt;
        default: return exec::Cmp::Ge;
    }
}

namespace {

char arith_of(Op op) {
    switch (op) {
        case Op::Add: return '+';
        case Op::Subtract: return '-';
        case Op::Multiply: return '*';
        case Op::Divide: return '/';
        case Op::Modulo: return '%';
        case Op::Power: return '^';
        default: return 0;
    }
}

}  // namespace

CExprPtr Planner::compile_binary(const Expr& e, Info& info) {
    EK k;
    switch (e.op) {
        case Op::Or: k = EK::Or; break;
        case Op::Xor: k = EK::Xor; break;
        case Op::And: k = EK::And; break;
        case Op::Add:
        case Op::Subtract:
        case Op::Multiply:
        case Op::Divide:
        case Op::Modulo:
        case Op::Power: k = EK::Arith; break;
        case Op::In: k = EK::In; break;
        case Op::StartsWith: k = EK::StartsWith; break;
        case Op::EndsWith: k = EK::EndsWith; break;
        case Op::Contains: k = EK::Contains; break;
        case Op::RegexMatch: k = EK::Regex; break;
        case Op::Eq:
        case Op::Ne:
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge: {
            auto c = std::make_unique<CExpr>(EK::Compare);
            c->cmps.push_back(to_cmp(e.op));
            c->children.push_back(compile(*e.children[0], info));
            c->children.push_back(compile(*e.children[1], info));
            info.may_entity = false;
            return c;
        }
        default: unsupported("operator");
    }
    auto c = std::make_unique<CExpr>(k);
    if (k == EK::Regex) c->regex = std::make_unique<exec::RegexSlot>();
    // A chain (a + b - c) stays one node with an operand per term. Its leading operands
    // may be a projected expression that ORDER BY or WITH ... WHERE names (a + b).
    size_t first = 0;
    if (!text_subst_.empty())
        for (size_t j = e.children.size() - 2; j >= 1 && first == 0; --j)
            if (auto it = text_subst_.find(chain_prefix_text(e, j)); it != text_subst_.end()) {
                c->children.push_back(slot_expr(it->second));
                first = j;
            }
    c->arith = arith_of(binary_op(e, first + 1));
    for (size_t i = first; i < e.children.size(); ++i) {
        if (!e.ops.empty() && i > first) c->ariths.push_back(arith_of(binary_op(e, i)));
        if (i == first && first > 0) continue;
        Info ci;
        c->children.push_back(compile(*e.children[i], ci));
        merge_info(info, ci, k == EK::Arith);
    }
    return c;
}

CExprPtr Planner::compile_iteration(const Expr& e, Info& info, EK kind) {
    if (needs_per_element(e)) return compile_per_element(e, info, kind);
    auto c = std::make_unique<CExpr>(kind);
    c->quant = static_cast<int>(e.quantifier);
    Info li;
    c->children.push_back(compile(*e.children[0], li));
    c->slot = new_slot(e.variable);
    locals_.push_back({e.variable, Var{c->slot, VT::Value, li.may_entity}});
    bool reads_elements = false;
    for (size_t i = 1; i < 3; ++i) {
        if (i < e.children.size() && e.children[i]) {
            Info sub;
            c->children.push_back(compile(*e.children[i], sub));
            reads_elements |= sub.deep_slots.erase(c->slot) > 0;
            merge_info(info, sub, kind == EK::ListComp && i == 2);
        } else if (kind == EK::ListComp) {
            c->children.push_back(nullptr);
        }
    }
    locals_.pop_back();
    // The elements' data is read: the list's entities must be attached.
    if (reads_elements) note_entity_read(*e.children[0], c->children[0], li, li);
    // A list comprehension gives the list's elements, or the values of its projection.
    const bool projects = e.children.size() > 2 && e.children[2];
    merge_info(info, li, kind == EK::ListComp && !projects);
    if (kind == EK::Quantifier) info.may_entity = false;  // a boolean
    return c;
}

// After compiling reduce or an iteration `e` (reduce's init, when `init` is given, into `ii`;
// the body into `bi`): whether the body reads the data of the element (`slot`). A read of the
// accumulator's (`acc`) counts as one too, and attaches what else it may hold: the initial
// value's entities and whatever the body names (the accumulator holds its earlier results).
bool Planner::reads_iterands(const Expr& e, CExprPtr* init, Info& ii, Info& bi, int slot, int acc) {
    bool reads_elements = bi.deep_slots.erase(slot) > 0;
    if (init && bi.deep_slots.erase(acc) > 0) {
        reads_elements = true;
        note_entity_read(*e.children[0], *init, ii, ii);
        if (e.children.size() > 2 && e.children[2]) note_variables_read(*e.children[2], bi);
        bi.deep_slots.erase(slot);
        bi.deep_slots.erase(acc);
    }
    return reads_elements;
}

CExprPtr Planner::compile_call(const Expr& e, Info& info) {
    if (is_aggregate_call(e)) {
        if (!agg_sink_ || agg_blocked_)
            throw_semantic("SyntaxError", "InvalidAggregation",
                           "Aggregation is not allowed here: " + e.text);
        return agg_sink_(e, info);
    }
    const fn::FunctionInfo* f = fn::find_function(e.name);
    if (!f) throw_semantic("SyntaxError", "UnknownFunction", "Unknown function '" + e.name + "'");
    auto c = std::make_unique<CExpr>(EK::Call);
    c->fn = f;
    std::string_view n = f->name;
    if (n == "linenumber" || n == "file")
        if (auto slot = load_csv_function(n)) return slot;
    // exists((a)-->(b)) is the pattern predicate itself (the function would only test its
    // boolean for null).
    if (n == "exists" && e.children.size() == 1 &&
        e.children[0]->kind == ExprKind::PatternPredicate)
        return compile(*e.children[0], info);
    if (n == "size" && e.children.size() == 1 &&
        e.children[0]->kind == ExprKind::PatternPredicate) {
        refuse_local_patterns(e);
        c->children.push_back(slot_expr(hoist_pattern(*e.children[0]->pattern)));
        return c;
    }
    bool reads_data = n == "labels" || n == "keys" || n == "properties" || n == "exists";
    bool yields_entity = n == "startnode" || n == "endnode" || n == "nodes" ||
                         n == "relationships" || n == "coalesce" || n == "head" || n == "last" ||
                         n == "tail" || n == "reverse";
    for (auto& a : e.children) {
        Info sub;
        auto arg = compile(*a, sub);
        if (reads_data) note_entity_read(*a, arg, sub, info);
        c->children.push_back(std::move(arg));
        merge_info(info, sub, yields_entity);
    }
    if (n == "startnode" || n == "endnode" || n == "nodes" || n == "relationships")
        info.may_entity = true;
    return c;
}

}  // namespace lora::plan
