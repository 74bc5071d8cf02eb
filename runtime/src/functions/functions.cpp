// The function registry (names, arities, aggregate flag) and the scalar functions with
// Neo4j semantics: null in -> null out unless a function says otherwise.
#include <lora/errors.hpp>
#include <lora/functions/functions.hpp>
#include <lora/memory.hpp>
#include "functions/internal.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <type_traits>

namespace lora::fn {

namespace detail {

void bad_argument(std::string_view function, const Value& v, std::string_view expected) {
    throw_type_error("InvalidArgumentValue", std::string(function) + "() expects " +
                                                 std::string(expected) + ", got " +
                                                 std::string(kind_name(v.kind())));
}

void not_hydrated(std::string_view function) {
    throw errors::internal("entity not hydrated (in " + std::string(function) + "())");
}

std::string float_text(double f) {
    // Value::to_string already writes floats as Cypher literals.
    return Value(f).to_string();
}

}  // namespace detail

using detail::bad_argument;
using detail::not_hydrated;

namespace {

using Args = std::span<const Value>;
using Impl = Value (*)(Args);

// ---------------------------------------------------------------------------------------
// UTF-8: Cypher string functions count and index characters (code points), not bytes.

size_t utf8_len(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xE) return 3;
    if ((lead >> 3) == 0x1E) return 4;
    return 1;  // stray continuation byte: count it alone rather than swallow text
}

// Byte offsets of each code point start, plus the end offset.
std::vector<size_t> code_point_offsets(std::string_view s) {
    std::vector<size_t> off;
    off.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size();) {
        off.push_back(i);
        i += std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
    }
    off.push_back(s.size());
    return off;
}

int64_t code_point_count(std::string_view s) {
    int64_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim_view(std::string_view s, bool left, bool right) {
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && is_space(s[b])) ++b;
    if (right)
        while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
}

// ---------------------------------------------------------------------------------------
// Argument access

const std::string& str_arg(std::string_view fn, const Value& v) {
    if (!v.is_string()) bad_argument(fn, v, "a STRING");
    return v.as_string();
}

int64_t int_arg(std::string_view fn, const Value& v) {
    if (!v.is_int()) bad_argument(fn, v, "an INTEGER");
    return v.as_int();
}

double num_arg(std::string_view fn, const Value& v) {
    if (!v.is_number()) bad_argument(fn, v, "a number");
    return v.as_number();
}

const NodeData& node_data(std::string_view fn, const Node& n) {
    if (!n.data) not_hydrated(fn);
    return *n.data;
}

const RelData& rel_data(std::string_view fn, const Relationship& r) {
    if (!r.data) not_hydrated(fn);
    return *r.data;
}

bool any_null(Args a) {
    return std::any_of(a.begin(), a.end(), [](const Value& v) { return v.is_null(); });
}

// ---------------------------------------------------------------------------------------
// Conversions. Each has a strict form (throws on a kind it cannot convert) and an OrNull
// form; `strict` selects which.

std::optional<int64_t> parse_int(std::string_view s) {
    s = trim_view(s, true, true);
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<double> parse_float(std::string_view s) {
    s = trim_view(s, true, true);
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Float to integer by truncation; nullopt if it does not fit (or is NaN).
std::optional<int64_t> float_to_int(double f) {
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return std::nullopt;
    return static_cast<int64_t>(f);
}

Value to_integer(const Value& v, bool strict) {
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::Int: return v;
        case ValueKind::Bool: return Value(int64_t{v.as_bool() ? 1 : 0});
        case ValueKind::Float: {
            auto i = float_to_int(v.as_float());
            if (!i) {
                if (!strict) return Value();
                throw_argument_error("NumberOutOfRange", "toInteger(): " + v.to_string() +
                                                             " does not fit in an INTEGER");
            }
            return Value(*i);
        }
        case ValueKind::String: {
            if (auto i = parse_int(v.as_string())) return Value(*i);
            if (auto f = parse_float(v.as_string()))
                if (auto i = float_to_int(*f)) return Value(*i);
            return Value();
        }
        default:
            if (!strict) return Value();
            bad_argument("toInteger", v, "a STRING, number or BOOLEAN");
    }
}

Value to_float(const Value& v, bool strict) {
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::Float: return v;
        case ValueKind::Int: return Value(static_cast<double>(v.as_int()));
        case ValueKind::String: {
            if (auto f = parse_float(v.as_string())) return Value(*f);
            return Value();
        }
        default:
            if (!strict) return Value();
            bad_argument("toFloat", v, "a STRING or number");
    }
}

