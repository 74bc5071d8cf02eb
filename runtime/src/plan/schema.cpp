// CREATE INDEX / DROP INDEX: a statement of its own, planned into a SchemaCommand instead of
// steps.
#include "plan/planner_state.hpp"

namespace lora::plan {

PlanPtr Planner::plan_schema(const Clause& c, size_t clause_count) {
    if (clause_count != 1)
        throw_semantic("SyntaxError", "InvalidClauseComposition",
                       "CREATE INDEX and DROP INDEX cannot be combined with other clauses");
    auto cmd = std::make_shared<SchemaCommand>();
    cmd->if_not_exists = c.if_not_exists;
    if (c.kind == ClauseKind::DropIndex) {
        cmd->kind = SchemaCommand::Kind::DropIndex;
        cmd->name = c.index_name;
    } else {
        cmd->kind = SchemaCommand::Kind::CreateIndex;
        cmd->index.name = c.index_name;
        cmd->index.kind = c.vector_index ? storage::IndexKind::Vector : storage::IndexKind::Range;
        cmd->index.label = c.index_label;
        cmd->index.properties = c.index_properties;
        if (c.index_options) {
            Info info;
            cmd->options = compile(*c.index_options, info);
        }
    }
    plan_->schema = std::move(cmd);
    return plan_;
}

}  // namespace lora::plan
