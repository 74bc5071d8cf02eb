// A byte string written as numbers, for the Bolt tests' expected wire bytes.
#pragma once

#include <initializer_list>
#include <string>

namespace lora::net::bolt::test {

inline std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s.push_back(static_cast<char>(x));
    return s;
}

}  // namespace lora::net::bolt::test