Value to_boolean(const Value& v, bool strict) {
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::Bool: return v;
        case ValueKind::Int: return Value(v.as_int() != 0);
        case ValueKind::String: {
            std::string_view s = trim_view(v.as_string(), true, true);
            auto ieq = [&](std::string_view w) {
                return s.size() == w.size() &&
                       std::equal(s.begin(), s.end(), w.begin(), [](char a, char b) {
                           return std::tolower(static_cast<unsigned char>(a)) == b;
                       });
            };
            if (ieq("true")) return Value(true);
            if (ieq("false")) return Value(false);
            return Value();
        }
        default:
            if (!strict) return Value();
            bad_argument("toBoolean", v, "a STRING, INTEGER or BOOLEAN");
    }
}

Value to_string_value(const Value& v, bool strict) {
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::String: return v;
        case ValueKind::Int: return Value(std::to_string(v.as_int()));
        case ValueKind::Float: return Value(detail::float_text(v.as_float()));
        case ValueKind::Bool: return Value(v.as_bool() ? "true" : "false");
        default:
            if (v.is_temporal()) return Value(v.to_string());
            if (!strict) return Value();
            bad_argument("toString", v, "a STRING, number, BOOLEAN or temporal value");
    }
}

// ---------------------------------------------------------------------------------------
// round(x, precision, mode): rounds the shortest decimal form of x (what Java's
// BigDecimal.valueOf gives Neo4j), so round(1.005, 2) is 1.01 as a user expects.

enum class RoundMode { Up, Down, Ceiling, Floor, HalfUp, HalfDown, HalfEven };

RoundMode parse_round_mode(const Value& v) {
    const std::string& s = str_arg("round", v);
    std::string u;
    for (char c : s) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == "UP") return RoundMode::Up;
    if (u == "DOWN") return RoundMode::Down;
    if (u == "CEILING") return RoundMode::Ceiling;
    if (u == "FLOOR") return RoundMode::Floor;
    if (u == "HALF_UP") return RoundMode::HalfUp;
    if (u == "HALF_DOWN") return RoundMode::HalfDown;
    if (u == "HALF_EVEN") return RoundMode::HalfEven;
    throw_argument_error("InvalidArgumentValue", "round(): unknown rounding mode '" + s +
                                                     "' (UP, DOWN, CEILING, FLOOR, HALF_UP, "
                                                     "HALF_DOWN, HALF_EVEN)");
}

double round_decimal(double x, int64_t precision, RoundMode mode) {
    if (!std::isfinite(x) || x == 0) return x;
    if (precision > 400) return x;
    if (precision < -400) precision = -400;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    std::string_view s(buf, static_cast<size_t>(end - buf));
    bool neg = s[0] == '-';
    if (neg) s.remove_prefix(1);
    size_t epos = s.find('e');
    int exp10 = std::stoi(std::string(s.substr(epos + 1)));
    std::string digits;
    for (char c : s.substr(0, epos))
        if (c != '.') digits += c;
    // value = 0.d1d2d3... * 10^(exp10 + 1); keep digits up to 10^-precision.
    int64_t keep = static_cast<int64_t>(exp10) + 1 + precision;
    if (keep >= static_cast<int64_t>(digits.size())) return x;  // already exact at that precision
    std::string kept = keep > 0 ? digits.substr(0, static_cast<size_t>(keep)) : std::string();
    std::string dropped = keep > 0 ? digits.substr(static_cast<size_t>(keep)) : digits;
    if (keep < 0) dropped.insert(0, static_cast<size_t>(-keep), '0');
    bool nonzero = dropped.find_first_not_of('0') != std::string::npos;
    int first = dropped.empty() ? 0 : dropped[0] - '0';
    bool rest_nonzero =
        dropped.size() > 1 && dropped.find_first_not_of('0', 1) != std::string::npos;
    bool last_odd = !kept.empty() && ((kept.back() - '0') % 2 == 1);
    bool up = false;  // increase the magnitude?
    switch (mode) {
        case RoundMode::Up: up = nonzero; break;
        case RoundMode::Down: up = false; break;
        case RoundMode::Ceiling: up = nonzero && !neg; break;
        case RoundMode::Floor: up = nonzero && neg; break;
        case RoundMode::HalfUp: up = first >= 5; break;
        case RoundMode::HalfDown: up = first > 5 || (first == 5 && rest_nonzero); break;
        case RoundMode::HalfEven:
            up = first > 5 || (first == 5 && (rest_nonzero || last_odd));
            break;
    }
    // Build the kept magnitude as an integer string, then scale by 10^-precision.
    std::string mag = kept.empty() ? "0" : kept;
    if (up) {
        int i = static_cast<int>(mag.size()) - 1;
        while (i >= 0 && mag[static_cast<size_t>(i)] == '9') mag[static_cast<size_t>(i--)] = '0';
        if (i < 0)
            mag.insert(0, "1");
        else
            ++mag[static_cast<size_t>(i)];
    }
    std::string text = (neg ? "-" : "") + mag + "e" + std::to_string(-precision);
    double r = 0;
    std::from_chars(text.data(), text.data() + text.size(), r);
    return r;
}

