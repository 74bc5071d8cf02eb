// Parser, printer and TCK equality of TckValue (README §4 of the TCK notes).
#include "tck_value.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace lora::tck {

TckValue TckValue::boolean(bool v) {
    TckValue r;
    r.kind = Kind::Bool;
    r.b = v;
    return r;
}
TckValue TckValue::integer(int64_t v) {
    TckValue r;
    r.kind = Kind::Int;
    r.i = v;
    return r;
}
TckValue TckValue::floating(double v) {
    TckValue r;
    r.kind = Kind::Float;
    r.f = v;
    return r;
}
TckValue TckValue::string(std::string v) {
    TckValue r;
    r.kind = Kind::String;
    r.s = std::move(v);
    return r;
}
TckValue TckValue::make_list(std::vector<TckValue> items) {
    TckValue r;
    r.kind = Kind::List;
    r.list = std::move(items);
    return r;
}
TckValue TckValue::make_map(std::map<std::string, TckValue> entries) {
    TckValue r;
    r.kind = Kind::Map;
    r.map = std::move(entries);
    return r;
}
TckValue TckValue::node(std::vector<std::string> labels, std::map<std::string, TckValue> props) {
    TckValue r;
    r.kind = Kind::Node;
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    r.labels = std::move(labels);
    r.map = std::move(props);
    return r;
}
TckValue TckValue::rel(std::string type, std::map<std::string, TckValue> props) {
    TckValue r;
    r.kind = Kind::Rel;
    r.s = std::move(type);
    r.map = std::move(props);
    return r;
}

std::string format_float(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    std::string out(buf, res.ptr);
    if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
    return out;
}

namespace {

void append_string_literal(std::string& out, const std::string& s) {
    out += '\'';
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
}

void append(std::string& out, const TckValue& v);

void append_props(std::string& out, const std::map<std::string, TckValue>& m) {
    out += '{';
    bool first = true;
    for (const auto& [k, val] : m) {
        if (!first) out += ", ";
        first = false;
        out += k;
        out += ": ";
        append(out, val);
    }
    out += '}';
}

void append_node(std::string& out, const TckValue& v) {
    out += '(';
    for (const auto& l : v.labels) {
        out += ':';
        out += l;
    }
    if (!v.map.empty()) {
        if (!v.labels.empty()) out += ' ';
        append_props(out, v.map);
    }
    out += ')';
}

void append_rel(std::string& out, const TckValue& v) {
    out += "[:";
    out += v.s;
    if (!v.map.empty()) {
        out += ' ';
        append_props(out, v.map);
    }
    out += ']';
}

void append(std::string& out, const TckValue& v) {
    using K = TckValue::Kind;
    switch (v.kind) {
        case K::Null: out += "null"; break;
        case K::Bool: out += v.b ? "true" : "false"; break;
        case K::Int: out += std::to_string(v.i); break;
        case K::Float: out += format_float(v.f); break;
        case K::String: append_string_literal(out, v.s); break;
        case K::List: {
            out += '[';
            for (size_t k = 0; k < v.list.size(); ++k) {
                if (k) out += ", ";
                append(out, v.list[k]);
            }
            out += ']';
            break;
        }
        case K::Map: append_props(out, v.map); break;
        case K::Node: append_node(out, v); break;
        case K::Rel: append_rel(out, v); break;
        case K::Path: {
            out += '<';
            if (!v.list.empty()) append_node(out, v.list[0]);
            for (size_t k = 1; k + 1 < v.list.size(); k += 2) {
                bool fwd = k / 2 < v.forward.size() ? v.forward[k / 2] : true;
                out += fwd ? "-" : "<-";
                append_rel(out, v.list[k]);
                out += fwd ? "->" : "-";
                append_node(out, v.list[k + 1]);
            }
            out += '>';
            break;
        }
    }
}

class Parser {
public:
    explicit Parser(std::string_view text) : t_(text) {}

    TckValue parse_all() {
        TckValue v = value();
        skip_ws();
        if (p_ != t_.size()) fail("unexpected trailing text");
        return v;
    }

private:
    std::string_view t_;
    size_t p_ = 0;

