// Tests of lora::Error, the throw_* shorthands and the errors:: factories: class, phase,
// kind, type/detail and message.
#include <lora/errors.hpp>

#include <catch2/catch.hpp>

using namespace lora;

namespace {

template <class F>
Error catch_error(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("expected a lora::Error");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Error carries class, phase, code, message and position", "[values][error]") {
    Error e(ErrorClass::Constraint, ErrorPhase::Runtime, "ConstraintVerificationFailed",
            "DeleteConnectedNode", "node 4 still has relationships", 3, 9);
    CHECK(e.error_class() == ErrorClass::Constraint);
    CHECK(e.phase() == ErrorPhase::Runtime);
    CHECK(e.type() == "ConstraintVerificationFailed");
    CHECK(e.detail() == "DeleteConnectedNode");
    CHECK(e.code() == "ConstraintVerificationFailed.DeleteConnectedNode");
    CHECK(e.message() == "node 4 still has relationships");
    CHECK(std::string(e.what()) == e.message());
    CHECK(e.line() == 3);
    CHECK(e.column() == 9);
    Error plain(ErrorClass::Transient, ErrorPhase::Runtime, "TransientError", "Conflict", "retry");
    CHECK(plain.line() == 0);
    CHECK(plain.column() == 0);
}

TEST_CASE("error_class_name", "[values][error]") {
    CHECK(error_class_name(ErrorClass::Syntax) == "syntax");
    CHECK(error_class_name(ErrorClass::Semantic) == "semantic");
    CHECK(error_class_name(ErrorClass::Constraint) == "constraint");
    CHECK(error_class_name(ErrorClass::Transient) == "transient");
    CHECK(error_class_name(ErrorClass::Database) == "database");
}

TEST_CASE("bolt_family", "[values][error]") {
    CHECK(bolt_family(ErrorClass::Syntax) == "Neo.ClientError");
    CHECK(bolt_family(ErrorClass::Semantic) == "Neo.ClientError");
    CHECK(bolt_family(ErrorClass::Constraint) == "Neo.ClientError");
    CHECK(bolt_family(ErrorClass::Transient) == "Neo.TransientError");
    CHECK(bolt_family(ErrorClass::Database) == "Neo.DatabaseError");
}

TEST_CASE("throw_* shorthands classify errors", "[values][error]") {
    Error s = catch_error([] { throw_syntax("UnexpectedSyntax", "unexpected ')'", 2, 5); });
    CHECK(s.error_class() == ErrorClass::Syntax);
    CHECK(s.phase() == ErrorPhase::Compile);
    CHECK(s.code() == "SyntaxError.UnexpectedSyntax");
    CHECK(s.line() == 2);
    CHECK(s.column() == 5);
    CHECK(std::string(s.what()) == "unexpected ')'");

    Error m =
        catch_error([] { throw_semantic("SyntaxError", "UndefinedVariable", "x is not defined"); });
    CHECK(m.error_class() == ErrorClass::Semantic);
    CHECK(m.phase() == ErrorPhase::Compile);
    CHECK(m.code() == "SyntaxError.UndefinedVariable");

    Error t = catch_error([] { throw_type_error("InvalidArgumentType", "bad type"); });
    CHECK(t.error_class() == ErrorClass::Semantic);
    CHECK(t.phase() == ErrorPhase::Runtime);
    CHECK(t.code() == "TypeError.InvalidArgumentType");
    CHECK(t.message() == "bad type");

    Error r = catch_error(
        [] { throw_semantic("SemanticError", "InvalidArgumentType", "bad", ErrorPhase::Runtime); });
    CHECK(r.error_class() == ErrorClass::Semantic);
    CHECK(r.phase() == ErrorPhase::Runtime);
    CHECK(r.code() == "SemanticError.InvalidArgumentType");

    Error c = catch_error([] { throw_constraint("DeleteConnectedNode", "node 4 is connected"); });
    CHECK(c.error_class() == ErrorClass::Constraint);
    CHECK(c.phase() == ErrorPhase::Runtime);
    CHECK(c.code() == "ConstraintVerificationFailed.DeleteConnectedNode");
    CHECK(c.message() == "node 4 is connected");
    CHECK(c.kind() == ErrorKind::Other);

    Error a = catch_error([] { throw_argument_error("NumberOutOfRange", "too big"); });
    CHECK(a.error_class() == ErrorClass::Semantic);
    CHECK(a.phase() == ErrorPhase::Runtime);
    CHECK(a.code() == "ArgumentError.NumberOutOfRange");

    // Callers that catch std::exception still see the message.
    try {
        throw_argument_error("X", "visible");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()) == "visible");
    }
}