// ---------------------------------------------------------------------------------------
// Scalar function bodies

Value f_id(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_node()) return Value(static_cast<int64_t>(v.as_node().id));
    if (v.is_relationship()) return Value(static_cast<int64_t>(v.as_relationship().id));
    bad_argument("id", v, "a NODE or RELATIONSHIP");
}

Value f_labels(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (!v.is_node()) bad_argument("labels", v, "a NODE");
    List out;
    for (const std::string& l : node_data("labels", v.as_node()).labels) out.emplace_back(l);
    return Value(std::move(out));
}

Value f_type(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (!v.is_relationship()) bad_argument("type", v, "a RELATIONSHIP");
    return Value(rel_data("type", v.as_relationship()).type);
}

const Map* properties_of(std::string_view fn, const Value& v) {
    if (v.is_node()) return &node_data(fn, v.as_node()).properties;
    if (v.is_relationship()) return &rel_data(fn, v.as_relationship()).properties;
    if (v.is_map()) return &v.as_map();
    bad_argument(fn, v, "a NODE, RELATIONSHIP or MAP");
}

Value f_keys(Args a) {
    if (a[0].is_null()) return Value();
    List out;
    for (const auto& [k, _] : *properties_of("keys", a[0])) out.emplace_back(k);
    return Value(std::move(out));
}

Value f_properties(Args a) {
    if (a[0].is_null()) return Value();
    if (a[0].is_map()) return a[0];
    return Value(*properties_of("properties", a[0]));
}

Value f_size(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_list()) return Value(static_cast<int64_t>(v.as_list().size()));
    if (v.is_string()) return Value(code_point_count(v.as_string()));
    bad_argument("size", v, "a LIST or STRING");
}

Value f_length(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_path()) return Value(static_cast<int64_t>(v.as_path().rels.size()));
    bad_argument("length", v, "a PATH");
}

Value f_coalesce(Args a) {
    for (const Value& v : a)
        if (!v.is_null()) return v;
    return Value();
}

const List& list_arg(std::string_view fn, const Value& v) {
    if (!v.is_list()) bad_argument(fn, v, "a LIST");
    return v.as_list();
}

Value f_head(Args a) {
    if (a[0].is_null()) return Value();
    const List& l = list_arg("head", a[0]);
    return l.empty() ? Value() : l.front();
}

Value f_last(Args a) {
    if (a[0].is_null()) return Value();
    const List& l = list_arg("last", a[0]);
    return l.empty() ? Value() : l.back();
}

Value f_tail(Args a) {
    if (a[0].is_null()) return Value();
    const List& l = list_arg("tail", a[0]);
    if (l.empty()) return Value(List{});
    return Value(List(l.begin() + 1, l.end()));
}

// A guard against range(0, 10^18) exhausting memory: no real query needs more elements.
constexpr uint64_t kMaxRangeSize = uint64_t{1} << 28;

Value f_range(Args a) {
    if (any_null(a)) return Value();
    for (const Value& v : a)
        if (!v.is_int())
            throw_argument_error("InvalidArgumentType", "range() expects INTEGER arguments, got " +
                                                            std::string(kind_name(v.kind())) + " " +
                                                            v.to_string());
    int64_t start = a[0].as_int(), end = a[1].as_int();
    int64_t step = a.size() > 2 ? a[2].as_int() : 1;
    if (step == 0) throw_argument_error("NumberOutOfRange", "range() step must not be 0");
    List out;
    if ((step > 0 && start > end) || (step < 0 && start < end)) return Value(std::move(out));
    // Element count computed in 128 bits: (end - start) can exceed int64.
    __int128 span = static_cast<__int128>(end) - start;
    __int128 count = span / step + 1;
    if (count > static_cast<__int128>(kMaxRangeSize))
        throw_argument_error("NumberOutOfRange", "range() would produce " +
                                                     std::to_string(static_cast<uint64_t>(count)) +
                                                     " elements; the limit is " +
                                                     std::to_string(kMaxRangeSize));
    memory::check(static_cast<uint64_t>(count) * sizeof(Value), "range()");
    out.reserve(static_cast<size_t>(count));
    __int128 cur = start;
    for (__int128 i = 0; i < count; ++i, cur += step) out.emplace_back(static_cast<int64_t>(cur));
    return Value(std::move(out));
}