    [[noreturn]] void fail(const std::string& why) const {
        throw TckError("cannot parse value `" + std::string(t_) + "` at offset " +
                       std::to_string(p_) + ": " + why);
    }
    void skip_ws() {
        while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n')) ++p_;
    }
    bool peek(char c) {
        skip_ws();
        return p_ < t_.size() && t_[p_] == c;
    }
    bool eat(char c) {
        if (!peek(c)) return false;
        ++p_;
        return true;
    }
    bool eat_str(std::string_view s) {
        skip_ws();
        if (t_.substr(p_, s.size()) != s) return false;
        p_ += s.size();
        return true;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "'");
    }
    bool word_follows(std::string_view w) {
        skip_ws();
        if (t_.substr(p_, w.size()) != w) return false;
        size_t e = p_ + w.size();
        return e >= t_.size() || !is_name_char(t_[e]);
    }
    static bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '$';
    }

    std::string name() {
        skip_ws();
        if (p_ < t_.size() && t_[p_] == '`') {
            size_t end = t_.find('`', p_ + 1);
            if (end == std::string_view::npos) fail("unterminated `name`");
            std::string n(t_.substr(p_ + 1, end - p_ - 1));
            p_ = end + 1;
            return n;
        }
        size_t start = p_;
        while (p_ < t_.size() && is_name_char(t_[p_])) ++p_;
        if (p_ == start) fail("expected a name");
        return std::string(t_.substr(start, p_ - start));
    }

    TckValue value() {
        skip_ws();
        if (p_ >= t_.size()) fail("expected a value");
        char c = t_[p_];
        if (c == '(') return node();
        if (c == '<') return path();
        if (c == '{') return TckValue::make_map(map());
        if (c == '\'') return TckValue::string(string());
        if (c == '[') {
            size_t save = p_;
            ++p_;
            bool is_rel = peek(':');
            p_ = save;
            return is_rel ? rel() : list();
        }
        if (word_follows("null")) return p_ += 4, TckValue::null();
        if (word_follows("true")) return p_ += 4, TckValue::boolean(true);
        if (word_follows("false")) return p_ += 5, TckValue::boolean(false);
        if (word_follows("NaN")) return p_ += 3, TckValue::floating(std::nan(""));
        if (word_follows("Infinity")) return p_ += 8, TckValue::floating(HUGE_VAL);
        if (word_follows("-Infinity")) return p_ += 9, TckValue::floating(-HUGE_VAL);
        if (c == '-' || c == '.' || (c >= '0' && c <= '9')) return number();
        fail("unexpected character");
    }

    TckValue number() {
        size_t start = p_;
        if (t_[p_] == '-') ++p_;
        auto digits = [&] {
            size_t s = p_;
            while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
            return p_ - s;
        };
        size_t int_digits = digits();
        bool is_float = false;
        if (p_ < t_.size() && t_[p_] == '.') {
            ++p_;
            if (digits() == 0) fail("expected digits after '.'");
            is_float = true;
        } else if (int_digits == 0) {
            fail("expected digits");
        }
        if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
            ++p_;
            if (p_ < t_.size() && (t_[p_] == '-' || t_[p_] == '+')) ++p_;
            if (digits() == 0) fail("expected exponent digits");
            is_float = true;
        }
        std::string text(t_.substr(start, p_ - start));
        errno = 0;
        char* end = nullptr;
        if (is_float) {
            double d = std::strtod(text.c_str(), &end);
            return TckValue::floating(d);
        }
        long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno == ERANGE) fail("integer out of 64-bit range");
        return TckValue::integer(static_cast<int64_t>(v));
    }

    std::string string() {
        expect('\'');
        std::string out;
        while (true) {
            if (p_ >= t_.size()) fail("unterminated string");
            char c = t_[p_++];
            if (c == '\'') break;
            if (c == '\\' && p_ < t_.size() && (t_[p_] == '\'' || t_[p_] == '\\')) {
                out += t_[p_++];
                continue;
            }
            out += c;
        }
        return out;
    }

    std::map<std::string, TckValue> map() {
        expect('{');
        std::map<std::string, TckValue> m;
        if (eat('}')) return m;
        do {
            std::string k = name();
            expect(':');
            m[k] = value();
        } while (eat(','));
        expect('}');
        return m;
    }

    TckValue list() {
        expect('[');
        std::vector<TckValue> items;
        if (eat(']')) return TckValue::make_list(std::move(items));
        do {
            items.push_back(value());
        } while (eat(','));
        expect(']');
        return TckValue::make_list(std::move(items));
    }

    TckValue node() {
        expect('(');
        std::vector<std::string> labels;
        while (eat(':')) labels.push_back(name());
        std::map<std::string, TckValue> props;
        if (peek('{')) props = map();
        expect(')');
        return TckValue::node(std::move(labels), std::move(props));
    }

    TckValue rel() {
        expect('[');
        expect(':');
        std::string type = name();
        std::map<std::string, TckValue> props;
        if (peek('{')) props = map();
        expect(']');
        return TckValue::rel(std::move(type), std::move(props));
    }

    TckValue path() {
        expect('<');
        TckValue p;
        p.kind = TckValue::Kind::Path;
        p.list.push_back(node());
        while (!peek('>')) {
            bool fwd;
            if (eat_str("<-")) {
                fwd = false;
            } else if (eat('-')) {
                fwd = true;
            } else {
                fail("expected '-' or '<-' in path");
            }
            p.list.push_back(rel());
            if (fwd) {
                if (!eat_str("->")) fail("expected '->' in path");
            } else {
                expect('-');
            }
            p.forward.push_back(fwd);
            p.list.push_back(node());
        }
        expect('>');
        return p;
    }
};

