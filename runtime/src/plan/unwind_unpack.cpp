// Row-slot rewrites for bulk loads. UNWIND map unpacking: when the rows of `UNWIND list AS r`
// only ever read fixed keys of r (r.a, r.b), the Unwind step copies those keys into plain
// slots and drops the map, so later hops ship a few scalars instead of re-encoding and
// rebuilding the whole map per row. And a created relationship nothing reads is not put in
// its row (a value allocated per row for nothing).
#include <lora/plan/planner.hpp>

#include <algorithm>
#include <map>
#include <string>

namespace lora::plan {

namespace {

using exec::EK;

// Collects the keys read as `slot.key` in `e`; false when `e` reads the slot any other way
// (the whole value: RETURN r, keys(r), r[k], r {.a}, ...).
bool keys_read(const CExpr& e, int slot, std::map<std::string, int>& keys) {
    if (e.kind == EK::Property && e.children.size() == 1 && e.children[0] &&
        e.children[0]->kind == EK::Slot && e.children[0]->slot == slot) {
        keys.emplace(e.name, -1);
        return true;
    }
    if (e.kind == EK::Slot && e.slot == slot) return false;
    if ((e.kind == EK::ListComp || e.kind == EK::Quantifier || e.kind == EK::Reduce) &&
        (e.slot == slot || e.slot2 == slot || e.pre_slot == slot))
        return false;
    for (const auto& c : e.children)
        if (c && !keys_read(*c, slot, keys)) return false;
    for (const auto& p : e.projection)
        if (p.value && !keys_read(*p.value, slot, keys)) return false;
    return true;
}

void mark_reads(CExpr& e, int slot, const std::map<std::string, int>& keys) {
    if (e.kind == EK::Property && e.children.size() == 1 && e.children[0] &&
        e.children[0]->kind == EK::Slot && e.children[0]->slot == slot) {
        e.slot2 = keys.at(e.name);
        return;
    }
    for (auto& c : e.children)
        if (c) mark_reads(*c, slot, keys);
    for (auto& p : e.projection)
        if (p.value) mark_reads(*p.value, slot, keys);
}

bool is_null_literal(const CExprPtr& e) {
    return e && e->kind == EK::Literal && e->value.is_null();
}

// Whether an operator refers to `slot` other than through expressions, or assigns it (a
// Project that only clears it is fine: the unpacked slots get cleared with it).
struct SlotUse {
    int slot;
    bool in(const std::vector<int>& v) const {
        return std::find(v.begin(), v.end(), slot) != v.end();
    }
    bool operator()(const ScanNodes& o) const { return o.slot == slot; }
    // Expressions an index seek carries are clones of filter expressions the filters
    // still hold, except the recheck; seeks are chosen after this pass, so none exist yet.
    bool operator()(const NodeIndexSeek&) const { return true; }
    bool operator()(const Expand& o) const {
        return o.from == slot || o.rel == slot || o.to == slot;
    }
    bool operator()(const VarExpand& o) const {
        return o.from == slot || o.rel == slot || o.to == slot || o.frontier == slot;
    }
    bool operator()(const ShortestPath& o) const {
        return o.from == slot || o.to == slot || o.path == slot || o.rel == slot ||
               o.frontier == slot || o.work == slot;
    }
    bool operator()(const Filter&) const { return false; }
    bool operator()(const Project& o) const {
        for (const auto& p : o.outputs)
            if (p.slot == slot && !is_null_literal(p.expr)) return true;
        return false;
    }
    bool operator()(const Unwind& o) const {
        if (o.slot == slot || o.index == slot) return true;
        for (const auto& u : o.unpack)
            if (u.second == slot) return true;
        return false;
    }
    bool operator()(const Attach& o) const { return o.slot == slot; }
    bool operator()(const AttachDeep& o) const { return in(o.slots); }
    bool operator()(const CreateNode& o) const { return o.slot == slot; }
    bool operator()(const CreateRel& o) const {
        return o.start == slot || o.rel == slot || o.end == slot;
    }
    bool operator()(const SetProperty& o) const { return o.slot == slot; }
    bool operator()(const SetProperties& o) const { return o.slot == slot; }
    bool operator()(const SetLabels& o) const { return o.slot == slot; }
    bool operator()(const RemoveProperty& o) const { return o.slot == slot; }
    bool operator()(const RemoveLabels& o) const { return o.slot == slot; }
    bool operator()(const DeleteRel& o) const { return o.slot == slot; }
    bool operator()(const DeleteNode& o) const { return o.slot == slot; }
    bool operator()(const OptionalBegin& o) const { return o.tag == slot; }
    bool operator()(const OptionalEnd& o) const { return in(o.nulls); }
    bool operator()(const SubqueryEnd& o) const {
        return o.result == slot || o.value == slot || o.order == slot;
    }
    bool operator()(const CallProcedure& o) const {
        for (const auto& y : o.yields)
            if (y.second == slot) return true;
        return false;
    }
    bool operator()(const VectorBegin& o) const { return in(o.args) || o.tag == slot; }
    bool operator()(const VectorSearch& o) const {
        return in(o.args) || o.tag == slot || o.node == slot || o.score == slot;
    }
    bool operator()(const VectorTopK& o) const {
        return in(o.args) || o.tag == slot || o.node == slot || o.score == slot;
    }
    bool operator()(const MergeEnd& o) const {
        return o.flag == slot || o.group == slot || o.key == slot;
    }
    bool operator()(const MergeJoin& o) const {
        return o.flag == slot || o.group == slot || in(o.created);
    }
    bool operator()(const Distinct& o) const { return in(o.slots); }
    bool operator()(const Aggregate& o) const {
        if (in(o.keys)) return true;
        for (const auto& a : o.aggs)
            if (a.slot == slot || in(a.arg_slots)) return true;
        return false;
    }
    bool operator()(const Sort& o) const {
        for (const auto& k : o.keys)
            if (k.slot == slot) return true;
        return false;
    }
    bool operator()(const Skip&) const { return false; }
    bool operator()(const Limit&) const { return false; }
    bool operator()(const Eager&) const { return false; }
    bool operator()(const Produce& o) const { return in(o.slots); }
    bool operator()(const LoadCsv& o) const {
        return o.slot == slot || o.line == slot || o.file == slot;
    }
};

bool slot_used_outside_exprs(const Step& s, int slot) {
    return s.loc.slot == slot || s.guard.slot == slot || std::visit(SlotUse{slot}, s.op);
}

template <typename F>
bool all_exprs(const Step& s, F&& f) {
    bool all = true;
    for_each_expr(s.op, [&](const CExprPtr& e) {
        if (all && e && !f(*e)) all = false;
    });
    return all;
}

bool reads_slot(const CExpr& e, int slot) {
    if (e.kind == EK::Slot && e.slot == slot) return true;
    for (const auto& c : e.children)
        if (c && reads_slot(*c, slot)) return true;
    for (const auto& p : e.projection)
        if (p.value && reads_slot(*p.value, slot)) return true;
    return false;
}

}  // namespace

void drop_unread_rel_slots(Plan& plan) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        auto* c = std::get_if<CreateRel>(&plan.steps[i].op);
        if (!c || c->rel < 0) continue;
        const int r = c->rel;
        bool read = false;
        for (size_t j = 0; !read && j < plan.steps.size(); ++j) {
            if (j == i) continue;
            const Step& s = plan.steps[j];
            read = slot_used_outside_exprs(s, r) ||
                   !all_exprs(s, [&](const CExpr& e) { return !reads_slot(e, r); });
        }
        if (!read) c->rel = -1;
    }
}

