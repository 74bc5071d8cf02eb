// Index selection: a label scan whose following filters compare one of the node's
// properties with a value that does not depend on the node becomes a NodeIndexSeek. The
// filters stay, so the seek only has to return a superset of the matching nodes - except
// the equality conjunct of a one-property equality seek, which the seek itself rechecks.
#include <lora/plan/planner.hpp>

#include <algorithm>

namespace lora::plan {

namespace {

using exec::Cmp;
using exec::EK;

struct PropPred {
    std::string prop;
    enum class Op : uint8_t { Eq, In, Lt, Le, Gt, Ge } op;
    const CExpr* value;
    const CExpr* conjunct = nullptr;  // the comparison in its filter
    size_t filter = 0;                // the filter's step
    // The seek can evaluate the conjunct where it runs: nothing was attached for the
    // filter (it reads no other entity's data) and the filter runs at the sought node.
    bool movable = false;
};

const std::string* property_of_slot(const CExpr& e, int slot) {
    if (e.kind == EK::Property && e.children.size() == 1 && e.children[0]->kind == EK::Slot &&
        e.children[0]->slot == slot)
        return &e.name;
    return nullptr;
}

// Values the seek can compute before it has a node: no graph reads, no sought node.
bool seekable(const CExpr& e, int slot) {
    switch (e.kind) {
        case EK::Literal:
        case EK::Param: return true;
        case EK::Slot: return e.slot != slot;
        // A key of a map (UNWIND $rows AS r ... {id: r.id}). Should the value be an entity
        // held elsewhere, reading it throws and the seek falls back to the label scan.
        case EK::Property:
        case EK::List:
        case EK::Negate:
        case EK::Arith:
            return std::all_of(e.children.begin(), e.children.end(),
                               [&](const CExprPtr& c) { return c && seekable(*c, slot); });
        // A function of such values whose result is one for the whole statement
        // (date('2024-01-01'), toUpper($name)); not rand() or a .realtime() clock.
        case EK::Call:
            return e.fn && e.fn->deterministic && !e.fn->aggregate &&
                   std::all_of(e.children.begin(), e.children.end(),
                               [&](const CExprPtr& c) { return c && seekable(*c, slot); });
        default: return false;
    }
}

std::optional<PropPred::Op> op_of(Cmp c, bool flipped) {
    switch (c) {
        case Cmp::Eq: return PropPred::Op::Eq;
        case Cmp::Lt: return flipped ? PropPred::Op::Gt : PropPred::Op::Lt;
        case Cmp::Le: return flipped ? PropPred::Op::Ge : PropPred::Op::Le;
        case Cmp::Gt: return flipped ? PropPred::Op::Lt : PropPred::Op::Gt;
        case Cmp::Ge: return flipped ? PropPred::Op::Le : PropPred::Op::Ge;
        case Cmp::Ne: return std::nullopt;
    }
    return std::nullopt;
}

void collect(const CExpr& e, int slot, size_t filter, bool movable, std::vector<PropPred>& out) {
    if (e.kind == EK::And) {
        for (const auto& c : e.children)
            if (c) collect(*c, slot, filter, movable, out);
        return;
    }
    if (e.kind == EK::Compare && e.cmps.size() == 1 && e.children.size() == 2) {
        const CExpr& a = *e.children[0];
        const CExpr& b = *e.children[1];
        if (const auto* p = property_of_slot(a, slot); p && seekable(b, slot)) {
            if (auto op = op_of(e.cmps[0], false))
                out.push_back({*p, *op, &b, &e, filter, movable});
        } else if (const auto* q = property_of_slot(b, slot); q && seekable(a, slot)) {
            if (auto op = op_of(e.cmps[0], true)) out.push_back({*q, *op, &a, &e, filter, movable});
        }
        return;
    }
    if (e.kind == EK::In && e.children.size() == 2) {
        if (const auto* p = property_of_slot(*e.children[0], slot);
            p && seekable(*e.children[1], slot))
            out.push_back({*p, PropPred::Op::In, e.children[1].get(), &e, filter, movable});
    }
}

// Takes `target` out of the conjunction `root` and returns it; `root` becomes null when
// nothing is left.
CExprPtr take_conjunct(CExprPtr& root, const CExpr* target) {
    if (!root) return nullptr;
    if (root.get() == target) return std::move(root);
    if (root->kind != EK::And) return nullptr;
    auto& ch = root->children;
    for (size_t i = 0; i < ch.size(); ++i) {
        CExprPtr got = take_conjunct(ch[i], target);
        if (!got) continue;
        if (!ch[i]) ch.erase(ch.begin() + static_cast<std::ptrdiff_t>(i));
        if (ch.size() == 1)
            root = std::move(ch[0]);
        else if (ch.empty())
            root = nullptr;
        return got;
    }
    return nullptr;
}

// An equality seek on one property takes its conjunct out of the filter after it: the seek
// checks candidates the index cannot vouch for itself (exec/ops/index_seek.cpp), so rows whose
// node came straight from an exact index hit skip a second read of the property.
// The index of the step a step is paired with (the begin of its subquery, MERGE's end), or null.
int* paired_step(Operator& op) {
    if (auto* o = std::get_if<OptionalEnd>(&op)) return &o->begin;
    if (auto* o = std::get_if<SubqueryEnd>(&op)) return &o->begin;
    if (auto* o = std::get_if<MergeEnd>(&op)) return &o->begin;
    if (auto* o = std::get_if<MergeJoin>(&op)) return &o->end;
    return nullptr;
}

void take_over_filter(Plan& plan, IndexSeek& seek, const PropPred& pred) {
    Filter& f = std::get<Filter>(plan.steps[pred.filter].op);
    seek.recheck = take_conjunct(f.pred, pred.conjunct);
    if (!seek.recheck || f.pred) return;
    // The filter is empty now: drop it, and renumber the step indices steps keep.
    plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(pred.filter));
    for (auto& s : plan.steps)
        if (int* pair = paired_step(s.op); pair && *pair > static_cast<int>(pred.filter)) --*pair;
}

const PropPred* find_pred(const std::vector<PropPred>& preds, const std::string& prop,
                          std::initializer_list<PropPred::Op> ops) {
    for (const auto& p : preds)
        if (p.prop == prop && std::find(ops.begin(), ops.end(), p.op) != ops.end()) return &p;
    return nullptr;
}

// The best seek over `defs` for these predicates: equality on every property of the
// index with the most properties, then IN, then a range on one property.
std::shared_ptr<IndexSeek> choose(const std::vector<storage::IndexDef>& defs,
                                  const std::vector<PropPred>& preds, const PropPred** taken) {
    *taken = nullptr;
    using Op = PropPred::Op;
    const storage::IndexDef* best = nullptr;
    for (const auto& d : defs) {
        bool all = std::all_of(d.properties.begin(), d.properties.end(),
                               [&](const std::string& p) { return find_pred(preds, p, {Op::Eq}); });
        if (all && (!best || d.properties.size() > best->properties.size())) best = &d;
    }
    auto seek = std::make_shared<IndexSeek>();
    if (best) {
        if (best->properties.size() == 1) *taken = find_pred(preds, best->properties[0], {Op::Eq});
        seek->mode = IndexSeek::Mode::Equal;
        seek->index = best->name;
        seek->properties = best->properties;
        for (const auto& p : best->properties)
            seek->values.push_back(exec::clone(*find_pred(preds, p, {Op::Eq})->value));
        return seek;
    }
    for (const auto& d : defs) {
        if (d.properties.size() != 1) continue;
        if (const auto* in = find_pred(preds, d.properties[0], {Op::In})) {
            seek->mode = IndexSeek::Mode::In;
            seek->index = d.name;
            seek->properties = d.properties;
            seek->values.push_back(exec::clone(*in->value));
            return seek;
        }
    }
    for (const auto& d : defs) {
        if (d.properties.size() != 1) continue;
        const auto* lo = find_pred(preds, d.properties[0], {Op::Gt, Op::Ge});
        const auto* hi = find_pred(preds, d.properties[0], {Op::Lt, Op::Le});
        if (!lo && !hi) continue;
        seek->mode = IndexSeek::Mode::Range;
        seek->index = d.name;
        seek->properties = d.properties;
        if (lo) {
            seek->lower = exec::clone(*lo->value);
            seek->lower_inclusive = lo->op == Op::Ge;
        }
        if (hi) {
            seek->upper = exec::clone(*hi->value);
            seek->upper_inclusive = hi->op == Op::Le;
        }
        return seek;
    }
    return nullptr;
}

}  // namespace

