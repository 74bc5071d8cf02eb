// The planner: turns an analyzed AST into a located physical plan (plan.hpp).
#pragma once

#include <lora/cypher/ast.hpp>
#include <lora/plan/plan.hpp>

#include <lora/storage/index_registry.hpp>

#include <string>

namespace lora::plan {

// Plans one statement. Throws lora::Error for constructs the engine does not support yet
// and for semantic errors found while planning.
// `procedures` resolves CALL targets (may be null: then every CALL fails to resolve).
// `indexes`, when given, lets label scans with property filters become index seeks.
PlanPtr build_plan(const cypher::Statement& statement, const std::string& text,
                   const exec::Procedures* procedures = nullptr,
                   const storage::IndexRegistry* indexes = nullptr);

// Turns label scans followed by filters on an indexed property into NodeIndexSeek steps
// (Online RANGE indexes only). The filters stay in the plan.
void use_indexes(Plan& plan, const storage::IndexRegistry& indexes);

// Lets `UNWIND list AS r` copy the keys its rows read (r.a, r.b) into slots of their own
// when r is read no other way (plan/unwind_unpack.cpp). Runs before use_indexes.
void unpack_unwind_maps(Plan& plan);
// CreateRel steps whose relationship no other step reads get rel_slot -1 (not stored).
void drop_unread_rel_slots(Plan& plan);

}  // namespace lora::plan
