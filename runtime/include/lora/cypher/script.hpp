// Splitting a script of several statements.
#pragma once

#include <string>
#include <vector>

namespace lora::cypher {

// Splits a script into statements at top-level ';' (not inside strings or comments); empty
// statements are dropped and each is trimmed.
std::vector<std::string> split_statements(const std::string& script);

}  // namespace lora::cypher
