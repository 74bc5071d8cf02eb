// JSON encoding of values and results shared by lorad, the lora shell and tests:
// nodes {"id","labels","properties"}, relationships {"id","type","start","end","properties"},
// paths {"nodes":[...],"relationships":[...]}; integers stay integers, floats stay floats.
// JSON has no literal for NaN or the infinities: such a float is the string "NaN",
// "Infinity" or "-Infinity" (as in Neo4j's HTTP API), never null.
#pragma once

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

namespace lora::json {

nlohmann::json to_json(const Value& v);
nlohmann::json result_to_json(const Result& r);
nlohmann::json error_to_json(const Error& e);
// JSON -> Value for parameters: numbers without fraction/exponent become integers.
Value from_json(const nlohmann::json& j);

}  // namespace lora::json
