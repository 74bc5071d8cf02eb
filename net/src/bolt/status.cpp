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
        case ErrorKind::Terminated:
            return make("Neo.ClientError.Transaction.Terminated", std::move(message));
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
        case ErrorKind::OutOfMemory:
            return make("Neo.TransientError.General.OutOfMemoryError", std::move(message));
        case ErrorKind::Forbidden:
            return make("Neo.ClientError.Security.Forbidden", std::move(message));
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

Failure invalid_bookmark(const std::string& bookmark) {
    return make(
        "Neo.ClientError.Transaction.InvalidBookmark",
        "'" + bookmark + "' is not a bookmark of lorad (they look like lora:<commit timestamp>)");
}

Failure bookmark_timeout(uint64_t ts, int64_t waited_ms) {
    return make("Neo.TransientError.Transaction.BookmarkTimeout",
                "the commits up to timestamp " + std::to_string(ts) +
                    " that the bookmarks name were not visible within " +
                    std::to_string(waited_ms) + " ms");
}

Error error_of_failure(const std::string& code, const std::string& message) {
    ErrorClass cls = ErrorClass::Database;
    if (code == "Neo.ClientError.Statement.SyntaxError")
        cls = ErrorClass::Syntax;
    else if (code == "Neo.ClientError.Schema.ConstraintValidationFailed")
        cls = ErrorClass::Constraint;
    else if (code.rfind("Neo.ClientError.", 0) == 0)
        cls = ErrorClass::Semantic;
    else if (code.rfind("Neo.TransientError.", 0) == 0)
        cls = ErrorClass::Transient;
    std::string text = message, type, detail;
    // "... (Type.Detail)": lora's own code, as failure_of appends it.
    if (auto open = text.rfind(" ("); open != std::string::npos && text.back() == ')') {
        std::string inner = text.substr(open + 2, text.size() - open - 3);
        auto dot = inner.find('.');
        if (dot != std::string::npos && dot > 0 && dot + 1 < inner.size() &&
            inner.find_first_of(" ()") == std::string::npos) {
            type = inner.substr(0, dot);
            detail = inner.substr(dot + 1);
            text.resize(open);
        }
    }
    if (type.empty()) {
        // Neo.<Classification>.<Category>.<Title>
        auto title = code.rfind('.');
        auto category = title == std::string::npos ? std::string::npos : code.rfind('.', title - 1);
        if (category != std::string::npos && title > category + 1) {
            type = code.substr(category + 1, title - category - 1);
            detail = code.substr(title + 1);
        } else {
            type = "Bolt";
            detail = code.empty() ? "Failure" : code;
        }
    }
    return Error(cls, ErrorPhase::Runtime, std::move(type), std::move(detail), std::move(text));
}

// Only the syntax error has a GQL status of its own here; everything else is reported as
// 50N42 ("unexpected error"), and drivers act on the Neo4j code (neo4j_code) anyway.
std::string gql_status_of(const std::string& code) {
    return code == "Neo.ClientError.Statement.SyntaxError" ? "42001" : "50N42";
}

}  // namespace lora::net::bolt