void use_indexes(Plan& plan, const storage::IndexRegistry& indexes) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        Step& s = plan.steps[i];
        const auto* scan = std::get_if<ScanNodes>(&s.op);
        if (!scan || !scan->label) continue;
        auto defs = indexes.online_range(*scan->label);
        if (defs.empty()) continue;
        std::vector<PropPred> preds;
        bool attached = false;
        for (size_t j = i + 1; j < plan.steps.size(); ++j) {
            const Step& f = plan.steps[j];
            if (f.kind() == OpKind::Attach) {
                attached = true;
                continue;
            }
            const auto* filter = std::get_if<Filter>(&f.op);
            if (!filter || !filter->pred) break;
            if (f.guard.slot != s.guard.slot ||
                (f.guard.slot >= 0 && f.guard.value != s.guard.value))
                break;
            const bool at_node = f.loc.kind == LocKind::Any ||
                                 (f.loc.kind == LocKind::Shard && f.loc.slot == scan->slot);
            collect(*filter->pred, scan->slot, j, !attached && at_node, preds);
        }
        const PropPred* taken = nullptr;
        if (auto seek = choose(defs, preds, &taken)) {
            // A dropped filter comes after the scan: `s` and `scan` stay valid.
            if (taken && taken->movable) take_over_filter(plan, *seek, *taken);
            s.op = NodeIndexSeek{scan->slot, *scan->label, std::move(seek)};
        }
    }
}

}  // namespace lora::plan
