// SHOW [ALL|RANGE|VECTOR] INDEXES and SHOW [...] CONSTRAINTS are calls of these procedures
// (arguments: the filters), so YIELD, WHERE and RETURN work as after any CALL. The engine
// registers them (exec/schema.hpp).
#pragma once

#include <array>
#include <string_view>

namespace lora::cypher {

inline constexpr std::string_view kShowIndexesProcedure = "lora.showIndexes";
// Output columns, in Neo4j's order (the engine's procedure yields exactly these).
inline constexpr std::array<std::string_view, 11> kShowIndexColumns = {
    "id",         "name",          "state",      "populationPercent", "type",
    "entityType", "labelsOrTypes", "properties", "indexProvider",     "owningConstraint",
    "options"};

// Arguments: the entity filter ('ALL', 'NODE', 'RELATIONSHIP') and the kind filter ('ALL',
// 'UNIQUENESS', 'KEY', 'EXISTENCE', 'PROPERTY_TYPE').
inline constexpr std::string_view kShowConstraintsProcedure = "lora.showConstraints";
inline constexpr std::array<std::string_view, 8> kShowConstraintColumns = {
    "id",         "name",       "type",        "entityType", "labelsOrTypes",
    "properties", "ownedIndex", "propertyType"};

}  // namespace lora::cypher
