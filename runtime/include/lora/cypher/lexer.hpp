// Cypher lexer: turns query text into tokens that carry their line:column and byte span,
// so the parser can report positions and recover each expression's exact source text.
#pragma once

#include <lora/cypher/ast.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lora::cypher {

enum class TokenKind : uint8_t {
    Identifier,        // text = name; keywords are identifiers (compare with is_keyword)
    QuotedIdentifier,  // `a b`; text = unescaped name; never a keyword
    Integer,           // uint_value (magnitude), or error set (overflow / malformed)
    Float,             // float_value, or error set
    String,            // text = unescaped value, or error set
    Parameter,         // text = name after '$'
    Symbol,            // text = one of ( ) [ ] { } , . .. : ; | + - * / % ^ = <> < > <= >= =~ += $
    End,
};

struct Token {
    TokenKind kind = TokenKind::End;
    std::string text;
    uint64_t uint_value = 0;
    double float_value = 0;
    // A literal whose problem only matters if the parser uses it as a value (e.g. a
    // malformed number where a map key is expected is a plain syntax error): the detail
    // code (IntegerOverflow, InvalidNumberLiteral, ...) the parser raises on use.
    std::string error;
    Pos pos;
    size_t begin = 0;  // byte offsets into the query text
    size_t end = 0;

    bool is_symbol(std::string_view s) const { return kind == TokenKind::Symbol && text == s; }
    // Case-insensitive keyword test; quoted identifiers never match.
    bool is_keyword(std::string_view kw) const;
};

// Tokenizes the whole text (the last token is End). Throws lora::Error (SyntaxError) for
// characters that cannot start a token and for unterminated strings or comments.
std::vector<Token> tokenize(std::string_view text);

}  // namespace lora::cypher
