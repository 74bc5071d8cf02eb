// Shared by the function tests: calls a registered scalar function by name.
#pragma once

#include <lora/functions/functions.hpp>

#include <lora/value.hpp>

#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

namespace lora::test {

inline Value callf(std::string_view name, std::vector<Value> args) {
    const fn::FunctionInfo* f = fn::find_function(name);
    REQUIRE(f != nullptr);
    return fn::call(*f, args);
}

}  // namespace lora::test
