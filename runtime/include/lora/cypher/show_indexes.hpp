// SHOW [ALL|RANGE|VECTOR] INDEXES is a call of this procedure (argument: the type filter),
// so YIELD, WHERE and RETURN work as after any CALL. The engine registers it.
#pragma once

#include <array>
#include <string_view>

namespace lora::cypher {

inline constexpr std::string_view kShowIndexesProcedure = "lora.showIndexes";
// Output columns, in Neo4j's order (the engine's procedure yields exactly these).
inline constexpr std::array<std::string_view, 10> kShowIndexColumns = {
    "id",         "name",          "state",      "populationPercent", "type",
    "entityType", "labelsOrTypes", "properties", "indexProvider",     "options"};

}  // namespace lora::cypher
