// Cypher arithmetic operators (+ - * / % ^ and unary -): null propagation, exact int64
// arithmetic with overflow errors, int/float promotion, string and list concatenation.
#include <lora/functions/functions.hpp>
#include <lora/memory.hpp>
#include "functions/internal.hpp"

#include <cmath>
#include <string>

namespace lora::fn {

namespace {

[[noreturn]] void type_mismatch(std::string_view op, const Value& a, const Value& b) {
    throw_type_error("InvalidArgumentType", "cannot apply '" + std::string(op) + "' to " +
                                                std::string(kind_name(a.kind())) + " and " +
                                                std::string(kind_name(b.kind())));
}

[[noreturn]] void overflow(std::string_view op, int64_t a, int64_t b) {
    throw_argument_error("NumberOutOfRange", "integer overflow in " + std::to_string(a) + " " +
                                                 std::string(op) + " " + std::to_string(b));
}

// Text used when a scalar joins a string with `+`.
std::string concat_text(const Value& v) {
    switch (v.kind()) {
        case ValueKind::String: return v.as_string();
        case ValueKind::Int: return std::to_string(v.as_int());
        case ValueKind::Float: return detail::float_text(v.as_float());
        case ValueKind::Bool: return v.as_bool() ? "true" : "false";
        default: return {};
    }
}

bool concat_scalar(const Value& v) { return v.is_string() || v.is_number() || v.is_bool(); }

}  // namespace

Value add(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_list() || b.is_list()) {
        memory::check(a.footprint() + b.footprint(), "list concatenation (+)");
        List out;
        if (a.is_list() && b.is_list()) {
            out.reserve(a.as_list().size() + b.as_list().size());
            out = a.as_list();
            out.insert(out.end(), b.as_list().begin(), b.as_list().end());
        } else if (a.is_list()) {
            out = a.as_list();
            out.push_back(b);
        } else {
            out.reserve(b.as_list().size() + 1);
            out.push_back(a);
            out.insert(out.end(), b.as_list().begin(), b.as_list().end());
        }
        return Value(std::move(out));
    }
    if (a.is_int() && b.is_int()) {
        int64_t r;
        if (__builtin_add_overflow(a.as_int(), b.as_int(), &r))
            overflow("+", a.as_int(), b.as_int());
        return Value(r);
    }
    if (a.is_number() && b.is_number()) return Value(a.as_number() + b.as_number());
    if (a.is_temporal() || b.is_temporal()) return detail::temporal_arithmetic('+', a, b);
    if ((a.is_string() && concat_scalar(b)) || (b.is_string() && concat_scalar(a))) {
        memory::check(a.footprint() + b.footprint(), "string concatenation (+)");
        return Value(concat_text(a) + concat_text(b));
    }
    type_mismatch("+", a, b);
}

Value subtract(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_int() && b.is_int()) {
        int64_t r;
        if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r))
            overflow("-", a.as_int(), b.as_int());
        return Value(r);
    }
    if (a.is_number() && b.is_number()) return Value(a.as_number() - b.as_number());
    if (a.is_temporal() || b.is_temporal()) return detail::temporal_arithmetic('-', a, b);
    type_mismatch("-", a, b);
}

Value multiply(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_int() && b.is_int()) {
        int64_t r;
        if (__builtin_mul_overflow(a.as_int(), b.as_int(), &r))
            overflow("*", a.as_int(), b.as_int());
        return Value(r);
    }
    if (a.is_number() && b.is_number()) return Value(a.as_number() * b.as_number());
    if (a.is_temporal() || b.is_temporal()) return detail::temporal_arithmetic('*', a, b);
    type_mismatch("*", a, b);
}

Value divide(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_int() && b.is_int()) {
        int64_t x = a.as_int(), y = b.as_int();
        if (y == 0)
            throw_argument_error("DivisionByZero",
                                 "integer division by zero: " + std::to_string(x) + " / 0");
        if (x == INT64_MIN && y == -1) overflow("/", x, y);
        return Value(x / y);
    }
    if (a.is_number() && b.is_number()) return Value(a.as_number() / b.as_number());
    if (a.is_temporal() || b.is_temporal()) return detail::temporal_arithmetic('/', a, b);
    type_mismatch("/", a, b);
}

Value modulo(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_int() && b.is_int()) {
        int64_t x = a.as_int(), y = b.as_int();
        if (y == 0)
            throw_argument_error("DivisionByZero",
                                 "integer modulo by zero: " + std::to_string(x) + " % 0");
        if (y == -1) return Value(int64_t{0});  // INT64_MIN % -1 traps in C++
        return Value(x % y);
    }
    if (a.is_number() && b.is_number()) return Value(std::fmod(a.as_number(), b.as_number()));
    type_mismatch("%", a, b);
}

Value power(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value();
    if (a.is_number() && b.is_number()) return Value(std::pow(a.as_number(), b.as_number()));
    type_mismatch("^", a, b);
}

Value negate(const Value& a) {
    if (a.is_null()) return Value();
    if (a.is_int()) {
        if (a.as_int() == INT64_MIN)
            throw_argument_error("NumberOutOfRange",
                                 "integer overflow in -(" + std::to_string(a.as_int()) + ")");
        return Value(-a.as_int());
    }
    if (a.is_float()) return Value(-a.as_float());
    throw_type_error("InvalidArgumentType",
                     "cannot apply unary '-' to " + std::string(kind_name(a.kind())));
}

}  // namespace lora::fn
