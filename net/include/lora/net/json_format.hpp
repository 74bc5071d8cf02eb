// JSON encoding of values and results shared by lorad, the lora shell and tests:
// nodes {"id","labels","properties"}, relationships {"id","type","start","end","properties"},
// paths {"nodes":[...],"relationships":[...]}; integers stay integers, floats stay floats.
// JSON has no literal for NaN or the infinities: such a float is the string "NaN",
// "Infinity" or "-Infinity" (as in Neo4j's HTTP API), never null.
// Temporal values are an object with one type-tagged key and the ISO-8601 text Neo4j
// prints: {"$date": "2015-07-21"}, {"$localtime": "21:40:32.142"}, {"$time":
// "21:40:32.142+01:00"}, {"$localdatetime": "2015-07-21T21:40:32.142"}, {"$datetime":
// "2015-07-21T21:40:32.142+01:00[Europe/London]"}, {"$duration": "P1Y2M3DT4H"}; from_json
// reads such an object back as that temporal value.
#pragma once

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <optional>

namespace lora::json {

nlohmann::json to_json(const Value& v);
nlohmann::json result_to_json(const Result& r);
nlohmann::json error_to_json(const Error& e);
// JSON -> Value for parameters: numbers without fraction/exponent become integers.
Value from_json(const nlohmann::json& j);
// The temporal value a type-tagged object stands for, or nullopt when `j` is not one;
// throws lora::Error (ArgumentError.InvalidArgumentValue) when its text does not parse.
std::optional<Value> temporal_from_json(const nlohmann::json& j);

}  // namespace lora::json
