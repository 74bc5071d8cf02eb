// lora::Error and the throw_* shorthands: how the engine classifies what went wrong so
// every surface (HTTP, Bolt, CLI) can map it without string matching.
#include <lora/error.hpp>

#include <utility>

namespace lora {

std::string_view error_class_name(ErrorClass c) {
    switch (c) {
        case ErrorClass::Syntax: return "syntax";
        case ErrorClass::Semantic: return "semantic";
        case ErrorClass::Constraint: return "constraint";
        case ErrorClass::Transient: return "transient";
        case ErrorClass::Database: return "database";
    }
    return "database";
}

std::string_view bolt_family(ErrorClass c) {
    switch (c) {
        case ErrorClass::Syntax:
        case ErrorClass::Semantic:
        case ErrorClass::Constraint: return "Neo.ClientError";
        case ErrorClass::Transient: return "Neo.TransientError";
        case ErrorClass::Database: return "Neo.DatabaseError";
    }
    return "Neo.DatabaseError";
}

Error::Error(ErrorClass cls, ErrorPhase phase, std::string type, std::string detail,
             std::string message, int line, int column)
    : std::runtime_error(message),
      cls_(cls),
      kind_(error_kind_of(type, detail)),
      phase_(phase),
      type_(std::move(type)),
      detail_(std::move(detail)),
      message_(std::move(message)),
      line_(line),
      column_(column) {}

void throw_syntax(std::string detail, std::string message, int line, int column) {
    throw Error(ErrorClass::Syntax, ErrorPhase::Compile, "SyntaxError", std::move(detail),
                std::move(message), line, column);
}

void throw_semantic(std::string type, std::string detail, std::string message, ErrorPhase phase) {
    throw Error(ErrorClass::Semantic, phase, std::move(type), std::move(detail),
                std::move(message));
}

void throw_constraint(std::string detail, std::string message) {
    throw Error(ErrorClass::Constraint, ErrorPhase::Runtime, "ConstraintVerificationFailed",
                std::move(detail), std::move(message));
}

// Runtime type and argument errors are still the client's to fix (the query or its
// parameters), so they are classed Semantic rather than Database.
void throw_type_error(std::string detail, std::string message) {
    throw Error(ErrorClass::Semantic, ErrorPhase::Runtime, "TypeError", std::move(detail),
                std::move(message));
}

void throw_argument_error(std::string detail, std::string message) {
    throw Error(ErrorClass::Semantic, ErrorPhase::Runtime, "ArgumentError", std::move(detail),
                std::move(message));
}

}  // namespace lora
