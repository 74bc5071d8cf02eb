// MERGE: a match of the whole pattern under a merge key, a create branch for rows that found
// nothing, then ON MATCH / ON CREATE SET under a guard.
#include "plan/planner_state.hpp"

#include <utility>

namespace lora::plan {

void Planner::plan_merge(const Clause& c) {
    if (read_ || wrote_) add(coord(Eager{}, true));
    read_ = false;
    wrote_ = true;
    const PatternPart& part = c.pattern.parts.at(0);
    refuse_shortest(part, "MERGE");
    for (const auto& rp : part.rels) {
        if (rp.types.size() != 1)
            throw_semantic("SyntaxError", "NoSingleRelationshipType",
                           "A single relationship type must be specified for MERGE");
        if (rp.range)
            throw_semantic("SyntaxError", "CreatingVarLength",
                           "Variable length relationships cannot be used in MERGE");
        if (rp.variable && lookup(*rp.variable))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + *rp.variable + "` already declared");
    }
    std::vector<bool> node_new;
    for (const auto& np : part.nodes) {
        bool bound = np.variable && lookup(*np.variable);
        if (bound && (!np.labels.empty() || np.properties) && part.nodes.size() == 1)
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + *np.variable + "` already declared");
        node_new.push_back(!bound);
    }
    // The merge key: what decides which entities get created. Inputs with equal keys
    // share one creation.
    auto key = std::make_unique<CExpr>(EK::List);
    Info ki;
    auto add_key = [&](const Expr* props) {
        if (props) {
            key->children.push_back(compile(*props, ki));
        } else {
            key->children.push_back(std::make_unique<CExpr>(EK::Literal));
        }
    };
    for (size_t i = 0; i < part.nodes.size(); ++i) {
        if (node_new[i])
            add_key(part.nodes[i].properties.get());
        else
            key->children.push_back(slot_expr(lookup(*part.nodes[i].variable)->slot));
    }
    for (const auto& rp : part.rels) add_key(rp.properties.get());
    int key_slot = new_slot(" merge_key");
    {
        Project p;
        p.outputs.push_back({key_slot, std::move(key)});
        add(step(place(ki), std::move(p)));
    }
    Step b = coord(OptionalBegin{new_slot(" merge_tag")});
    size_t begin = plan_->steps.size();
    add(std::move(b));
    RelScope rels;
    plan_part(part, rels, false);
    int flag = new_slot(" merge_matched");
    int group = new_slot(" merge_group");
    Step end = coord(MergeEnd{static_cast<int>(begin), flag, group, key_slot}, true);
    size_t end_index = plan_->steps.size();
    add(std::move(end));
    // Create branch: only rows flagged false.
    std::vector<int> created;
    guard_slot_ = flag;
    guard_value_ = false;
    attached_.clear();
    for (size_t i = 0; i < part.nodes.size(); ++i) {
        if (!node_new[i]) continue;
        const NodePattern& np = part.nodes[i];
        int slot = node_slot_.at(&np);
        add(new_node_step(np, slot));
        created.push_back(slot);
    }
    for (size_t i = 0; i < part.rels.size(); ++i) {
        const RelPattern& rp = part.rels[i];
        int a = node_slot_.at(&part.nodes[i]), bslot = node_slot_.at(&part.nodes[i + 1]);
        if (rp.direction == Direction::Incoming) std::swap(a, bslot);
        created.push_back(rel_slot_.at(&rp));
        add(new_rel_step(rp, a, bslot, rel_slot_.at(&rp)));
    }
    guard_slot_ = -1;
    add(coord(MergeJoin{static_cast<int>(end_index), flag, group, created}, true));
    guard_slot_ = flag;
    guard_value_ = true;
    for (const auto& it : c.on_match) plan_set_item(it);
    guard_value_ = false;
    for (const auto& it : c.on_create) plan_set_item(it);
    guard_slot_ = -1;
    attached_.clear();
    if (part.path_variable) bind_path(part);
}

}  // namespace lora::plan