Value f_reverse(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_list()) return Value(List(v.as_list().rbegin(), v.as_list().rend()));
    if (v.is_string()) {
        const std::string& s = v.as_string();
        auto off = code_point_offsets(s);
        std::string out;
        out.reserve(s.size());
        for (size_t i = off.size() - 1; i > 0; --i) out.append(s, off[i - 1], off[i] - off[i - 1]);
        return Value(std::move(out));
    }
    bad_argument("reverse", v, "a LIST or STRING");
}

Value f_tostring(Args a) { return to_string_value(a[0], true); }
Value f_tostring_or_null(Args a) { return to_string_value(a[0], false); }
Value f_tointeger(Args a) { return to_integer(a[0], true); }
Value f_tointeger_or_null(Args a) { return to_integer(a[0], false); }
Value f_tofloat(Args a) { return to_float(a[0], true); }
Value f_tofloat_or_null(Args a) { return to_float(a[0], false); }
Value f_toboolean(Args a) { return to_boolean(a[0], true); }
Value f_toboolean_or_null(Args a) { return to_boolean(a[0], false); }

Value f_abs(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_int()) {
        if (v.as_int() == INT64_MIN)
            throw_argument_error("NumberOutOfRange",
                                 "abs(): " + v.to_string() + " has no INTEGER absolute value");
        return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
    }
    return Value(std::fabs(num_arg("abs", v)));
}

template <double (*F)(double)>
Value math1(std::string_view name, Args a) {
    if (a[0].is_null()) return Value();
    return Value(F(num_arg(name, a[0])));
}

double d_ceil(double x) { return std::ceil(x); }
double d_floor(double x) { return std::floor(x); }
double d_sqrt(double x) { return std::sqrt(x); }
double d_exp(double x) { return std::exp(x); }
double d_log(double x) { return std::log(x); }
double d_log10(double x) { return std::log10(x); }
double d_sin(double x) { return std::sin(x); }
double d_cos(double x) { return std::cos(x); }
double d_tan(double x) { return std::tan(x); }
double d_asin(double x) { return std::asin(x); }
double d_acos(double x) { return std::acos(x); }
double d_atan(double x) { return std::atan(x); }
double d_cot(double x) { return 1.0 / std::tan(x); }
double d_degrees(double x) { return x * 180.0 / std::numbers::pi; }
double d_radians(double x) { return x * std::numbers::pi / 180.0; }

Value f_ceil(Args a) { return math1<d_ceil>("ceil", a); }
Value f_floor(Args a) { return math1<d_floor>("floor", a); }
Value f_sqrt(Args a) { return math1<d_sqrt>("sqrt", a); }
Value f_exp(Args a) { return math1<d_exp>("exp", a); }
Value f_log(Args a) { return math1<d_log>("log", a); }
Value f_log10(Args a) { return math1<d_log10>("log10", a); }
Value f_sin(Args a) { return math1<d_sin>("sin", a); }
Value f_cos(Args a) { return math1<d_cos>("cos", a); }
Value f_tan(Args a) { return math1<d_tan>("tan", a); }
Value f_asin(Args a) { return math1<d_asin>("asin", a); }
Value f_acos(Args a) { return math1<d_acos>("acos", a); }
Value f_atan(Args a) { return math1<d_atan>("atan", a); }
Value f_cot(Args a) { return math1<d_cot>("cot", a); }
Value f_degrees(Args a) { return math1<d_degrees>("degrees", a); }
Value f_radians(Args a) { return math1<d_radians>("radians", a); }

Value f_atan2(Args a) {
    if (any_null(a)) return Value();
    return Value(std::atan2(num_arg("atan2", a[0]), num_arg("atan2", a[1])));
}

Value f_round(Args a) {
    if (a[0].is_null()) return Value();
    double x = num_arg("round", a[0]);
    if (a.size() == 1) {
        // Java's Math.round: halves go toward positive infinity (round(-2.5) = -2.0).
        if (!std::isfinite(x)) return Value(x);
        double r = std::floor(x + 0.5);
        // x + 0.5 may round up for the largest double below 0.5.
        if (r - x > 0.5) r -= 1.0;
        return Value(r);
    }
    if (a[1].is_null() || (a.size() > 2 && a[2].is_null())) return Value();
    int64_t precision = int_arg("round", a[1]);
    RoundMode mode = a.size() > 2 ? parse_round_mode(a[2]) : RoundMode::HalfUp;
    return Value(round_decimal(x, precision, mode));
}

Value f_sign(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_int()) return Value(int64_t{(v.as_int() > 0) - (v.as_int() < 0)});
    double x = num_arg("sign", v);
    if (std::isnan(x)) return Value(x);
    return Value(int64_t{(x > 0) - (x < 0)});
}

Value f_pi(Args) { return Value(std::numbers::pi); }
Value f_e(Args) { return Value(std::numbers::e); }

