// LOAD CSV: a coordinator source step binding each record of a file, and the linenumber()
// and file() functions, which read the line and file slots the step fills.
#include "plan/planner_state.hpp"

namespace lora::plan {

namespace {
constexpr const char* kLineSlot = " csv_line";
constexpr const char* kFileSlot = " csv_file";
}  // namespace

void Planner::plan_load_csv(const Clause& c) {
    Info info;
    LoadCsv s;
    s.url = compile(*c.expr, info);
    if (!info.data_slots.empty() || !info.deep_slots.empty())
        unsupported("a LOAD CSV URL computed from a node's or relationship's properties");
    if (lookup(c.variable))
        throw_semantic("SyntaxError", "VariableAlreadyBound",
                       "Variable `" + c.variable + "` already declared");
    s.slot = declare(c.variable, VT::Value).slot;
    s.line = declare(kLineSlot, VT::Value).slot;
    s.file = declare(kFileSlot, VT::Value).slot;
    s.headers = c.csv_headers;
    s.delimiter = c.field_terminator;
    add(coord(std::move(s)));
}

CExprPtr Planner::load_csv_function(std::string_view name) const {
    const Var* v = lookup(name == "linenumber" ? kLineSlot : kFileSlot);
    return v ? slot_expr(v->slot) : nullptr;
}

}  // namespace lora::plan
