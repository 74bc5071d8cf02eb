// The body of lorad's query routes, {"query": string, "params": object?}, read into a query
// text and its parameters (JSON values as lora::json::from_json reads them).
#pragma once

#include <lora/lora.hpp>
#include <lora/net/router.hpp>

#include <optional>
#include <string>

namespace lora::net {

struct QueryBody {
    std::string query;
    Params params;
};

// Nesting deeper than this is refused before parsing: turning a document into Values and
// back recurses, and a hostile body must not exhaust a worker's stack.
inline constexpr int kMaxJsonDepth = 256;

// The body read, or nullopt with `error` set to the answer for a bad one: 400 for bad JSON,
// a missing or mistyped field, and the engine's status (engine_error) for a parameter whose
// value does not parse (a temporal object with bad text). Throws nothing else.
std::optional<QueryBody> parse_query_body(const Request& req, Response& error);

}  // namespace lora::net
