// The planner: turns an analyzed AST into a located physical plan (plan.hpp).
#pragma once

#include "cypher/ast.hpp"
#include "plan/plan.hpp"

#include <string>

namespace lora::plan {

// Plans one statement. Throws lora::Error for constructs the engine does not support yet
// and for semantic errors found while planning.
// `procedures` resolves CALL targets (may be null: then every CALL fails to resolve).
PlanPtr build_plan(const cypher::Statement& statement, const std::string& text,
                   const exec::Procedures* procedures = nullptr);

}  // namespace lora::plan
