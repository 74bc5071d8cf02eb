// lora error class/type -> Neo4j status code; every Bolt FAILURE code is chosen here.
#include <lora/net/bolt/status.hpp>

namespace lora::net::bolt {

namespace {

Failure make(std::string code, std::string message) {
    return Failure{std::move(code), std::move(message)};
}

std::string client_statement_code(const Error& e) {
    const std::string& t = e.type();
    if (t == "TypeError") return "Neo.ClientError.Statement.TypeError";
    if (t == "ArgumentError") return "Neo.ClientError.Statement.ArgumentError";
    if (t == "ParameterMissing") return "Neo.ClientError.Statement.ParameterMissing";
    if (t == "EntityNotFound") return "Neo.ClientError.Statement.EntityNotFound";
    if (t == "SchemaError") return "Neo.ClientError.Schema." + e.detail();
    if (t == "ProcedureError") return "Neo.ClientError.Procedure.ProcedureCallFailed";
    if (t == "NotSupported") return "Neo.ClientError.Statement.NotSupported";
    if (e.kind() == ErrorKind::TransactionClosed)
        return "Neo.ClientError.Transaction.TransactionNotFound";
    return "Neo.ClientError.Statement.SemanticError";
}

}  // namespace

Failure failure_of(const Error& e) {
    std::string message = e.message() + " (" + e.code() + ")";
    switch (e.kind()) {
        case ErrorKind::Cancelled:
            return make("Neo.TransientError.Transaction.Terminated", std::move(message));
        case ErrorKind::Timeout:
            return make("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                        std::move(message));
        case ErrorKind::Conflict:
            return make("Neo.TransientError.Transaction.DeadlockDetected", std::move(message));
        case ErrorKind::ShuttingDown:
            return make("Neo.TransientError.General.DatabaseUnavailable", std::move(message));
        case ErrorKind::Overloaded:
            return make("Neo.TransientError.Request.NoThreadsAvailable", std::move(message));
        case ErrorKind::ReadOnly:
            return make("Neo.DatabaseError.General.ReadOnly", std::move(message));
        default: break;
    }
    switch (e.error_class()) {
        case ErrorClass::Syntax:
            return make("Neo.ClientError.Statement.SyntaxError", std::move(message));
        case ErrorClass::Semantic: return make(client_statement_code(e), std::move(message));
        case ErrorClass::Constraint:
            return make("Neo.ClientError.Schema.ConstraintValidationFailed", std::move(message));
        case ErrorClass::Transient:
            return make("Neo.TransientError.General." + e.detail(), std::move(message));
        case ErrorClass::Database:
            return make(e.detail() == "Internal" ? "Neo.DatabaseError.General.UnknownError"
                                                 : "Neo.DatabaseError.General." + e.detail(),
                        std::move(message));
    }
    return make("Neo.DatabaseError.General.UnknownError", std::move(message));
}

Failure request_invalid(std::string message) {
    return make("Neo.ClientError.Request.Invalid", std::move(message));
}

Failure unsupported_value(std::string message) {
    return make("Neo.ClientError.Statement.TypeError", std::move(message));
}

Failure unauthorized(std::string message) {
    return make("Neo.ClientError.Security.Unauthorized", std::move(message));
}

Failure database_not_found(const std::string& name) {
    return make("Neo.ClientError.Database.DatabaseNotFound",
                "database '" + name + "' does not exist: lorad serves one database, 'neo4j'");
}

Failure unknown_failure(std::string message) {
    return make("Neo.DatabaseError.General.UnknownError", "internal error: " + message);
}

Failure transaction_timed_out() {
    return make("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                "the transaction ran past its tx_timeout and was rolled back");
}

// Only the syntax error has a GQL status of its own here; everything else is reported as
// 50N42 ("unexpected error"), and drivers act on the Neo4j code (neo4j_code) anyway.
std::string gql_status_of(const std::string& code) {
    return code == "Neo.ClientError.Statement.SyntaxError" ? "42001" : "50N42";
}

}  // namespace lora::net::bolt