Value f_rand(Args) {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return Value(std::uniform_real_distribution<double>(0.0, 1.0)(gen));
}

// linenumber() and file() outside LOAD CSV; after it the planner reads its slots instead.
Value f_null(Args) { return Value(); }

Value f_timestamp(Args) { return Value(detail::statement_epoch_millis()); }

Value f_toupper(Args a) {
    if (a[0].is_null()) return Value();
    return Value(detail::unicode_upper("toUpper", str_arg("toUpper", a[0])));
}

Value f_tolower(Args a) {
    if (a[0].is_null()) return Value();
    return Value(detail::unicode_lower("toLower", str_arg("toLower", a[0])));
}

Value f_trim(Args a) {
    if (a[0].is_null()) return Value();
    return Value(detail::unicode_trim(str_arg("trim", a[0]), true, true));
}
Value f_ltrim(Args a) {
    if (a[0].is_null()) return Value();
    return Value(detail::unicode_trim(str_arg("ltrim", a[0]), true, false));
}
Value f_rtrim(Args a) {
    if (a[0].is_null()) return Value();
    return Value(detail::unicode_trim(str_arg("rtrim", a[0]), false, true));
}

Value f_replace(Args a) {
    if (any_null(a)) return Value();
    const std::string& s = str_arg("replace", a[0]);
    const std::string& from = str_arg("replace", a[1]);
    const std::string& to = str_arg("replace", a[2]);
    // Every match (every character, when `from` is empty) may become `to`.
    if (to.size() > from.size())
        memory::check(s.size() + (s.size() / std::max<size_t>(from.size(), 1) + 1) *
                                     (to.size() - from.size()),
                      "replace()");
    std::string out;
    if (from.empty()) {
        // Like Java's String.replace: the empty string matches between every character.
        auto off = code_point_offsets(s);
        for (size_t i = 0; i + 1 < off.size(); ++i) {
            out += to;
            out.append(s, off[i], off[i + 1] - off[i]);
        }
        out += to;
        return Value(std::move(out));
    }
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(s, pos, hit - pos);
        out += to;
    }
    out.append(s, pos);
    return Value(std::move(out));
}

int64_t non_negative(std::string_view fn, const Value& v, std::string_view what) {
    int64_t n = int_arg(fn, v);
    if (n < 0)
        throw_argument_error("NumberOutOfRange", std::string(fn) + "(): " + std::string(what) +
                                                     " must not be negative, got " +
                                                     std::to_string(n));
    return n;
}

Value f_substring(Args a) {
    if (any_null(a)) return Value();
    const std::string& s = str_arg("substring", a[0]);
    int64_t start = non_negative("substring", a[1], "start");
    auto off = code_point_offsets(s);
    auto n = static_cast<int64_t>(off.size()) - 1;
    int64_t len = a.size() > 2 ? non_negative("substring", a[2], "length") : n;
    if (start >= n) return Value("");
    int64_t stop = len > n - start ? n : start + len;
    return Value(s.substr(off[static_cast<size_t>(start)],
                          off[static_cast<size_t>(stop)] - off[static_cast<size_t>(start)]));
}

Value f_left(Args a) {
    if (any_null(a)) return Value();
    const std::string& s = str_arg("left", a[0]);
    int64_t len = non_negative("left", a[1], "length");
    auto off = code_point_offsets(s);
    auto n = static_cast<int64_t>(off.size()) - 1;
    return Value(s.substr(0, off[static_cast<size_t>(std::min(len, n))]));
}

Value f_right(Args a) {
    if (any_null(a)) return Value();
    const std::string& s = str_arg("right", a[0]);
    int64_t len = non_negative("right", a[1], "length");
    auto off = code_point_offsets(s);
    auto n = static_cast<int64_t>(off.size()) - 1;
    return Value(s.substr(off[static_cast<size_t>(n - std::min(len, n))]));
}

Value f_split(Args a) {
    if (any_null(a)) return Value();
    const std::string& s = str_arg("split", a[0]);
    std::vector<std::string> seps;
    if (a[1].is_list()) {
        for (const Value& d : a[1].as_list()) {
            if (d.is_null()) return Value();
            seps.push_back(str_arg("split", d));
        }
    } else {
        seps.push_back(str_arg("split", a[1]));
    }
    List out;
    bool all_empty = std::all_of(seps.begin(), seps.end(), [](auto& d) { return d.empty(); });
    if (all_empty) {
        // An empty delimiter splits into characters.
        auto off = code_point_offsets(s);
        for (size_t i = 0; i + 1 < off.size(); ++i)
            out.emplace_back(s.substr(off[i], off[i + 1] - off[i]));
        if (out.empty()) out.emplace_back("");
        return Value(std::move(out));
    }
    size_t pos = 0, piece = 0;
    while (pos <= s.size()) {
        size_t best = std::string::npos, best_len = 0;
        for (const std::string& d : seps) {
            if (d.empty()) continue;
            size_t h = s.find(d, pos);
            if (h < best || (h == best && d.size() > best_len)) best = h, best_len = d.size();
        }
        if (best == std::string::npos) break;
        out.emplace_back(s.substr(piece, best - piece));
        pos = piece = best + best_len;
    }
    out.emplace_back(s.substr(piece));
    return Value(std::move(out));
}

