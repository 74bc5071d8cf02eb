// Schema commands' rules that do not need actors: CREATE INDEX options, and the rows of
// SHOW INDEXES and SHOW CONSTRAINTS (built-in procedures over the catalog's registries).
#pragma once

#include <lora/exec/procedures.hpp>

#include <lora/storage/catalog.hpp>
#include <lora/storage/index_registry.hpp>
#include <lora/value.hpp>

namespace lora::exec {

// Checks a CREATE INDEX definition and its evaluated OPTIONS (null when absent) and stores
// the settings in def.config. RANGE takes {indexProvider: 'range-1.0'}; VECTOR takes one
// property and a dimension 1..4096 and similarity 'cosine' (default) or 'euclidean', given
// as {dimension, similarity} or Neo4j's {indexConfig: {`vector.dimensions`,
// `vector.similarity_function`}}. Throws lora::Error naming the bad option.
void check_index_definition(storage::IndexDef& def, const Value& options);

// The `options` column of SHOW INDEXES: {indexProvider, indexConfig}.
Value index_options_value(const storage::IndexDef& def);

// Registers the procedure SHOW INDEXES calls (cypher/show_commands.hpp).
void register_index_procedures(Procedures& procedures, const storage::Catalog& catalog);
// Registers the procedure SHOW CONSTRAINTS calls (cypher/show_commands.hpp).
void register_constraint_procedures(Procedures& procedures, const storage::Catalog& catalog);

}  // namespace lora::exec
