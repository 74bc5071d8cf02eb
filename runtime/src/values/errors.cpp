// The error factories and the table of the kinds surfaces tell apart: a kind's code and
// class are written once, here, and error_kind_of() reads the same table back.
#include <lora/errors.hpp>

#include <lora/memory.hpp>

#include <array>
#include <utility>

namespace lora {

namespace {

struct KindEntry {
    ErrorKind kind;
    ErrorClass cls;
    std::string_view type;
    std::string_view detail;
};

// Cancelled, Timeout, Terminated and Conflict are transient like Neo4j's TransientError: the
// transaction was rolled back and running it again may succeed. ShuttingDown and Overloaded
// are transient too (later, or on another instance, it may be taken). A closed or unknown
// transaction is the client's mistake. ReadOnly is the database's: a WAL failure that an
// operator has to look at.
constexpr KindEntry kCancelled{ErrorKind::Cancelled, ErrorClass::Transient, "TransactionError",
                               "Cancelled"};
constexpr KindEntry kTimeout{ErrorKind::Timeout, ErrorClass::Transient, "TransactionError",
                             "Timeout"};
constexpr KindEntry kTerminated{ErrorKind::Terminated, ErrorClass::Transient, "TransactionError",
                                "Terminated"};
constexpr KindEntry kConflict{ErrorKind::Conflict, ErrorClass::Transient, "TransientError",
                              "ConflictDetected"};
constexpr KindEntry kShuttingDown{ErrorKind::ShuttingDown, ErrorClass::Transient, "Request",
                                  "ShuttingDown"};
constexpr KindEntry kTooManyTransactions{ErrorKind::Overloaded, ErrorClass::Transient, "Request",
                                         "TooManyTransactions"};
constexpr KindEntry kTransactionClosed{ErrorKind::TransactionClosed, ErrorClass::Semantic,
                                       "TransactionError", "Closed"};
constexpr KindEntry kTransactionNotFound{ErrorKind::TransactionNotFound, ErrorClass::Semantic,
                                         "Request", "TransactionNotFound"};
// A query over its memory limit or the pool's, and a failed allocation: the query failed
// alone and nothing of it was kept; with less at once (or later) it may succeed.
constexpr KindEntry kMemoryLimit{ErrorKind::MemoryLimit, ErrorClass::Transient, "TransientError",
                                 "MemoryPoolOutOfMemoryError"};
constexpr KindEntry kOutOfMemory{ErrorKind::OutOfMemory, ErrorClass::Transient, "TransientError",
                                 "OutOfMemory"};
constexpr KindEntry kReadOnly{ErrorKind::ReadOnly, ErrorClass::Database, "DatabaseError",
                              "ReadOnly"};

// A client whose credential allows reads only asked for a change: its mistake, not the
// database's, and retrying will not help.
constexpr KindEntry kForbidden{ErrorKind::Forbidden, ErrorClass::Semantic, "Security", "Forbidden"};

constexpr std::array kKinds{
    kCancelled,           kTimeout,           kTerminated,          kConflict, kShuttingDown,
    kTooManyTransactions, kTransactionClosed, kTransactionNotFound, kReadOnly, kMemoryLimit,
    kOutOfMemory,         kForbidden};

Error make(const KindEntry& k, std::string message) {
    return Error(k.cls, ErrorPhase::Runtime, std::string(k.type), std::string(k.detail),
                 std::move(message));
}

Error db(std::string detail, std::string message) {
    return Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", std::move(detail),
                 std::move(message));
}

Error client(std::string type, std::string detail, std::string message,
             ErrorPhase phase = ErrorPhase::Runtime) {
    return Error(ErrorClass::Semantic, phase, std::move(type), std::move(detail),
                 std::move(message));
}

}  // namespace

ErrorKind error_kind_of(std::string_view type, std::string_view detail) {
    for (const auto& k : kKinds)
        if (k.type == type && k.detail == detail) return k.kind;
    return ErrorKind::Other;
}

