// Row-slot rewrites for bulk loads. UNWIND map unpacking: when the rows of `UNWIND list AS r`
// only ever read fixed keys of r (r.a, r.b), the Unwind step copies those keys into plain
// slots and drops the map, so later hops ship a few scalars instead of re-encoding and
// rebuilding the whole map per row. And a created relationship nothing reads is not put in
// its row (a value allocated per row for nothing).
#include <lora/plan/planner.hpp>

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
        (e.slot == slot || e.slot2 == slot))
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

// Whether step `s` refers to `slot` other than through expressions, or assigns it (a
// Project that only clears it is fine: the unpacked slots get cleared with it).
bool slot_used_outside_exprs(const Step& s, int slot) {
    auto in = [&](const std::vector<int>& v) {
        for (int x : v)
            if (x == slot) return true;
        return false;
    };
    if (s.loc.slot == slot || s.slot == slot || s.rel_slot == slot || s.to_slot == slot ||
        s.aux_slot == slot || s.guard_slot == slot || in(s.slots) || in(s.key_slots))
        return true;
    for (const auto& a : s.aggs)
        if (a.slot == slot || in(a.arg_slots)) return true;
    for (const auto& k : s.sort)
        if (k.slot == slot) return true;
    for (const auto& y : s.yields)
        if (y.second == slot) return true;
    for (const auto& u : s.unpack)
        if (u.second == slot) return true;
    for (const auto& o : s.outputs)
        if (o.slot == slot && !is_null_literal(o.expr)) return true;
    // Expressions an index seek carries are clones of filter expressions the filters
    // still hold, except the recheck; seeks are chosen after this pass, so none exist yet.
    return s.seek != nullptr;
}

template <typename F>
bool all_exprs(const Step& s, F&& f) {
    if (s.expr && !f(*s.expr)) return false;
    for (const auto& o : s.outputs)
        if (o.expr && !f(*o.expr)) return false;
    for (const auto& a : s.args)
        if (a && !f(*a)) return false;
    return true;
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
        Step& c = plan.steps[i];
        if (c.op != OpKind::CreateRel || c.rel_slot < 0) continue;
        const int r = c.rel_slot;
        bool read = false;
        for (size_t j = 0; !read && j < plan.steps.size(); ++j) {
            if (j == i) continue;
            const Step& s = plan.steps[j];
            read = slot_used_outside_exprs(s, r) ||
                   !all_exprs(s, [&](const CExpr& e) { return !reads_slot(e, r); });
        }
        if (!read) c.rel_slot = -1;
    }
}

void unpack_unwind_maps(Plan& plan) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps[i].op != OpKind::Unwind || !plan.steps[i].unpack.empty()) continue;
        const int r = plan.steps[i].slot;
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
            plan.steps[i].unpack.emplace_back(key, slot);
        }
        for (size_t j = 0; j < plan.steps.size(); ++j) {
            if (j == i) continue;
            Step& s = plan.steps[j];
            if (s.expr) mark_reads(*s.expr, r, keys);
            for (auto& a : s.args)
                if (a) mark_reads(*a, r, keys);
            bool clears_r = false;
            for (auto& o : s.outputs) {
                if (o.slot == r)
                    clears_r = true;
                else if (o.expr)
                    mark_reads(*o.expr, r, keys);
            }
            // Where r goes out of scope (WITH), its keys go too.
            if (clears_r)
                for (const auto& [key, slot] : keys)
                    s.outputs.push_back({slot, std::make_unique<CExpr>(EK::Literal)});
        }
    }
}

}  // namespace lora::plan
