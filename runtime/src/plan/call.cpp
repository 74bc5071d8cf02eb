// CALL: registered procedures (arguments, YIELD, standalone calls) and the built-in vector
// index query db.index.vector.queryNodes.
#include "plan/planner_state.hpp"

#include "exec/vector_query.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace lora::plan {

bool Planner::type_accepts(std::string type, const Value& v) {
    if (v.is_null()) return true;
    while (!type.empty() && (type.back() == '?' || type.back() == ' ')) type.pop_back();
    for (auto& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (type == "ANY") return true;
    if (type == "INTEGER") return v.is_int();
    if (type == "FLOAT") return v.is_number();
    if (type == "NUMBER") return v.is_number();
    if (type == "STRING") return v.is_string();
    if (type == "BOOLEAN") return v.is_bool();
    if (type == "MAP") return v.is_map();
    if (type.rfind("LIST", 0) == 0) return v.is_list();
    if (type == "NODE") return v.is_node();
    if (type == "RELATIONSHIP") return v.is_relationship();
    if (type == "PATH") return v.is_path();
    if (type == "VECTOR") return v.is_vector();
    return true;
}

// Returns true when the CALL produces the query's result (a standalone call).
bool Planner::plan_call(const Clause& c, bool standalone) {
    if (c.procedure == exec::kVectorQueryProcedure) return plan_vector_query(c, standalone);
    auto entry = procedures_ ? procedures_->find(c.procedure) : nullptr;
    if (!entry)
        throw_semantic("ProcedureError", "ProcedureNotFound",
                       "There is no procedure with the name `" + c.procedure + "` registered");
    const auto& sig = entry->signature;
    CallProcedure s;
    s.procedure = entry;
    Info info;
    if (c.args) {
        if (c.args->size() != sig.inputs.size())
            throw_semantic("SyntaxError", "InvalidNumberOfArguments",
                           "Procedure " + sig.name + " takes " + std::to_string(sig.inputs.size()) +
                               " arguments, got " + std::to_string(c.args->size()));
        for (size_t i = 0; i < c.args->size(); ++i) {
            const Expr& a = *(*c.args)[i];
            if (a.kind == ExprKind::Literal && !type_accepts(sig.inputs[i].second, a.value))
                throw_semantic("SyntaxError", "InvalidArgumentType",
                               "Wrong argument type for " + sig.inputs[i].first + ": expected " +
                                   sig.inputs[i].second);
            s.args.push_back(compile(a, info));
        }
    } else {
        if (!standalone && !sig.inputs.empty())
            throw_semantic(
                "SyntaxError", "InvalidArgumentPassingMode",
                "Procedure arguments can only be passed implicitly to a standalone CALL");
        for (const auto& in : sig.inputs) {
            auto p = std::make_unique<CExpr>(EK::Param);
            p->name = in.first;
            s.args.push_back(std::move(p));
        }
    }
    std::vector<std::pair<std::string, std::string>> yields;  // (field, variable)
    if (c.yield_star || (standalone && c.yields.empty())) {
        for (const auto& o : sig.outputs) yields.emplace_back(o.first, o.first);
    } else {
        for (const auto& y : c.yields) {
            bool known = false;
            for (const auto& o : sig.outputs) known |= o.first == y.field;
            if (!known)
                throw_semantic("SyntaxError", "UndefinedVariable",
                               "Unknown procedure output: `" + y.field + "`");
            yields.emplace_back(y.field, y.alias ? *y.alias : y.field);
        }
        if (!standalone && c.yields.empty() && !sig.outputs.empty())
            throw_semantic("SyntaxError", "UndefinedVariable",
                           "Procedure call inside a query does not support naming results "
                           "implicitly (name explicitly using `YIELD` instead)");
    }
    for (const auto& [field, var] : yields) {
        if (lookup(var))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + var + "` already declared");
        Var v = declare(var, VT::Value);
        scope_[var].may_entity = true;
        s.yields.emplace_back(field, v.slot);
    }
    place(info);
    add(coord(std::move(s)));
    if (c.where) {
        Info wi;
        auto pred = compile(*c.where, wi);
        add_filter(std::move(pred), wi);
    }
    if (!standalone) return false;
    produce_yields(yields);
    return true;
}

