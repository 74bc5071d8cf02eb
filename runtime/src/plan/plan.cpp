// Text form of plans for EXPLAIN: one line per step with its location.
#include <lora/plan/plan.hpp>

#include <sstream>

namespace lora::plan {

namespace {

const char* op_name(OpKind op) {
    switch (op) {
        case OpKind::ScanNodes: return "ScanNodes";
        case OpKind::NodeIndexSeek: return "NodeIndexSeek";
        case OpKind::Expand: return "Expand";
        case OpKind::VarExpand: return "VarLengthExpand";
        case OpKind::SubqueryEnd: return "SubqueryEnd";
        case OpKind::CallProcedure: return "CallProcedure";
        case OpKind::VectorBegin: return "VectorQueryArguments";
        case OpKind::VectorSearch: return "VectorIndexSearch";
        case OpKind::VectorTopK: return "VectorTopK";
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
        o << (dir == exec::Direction::Outgoing   ? " ->"
              : dir == exec::Direction::Incoming ? " <-"
                                                 : " --");
    if (!key.empty()) o << " ." << key;
    if (seek) {
        o << " (";
        for (size_t i = 0; i < seek->properties.size(); ++i)
            o << (i ? ", " : "") << seek->properties[i];
        o << ")";
        switch (seek->mode) {
            case IndexSeek::Mode::Equal: o << " ="; break;
            case IndexSeek::Mode::In: o << " IN"; break;
            case IndexSeek::Mode::Range:
                if (seek->lower) o << (seek->lower_inclusive ? " >=" : " >");
                if (seek->upper) o << (seek->upper_inclusive ? " <=" : " <");
                break;
        }
        o << " index=" << seek->index;
        if (seek->recheck) o << " (replaces its filter)";
    }
    if (!unpack.empty()) {
        o << " unpack {";
        for (size_t i = 0; i < unpack.size(); ++i)
            o << (i ? ", " : "") << unpack[i].first << " -> slot " << unpack[i].second;
        o << "}";
    }
    return o.str();
}

namespace {

CExprPtr copy(const CExprPtr& e) { return e ? exec::clone(*e) : nullptr; }

Step clone_step(const Step& s) {
    Step c;
    c.op = s.op;
    c.loc = s.loc;
    c.barrier = s.barrier;
    c.slot = s.slot;
    c.rel_slot = s.rel_slot;
    c.to_slot = s.to_slot;
    c.dir = s.dir;
    c.to_bound = s.to_bound;
    c.rel_bound = s.rel_bound;
    c.labels = s.labels;
    c.types = s.types;
    c.key = s.key;
    c.merge_props = s.merge_props;
    c.detach = s.detach;
    c.expr = copy(s.expr);
    for (const auto& o : s.outputs) c.outputs.push_back({o.slot, copy(o.expr)});
    c.slots = s.slots;
    c.key_slots = s.key_slots;
    c.aggs = s.aggs;
    c.sort = s.sort;
    c.pair = s.pair;
    c.aux_slot = s.aux_slot;
    c.guard_slot = s.guard_slot;
    c.guard_value = s.guard_value;
    c.min_hops = s.min_hops;
    c.max_hops = s.max_hops;
    c.reversed = s.reversed;
    c.procedure = s.procedure;
    for (const auto& a : s.args) c.args.push_back(copy(a));
    c.yields = s.yields;
    c.seek = s.seek;
    c.unpack = s.unpack;
    return c;
}

}  // namespace

Plan clone(const Plan& p) {
    Plan c;
    c.query = p.query;
    for (const auto& s : p.steps) c.steps.push_back(clone_step(s));
    c.slot_count = p.slot_count;
    c.columns = p.columns;
    c.writes = p.writes;
    c.slot_names = p.slot_names;
    c.explain_only = p.explain_only;
    c.profile = p.profile;
    c.explain_text = p.explain_text;
    c.union_parts = p.union_parts;
    c.union_all = p.union_all;
    c.schema = p.schema;
    return c;
}

std::string Plan::explain() const {
    std::ostringstream o;
    for (size_t i = 0; i < union_parts.size(); ++i) {
        if (i) o << (union_all ? "UNION ALL\n" : "UNION\n");
        o << union_parts[i]->explain();
    }
    if (schema) {
        if (schema->kind == SchemaCommand::Kind::DropIndex) {
            o << "DropIndex @coordinator " << schema->name << "\n";
        } else {
            o << "CreateIndex @coordinator " << storage::index_kind_name(schema->index.kind) << " "
              << schema->index.schema_text();
            if (!schema->index.name.empty()) o << " " << schema->index.name;
            o << "\n";
        }
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
