// Cypher lexer. Literal problems that depend on context (a malformed number used as a map
// key is a plain syntax error, not a number error) are recorded on the token, not thrown.
#include <lora/cypher/lexer.hpp>

#include <lora/error.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lora::cypher {

namespace {

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Non-ASCII punctuation and symbols that must not be taken as identifier letters.
bool is_unicode_symbol(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || cp == 0xD7 ||
           cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x2BFF) ||
           (cp >= 0x3000 && cp <= 0x3003) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xFEFF;
}

bool is_unicode_space(uint32_t cp) {
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class Lexer {
public:
    explicit Lexer(std::string_view text) : s_(text) {}

    std::vector<Token> run() {
        std::vector<Token> out;
        for (;;) {
            skip_space();
            Token t;
            t.pos = Pos{line_, col_};
            t.begin = i_;
            if (i_ >= s_.size()) {
                t.kind = TokenKind::End;
                t.end = i_;
                out.push_back(std::move(t));
                return out;
            }
            lex_one(t);
            t.end = i_;
            out.push_back(std::move(t));
        }
    }

private:
    std::string_view s_;
    size_t i_ = 0;
    int line_ = 1;
    int col_ = 1;

    char peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

    // Decodes the code point at byte offset `at` (invalid UTF-8 is taken byte by byte).
    uint32_t decode(size_t at, size_t& len) const {
        auto b = static_cast<unsigned char>(s_[at]);
        if (b < 0x80) {
            len = 1;
            return b;
        }
        int n = (b >= 0xF0) ? 4 : (b >= 0xE0) ? 3 : (b >= 0xC0) ? 2 : 1;
        if (n == 1 || at + n > s_.size()) {
            len = 1;
            return b;
        }
        uint32_t cp = b & (0x7F >> n);
        for (int k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s_[at + k]) & 0x3F);
        len = static_cast<size_t>(n);
        return cp;
    }

    uint32_t cur(size_t& len) const { return decode(i_, len); }

    void advance(size_t bytes) {
        size_t stop = i_ + bytes;
        while (i_ < stop) {
            if (s_[i_] == '\n') {
                ++line_;
                col_ = 1;
                ++i_;
            } else {
                size_t len;
                decode(i_, len);
                i_ += len;
                ++col_;
            }
        }
    }

    [[noreturn]] void fail(std::string detail, const std::string& what, Pos p) {
        throw_syntax(std::move(detail),
                     what + " (line " + std::to_string(p.line) + ", column " +
                         std::to_string(p.column) + ")",
                     p.line, p.column);
    }

    bool ident_char_at(size_t at, size_t& len) const {
        if (at >= s_.size()) return false;
        uint32_t cp = decode(at, len);
        if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) || cp == '_';
        return !is_unicode_symbol(cp) && !is_unicode_space(cp);
    }

    void skip_space() {
        for (;;) {
            if (i_ >= s_.size()) return;
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                advance(1);
            } else if (c == '/' && peek(1) == '/') {
                while (i_ < s_.size() && s_[i_] != '\n') advance(1);
            } else if (c == '/' && peek(1) == '*') {
                Pos p{line_, col_};
                advance(2);
                while (i_ < s_.size() && !(s_[i_] == '*' && peek(1) == '/')) advance(1);
                if (i_ >= s_.size()) fail("UnexpectedSyntax", "Unterminated comment", p);
                advance(2);
            } else if (static_cast<unsigned char>(c) >= 0x80) {
                size_t len;
                if (!is_unicode_space(cur(len))) return;
                advance(len);
            } else {
                return;
            }
        }
    }

    void lex_one(Token& t) {
        char c = s_[i_];
        size_t len;
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
            lex_number(t);
        } else if (c == '\'' || c == '"') {
            lex_string(t);
        } else if (c == '`') {
            t.kind = TokenKind::QuotedIdentifier;
            t.text = lex_quoted();
        } else if (c == '$') {
            advance(1);
            t.kind = TokenKind::Parameter;
            if (peek() == '`') {
                t.text = lex_quoted();
            } else {
                size_t start = i_;
                while (ident_char_at(i_, len)) advance(len);
                if (start == i_)
                    fail("UnexpectedSyntax", "Invalid input '$': expected a parameter name", t.pos);
                t.text = std::string(s_.substr(start, i_ - start));
            }
        } else if (ident_char_at(i_, len)) {
            size_t start = i_;
            while (ident_char_at(i_, len)) advance(len);
            t.kind = TokenKind::Identifier;
            t.text = std::string(s_.substr(start, i_ - start));
        } else {
            lex_symbol(t);
        }
    }

    std::string lex_quoted() {
        Pos p{line_, col_};
        advance(1);
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("UnexpectedSyntax", "Unterminated quoted identifier", p);
            if (s_[i_] == '`') {
                if (peek(1) == '`') {
                    out += '`';
                    advance(2);
                    continue;
                }
                advance(1);
                return out;
            }
            size_t len;
            cur(len);
            out.append(s_.substr(i_, len));
            advance(len);
        }
    }

    void lex_symbol(Token& t) {
        static constexpr std::string_view two[] = {"..", "<>", "<=", ">=", "=~", "+="};
        t.kind = TokenKind::Symbol;
        for (auto s : two) {
            if (s_.substr(i_, 2) == s) {
                t.text = std::string(s);
                advance(2);
                return;
            }
        }
        static constexpr std::string_view one = "()[]{},.:;|+-*/%^=<>";
        char c = s_[i_];
        if (one.find(c) != std::string_view::npos) {
            t.text = std::string(1, c);
            advance(1);
            return;
        }
        size_t len;
        uint32_t cp = cur(len);
        std::string ch(s_.substr(i_, len));
        if (cp >= 0x80)
            fail(
                "InvalidUnicodeCharacter",
                "Invalid input '" + ch + "': unexpected character U+" +
                    [&] {
                        char buf[16];
                        std::snprintf(buf, sizeof buf, "%04X", cp);
                        return std::string(buf);
                    }(),
                t.pos);
        fail("UnexpectedSyntax", "Invalid input '" + ch + "': unexpected character", t.pos);
    }

    void lex_number(Token& t) {
        size_t start = i_;
        size_t len;
        auto trailing_garbage = [&] {
            bool any = false;
            while (ident_char_at(i_, len)) {
                advance(len);
                any = true;
            }
            return any;
        };
        if (s_[i_] == '0' &&
            (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'o' || peek(1) == 'O')) {
            int base = (peek(1) == 'x' || peek(1) == 'X') ? 16 : 8;
            advance(2);
            t.kind = TokenKind::Integer;
            bool any = false;
            for (;;) {
                int d = hex_digit(peek());
                if (d < 0 || d >= base) break;
                any = true;
                if (t.uint_value >
                    (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
                    t.error = "IntegerOverflow";
                else
                    t.uint_value =
                        t.uint_value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
                advance(1);
            }
            if (trailing_garbage() || !any) t.error = "InvalidNumberLiteral";
            t.text = std::string(s_.substr(start, i_ - start));
            return;
        }
        bool is_float = false;
        while (std::isdigit(static_cast<unsigned char>(peek()))) advance(1);
        if (peek() == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))) {
            is_float = true;
            advance(1);
            while (std::isdigit(static_cast<unsigned char>(peek()))) advance(1);
        }
        if ((peek() == 'e' || peek() == 'E') &&
            (std::isdigit(static_cast<unsigned char>(peek(1))) ||
             ((peek(1) == '-' || peek(1) == '+') &&
              std::isdigit(static_cast<unsigned char>(peek(2)))))) {
            is_float = true;
            advance(2);
            while (std::isdigit(static_cast<unsigned char>(peek()))) advance(1);
        }
        t.text = std::string(s_.substr(start, i_ - start));
        bool garbage = trailing_garbage();
        if (is_float) {
            t.kind = TokenKind::Float;
            errno = 0;
            t.float_value = std::strtod(t.text.c_str(), nullptr);
            if (errno == ERANGE && std::isinf(t.float_value)) t.error = "FloatingPointOverflow";
        } else {
            t.kind = TokenKind::Integer;
            for (char d : t.text) {
                auto v = static_cast<uint64_t>(d - '0');
                if (t.uint_value > (UINT64_MAX - v) / 10) {
                    t.error = "IntegerOverflow";
                    break;
                }
                t.uint_value = t.uint_value * 10 + v;
            }
        }
        if (garbage) {
            t.error = "InvalidNumberLiteral";
            t.text = std::string(s_.substr(start, i_ - start));
        }
    }

    void lex_string(Token& t) {
        char q = s_[i_];
        Pos p = t.pos;
        advance(1);
        t.kind = TokenKind::String;
        for (;;) {
            if (i_ >= s_.size()) fail("UnexpectedSyntax", "Unterminated string literal", p);
            char c = s_[i_];
            if (c == q) {
                advance(1);
                return;
            }
            if (c != '\\') {
                size_t len;
                cur(len);
                t.text.append(s_.substr(i_, len));
                advance(len);
                continue;
            }
            char e = peek(1);
            switch (e) {
                case '\\': t.text += '\\'; break;
                case '\'': t.text += '\''; break;
                case '"': t.text += '"'; break;
                case 'n': t.text += '\n'; break;
                case 't': t.text += '\t'; break;
                case 'r': t.text += '\r'; break;
                case 'b': t.text += '\b'; break;
                case 'f': t.text += '\f'; break;
                case 'u':
                case 'U': {
                    int digits = e == 'u' ? 4 : 8;
                    uint32_t cp = 0;
                    bool ok = true;
                    for (int k = 0; k < digits; ++k) {
                        int d = hex_digit(peek(2 + static_cast<size_t>(k)));
                        if (d < 0) {
                            ok = false;
                            break;
                        }
                        cp = cp * 16 + static_cast<uint32_t>(d);
                    }
                    if (!ok || cp > 0x10FFFF) {
                        if (t.error.empty()) t.error = "InvalidUnicodeLiteral";
                        advance(2);
                        continue;
                    }
                    append_utf8(t.text, cp);
                    advance(2 + static_cast<size_t>(digits));
                    continue;
                }
                case '\0': fail("UnexpectedSyntax", "Unterminated string literal", p);
                default:
                    // Unknown escapes are kept verbatim rather than rejected.
                    t.text += '\\';
                    advance(1);
                    continue;
            }
            advance(2);
        }
    }
};

}  // namespace

bool Token::is_keyword(std::string_view kw) const {
    return kind == TokenKind::Identifier && ieq(text, kw);
}

std::vector<Token> tokenize(std::string_view text) { return Lexer(text).run(); }

}  // namespace lora::cypher
