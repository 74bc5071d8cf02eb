// Placement: decides where each step runs and adds the Attach steps and Eager barriers it
// needs; also clears dead slots after WITH and keeps result columns in slots of their own.
// The rules (see docs/architecture.md):
//  - a step that reads an entity's properties or labels runs at the entity's shard, unless
//    that entity's data was attached to the row earlier (and no write happened since);
//  - when a step reads several entities, all but one are attached first;
//  - writes run at the shard owning what they write; new nodes go round-robin;
//  - merges (aggregate, sort, distinct, limit, eager barriers) run at the coordinator.
#include "plan/planner_state.hpp"

#include <algorithm>

namespace lora::plan {

// Adds a Project step computing `e` (placed where its data lives) into a new slot.
int Planner::project_new(CExprPtr e, const Info& info, const std::string& name) {
    int slot = new_slot(name);
    Project p;
    p.outputs.push_back({slot, std::move(e)});
    add(step(place(info), std::move(p)));
    return slot;
}

// Copies the data of the entity in `slot` into the row, at the entity's shard.
void Planner::attach(int slot) {
    if (attached_.count(slot)) return;
    add(step({LocKind::Shard, slot}, Attach{slot}));
    attached_.insert(slot);
}

// Decides where a step that evaluates expressions (described by `info`) must run, and
// adds the Attach steps it needs first. `own` is the entity the step itself works on
// (it runs at that entity's shard), or -1.
Location Planner::place(const Info& info, int own) {
    if (ordered_ && own < 0) {
        // Rows are in ORDER BY order at the coordinator: fetch what the step reads there
        // instead of sending rows to shards, which would lose the order.
        std::set<int> all = info.deep_slots;
        all.insert(info.data_slots.begin(), info.data_slots.end());
        for (int s : all) {
            if (attached_.count(s)) continue;
            add(coord(AttachDeep{{s}}, true));
            attached_.insert(s);
        }
        return {LocKind::Any, -1};
    }
    for (int s : info.deep_slots) {
        if (attached_.count(s)) continue;
        add(coord(AttachDeep{{s}}, true));
        attached_.insert(s);
    }
    std::vector<int> need;
    for (int s : info.data_slots)
        if (!attached_.count(s) && s != own) need.push_back(s);
    int local = own;
    if (local < 0 && !need.empty()) {
        auto it = std::find(need.begin(), need.end(), here_);
        local = it != need.end() ? *it : need.front();
        need.erase(std::find(need.begin(), need.end(), local));
    }
    for (int s : need) attach(s);
    if (local < 0) return {LocKind::Any, -1};
    return {LocKind::Shard, local};
}

void Planner::add_filter(CExprPtr pred, const Info& info) {
    Location loc = place(info);
    add(step(loc, Filter{std::move(pred)}));
}

// Marks that the data of whatever `base` evaluates to is read.
void Planner::note_data_read(const Expr& base, Info& info) {
    if (base.kind != ExprKind::Variable) return;
    const Var* v = lookup(base.name);
    if (!v) return;
    if (entity_type(v->type))
        info.data_slots.insert(v->slot);
    else if (v->may_entity || v->type == VT::Path)
        info.deep_slots.insert(v->slot);
}

// Marks that the data of the entities `base` evaluates to is read; `compiled` is `base`
// compiled with `sub`. A variable's data is attached where it lives. A computed entity
// (startNode(r), last(nodes(p)), head(list), ...) is computed into a slot and attached, unless
// it depends on an iteration variable (or accumulator): then it can only be computed while
// the iteration runs, and the values it is taken from are attached instead - the variables
// it names, an iteration's own variable standing for the elements of its list (the iteration
// then attaches that list, compile_iteration). A node startNode() or endNode() computes from
// an iteration variable is in no such value: its reads are computed per element in a
// subquery (iteration.cpp), where the variable is an ordinary one.
void Planner::note_entity_read(const Expr& base, CExprPtr& compiled, Info& sub, Info& info) {
    if (base.kind == ExprKind::Variable) {
        note_data_read(base, info);
        return;
    }
    if (!sub.may_entity) return;
    if (!uses_locals(base)) {
        compiled = slot_expr(materialize(std::move(compiled), sub));
        sub = Info{};
        return;
    }
    note_variables_read(base, info);
}

// Marks that the data of entities held by any variable `e` names may be read.
void Planner::note_variables_read(const Expr& e, Info& info) const {
    std::set<std::string> names;
    collect_variables(e, names);
    for (const auto& name : names) {
        const Var* v = lookup(name);
        if (!v) continue;
        if (entity_type(v->type))
            info.data_slots.insert(v->slot);
        else if (v->may_entity || v->type == VT::Path)
            info.deep_slots.insert(v->slot);
    }
}

// Whether `e` names a variable of an enclosing iteration (or reduce's accumulator).
bool Planner::uses_locals(const Expr& e) const {
    if (locals_.empty()) return false;
    std::set<std::string> names;
    collect_variables(e, names);
    for (const auto& [name, v] : locals_)
        if (names.count(name)) return true;
    return false;
}

bool Planner::bound_all(const std::set<std::string>& vars) const {
    for (auto& v : vars)
        if (!scope_.count(v)) return false;
    return true;
}

void Planner::flush_ready(std::vector<Pending>& pending, bool all) {
    for (auto it = pending.begin(); it != pending.end();) {
        if (all || bound_all(it->vars)) {
            Info info;
            auto pred = compile(*it->expr, info);
            add_filter(std::move(pred), info);
            it = pending.erase(it);
        } else {
            ++it;
        }
    }
}

void Planner::note_read_clause() {
    if (wrote_) {
        add(coord(Eager{}, true));
        wrote_ = false;
    }
    if (!read_) reads_from_ = plan_->steps.size();
    read_ = true;
}

// `rels_only`: the clause only creates relationships between nodes bound before. Such a
// clause cannot change what reads of node existence, labels and properties see, so when
// the reads since the last barrier are only those (no expansion, no subquery), the rows
// may stream into it without an Eager barrier: bulk loads of the form
// UNWIND .. MATCH (a {id: ..}), (b {id: ..}) CREATE (a)-[:T]->(b) need no round trip
// through the coordinator.
void Planner::note_write_clause(bool rels_only) {
    if (read_ && !(rels_only && reads_only_nodes())) {
        add(coord(Eager{}, true));
        read_ = false;
    }
    wrote_ = true;
}

bool Planner::reads_only_nodes() const {
    for (size_t i = reads_from_; i < plan_->steps.size(); ++i) {
        switch (plan_->steps[i].kind()) {
            case OpKind::ScanNodes:
            case OpKind::NodeIndexSeek:
            case OpKind::Filter:
            case OpKind::Project:
            case OpKind::Unwind:
            case OpKind::Attach:
            case OpKind::AttachDeep:
            case OpKind::CreateRel: continue;
            default: return false;
        }
    }
    return true;
}

// After WITH only the projected variables live on: null every other slot so rows stop
// carrying (and shipping between shards) values nothing can read any more.
void Planner::clear_dead_slots() {
    std::set<int> live(pinned_.begin(), pinned_.end());
    for (auto& [k, v] : scope_) live.insert(v.slot);
    Project p;
    for (int s = 0; s < next_slot_; ++s) {
        if (live.count(s)) continue;
        p.outputs.push_back({s, std::make_unique<CExpr>(EK::Literal)});
    }
    if (!p.outputs.empty()) add(step({LocKind::Any, -1}, std::move(p)));
}

// Attaches the data of entity columns while the rows are still at the shards.
void Planner::attach_outputs(const std::map<std::string, Var>& outs) {
    for (auto& [k, v] : outs) {
        if (!entity_type(v.type) || attached_.count(v.slot)) continue;
        if (ordered_) {
            add(coord(AttachDeep{{v.slot}}, true));
            attached_.insert(v.slot);
            continue;
        }
        attach(v.slot);
    }
}

// Adds the Produce step at the coordinator. Produce moves each slot's value into the result
// row, so a slot may appear only once: a column repeating an earlier column's slot (a
// variable or an expression projected under several names) gets a copy in a slot of its own.
void Planner::add_produce(std::vector<int> slots) {
    Project copies;
    std::set<int> seen;
    for (int& s : slots) {
        if (seen.insert(s).second) continue;
        int copy = new_slot(" column");
        copies.outputs.push_back({copy, slot_expr(s)});
        s = copy;
    }
    if (!copies.outputs.empty()) add(step({LocKind::Any, -1}, std::move(copies)));
    add(coord(Produce{std::move(slots)}));
}

}  // namespace lora::plan
