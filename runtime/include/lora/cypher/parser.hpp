// Cypher parser: hand-written recursive descent from tokens to the AST of ast.hpp.
#pragma once

#include <lora/cypher/ast.hpp>

#include <string_view>

namespace lora::cypher {

// Parses one statement (an optional EXPLAIN/PROFILE prefix, a query or an index command,
// an optional trailing ';'). Throws lora::Error (SyntaxError with a detail such as
// UnexpectedSyntax, IntegerOverflow, InvalidNumberLiteral, ...) whose message names the
// offending input and its line:column.
Statement parse(std::string_view text);

}  // namespace lora::cypher