bool lists_equal(const std::vector<TckValue>& a, const std::vector<TckValue>& b, bool unordered) {
    if (a.size() != b.size()) return false;
    if (!unordered) {
        for (size_t k = 0; k < a.size(); ++k)
            if (!tck_equal(a[k], b[k], false)) return false;
        return true;
    }
    // Greedy matching is exact here because tck_equal is an equivalence relation.
    std::vector<bool> used(b.size(), false);
    for (const auto& x : a) {
        bool found = false;
        for (size_t k = 0; k < b.size(); ++k) {
            if (!used[k] && tck_equal(x, b[k], true)) {
                used[k] = true;
                found = true;
                break;
            }
        }
        if (!found) return false;
    }
    return true;
}

bool maps_equal(const std::map<std::string, TckValue>& a, const std::map<std::string, TckValue>& b,
                bool unordered) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
        if (ia->first != ib->first || !tck_equal(ia->second, ib->second, unordered)) return false;
    return true;
}

}  // namespace

std::string TckValue::to_string() const {
    std::string out;
    append(out, *this);
    return out;
}

TckValue parse_value(std::string_view text) { return Parser(text).parse_all(); }

bool tck_equal(const TckValue& a, const TckValue& b, bool unordered_lists) {
    using K = TckValue::Kind;
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case K::Null: return true;
        case K::Bool: return a.b == b.b;
        case K::Int: return a.i == b.i;
        case K::Float:
            if (std::isnan(a.f) || std::isnan(b.f)) return std::isnan(a.f) && std::isnan(b.f);
            return a.f == b.f;
        case K::String: return a.s == b.s;
        case K::List: return lists_equal(a.list, b.list, unordered_lists);
        case K::Map: return maps_equal(a.map, b.map, unordered_lists);
        case K::Node: return a.labels == b.labels && maps_equal(a.map, b.map, unordered_lists);
        case K::Rel: return a.s == b.s && maps_equal(a.map, b.map, unordered_lists);
        case K::Path:
            // Path elements keep their order even when lists are unordered: a path is a
            // sequence, not a list.
            if (a.forward != b.forward || a.list.size() != b.list.size()) return false;
            for (size_t k = 0; k < a.list.size(); ++k)
                if (!tck_equal(a.list[k], b.list[k], unordered_lists)) return false;
            return true;
    }
    return false;
}

}  // namespace lora::tck
