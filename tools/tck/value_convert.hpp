// Conversions between lora::Value and the TCK runner's TckValue. Needs only the values
// library, so test_tck can check them without the engine.
#pragma once

#include "tck_value.hpp"

#include <lora/value.hpp>

namespace lora::tck {

// Nodes and relationships keep their ids in TckValue::i; paths record each relationship's
// direction relative to the path order.
TckValue to_tck(const lora::Value& v);
// Throws TckError for nodes, relationships and paths (never needed as parameters).
lora::Value from_tck(const TckValue& v);

}  // namespace lora::tck