const Relationship& rel_arg(std::string_view fn, const Value& v) {
    if (!v.is_relationship()) bad_argument(fn, v, "a RELATIONSHIP");
    return v.as_relationship();
}

Value f_startnode(Args a) {
    if (a[0].is_null()) return Value();
    return Value(Node{rel_arg("startNode", a[0]).start, nullptr});
}

Value f_endnode(Args a) {
    if (a[0].is_null()) return Value();
    return Value(Node{rel_arg("endNode", a[0]).end, nullptr});
}

Value f_nodes(Args a) {
    if (a[0].is_null()) return Value();
    if (!a[0].is_path()) bad_argument("nodes", a[0], "a PATH");
    List out;
    for (const Node& n : a[0].as_path().nodes) out.emplace_back(n);
    return Value(std::move(out));
}

Value f_relationships(Args a) {
    if (a[0].is_null()) return Value();
    if (!a[0].is_path()) bad_argument("relationships", a[0], "a PATH");
    List out;
    for (const Relationship& r : a[0].as_path().rels) out.emplace_back(r);
    return Value(std::move(out));
}

// exists(n.prop): the evaluator passes the property's value; a missing property is null.
Value f_exists(Args a) { return Value(!a[0].is_null()); }

Value f_isempty(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_list()) return Value(v.as_list().empty());
    if (v.is_map()) return Value(v.as_map().empty());
    if (v.is_string()) return Value(v.as_string().empty());
    bad_argument("isEmpty", v, "a LIST, MAP or STRING");
}

Value f_isnan(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_int()) return Value(false);
    return Value(std::isnan(num_arg("isNaN", v)));
}

Value f_aggregate(Args) {
    throw errors::internal("aggregate function called as a scalar function");
}

// ---------------------------------------------------------------------------------------
// Registry

struct Entry {
    FunctionInfo info;
    Impl impl;
};

constexpr int kVar = -1;