void Planner::produce_yields(const std::vector<std::pair<std::string, std::string>>& yields) {
    std::vector<int> out;
    for (const auto& [field, var] : yields) {
        out.push_back(scope_[var].slot);
        plan_->columns.push_back(var);
    }
    add_produce(std::move(out));
}

// db.index.vector.queryNodes(indexName, k, query) YIELD node, score: arguments computed
// where their data lives, checked and tagged at the coordinator, searched at every shard,
// the k best per input row kept by a coordinator barrier (see exec/ops/vector_query.cpp).
bool Planner::plan_vector_query(const Clause& c, bool standalone) {
    static const std::array<const char*, 3> inputs = {"indexName", "numberOfNearestNeighbours",
                                                      "query"};
    const std::string name(exec::kVectorQueryProcedure);
    Info info;
    Project p;
    std::vector<int> arg_slots;
    for (size_t i = 0; i < inputs.size(); ++i)
        arg_slots.push_back(new_slot(std::string(" ") + inputs[i]));
    if (c.args) {
        if (c.args->size() != inputs.size())
            throw_semantic(
                "SyntaxError", "InvalidNumberOfArguments",
                "Procedure " + name + " takes 3 arguments, got " + std::to_string(c.args->size()));
        for (size_t i = 0; i < inputs.size(); ++i)
            p.outputs.push_back({arg_slots[i], compile(*(*c.args)[i], info)});
    } else {
        if (!standalone)
            throw_semantic(
                "SyntaxError", "InvalidArgumentPassingMode",
                "Procedure arguments can only be passed implicitly to a standalone CALL");
        for (size_t i = 0; i < inputs.size(); ++i) {
            auto e = std::make_unique<CExpr>(EK::Param);
            e->name = inputs[i];
            p.outputs.push_back({arg_slots[i], std::move(e)});
        }
    }
    Location loc = place(info);
    add(step(loc, std::move(p)));
    const int tag = new_slot(" vector tag");
    add(coord(VectorBegin{arg_slots, tag}));

    std::vector<std::pair<std::string, std::string>> yields;  // (field, variable)
    if (c.yield_star || (standalone && c.yields.empty())) {
        yields = {{"node", "node"}, {"score", "score"}};
    } else {
        for (const auto& y : c.yields) {
            if (y.field != "node" && y.field != "score")
                throw_semantic("SyntaxError", "UndefinedVariable",
                               "Unknown procedure output: `" + y.field + "`");
            yields.emplace_back(y.field, y.alias ? *y.alias : y.field);
        }
        if (!standalone && c.yields.empty())
            throw_semantic("SyntaxError", "UndefinedVariable",
                           "Procedure call inside a query does not support naming results "
                           "implicitly (name explicitly using `YIELD` instead)");
    }
    int node_slot = -1, score_slot = -1;
    for (const auto& [field, var] : yields) {
        if (lookup(var))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + var + "` already declared");
        Var v = declare(var, field == "node" ? VT::Node : VT::Value);
        (field == "node" ? node_slot : score_slot) = v.slot;
    }
    if (node_slot < 0) node_slot = new_slot(" vector node");
    if (score_slot < 0) score_slot = new_slot(" vector score");
    add(step({LocKind::AllShards, -1}, VectorSearch{arg_slots, tag, node_slot, score_slot}));
    add(coord(VectorTopK{arg_slots, tag, node_slot, score_slot}, true));
    ordered_ = true;  // best first, as Neo4j yields them: later steps keep the order
    if (c.where) {
        Info wi;
        auto pred = compile(*c.where, wi);
        add_filter(std::move(pred), wi);
    }
    if (!standalone) return false;
    if (std::any_of(yields.begin(), yields.end(),
                    [](const auto& y) { return y.first == "node"; })) {
        add(coord(AttachDeep{{node_slot}}, true));  // results carry the node's data
    }
    produce_yields(yields);
    return true;
}

}  // namespace lora::plan
