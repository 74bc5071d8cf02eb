// Neo4j status codes for Bolt FAILURE messages: lora's errors mapped by class and type (the
// codes the drivers act on, e.g. retrying Neo.TransientError.*), and the protocol's own.
#pragma once

#include <lora/error.hpp>

#include <string>

namespace lora::net::bolt {

struct Failure {
    std::string code;  // Neo.<Classification>.<Category>.<Title>
    std::string message;
};

// An engine error: syntax -> Neo.ClientError.Statement.SyntaxError, semantic errors by
// their type (TypeError, ArgumentError, ParameterMissing, SemanticError, ...), constraint ->
// Neo.ClientError.Schema.ConstraintValidationFailed, conflicts -> Neo.TransientError.*,
// timeouts and cancellations as Neo4j reports them, faults -> Neo.DatabaseError.*.
Failure failure_of(const Error& e);

// A message the server cannot take in its state, or bytes that are not Bolt.
Failure request_invalid(std::string message);
// A well-formed value lora has no type for (bytes, temporal and spatial structures).
Failure unsupported_value(std::string message);
// Missing or wrong credentials.
Failure unauthorized(std::string message);
// A database name other than the one lorad serves.
Failure database_not_found(const std::string& name);
// A failure that is no lora::Error (a bug, an allocation failure): the statement fails alone.
Failure unknown_failure(std::string message);
// An explicit transaction that outlived the tx_timeout its BEGIN gave.
Failure transaction_timed_out();

// The client side: a FAILURE's code and message back into a lora::Error. Its class follows
// the code's classification (and SyntaxError, ConstraintValidationFailed); its code is
// lora's own when the message ends with it in parentheses, as failure_of writes it, else
// the Neo4j category and title.
Error error_of_failure(const std::string& code, const std::string& message);

// A bookmark lorad did not hand out (not "lora:<timestamp>").
Failure invalid_bookmark(const std::string& bookmark);
// The commits a bookmark names did not become visible in time.
Failure bookmark_timeout(uint64_t ts, int64_t waited_ms);

// GQL status (Bolt 5.7+ FAILURE metadata) for a Neo4j status code.
std::string gql_status_of(const std::string& code);

}  // namespace lora::net::bolt
