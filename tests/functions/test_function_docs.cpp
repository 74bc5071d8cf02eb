// SHOW FUNCTIONS' table (function_docs.cpp) against the registry: every registered function
// is documented under its own name, and every documented name is callable.
#include <catch2/catch.hpp>

#include <lora/functions/functions.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

TEST_CASE("every registered function is documented for SHOW FUNCTIONS", "[functions][docs]") {
    std::set<std::string> documented;
    for (const auto& d : lora::fn::function_docs()) {
        INFO(d.name);
        CHECK(documented.insert(lower(d.name)).second);  // once
        CHECK_FALSE(d.category.empty());
        CHECK_FALSE(d.description.empty());
        // The signature starts with the name as listed.
        CHECK(d.signature.substr(0, d.name.size() + 1) == std::string(d.name) + "(");
    }
    for (auto name : lora::fn::function_names()) {
        INFO(name);
        CHECK(documented.count(std::string(name)) == 1);
    }
}

TEST_CASE("every documented function can be called", "[functions][docs]") {
    std::string previous;
    for (const auto& d : lora::fn::function_docs()) {
        INFO(d.name);
        const auto* f = lora::fn::find_function(d.name);
        if (lora::fn::expression_form(lower(d.name)))
            CHECK(f == nullptr);
        else
            REQUIRE(f != nullptr);
        if (f) CHECK(f->aggregate == d.aggregating);
        // Listed in SHOW FUNCTIONS' order: by name, ignoring case.
        CHECK(previous <= lower(d.name));
        previous = lower(d.name);
    }
}
