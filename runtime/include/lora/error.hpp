// lora::Error — the one error type every surface maps (HTTP status, CLI exit, Bolt code).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace lora {

// What the client should do about it: fix the query (syntax, semantic), fix the data
// (constraint), retry (transient), or report a fault of the database (database).
enum class ErrorClass : uint8_t { Syntax, Semantic, Constraint, Transient, Database };

// When the error was found: while compiling the query, or while running it.
enum class ErrorPhase : uint8_t { Compile, Runtime };

std::string_view error_class_name(ErrorClass c);  // "syntax", "semantic", ...

class Error : public std::runtime_error {
public:
    // `type` is the openCypher TCK error type (SyntaxError, TypeError, ArgumentError,
    // SemanticError, EntityNotFound, ConstraintVerificationFailed, ParameterMissing,
    // ProcedureError, ...); `detail` its detail code (UndefinedVariable, ...). `code()` is
    // "<type>.<detail>", e.g. "SyntaxError.UndefinedVariable".
    Error(ErrorClass cls, ErrorPhase phase, std::string type, std::string detail,
          std::string message, int line = 0, int column = 0);

    ErrorClass error_class() const noexcept { return cls_; }
    ErrorPhase phase() const noexcept { return phase_; }
    const std::string& type() const noexcept { return type_; }
    const std::string& detail() const noexcept { return detail_; }
    std::string code() const { return type_ + "." + detail_; }
    const std::string& message() const noexcept { return message_; }
    int line() const noexcept { return line_; }      // 1-based, 0 when unknown
    int column() const noexcept { return column_; }  // 1-based, 0 when unknown

private:
    ErrorClass cls_;
    ErrorPhase phase_;
    std::string type_;
    std::string detail_;
    std::string message_;
    int line_;
    int column_;
};

// Shorthands used throughout the engine.
[[noreturn]] void throw_syntax(std::string detail, std::string message, int line = 0,
                               int column = 0);
[[noreturn]] void throw_semantic(std::string type, std::string detail, std::string message);
[[noreturn]] void throw_type_error(std::string detail, std::string message);  // runtime TypeError
[[noreturn]] void throw_argument_error(std::string detail,
                                       std::string message);  // runtime ArgumentError

}  // namespace lora
