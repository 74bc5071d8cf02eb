// Shared by the function tests: calls a registered scalar function by name.
#pragma once

#include <lora/error.hpp>
#include <lora/functions/functions.hpp>

#include <lora/value.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace lora::test {

inline Value callf(std::string_view name, std::vector<Value> args) {
    const fn::FunctionInfo* f = fn::find_function(name);
    REQUIRE(f != nullptr);
    return fn::call(*f, args);
}

// "<code>: <message>" of the error the call throws, or "" if it throws none.
inline std::string call_error(std::string_view name, std::vector<Value> args) {
    try {
        callf(name, std::move(args));
    } catch (const Error& e) {
        return e.code() + ": " + e.message();
    }
    return "";
}

}  // namespace lora::test