void unpack_unwind_maps(Plan& plan) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        auto* unwind = std::get_if<Unwind>(&plan.steps[i].op);
        if (!unwind || !unwind->unpack.empty()) continue;
        const int r = unwind->slot;
        std::map<std::string, int> keys;
        bool ok = true;
        for (size_t j = 0; ok && j < plan.steps.size(); ++j) {
            const Step& s = plan.steps[j];
            if (j != i && slot_used_outside_exprs(s, r)) ok = false;
            // The Unwind's own list expression cannot read r (it is not bound yet).
            if (ok && j != i)
                ok = all_exprs(s, [&](const CExpr& e) { return keys_read(e, r, keys); });
        }
        if (!ok || keys.empty()) continue;
        const std::string& base = static_cast<size_t>(r) < plan.slot_names.size()
                                      ? plan.slot_names[static_cast<size_t>(r)]
                                      : std::string("?");
        for (auto& [key, slot] : keys) {
            slot = plan.slot_count++;
            // A leading space marks a planner-made slot (EXPLAIN does not name it).
            plan.slot_names.push_back(" " + base + "." + key);
            unwind->unpack.emplace_back(key, slot);
        }
        for (size_t j = 0; j < plan.steps.size(); ++j) {
            if (j == i) continue;
            Operator& op = plan.steps[j].op;
            auto* project = std::get_if<Project>(&op);
            if (!project) {
                for_each_expr(op, [&](CExprPtr& e) {
                    if (e) mark_reads(*e, r, keys);
                });
                continue;
            }
            bool clears_r = false;
            for (auto& o : project->outputs) {
                if (o.slot == r)
                    clears_r = true;
                else if (o.expr)
                    mark_reads(*o.expr, r, keys);
            }
            // Where r goes out of scope (WITH), its keys go too.
            if (clears_r)
                for (const auto& [key, slot] : keys)
                    project->outputs.push_back({slot, std::make_unique<CExpr>(EK::Literal)});
        }
    }
}

}  // namespace lora::plan
