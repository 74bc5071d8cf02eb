// Text form of plans for EXPLAIN: one line per step with its location.
#include "plan/plan.hpp"

#include <sstream>

namespace lora::plan {

namespace {

const char* op_name(OpKind op) {
    switch (op) {
        case OpKind::ScanNodes: return "ScanNodes";
        case OpKind::Expand: return "Expand";
        case OpKind::VarExpand: return "VarLengthExpand";
        case OpKind::SubqueryEnd: return "SubqueryEnd";
        case OpKind::CallProcedure: return "CallProcedure";
        case OpKind::MergeEnd: return "MergeEnd";
        case OpKind::MergeJoin: return "MergeJoin";
        case OpKind::Filter: return "Filter";
        case OpKind::Project: return "Project";
        case OpKind::Unwind: return "Unwind";
        case OpKind::Attach: return "Attach";
        case OpKind::AttachDeep: return "AttachDeep";
        case OpKind::CreateNode: return "CreateNode";
        case OpKind::CreateRel: return "CreateRelationship";
        case OpKind::SetProperty: return "SetProperty";
        case OpKind::SetProperties: return "SetProperties";
        case OpKind::SetLabels: return "SetLabels";
        case OpKind::RemoveProperty: return "RemoveProperty";
        case OpKind::RemoveLabels: return "RemoveLabels";
        case OpKind::DeleteRel: return "DeleteRelationship";
        case OpKind::DeleteNode: return "DeleteNode";
        case OpKind::OptionalBegin: return "OptionalBegin";
        case OpKind::OptionalEnd: return "OptionalEnd";
        case OpKind::Distinct: return "Distinct";
        case OpKind::Aggregate: return "Aggregate";
        case OpKind::Sort: return "Sort";
        case OpKind::Skip: return "Skip";
        case OpKind::Limit: return "Limit";
        case OpKind::Eager: return "Eager";
        case OpKind::Produce: return "ProduceResults";
    }
    return "?";
}

}  // namespace

std::string Step::describe() const {
    std::ostringstream o;
    o << op_name(op);
    switch (loc.kind) {
        case LocKind::Any: o << " @any"; break;
        case LocKind::Shard: o << " @shard(slot " << loc.slot << ")"; break;
        case LocKind::AllShards: o << " @all-shards"; break;
        case LocKind::NewNode: o << " @round-robin"; break;
        case LocKind::Coordinator: o << " @coordinator"; break;
    }
    if (barrier) o << " [barrier]";
    if (guard_slot >= 0) o << " if slot " << guard_slot << (guard_value ? " = true" : " = false");
    if (slot >= 0) o << " slot=" << slot;
    if (rel_slot >= 0) o << " rel=" << rel_slot;
    if (to_slot >= 0) o << " to=" << to_slot;
    for (const auto& l : labels) o << " :" << l;
    if (!types.empty()) {
        o << " [";
        for (size_t i = 0; i < types.size(); ++i) o << (i ? "|" : ":") << types[i];
        o << "]";
    }
    if (op == OpKind::VarExpand)
        o << " *" << min_hops << ".." << (max_hops < 0 ? std::string() : std::to_string(max_hops));
    if (procedure) o << " " << procedure->signature.name;
    if (op == OpKind::Expand || op == OpKind::VarExpand)
        o << (dir == exec::Direction::Outgoing ? " ->" : dir == exec::Direction::Incoming ? " <-" : " --");
    if (!key.empty()) o << " ." << key;
    return o.str();
}

std::string Plan::explain() const {
    std::ostringstream o;
    for (size_t i = 0; i < union_parts.size(); ++i) {
        if (i) o << (union_all ? "UNION ALL\n" : "UNION\n");
        o << union_parts[i]->explain();
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        o << i << ": " << steps[i].describe();
        if (steps[i].slot >= 0 && static_cast<size_t>(steps[i].slot) < slot_names.size() &&
            slot_names[static_cast<size_t>(steps[i].slot)][0] != ' ')
            o << " (" << slot_names[static_cast<size_t>(steps[i].slot)] << ")";
        o << "\n";
    }
    return o.str();
}

}  // namespace lora::plan
