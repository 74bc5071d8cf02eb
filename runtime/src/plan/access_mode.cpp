// What a plan does to the database, as read-only access judges it (changes_state).
#include <lora/cypher/show_commands.hpp>
#include <lora/exec/procedures.hpp>
#include <lora/plan/plan.hpp>

namespace lora::plan {

namespace {

bool procedure_changes_state(const ProcedureSignature& sig) {
    return sig.mode == "WRITE" || sig.mode == "SCHEMA" ||
           sig.name == cypher::kTerminateTransactionsProcedure;
}

}  // namespace

const char* changes_state(const Plan& p) {
    if (p.schema) return "changes the schema";
    if (p.writes) return "writes";
    for (const auto& s : p.steps)
        if (const auto* c = std::get_if<CallProcedure>(&s.op))
            if (c->procedure && procedure_changes_state(c->procedure->signature))
                return "calls a procedure that changes the database";
    for (const auto& part : p.union_parts)
        if (const char* what = changes_state(*part)) return what;
    return nullptr;
}

}  // namespace lora::plan
