// JSON encoding of values and results shared by the lora command, lorad and tests:
// nodes {"id","labels","properties"}, relationships {"id","type","start","end","properties"},
// paths {"nodes":[...],"relationships":[...]}; integers stay integers, floats stay floats.
#pragma once

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lora::json {

nlohmann::json to_json(const Value& v);
nlohmann::json result_to_json(const Result& r);
nlohmann::json error_to_json(const Error& e);
// JSON -> Value for parameters: numbers without fraction/exponent become integers.
Value from_json(const nlohmann::json& j);

// Splits a script into statements at top-level ';' (not inside strings or comments).
std::vector<std::string> split_statements(const std::string& script);

// Renders a result as an aligned text table.
std::string format_table(const Result& r);

}  // namespace lora::json
