// Lexer tests: numbers, strings and escapes, identifiers, comments and positions.
#include "cypher/lexer.hpp"

#include <lora/error.hpp>

#include <catch2/catch.hpp>

using namespace lora::cypher;

TEST_CASE("placeholder lexer", "[lexer]") {
    auto t = tokenize("MATCH");
    REQUIRE(t.size() == 2);
}
