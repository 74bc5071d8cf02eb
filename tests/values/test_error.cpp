// Tests of lora::Error and the throw_* shorthands: class, phase, type/detail and message.
#include <lora/error.hpp>

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