const std::array kEntries = {
    // Entities and paths
    Entry{{"id", 1, 1, false, true}, f_id},
    Entry{{"labels", 1, 1, false, true}, f_labels},
    Entry{{"type", 1, 1, false, true}, f_type},
    Entry{{"keys", 1, 1, false, true}, f_keys},
    Entry{{"properties", 1, 1, false, true}, f_properties},
    Entry{{"startnode", 1, 1, false, true}, f_startnode},
    Entry{{"endnode", 1, 1, false, true}, f_endnode},
    Entry{{"nodes", 1, 1, false, true}, f_nodes},
    Entry{{"relationships", 1, 1, false, true}, f_relationships},
    Entry{{"length", 1, 1, false, true}, f_length},
    Entry{{"exists", 1, 1, false, true}, f_exists},
    // Lists and general
    Entry{{"size", 1, 1, false, true}, f_size},
    Entry{{"coalesce", 1, kVar, false, true}, f_coalesce},
    Entry{{"head", 1, 1, false, true}, f_head},
    Entry{{"last", 1, 1, false, true}, f_last},
    Entry{{"tail", 1, 1, false, true}, f_tail},
    Entry{{"range", 2, 3, false, true}, f_range},
    Entry{{"reverse", 1, 1, false, true}, f_reverse},
    Entry{{"isempty", 1, 1, false, true}, f_isempty},
    // Conversions
    Entry{{"tostring", 1, 1, false, true}, f_tostring},
    Entry{{"tointeger", 1, 1, false, true}, f_tointeger},
    Entry{{"tofloat", 1, 1, false, true}, f_tofloat},
    Entry{{"toboolean", 1, 1, false, true}, f_toboolean},
    Entry{{"tostringornull", 1, 1, false, true}, f_tostring_or_null},
    Entry{{"tointegerornull", 1, 1, false, true}, f_tointeger_or_null},
    Entry{{"tofloatornull", 1, 1, false, true}, f_tofloat_or_null},
    Entry{{"tobooleanornull", 1, 1, false, true}, f_toboolean_or_null},
    // Mathematics
    Entry{{"abs", 1, 1, false, true}, f_abs},
    Entry{{"ceil", 1, 1, false, true}, f_ceil},
    Entry{{"floor", 1, 1, false, true}, f_floor},
    Entry{{"round", 1, 3, false, true}, f_round},
    Entry{{"sign", 1, 1, false, true}, f_sign},
    Entry{{"sqrt", 1, 1, false, true}, f_sqrt},
    Entry{{"exp", 1, 1, false, true}, f_exp},
    Entry{{"log", 1, 1, false, true}, f_log},
    Entry{{"log10", 1, 1, false, true}, f_log10},
    Entry{{"sin", 1, 1, false, true}, f_sin},
    Entry{{"cos", 1, 1, false, true}, f_cos},
    Entry{{"tan", 1, 1, false, true}, f_tan},
    Entry{{"cot", 1, 1, false, true}, f_cot},
    Entry{{"asin", 1, 1, false, true}, f_asin},
    Entry{{"acos", 1, 1, false, true}, f_acos},
    Entry{{"atan", 1, 1, false, true}, f_atan},
    Entry{{"atan2", 2, 2, false, true}, f_atan2},
    Entry{{"degrees", 1, 1, false, true}, f_degrees},
    Entry{{"radians", 1, 1, false, true}, f_radians},
    Entry{{"pi", 0, 0, false, true}, f_pi},
    Entry{{"e", 0, 0, false, true}, f_e},
    Entry{{"rand", 0, 0, false, false}, f_rand},
    Entry{{"timestamp", 0, 0, false, false}, f_timestamp},
    Entry{{"linenumber", 0, 0, false, false}, f_null},
    Entry{{"file", 0, 0, false, false}, f_null},
    Entry{{"isnan", 1, 1, false, true}, f_isnan},
    // Strings
    Entry{{"toupper", 1, 1, false, true}, f_toupper},
    Entry{{"tolower", 1, 1, false, true}, f_tolower},
    Entry{{"upper", 1, 1, false, true}, f_toupper},
    Entry{{"lower", 1, 1, false, true}, f_tolower},
    Entry{{"trim", 1, 1, false, true}, f_trim},
    Entry{{"ltrim", 1, 1, false, true}, f_ltrim},
    Entry{{"rtrim", 1, 1, false, true}, f_rtrim},
    Entry{{"replace", 3, 3, false, true}, f_replace},
    Entry{{"substring", 2, 3, false, true}, f_substring},
    Entry{{"left", 2, 2, false, true}, f_left},
    Entry{{"right", 2, 2, false, true}, f_right},
    Entry{{"split", 2, 2, false, true}, f_split},
    // Vectors (vector.cpp); Neo4j's names and the dotted forms of issue #7
    Entry{{"vector", 1, 3, false, true}, detail::f_vector},
    Entry{{"vector.similarity.cosine", 2, 2, false, true}, detail::f_vector_similarity_cosine},
    Entry{{"vector.similarity.euclidean", 2, 2, false, true},
          detail::f_vector_similarity_euclidean},
    Entry{{"vector.distance", 3, 3, false, true}, detail::f_vector_distance},
    Entry{{"vector_distance", 3, 3, false, true}, detail::f_vector_distance},
    Entry{{"vector.norm", 1, 2, false, true}, detail::f_vector_norm},
    Entry{{"vector_norm", 1, 2, false, true}, detail::f_vector_norm},
    Entry{{"vector.dimension", 1, 1, false, true}, detail::f_vector_dimension},
    Entry{{"vector_dimension_count", 1, 1, false, true}, detail::f_vector_dimension},
    // Temporal values (temporal.cpp): construction, clocks, truncation, durations. The
    // statement clock is one for the whole statement, so only .realtime() is not
    // deterministic.
    Entry{{"date", 0, 1, false, true}, detail::f_date},
    Entry{{"localtime", 0, 1, false, true}, detail::f_localtime},
    Entry{{"time", 0, 1, false, true}, detail::f_time},
    Entry{{"localdatetime", 0, 1, false, true}, detail::f_localdatetime},
    Entry{{"datetime", 0, 1, false, true}, detail::f_datetime},
    Entry{{"date.transaction", 0, 1, false, true}, detail::f_date_clock},
    Entry{{"date.statement", 0, 1, false, true}, detail::f_date_clock},
    Entry{{"date.realtime", 0, 1, false, false}, detail::f_date_realtime},
    Entry{{"localtime.transaction", 0, 1, false, true}, detail::f_localtime_clock},
    Entry{{"localtime.statement", 0, 1, false, true}, detail::f_localtime_clock},
    Entry{{"localtime.realtime", 0, 1, false, false}, detail::f_localtime_realtime},
    Entry{{"time.transaction", 0, 1, false, true}, detail::f_time_clock},
    Entry{{"time.statement", 0, 1, false, true}, detail::f_time_clock},
    Entry{{"time.realtime", 0, 1, false, false}, detail::f_time_realtime},
    Entry{{"localdatetime.transaction", 0, 1, false, true}, detail::f_localdatetime_clock},
    Entry{{"localdatetime.statement", 0, 1, false, true}, detail::f_localdatetime_clock},
    Entry{{"localdatetime.realtime", 0, 1, false, false}, detail::f_localdatetime_realtime},
    Entry{{"datetime.transaction", 0, 1, false, true}, detail::f_datetime_clock},
    Entry{{"datetime.statement", 0, 1, false, true}, detail::f_datetime_clock},
    Entry{{"datetime.realtime", 0, 1, false, false}, detail::f_datetime_realtime},
    Entry{{"date.truncate", 2, 3, false, true}, detail::f_date_truncate},
    Entry{{"localtime.truncate", 2, 3, false, true}, detail::f_localtime_truncate},
    Entry{{"time.truncate", 2, 3, false, true}, detail::f_time_truncate},
    Entry{{"localdatetime.truncate", 2, 3, false, true}, detail::f_localdatetime_truncate},
    Entry{{"datetime.truncate", 2, 3, false, true}, detail::f_datetime_truncate},
    Entry{{"datetime.fromepoch", 2, 2, false, true}, detail::f_datetime_fromepoch},
    Entry{{"datetime.fromepochmillis", 1, 1, false, true}, detail::f_datetime_fromepochmillis},
    Entry{{"duration", 1, 1, false, true}, detail::f_duration},
    Entry{{"duration.between", 2, 2, false, true}, detail::f_duration_between},
    Entry{{"duration.inmonths", 2, 2, false, true}, detail::f_duration_in_months},
    Entry{{"duration.indays", 2, 2, false, true}, detail::f_duration_in_days},
    Entry{{"duration.inseconds", 2, 2, false, true}, detail::f_duration_in_seconds},
    // Aggregates (evaluated through make_aggregator, never through call)
    Entry{{"count", 0, 1, true, true}, f_aggregate},
    Entry{{"sum", 1, 1, true, true}, f_aggregate},
    Entry{{"avg", 1, 1, true, true}, f_aggregate},
    Entry{{"min", 1, 1, true, true}, f_aggregate},
    Entry{{"max", 1, 1, true, true}, f_aggregate},
    Entry{{"collect", 1, 1, true, true}, f_aggregate},
    Entry{{"percentilecont", 2, 2, true, true}, f_aggregate},
    Entry{{"percentiledisc", 2, 2, true, true}, f_aggregate},
    Entry{{"stdev", 1, 1, true, true}, f_aggregate},
    Entry{{"stdevp", 1, 1, true, true}, f_aggregate},
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

const Entry* find_entry(std::string_view name) {
    std::string key = lower(name);
    for (const Entry& e : kEntries)
        if (e.info.name == key) return &e;
    return nullptr;
}

}  // namespace

