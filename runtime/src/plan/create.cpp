// CREATE: nodes (round-robin, or next to a node the same path creates) and relationships (at
// the start node's shard); the CreateNode/CreateRel steps MERGE also uses.
#include "plan/planner_state.hpp"

#include <utility>

namespace lora::plan {

void Planner::plan_create(const Clause& c) {
    bool rels_only = true;
    for (const auto& part : c.pattern.parts) refuse_shortest(part, "CREATE");
    for (const auto& part : c.pattern.parts)
        for (const auto& np : part.nodes)
            if (!np.variable || !lookup(*np.variable) || !np.labels.empty() || np.properties)
                rels_only = false;
    note_write_clause(rels_only);
    for (const auto& part : c.pattern.parts) {
        std::vector<int> slots;
        // A node created next to another node created by the same path lands on that
        // node's shard, so the path and its relationships are written at one shard (one
        // hop instead of one per node). The first new node of a path still goes
        // round-robin, so rows spread; a node next to an existing one does too (a hub
        // would otherwise collect all its new neighbours).
        int prev_new = -1;
        for (const auto& np : part.nodes) {
            int fresh = -1;
            slots.push_back(create_node(np, prev_new, &fresh));
            node_slot_[&np] = slots.back();
            prev_new = fresh;
        }
        for (size_t i = 0; i < part.rels.size(); ++i) {
            const RelPattern& rp = part.rels[i];
            if (rp.types.size() != 1)
                throw_semantic("SyntaxError", "NoSingleRelationshipType",
                               "A single relationship type must be specified for CREATE");
            if (rp.range)
                throw_semantic("SyntaxError", "CreatingVarLength",
                               "Variable length relationships cannot be used in CREATE");
            if (rp.direction == Direction::Both)
                throw_semantic("SyntaxError", "RequiresDirectedRelationship",
                               "Only directed relationships are supported in CREATE");
            int start = slots[i], end = slots[i + 1];
            if (rp.direction == Direction::Incoming) std::swap(start, end);
            std::string rname = rp.variable ? *rp.variable : anon();
            if (rp.variable && lookup(rname))
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + rname + "` already declared");
            Step s = new_rel_step(rp, start, end, -1);
            Var rv = declare(rname, VT::Rel);
            std::get<CreateRel>(s.op).rel = rv.slot;
            rel_slot_[&rp] = rv.slot;
            add(std::move(s));
        }
        if (part.path_variable) bind_path(part);
    }
}

// The slot of `np`'s node; a new node gets a CreateNode step, placed next to the node in
// `near` when that is >= 0, and its slot is stored in `*fresh`.
int Planner::create_node(const NodePattern& np, int near, int* fresh) {
    if (np.variable) {
        if (const Var* v = lookup(*np.variable)) {
            if (!np.labels.empty() || np.properties)
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + *np.variable + "` already declared");
            if (v->type != VT::Node && v->type != VT::Value)
                throw_semantic("SyntaxError", "VariableTypeConflict",
                               "Variable `" + *np.variable + "` is not a node");
            return v->slot;
        }
    }
    // Properties are compiled before the variable exists: CREATE (n {v: n.x}) is an error.
    Step s = new_node_step(np, -1);
    if (near >= 0) s.loc = {LocKind::Shard, near};
    Var v = declare(np.variable ? *np.variable : anon(), VT::Node);
    std::get<CreateNode>(s.op).slot = v.slot;
    add(std::move(s));
    if (fresh) *fresh = v.slot;
    return v.slot;
}

// The CreateRel step for a relationship pattern: it runs at the start node's shard.
Step Planner::new_rel_step(const RelPattern& rp, int start, int end, int rel_slot) {
    CreateRel op;
    Info info;
    if (rp.properties) op.props = compile(*rp.properties, info);
    const Location loc = place(info, start);
    op.start = start;
    op.end = end;
    op.type = rp.types.at(0);
    op.rel = rel_slot;
    return step(loc, std::move(op));
}

// The CreateNode step for a node pattern. A new node lands on a shard picked
// round-robin: everything its properties read must travel with the row.
Step Planner::new_node_step(const NodePattern& np, int slot) {
    CreateNode op;
    Info info;
    if (np.properties) op.props = compile(*np.properties, info);
    for (int d : info.data_slots) attach(d);
    Info deep_only;
    deep_only.deep_slots = info.deep_slots;
    place(deep_only);
    op.labels = np.labels;
    op.slot = slot;
    return step({LocKind::NewNode, -1}, std::move(op));
}

}  // namespace lora::plan
