// Lexer tests: numbers, strings and escapes, identifiers, comments and positions.
#include <lora/cypher/lexer.hpp>

#include <lora/error.hpp>

#include <catch2/catch.hpp>

using namespace lora::cypher;

namespace {

std::string detail_of(std::string_view text) {
    try {
        tokenize(text);
    } catch (const lora::Error& e) {
        return e.detail();
    }
    return "";
}

}  // namespace

TEST_CASE("lexer: integers in all bases", "[lexer]") {
    auto t = tokenize("42 0x1F 0o17 9223372036854775808 0xFFFFFFFFFFFFFFFFF");
    REQUIRE(t.size() == 6);
    CHECK(t[0].kind == TokenKind::Integer);
    CHECK(t[0].uint_value == 42);
    CHECK(t[1].uint_value == 31);
    CHECK(t[2].uint_value == 15);
    // Magnitude kept: whether it overflows depends on a leading minus, decided by the parser.
    CHECK(t[3].uint_value == 9223372036854775808ULL);
    CHECK(t[3].error.empty());
    CHECK(t[4].error == "IntegerOverflow");
    CHECK(t[5].kind == TokenKind::End);
}

TEST_CASE("lexer: malformed numbers are flagged on the token", "[lexer]") {
    auto t = tokenize("0x 0x1G 12abc");
    CHECK(t[0].error == "InvalidNumberLiteral");
    CHECK(t[1].error == "InvalidNumberLiteral");
    CHECK(t[2].error == "InvalidNumberLiteral");
    CHECK(t[2].text == "12abc");
}

TEST_CASE("lexer: floats", "[lexer]") {
    auto t = tokenize("1.5 .5 1e10 1.5E-3 1.34E999");
    CHECK(t[0].kind == TokenKind::Float);
    CHECK(t[0].float_value == 1.5);
    CHECK(t[1].float_value == 0.5);
    CHECK(t[2].float_value == 1e10);
    CHECK(t[3].float_value == Approx(1.5e-3));
    CHECK(t[4].error == "FloatingPointOverflow");
}

TEST_CASE("lexer: range dots are not a decimal point", "[lexer]") {
    auto t = tokenize("1..3");
    REQUIRE(t.size() == 4);
    CHECK(t[0].kind == TokenKind::Integer);
    CHECK(t[1].is_symbol(".."));
    CHECK(t[2].uint_value == 3);
}

TEST_CASE("lexer: strings and escapes", "[lexer]") {
    auto t = tokenize(R"('a\nb' "q\"x" 'it\'s' '\\' '\u00e9\t' "\U0001F600")");
    CHECK(t[0].kind == TokenKind::String);
    CHECK(t[0].text == "a\nb");
    CHECK(t[1].text == "q\"x");
    CHECK(t[2].text == "it's");
    CHECK(t[3].text == "\\");
    CHECK(t[4].text == "\xC3\xA9\t");
    CHECK(t[5].text == "\xF0\x9F\x98\x80");
    CHECK(tokenize(R"('\uH')")[0].error == "InvalidUnicodeLiteral");
    CHECK(detail_of("'unterminated") == "UnexpectedSyntax");
}

TEST_CASE("lexer: identifiers, keywords and parameters", "[lexer]") {
    auto t = tokenize("match `a b` `x``y` naïve $p $0 $`odd name`");
    CHECK(t[0].kind == TokenKind::Identifier);
    CHECK(t[0].is_keyword("MATCH"));
    CHECK(t[1].kind == TokenKind::QuotedIdentifier);
    CHECK(t[1].text == "a b");
    CHECK_FALSE(tokenize("`match`")[0].is_keyword("MATCH"));
    CHECK(t[2].text == "x`y");
    CHECK(t[3].text == "naïve");
    CHECK(t[4].kind == TokenKind::Parameter);
    CHECK(t[4].text == "p");
    CHECK(t[5].text == "0");
    CHECK(t[6].text == "odd name");
}

TEST_CASE("lexer: comments are skipped", "[lexer]") {
    auto t = tokenize("a // line comment\n/* block\ncomment */ b");
    REQUIRE(t.size() == 3);
    CHECK(t[1].text == "b");
    CHECK(t[1].pos.line == 3);
    CHECK(t[1].pos.column == 12);
    CHECK(detail_of("a /* never closed") == "UnexpectedSyntax");
}

TEST_CASE("lexer: positions count code points, symbols combine", "[lexer]") {
    auto t = tokenize("RETURN 'é', x\n  <> y <= z =~ w += v");
    CHECK(t[0].pos.line == 1);
    CHECK(t[0].pos.column == 1);
    CHECK(t[2].is_symbol(","));
    CHECK(t[2].pos.column == 11);  // 'é' is 3 code points even though é is 2 bytes
    CHECK(t[4].is_symbol("<>"));
    CHECK(t[4].pos.line == 2);
    CHECK(t[4].pos.column == 3);
    CHECK(t[6].is_symbol("<="));
    CHECK(t[8].is_symbol("=~"));
    CHECK(t[10].is_symbol("+="));
}

TEST_CASE("lexer: invalid characters", "[lexer]") {
    CHECK(detail_of("RETURN 1 # 2") == "UnexpectedSyntax");
    CHECK(detail_of("RETURN 42 \xE2\x80\x94 41") == "InvalidUnicodeCharacter");  // em dash
}