std::vector<std::string_view> function_names() {
    std::vector<std::string_view> names;
    for (const Entry& e : kEntries) names.push_back(e.info.name);
    return names;
}

const FunctionInfo* find_function(std::string_view name) {
    const Entry* e = find_entry(name);
    return e ? &e->info : nullptr;
}

Value call(const FunctionInfo& f, std::span<const Value> args, const CallContext& ctx) {
    // Infos handed out by find_function live in kEntries: find the entry without a lookup.
    const Entry* e = nullptr;
    const FunctionInfo* first = &kEntries.front().info;
    const FunctionInfo* last = &kEntries.back().info;
    std::less_equal<const FunctionInfo*> le;
    // `info` is the first member of the standard-layout Entry, so the two addresses agree.
    static_assert(std::is_standard_layout_v<Entry>);
    if (le(first, &f) && le(&f, last)) e = reinterpret_cast<const Entry*>(&f);
    if (!e) e = find_entry(f.name);
    if (!e)
        throw_semantic("SyntaxError", "UnknownFunction",
                       "unknown function '" + std::string(f.name) + "'");
    auto n = static_cast<int>(args.size());
    if (n < e->info.min_args || (e->info.max_args != kVar && n > e->info.max_args))
        throw_semantic(
            "SyntaxError", "InvalidNumberOfArguments",
            std::string(e->info.name) + "() takes " + std::to_string(e->info.min_args) +
                (e->info.max_args == e->info.min_args
                     ? std::string()
                     : (e->info.max_args == kVar ? " or more"
                                                 : " to " + std::to_string(e->info.max_args))) +
                " arguments, got " + std::to_string(n));
    detail::StatementClock clock(ctx.clock_nanos);
    return e->impl(args);
}

}  // namespace lora::fn