namespace errors {

Error cancelled() {
    return make(kCancelled, "the query was cancelled (its writes, if any, were rolled back)");
}

Error timeout() {
    return make(kTimeout,
                "the query ran past its time limit and was cancelled (its writes, if any, "
                "were rolled back)");
}

Error terminated(const std::string& id) {
    return make(kTerminated, "transaction " + id +
                                 " was terminated by TERMINATE TRANSACTION (its writes were "
                                 "rolled back); run it again in a new transaction");
}

Error conflict(std::string why) { return make(kConflict, std::move(why)); }

Error database_closed() { return db("Closed", "the database is being closed: no new statements"); }

Error shutting_down() {
    return make(kShuttingDown, "the server is shutting down; no new transactions");
}

Error too_many_transactions(size_t limit) {
    return make(kTooManyTransactions,
                std::to_string(limit) +
                    " transactions are already open (the limit, --max-transactions); "
                    "commit or roll back one, or retry later");
}

Error out_of_memory(const std::string& what) {
    return make(kOutOfMemory,
                "out of memory: " + what + " (an allocation failed; the query was rolled back)");
}

Error memory_limit(const std::string& what, uint64_t bytes, uint64_t limit, bool pool) {
    if (pool)
        return make(kMemoryLimit,
                    "the queries running together would hold more than the memory limit of " +
                        format_bytes(limit) + " (--memory-limit, Options::memory_limit) when " +
                        what + " grew this query to " + format_bytes(bytes) +
                        "; the query was rolled back: retry it when fewer queries run");
    return make(kMemoryLimit,
                "the query would hold more than its memory limit of " + format_bytes(limit) +
                    " (--query-memory-limit, QueryOptions::memory_limit): " + what +
                    " grew it to " + format_bytes(bytes) + "; the query was rolled back");
}

Error transaction_closed() {
    return make(kTransactionClosed,
                "the transaction is closed (committed, rolled back, or failed)");
}

Error transaction_not_found(const std::string& id) {
    return make(kTransactionNotFound,
                "no open transaction '" + id +
                    "' (it was committed, rolled back, closed by an error, timed out, or never "
                    "existed)");
}

Error not_supported(const std::string& what) {
    return client("NotSupported", "UnsupportedFeature", "Not supported yet: " + what,
                  ErrorPhase::Compile);
}

Error schema(std::string detail, std::string message) {
    return client("SchemaError", std::move(detail), std::move(message));
}

Error constraint_violation(std::string message) {
    return Error(ErrorClass::Constraint, ErrorPhase::Runtime, "Schema",
                 "ConstraintValidationFailed", std::move(message));
}

Error deleted_entity(std::string message) {
    return client("EntityNotFound", "DeletedEntityAccess", std::move(message));
}

Error procedure_failed(std::string message) {
    return client("ProcedureError", "ProcedureCallFailed", std::move(message));
}

Error invalid_path(std::string message) {
    return client("Request", "InvalidPath", std::move(message));
}

Error invalid_argument(std::string message) {
    return client("Request", "InvalidArgument", std::move(message));
}

Error invalid_temporal(std::string message) {
    return client("ArgumentError", "InvalidArgumentValue", std::move(message));
}

Error external_resource(std::string message) {
    return client("Statement", "ExternalResourceFailed", std::move(message));
}

Error forbidden(std::string message) { return make(kForbidden, std::move(message)); }

Error implicit_transaction_required() {
    return client("TransactionError", "ImplicitTransactionRequired",
                  "A query with 'CALL { ... } IN TRANSACTIONS' can only be executed in an "
                  "implicit (auto-commit) transaction, at the top level of the statement");
}

Error read_only(const std::string& reason) {
    return make(kReadOnly, "the database is read-only: " + reason);
}

Error wal_failure(std::string message) { return db("WalFailure", std::move(message)); }

Error internal(const std::string& what) { return db("Internal", "internal: " + what); }

Error corrupt_message(const std::string& what) {
    return db("CorruptMessage", "internal: malformed " + what + " message");
}

Error corrupt_log(std::string message) { return db("CorruptLog", std::move(message)); }

Error capacity_exceeded(std::string message) { return db("CapacityExceeded", std::move(message)); }

Error invalid_option(std::string message) { return db("InvalidOption", std::move(message)); }

Error database(std::string detail, std::string message) {
    return db(std::move(detail), std::move(message));
}

}  // namespace errors

}  // namespace lora
