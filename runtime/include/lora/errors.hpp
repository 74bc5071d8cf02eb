// lora::errors — one factory per kind of engine error: each alone decides the error's code
// (type and detail), class and message form. Callers throw the result or hand it on.
#pragma once

#include <lora/error.hpp>
#include <lora/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace lora::errors {

// ---- Transient: the operation did not happen; retrying it may succeed. -------------------

// TransactionError.Cancelled: a cancel token or a gone client stopped the query.
LORA_API Error cancelled();
// TransactionError.Timeout: the query ran past its QueryOptions::timeout.
LORA_API Error timeout();
// TransactionError.Terminated: TERMINATE TRANSACTION ended the transaction (rolled back).
LORA_API Error terminated(const std::string& id);
// TransientError.ConflictDetected: a write-write conflict; `why` names the entity and ends
// with what to do.
LORA_API Error conflict(std::string why);
// Request.ShuttingDown: lorad is stopping and takes no new transactions.
LORA_API Error shutting_down();
// Request.TooManyTransactions: `limit` explicit transactions are open already.
LORA_API Error too_many_transactions(size_t limit);
// TransientError.OutOfMemory: an allocation failed; `what` names the operation.
LORA_API Error out_of_memory(const std::string& what);
// TransientError.MemoryPoolOutOfMemoryError: `what` (e.g. "collect()") would grow the query
// to `bytes`, past its own memory limit `limit`, or (`pool`) past the limit of all queries
// together; the message names the limit and the option that sets it.
LORA_API Error memory_limit(const std::string& what, uint64_t bytes, uint64_t limit, bool pool);

// ---- Client errors (class Semantic): the request is wrong, retrying it will not help. -----

// TransactionError.Closed: a statement or commit on a committed, rolled-back or failed
// transaction.
LORA_API Error transaction_closed();
// Request.TransactionNotFound: no open transaction has this id.
LORA_API Error transaction_not_found(const std::string& id);
// NotSupported.UnsupportedFeature: "Not supported yet: <what>" (compile time).
LORA_API Error not_supported(const std::string& what);
// SchemaError.<detail> (Neo4j's names: EquivalentSchemaRuleAlreadyExists, ...).
LORA_API Error schema(std::string detail, std::string message);
// Schema.ConstraintValidationFailed (class Constraint): a change would break a constraint;
// the message names the entity, the constraint's label or type, property and value.
LORA_API Error constraint_violation(std::string message);
// EntityNotFound.DeletedEntityAccess: the query used a node or relationship deleted before.
LORA_API Error deleted_entity(std::string message);
// ProcedureError.ProcedureCallFailed: a procedure failed while running.
LORA_API Error procedure_failed(std::string message);
// Request.InvalidPath: a path the request names is refused (outside its directory, ...).
LORA_API Error invalid_path(std::string message);
// Request.InvalidArgument: a call of an API got an argument it cannot take (a NULL handle,
// an index out of range, a value of another kind); the message names the function.
LORA_API Error invalid_argument(std::string message);
// Statement.ExternalResourceFailed: a file LOAD CSV reads is missing, unreadable or
// malformed; the message names the file (and the line).
LORA_API Error external_resource(std::string message);
// ArgumentError.InvalidArgumentValue: a temporal value cannot be built as asked (text that
// is not ISO-8601, a field out of range, an unknown time zone, a result past the range of
// the type); the message names the input and what is wrong with it.
LORA_API Error invalid_temporal(std::string message);
// Security.Forbidden: the caller's access does not allow what it asked (a statement or an
// admin request that changes state, under read-only access); `message` names what.
LORA_API Error forbidden(std::string message);
// TransactionError.ImplicitTransactionRequired: CALL { ... } IN TRANSACTIONS in an explicit
// transaction (or anywhere but the top level of an auto-commit statement).
LORA_API Error implicit_transaction_required();

// ---- Database: a fault of the database or its configuration, not of the query. --------

// DatabaseError.ReadOnly: a write while the database is read-only (after a WAL failure);
// the message is "the database is read-only: <reason>".
LORA_API Error read_only(const std::string& reason);
// DatabaseError.WalFailure: a commit or schema change was not made durable and was undone.
LORA_API Error wal_failure(std::string message);
// DatabaseError.Internal: a bug of the engine; the message is "internal: <what>".
LORA_API Error internal(const std::string& what);
// DatabaseError.CorruptMessage: a message between actors does not decode.
LORA_API Error corrupt_message(const std::string& what);
// DatabaseError.CorruptLog: a WAL record or logged definition does not decode on replay.
LORA_API Error corrupt_log(std::string message);
// DatabaseError.CapacityExceeded: an id or count beyond what the storage can hold.
LORA_API Error capacity_exceeded(std::string message);
// DatabaseError.Closed: a statement started while the Database is being destroyed. Not
// transient: that Database will take no statement again.
LORA_API Error database_closed();
// DatabaseError.InvalidOption: a configuration option (flag, setting, URL) is invalid.
LORA_API Error invalid_option(std::string message);
// DatabaseError.<detail>: the other faults of files, storage and transport (CorruptFile,
// MissingFile, Io, WrongDatabase, BindFailed, ConnectionFailed, BadResponse, ...), which no
// surface tells apart.
LORA_API Error database(std::string detail, std::string message);

}  // namespace lora::errors
