// Semantic analysis of a parsed statement: variable scopes, static types where they are
// evident (literals, pattern elements), aggregation rules and clause composition.
#pragma once

#include <lora/cypher/ast.hpp>

namespace lora::cypher {

// Throws lora::Error (type SyntaxError, with the openCypher TCK detail code such as
// UndefinedVariable, VariableTypeConflict, InvalidAggregation, ...) on the first problem.
// Checks are conservative: a query is only rejected when it is wrong whatever the data.
void analyze(const Statement& statement);

}  // namespace lora::cypher