namespace {

void check(const Error& e, ErrorClass cls, ErrorKind kind, const char* code, const char* message,
           ErrorPhase phase = ErrorPhase::Runtime) {
    CHECK(e.error_class() == cls);
    CHECK(e.kind() == kind);
    CHECK(e.code() == code);
    CHECK(e.message() == message);
    CHECK(e.phase() == phase);
    CHECK(std::string(e.what()) == message);
    // The kind follows from the code: an Error rebuilt from its code (as the wire decoders
    // do) is told apart the same way.
    CHECK(error_kind_of(e.type(), e.detail()) == kind);
}

}  // namespace

TEST_CASE("errors: transient factories", "[values][error]") {
    check(errors::cancelled(), ErrorClass::Transient, ErrorKind::Cancelled,
          "TransactionError.Cancelled",
          "the query was cancelled (its writes, if any, were rolled back)");
    check(errors::timeout(), ErrorClass::Transient, ErrorKind::Timeout, "TransactionError.Timeout",
          "the query ran past its time limit and was cancelled (its writes, if any, were rolled "
          "back)");
    check(errors::conflict("node 3 changed; retry the transaction"), ErrorClass::Transient,
          ErrorKind::Conflict, "TransientError.ConflictDetected",
          "node 3 changed; retry the transaction");
    check(errors::shutting_down(), ErrorClass::Transient, ErrorKind::ShuttingDown,
          "Request.ShuttingDown", "the server is shutting down; no new transactions");
    check(errors::too_many_transactions(12), ErrorClass::Transient, ErrorKind::Overloaded,
          "Request.TooManyTransactions",
          "12 transactions are already open (the limit, --max-transactions); commit or roll "
          "back one, or retry later");
}

TEST_CASE("errors: client factories", "[values][error]") {
    check(errors::transaction_closed(), ErrorClass::Semantic, ErrorKind::TransactionClosed,
          "TransactionError.Closed",
          "the transaction is closed (committed, rolled back, or failed)");
    check(errors::transaction_not_found("ab12"), ErrorClass::Semantic,
          ErrorKind::TransactionNotFound, "Request.TransactionNotFound",
          "no open transaction 'ab12' (it was committed, rolled back, closed by an error, timed "
          "out, or never existed)");
    check(errors::not_supported("PROFILE of a UNION"), ErrorClass::Semantic, ErrorKind::Other,
          "NotSupported.UnsupportedFeature", "Not supported yet: PROFILE of a UNION",
          ErrorPhase::Compile);
    check(errors::schema("IndexWithNameAlreadyExists", "index i exists"), ErrorClass::Semantic,
          ErrorKind::Other, "SchemaError.IndexWithNameAlreadyExists", "index i exists");
    check(errors::deleted_entity("node 4 was deleted"), ErrorClass::Semantic, ErrorKind::Other,
          "EntityNotFound.DeletedEntityAccess", "node 4 was deleted");
    check(errors::procedure_failed("k must be positive"), ErrorClass::Semantic, ErrorKind::Other,
          "ProcedureError.ProcedureCallFailed", "k must be positive");
    check(errors::invalid_path("'../x' is outside the snapshot directory"), ErrorClass::Semantic,
          ErrorKind::Other, "Request.InvalidPath", "'../x' is outside the snapshot directory");
}

TEST_CASE("errors: database factories", "[values][error]") {
    check(errors::read_only("WAL fdatasync failed: EIO"), ErrorClass::Database, ErrorKind::ReadOnly,
          "DatabaseError.ReadOnly", "the database is read-only: WAL fdatasync failed: EIO");
    check(errors::database_closed(), ErrorClass::Database, ErrorKind::Other, "DatabaseError.Closed",
          "the database is being closed: no new statements");
    check(errors::wal_failure("commit not durable"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.WalFailure", "commit not durable");
    check(errors::internal("bad plan"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.Internal", "internal: bad plan");
    check(errors::corrupt_message("row batch"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.CorruptMessage", "internal: malformed row batch message");
    check(errors::corrupt_log("WAL replay: short record"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.CorruptLog", "WAL replay: short record");
    check(errors::capacity_exceeded("too many names"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.CapacityExceeded", "too many names");
    check(errors::invalid_option("--shards: 0"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.InvalidOption", "--shards: 0");
    check(errors::database("CorruptFile", "bad checksum"), ErrorClass::Database, ErrorKind::Other,
          "DatabaseError.CorruptFile", "bad checksum");
}

TEST_CASE("a kind is its code: the same detail under another type is Other", "[values][error]") {
    CHECK(error_kind_of("TransactionError", "Closed") == ErrorKind::TransactionClosed);
    CHECK(error_kind_of("DatabaseError", "Closed") == ErrorKind::Other);
    CHECK(error_kind_of("DatabaseError", "Cancelled") == ErrorKind::Other);
    CHECK(error_kind_of("TransactionError", "Cancelled") == ErrorKind::Cancelled);
    Error e(ErrorClass::Transient, ErrorPhase::Runtime, "TransactionError", "Cancelled", "m");
    CHECK(e.kind() == ErrorKind::Cancelled);
}
