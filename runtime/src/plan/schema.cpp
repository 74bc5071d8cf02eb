// CREATE INDEX / DROP INDEX / CREATE CONSTRAINT / DROP CONSTRAINT: a statement of its own,
// planned into a SchemaCommand instead of steps.
#include "plan/planner_state.hpp"

#include <lora/errors.hpp>

namespace lora::plan {

namespace {

storage::ConstraintDef constraint_of(const Clause& c) {
    using cypher::ConstraintRequire;
    storage::ConstraintDef d;
    d.name = c.index_name;
    d.entity = c.on_relationship ? storage::ConstraintEntity::Relationship
                                 : storage::ConstraintEntity::Node;
    d.label = c.index_label;
    d.properties = c.index_properties;
    switch (c.require) {
        case ConstraintRequire::Unique: d.kind = storage::ConstraintKind::Unique; break;
        case ConstraintRequire::Key: d.kind = storage::ConstraintKind::NodeKey; break;
        case ConstraintRequire::NotNull: d.kind = storage::ConstraintKind::Exists; break;
        case ConstraintRequire::Type: d.kind = storage::ConstraintKind::PropertyType; break;
    }
    d.types = c.property_types;
    if (c.on_relationship && d.unique())
        throw errors::not_supported(
            "relationship uniqueness and key constraints (node constraints of every kind, and "
            "relationship IS NOT NULL and IS :: constraints, are supported)");
    if (c.index_options && !d.unique())
        throw_semantic("SyntaxError", "InvalidConstraintDefinition",
                       "OPTIONS apply only to uniqueness and key constraints, which are backed by "
                       "an index");
    return d;
}

}  // namespace

PlanPtr Planner::plan_schema(const Clause& c, size_t clause_count) {
    if (clause_count != 1)
        throw_semantic("SyntaxError", "InvalidClauseComposition",
                       "CREATE/DROP INDEX and CREATE/DROP CONSTRAINT cannot be combined with "
                       "other clauses");
    auto cmd = std::make_shared<SchemaCommand>();
    cmd->if_not_exists = c.if_not_exists;
    switch (c.kind) {
        case ClauseKind::DropIndex:
            cmd->kind = SchemaCommand::Kind::DropIndex;
            cmd->name = c.index_name;
            break;
        case ClauseKind::DropConstraint:
            cmd->kind = SchemaCommand::Kind::DropConstraint;
            cmd->name = c.index_name;
            break;
        case ClauseKind::CreateConstraint:
            cmd->kind = SchemaCommand::Kind::CreateConstraint;
            cmd->constraint = constraint_of(c);
            break;
        default:
            cmd->kind = SchemaCommand::Kind::CreateIndex;
            cmd->index.name = c.index_name;
            cmd->index.kind =
                c.vector_index ? storage::IndexKind::Vector : storage::IndexKind::Range;
            cmd->index.label = c.index_label;
            cmd->index.properties = c.index_properties;
            break;
    }
    if (c.index_options) {
        Info info;
        cmd->options = compile(*c.index_options, info);
    }
    plan_->schema = std::move(cmd);
    return plan_;
}

}  // namespace lora::plan
