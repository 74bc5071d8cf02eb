// Text form of plans for EXPLAIN (one line per step with its location), and deep copies.
#include <lora/plan/plan.hpp>

#include <optional>
#include <sstream>

namespace lora::plan {

const char* op_name(OpKind op) {
    switch (op) {
        case OpKind::ScanNodes: return "ScanNodes";
        case OpKind::NodeIndexSeek: return "NodeIndexSeek";
        case OpKind::Expand: return "Expand";
        case OpKind::VarExpand: return "VarLengthExpand";
        case OpKind::ShortestPath: return "ShortestPath";
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
        case OpKind::LoadCsv: return "LoadCSV";
    }
    return "?";
}

namespace {

// The parts of a step's operator EXPLAIN shows, in the order it shows them.
struct Shown {
    int slot = -1;
    int rel = -1;
    int to = -1;
    std::vector<std::string> labels;
    std::vector<std::string> types;
    std::optional<std::pair<int64_t, int64_t>> hops;  // min, max (-1: unbounded)
    bool all = false;                                 // ShortestPath: allShortestPaths
    std::string selection;                            // ShortestPath: SHORTEST k [GROUPS]
    const exec::ProcedureEntry* procedure = nullptr;
    std::optional<exec::Direction> dir;
    std::string key;
    const IndexSeek* seek = nullptr;
    const std::vector<std::pair<std::string, int>>* unpack = nullptr;
    int order = -1;  // Unwind: the index slot; SubqueryEnd: the slot ordering the values
};

struct ShowOp {
    Shown& s;
    void operator()(const ScanNodes& o) {
        s.slot = o.slot;
        if (o.label) s.labels.push_back(*o.label);
    }
    void operator()(const NodeIndexSeek& o) {
        s.slot = o.slot;
        s.labels.push_back(o.label);
        s.seek = o.seek.get();
    }
    void operator()(const Expand& o) {
        s.slot = o.from;
        s.rel = o.rel;
        s.to = o.to;
        s.types = o.types;
        s.dir = o.dir;
    }
    void operator()(const VarExpand& o) {
        s.slot = o.from;
        s.rel = o.rel;
        s.to = o.to;
        s.types = o.types;
        s.hops = {o.min_hops, o.max_hops};
        s.dir = o.dir;
    }
    void operator()(const ShortestPath& o) {
        s.slot = o.from;
        s.rel = o.path;
        s.to = o.to;
        s.types = o.types;
        s.hops = {o.min_hops, o.max_hops};
        s.dir = o.dir;
        s.all = o.all;
        if (o.selector && (o.k != 1 || (o.groups && !o.all)))
            s.selection = "k=" + std::to_string(o.k) + (o.groups ? " groups" : "");
    }
    void operator()(const Unwind& o) {
        s.slot = o.slot;
        if (!o.unpack.empty()) s.unpack = &o.unpack;
        s.order = o.index;
    }
    void operator()(const Attach& o) { s.slot = o.slot; }
    void operator()(const LoadCsv& o) { s.slot = o.slot; }
    void operator()(const CreateNode& o) {
        s.slot = o.slot;
        s.labels = o.labels;
    }
    void operator()(const CreateRel& o) {
        s.slot = o.start;
        s.rel = o.rel;
        s.to = o.end;
        s.types = {o.type};
    }
    void operator()(const SetProperty& o) {
        s.slot = o.slot;
        s.key = o.key;
    }
    void operator()(const SetProperties& o) { s.slot = o.slot; }
    void operator()(const SetLabels& o) {
        s.slot = o.slot;
        s.labels = o.labels;
    }
    void operator()(const RemoveProperty& o) {
        s.slot = o.slot;
        s.key = o.key;
    }
    void operator()(const RemoveLabels& o) {
        s.slot = o.slot;
        s.labels = o.labels;
    }
    void operator()(const DeleteRel& o) { s.slot = o.slot; }
    void operator()(const DeleteNode& o) { s.slot = o.slot; }
    void operator()(const OptionalBegin& o) { s.slot = o.tag; }
    void operator()(const SubqueryEnd& o) {
        s.slot = o.result;
        s.to = o.value;
        s.order = o.order;
    }
    void operator()(const CallProcedure& o) { s.procedure = o.procedure.get(); }
    void operator()(const VectorBegin& o) { s.to = o.tag; }
    void operator()(const VectorSearch& o) {
        s.slot = o.node;
        s.to = o.tag;
    }
    void operator()(const VectorTopK& o) {
        s.slot = o.node;
        s.to = o.tag;
    }
    void operator()(const MergeEnd& o) { s.slot = o.flag; }
    void operator()(const MergeJoin& o) { s.slot = o.flag; }
    // Filter, Project, AttachDeep, OptionalEnd, Distinct, Aggregate, Sort, Skip, Limit,
    // Eager, Produce: the name says it.
    template <typename T>
    void operator()(const T&) {}
};

Shown shown(const Operator& op) {
    Shown s;
    std::visit(ShowOp{s}, op);
    return s;
}

}  // namespace

int Step::main_slot() const { return shown(op).slot; }

std::string Step::describe() const {
    const Shown f = shown(op);
    std::ostringstream o;
    o << op_name(kind());
    switch (loc.kind) {
        case LocKind::Any: o << " @any"; break;
        case LocKind::Shard: o << " @shard(slot " << loc.slot << ")"; break;
        case LocKind::AllShards: o << " @all-shards"; break;
        case LocKind::NewNode: o << " @round-robin"; break;
        case LocKind::Coordinator: o << " @coordinator"; break;
    }
    if (barrier) o << " [barrier]";
    if (guard.slot >= 0) o << " if slot " << guard.slot << (guard.value ? " = true" : " = false");
    if (f.slot >= 0) o << " slot=" << f.slot;
    if (f.rel >= 0) o << " rel=" << f.rel;
    if (f.to >= 0) o << " to=" << f.to;
    if (f.order >= 0) o << (kind() == OpKind::Unwind ? " index=" : " order=") << f.order;
    for (const auto& l : f.labels) o << " :" << l;
    if (!f.types.empty()) {
        o << " [";
        for (size_t i = 0; i < f.types.size(); ++i) o << (i ? "|" : ":") << f.types[i];
        o << "]";
    }
    if (f.hops)
        o << " *" << f.hops->first << ".."
          << (f.hops->second < 0 ? std::string() : std::to_string(f.hops->second));
    if (f.procedure) o << " " << f.procedure->signature.name;
    if (f.dir)
        o << (*f.dir == exec::Direction::Outgoing   ? " ->"
              : *f.dir == exec::Direction::Incoming ? " <-"
                                                    : " --");
    if (f.all) o << " all";
    if (!f.selection.empty()) o << " " << f.selection;
    if (!f.key.empty()) o << " ." << f.key;
    if (const IndexSeek* seek = f.seek) {
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
    if (f.unpack) {
        const auto& unpack = *f.unpack;
        o << " unpack {";
        for (size_t i = 0; i < unpack.size(); ++i)
            o << (i ? ", " : "") << unpack[i].first << " -> slot " << unpack[i].second;
        o << "}";
    }
    return o.str();
}

namespace {

CExprPtr copy(const CExprPtr& e) { return e ? exec::clone(*e) : nullptr; }

// Operators own their expressions: a copy clones them (the rest is copied as it is).
struct CloneOp {
    template <typename T>
    Operator operator()(const T& o) const {  // an operator without expressions
        return o;
    }
    Operator operator()(const Filter& o) const { return Filter{copy(o.pred)}; }
    Operator operator()(const Project& o) const {
        Project c;
        for (const auto& p : o.outputs) c.outputs.push_back({p.slot, copy(p.expr)});
        return c;
    }
    Operator operator()(const Unwind& o) const {
        return Unwind{o.slot, copy(o.list), o.unpack, o.index};
    }
    Operator operator()(const LoadCsv& o) const {
        return LoadCsv{o.slot, o.line, o.file, copy(o.url), o.headers, o.delimiter};
    }
    Operator operator()(const CreateNode& o) const {
        return CreateNode{o.slot, o.labels, copy(o.props)};
    }
    Operator operator()(const CreateRel& o) const {
        return CreateRel{o.start, o.rel, o.end, o.type, copy(o.props)};
    }
    Operator operator()(const SetProperty& o) const {
        return SetProperty{o.slot, o.key, copy(o.value)};
    }
    Operator operator()(const SetProperties& o) const {
        return SetProperties{o.slot, o.merge, copy(o.value)};
    }
    Operator operator()(const CallProcedure& o) const {
        CallProcedure c;
        c.procedure = o.procedure;
        for (const auto& a : o.args) c.args.push_back(copy(a));
        c.yields = o.yields;
        return c;
    }
    Operator operator()(const ShortestPath& o) const {
        ShortestPath c;
        c.from = o.from;
        c.to = o.to;
        c.path = o.path;
        c.rel = o.rel;
        c.rel_list = o.rel_list;
        c.frontier = o.frontier;
        c.work = o.work;
        c.dir = o.dir;
        c.types = o.types;
        c.min_hops = o.min_hops;
        c.max_hops = o.max_hops;
        c.all = o.all;
        c.selector = o.selector;
        c.k = o.k;
        c.groups = o.groups;
        c.rel_pred = copy(o.rel_pred);
        c.rel_var = o.rel_var;
        c.node_pred = copy(o.node_pred);
        c.node_var = o.node_var;
        return c;
    }
    Operator operator()(const Skip& o) const { return Skip{copy(o.count), o.per}; }
    Operator operator()(const Limit& o) const { return Limit{copy(o.count), o.per}; }
};

Step clone_step(const Step& s) {
    Step c;
    c.loc = s.loc;
    c.barrier = s.barrier;
    c.guard = s.guard;
    c.op = std::visit(CloneOp{}, s.op);
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
        switch (schema->kind) {
            case SchemaCommand::Kind::DropIndex:
                o << "DropIndex @coordinator " << schema->name << "\n";
                break;
            case SchemaCommand::Kind::DropConstraint:
                o << "DropConstraint @coordinator " << schema->name << "\n";
                break;
            case SchemaCommand::Kind::CreateConstraint:
                o << "CreateConstraint @coordinator " << schema->constraint.type_name() << " "
                  << schema->constraint.schema_text();
                if (!schema->constraint.name.empty()) o << " " << schema->constraint.name;
                o << "\n";
                break;
            case SchemaCommand::Kind::CreateIndex:
                o << "CreateIndex @coordinator " << storage::index_kind_name(schema->index.kind)
                  << " " << schema->index.schema_text();
                if (!schema->index.name.empty()) o << " " << schema->index.name;
                o << "\n";
                break;
        }
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        o << i << ": " << steps[i].describe();
        const int slot = steps[i].main_slot();
        if (slot >= 0 && static_cast<size_t>(slot) < slot_names.size() &&
            slot_names[static_cast<size_t>(slot)][0] != ' ')
            o << " (" << slot_names[static_cast<size_t>(slot)] << ")";
        o << "\n";
    }
    return o.str();
}

}  // namespace lora::plan
