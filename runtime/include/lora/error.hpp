// lora::Error — the one error type every surface maps (HTTP status, CLI exit, Bolt code).
#pragma once

#include <lora/export.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lora {

// What the client should do about it: fix the query (syntax, semantic), fix the data
// (constraint), retry (transient), or report a fault of the database (database).
enum class ErrorClass : uint8_t { Syntax, Semantic, Constraint, Transient, Database };

// When the error was found: while compiling the query, or while running it.
enum class ErrorPhase : uint8_t { Compile, Runtime };

LORA_API std::string_view error_class_name(ErrorClass c);  // "syntax", "semantic", ...

// The Bolt code family a class maps to: "Neo.ClientError" (syntax, semantic, constraint),
// "Neo.TransientError" or "Neo.DatabaseError".
LORA_API std::string_view bolt_family(ErrorClass c);

// The engine errors a surface treats specially (an HTTP status of its own, a retry, a
// cleanup); every other error is Other and is mapped by its class alone. The kind follows
// from the code: errors.hpp has one factory per kind, and an Error decoded from the wire
// gets the same kind as the one its factory built.
enum class ErrorKind : uint8_t {
    Other,
    Cancelled,            // TransactionError.Cancelled
    Timeout,              // TransactionError.Timeout
    Terminated,           // TransactionError.Terminated
    Conflict,             // TransientError.ConflictDetected
    ReadOnly,             // DatabaseError.ReadOnly
    ShuttingDown,         // Request.ShuttingDown
    Overloaded,           // Request.TooManyTransactions
    TransactionClosed,    // TransactionError.Closed
    TransactionNotFound,  // Request.TransactionNotFound
    MemoryLimit,          // TransientError.MemoryPoolOutOfMemoryError
    OutOfMemory,          // TransientError.OutOfMemory
    Forbidden,            // Security.Forbidden
};

// The kind of the error with this type and detail code (Other when none).
LORA_API ErrorKind error_kind_of(std::string_view type, std::string_view detail);

class LORA_API Error : public std::runtime_error {
public:
    // `type` is the openCypher TCK error type (SyntaxError, TypeError, ArgumentError,
    // SemanticError, EntityNotFound, ConstraintVerificationFailed, ParameterMissing,
    // ProcedureError, ...); `detail` its detail code (UndefinedVariable, ...). `code()` is
    // "<type>.<detail>", e.g. "SyntaxError.UndefinedVariable". Code builds errors with the
    // factories in errors.hpp or the throw_* shorthands below; this constructor is theirs
    // and the wire decoders'.
    Error(ErrorClass cls, ErrorPhase phase, std::string type, std::string detail,
          std::string message, int line = 0, int column = 0);

    ErrorClass error_class() const noexcept { return cls_; }
    ErrorKind kind() const noexcept { return kind_; }
    ErrorPhase phase() const noexcept { return phase_; }
    const std::string& type() const noexcept { return type_; }
    const std::string& detail() const noexcept { return detail_; }
    std::string code() const { return type_ + "." + detail_; }
    const std::string& message() const noexcept { return message_; }
    int line() const noexcept { return line_; }      // 1-based, 0 when unknown
    int column() const noexcept { return column_; }  // 1-based, 0 when unknown

private:
    ErrorClass cls_;
    ErrorKind kind_;
    ErrorPhase phase_;
    std::string type_;
    std::string detail_;
    std::string message_;
    int line_;
    int column_;
};

// The front end's shorthands: they take the openCypher TCK's (or Neo4j's) type and detail
// names. Errors of the engine itself (cancelled, read-only, internal, ...) are built by the
// factories in errors.hpp.
[[noreturn]] LORA_API void throw_syntax(std::string detail, std::string message, int line = 0,
                                        int column = 0);
// A client error of the query (class Semantic): found while compiling it, or at runtime
// for what only the data or the parameters reveal (SemanticError, EntityNotFound, ...).
[[noreturn]] LORA_API void throw_semantic(std::string type, std::string detail, std::string message,
                                          ErrorPhase phase = ErrorPhase::Compile);
[[noreturn]] LORA_API void throw_constraint(std::string detail,
                                            std::string message);  // ConstraintVerificationFailed
[[noreturn]] LORA_API void throw_type_error(std::string detail,
                                            std::string message);  // runtime TypeError
[[noreturn]] LORA_API void throw_argument_error(std::string detail,
                                                std::string message);  // runtime ArgumentError

}  // namespace lora
