// The vector index query procedure, planned into dedicated steps (plan/plan.hpp
// VectorBegin/VectorSearch/VectorTopK) rather than run as a registered function, so that
// every shard searches its own index in parallel.
#pragma once

#include <string_view>

namespace lora::exec {

inline constexpr std::string_view kVectorQueryProcedure = "db.index.vector.queryNodes";

}  // namespace lora::exec
