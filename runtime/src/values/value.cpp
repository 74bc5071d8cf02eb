// lora::Value: storage (inline scalars, ref-counted boxes for heavy kinds, copy-on-write)
// and the Cypher semantics of equality, comparison, orderability and equivalence.
#include <lora/value.hpp>

#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>

namespace lora {

static_assert(sizeof(Value) == 16, "Value must stay two words: rows are arrays of them");

namespace {

// Heavy payloads live in a box shared between copies. The count is atomic because rows
// (and so values) are handed between actors running on different threads.
struct BoxBase {
    std::atomic<uint32_t> refs{1};
    uint32_t nesting = 0;  // lists and maps: Value::nesting, set when the box is made
    uint64_t heap = 0;     // lists and maps: Value::footprint less the Value itself
};

template <class T>
struct Box : BoxBase {
    T v;
    explicit Box(T x) : v(std::move(x)) {}
};

template <class T>
void* make_box(T x) {
    return new Box<T>(std::move(x));
}

template <class T>
T& unbox(void* p) {
    return static_cast<Box<T>*>(p)->v;
}

bool is_heavy(ValueKind k) {
    return k >= ValueKind::String && k != ValueKind::Date && k != ValueKind::LocalTime;
}

template <class T>
void release_as(void* p) {
    auto* b = static_cast<Box<T>*>(p);
    // acq_rel: the last owner must see every write made through other owners before delete.
    if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete b;
}

void release(ValueKind k, void* p) {
    switch (k) {
        case ValueKind::String: release_as<std::string>(p); break;
        case ValueKind::List: release_as<List>(p); break;
        case ValueKind::Map: release_as<Map>(p); break;
        case ValueKind::Node: release_as<Node>(p); break;
        case ValueKind::Relationship: release_as<Relationship>(p); break;
        case ValueKind::Path: release_as<Path>(p); break;
        case ValueKind::Vector: release_as<Vector>(p); break;
        case ValueKind::Time: release_as<Time>(p); break;
        case ValueKind::LocalDateTime: release_as<LocalDateTime>(p); break;
        case ValueKind::DateTime: release_as<DateTime>(p); break;
        case ValueKind::Duration: release_as<Duration>(p); break;
        default: break;
    }
}

// Footprints (Value::footprint) of the parts of heavy payloads.
uint64_t string_heap(const std::string& s) {
    // Short strings live inside the std::string itself.
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// A std::map node: the tree links and the pair.
constexpr uint64_t kMapNodeBytes = 32 + sizeof(std::pair<const std::string, Value>);

uint64_t map_heap(const Map& m) {
    uint64_t n = 0;
    for (const auto& [k, v] : m)
        n += kMapNodeBytes + string_heap(k) + v.footprint() - sizeof(Value);
    return n;
}

// A node's or relationship's data is shared by every copy of the value; it counts with each.
uint64_t node_heap(const Node& x) {
    if (!x.data) return 0;
    uint64_t n = sizeof(NodeData) + x.data->labels.capacity() * sizeof(std::string) +
                 map_heap(x.data->properties);
    for (const std::string& l : x.data->labels) n += string_heap(l);
    return n;
}

uint64_t rel_heap(const Relationship& r) {
    if (!r.data) return 0;
    return sizeof(RelData) + string_heap(r.data->type) + map_heap(r.data->properties);
}

}  // namespace

std::string_view kind_name(ValueKind k) {
    switch (k) {
        case ValueKind::Null: return "NULL";
        case ValueKind::Bool: return "BOOLEAN";
        case ValueKind::Int: return "INTEGER";
        case ValueKind::Float: return "FLOAT";
        case ValueKind::String: return "STRING";
        case ValueKind::List: return "LIST";
        case ValueKind::Map: return "MAP";
        case ValueKind::Node: return "NODE";
        case ValueKind::Relationship: return "RELATIONSHIP";
        case ValueKind::Path: return "PATH";
        case ValueKind::Vector: return "VECTOR";
        case ValueKind::Date: return "DATE";
        case ValueKind::LocalTime: return "LOCAL TIME";
        case ValueKind::Time: return "ZONED TIME";
        case ValueKind::LocalDateTime: return "LOCAL DATETIME";
        case ValueKind::DateTime: return "ZONED DATETIME";
        case ValueKind::Duration: return "DURATION";
    }
    return "UNKNOWN";
}

Value::Value(const char* s) : kind_(ValueKind::String) { u_.p = make_box(std::string(s)); }
Value::Value(std::string s) : kind_(ValueKind::String) { u_.p = make_box(std::move(s)); }
Value::Value(std::string_view s) : kind_(ValueKind::String) { u_.p = make_box(std::string(s)); }
namespace {

[[noreturn]] void too_deep() {
    throw_argument_error("ValueTooDeep", "a list or map may nest at most " +
                                             std::to_string(kMaxValueNesting) + " levels deep");
}

// The nesting of a list or map whose deepest element nests `deepest` levels.
uint32_t wrapped_nesting(uint32_t deepest) {
    if (deepest >= kMaxValueNesting) too_deep();
    return deepest + 1;
}

}  // namespace

Value::Value(List l) : kind_(ValueKind::Null) {
    uint32_t deepest = 0;
    uint64_t heap = sizeof(Box<List>) + l.capacity() * sizeof(Value);
    for (const Value& v : l) {
        deepest = std::max(deepest, v.nesting());
        heap += v.footprint() - sizeof(Value);
    }
    const uint32_t n = wrapped_nesting(deepest);
    u_.p = make_box(std::move(l));
    static_cast<BoxBase*>(u_.p)->nesting = n;
    static_cast<BoxBase*>(u_.p)->heap = heap;
    kind_ = ValueKind::List;
}

Value::Value(Map m) : kind_(ValueKind::Null) {
    uint32_t deepest = 0;
    const uint64_t heap = sizeof(Box<Map>) + map_heap(m);
    for (const auto& kv : m) deepest = std::max(deepest, kv.second.nesting());
    const uint32_t n = wrapped_nesting(deepest);
    u_.p = make_box(std::move(m));
    static_cast<BoxBase*>(u_.p)->nesting = n;
    static_cast<BoxBase*>(u_.p)->heap = heap;
    kind_ = ValueKind::Map;
}

uint64_t Value::footprint() const noexcept {
    switch (kind_) {
        case ValueKind::String:
            return sizeof(Value) + sizeof(Box<std::string>) + string_heap(unbox<std::string>(u_.p));
        case ValueKind::List:
        case ValueKind::Map: return sizeof(Value) + static_cast<const BoxBase*>(u_.p)->heap;
        case ValueKind::Node:
            return sizeof(Value) + sizeof(Box<Node>) + node_heap(unbox<Node>(u_.p));
        case ValueKind::Relationship:
            return sizeof(Value) + sizeof(Box<Relationship>) + rel_heap(unbox<Relationship>(u_.p));
        case ValueKind::Path: {
            const Path& p = unbox<Path>(u_.p);
            uint64_t n = sizeof(Value) + sizeof(Box<Path>) + p.nodes.capacity() * sizeof(Node) +
                         p.rels.capacity() * sizeof(Relationship);
            for (const Node& x : p.nodes) n += node_heap(x);
            for (const Relationship& r : p.rels) n += rel_heap(r);
            return n;
        }
        case ValueKind::Vector:
            return sizeof(Value) + sizeof(Box<Vector>) +
                   unbox<Vector>(u_.p).coords.capacity() * sizeof(float);
        case ValueKind::Time: return sizeof(Value) + sizeof(Box<Time>);
        case ValueKind::LocalDateTime: return sizeof(Value) + sizeof(Box<LocalDateTime>);
        case ValueKind::DateTime:
            return sizeof(Value) + sizeof(Box<DateTime>) + string_heap(unbox<DateTime>(u_.p).zone);
        case ValueKind::Duration: return sizeof(Value) + sizeof(Box<Duration>);
        default: return sizeof(Value);
    }
}

uint32_t Value::nesting() const noexcept {
    switch (kind_) {
        case ValueKind::List:
        case ValueKind::Map: return static_cast<const BoxBase*>(u_.p)->nesting;
        case ValueKind::Node:
        case ValueKind::Relationship: return 2;
        case ValueKind::Path: return 3;
        default: return 0;
    }
}
Value::Value(Node n) : kind_(ValueKind::Node) { u_.p = make_box(std::move(n)); }
Value::Value(Relationship r) : kind_(ValueKind::Relationship) { u_.p = make_box(std::move(r)); }
Value::Value(Path p) : kind_(ValueKind::Path) { u_.p = make_box(std::move(p)); }

Value::Value(Vector v) : kind_(ValueKind::Null) {
    const size_t n = v.coords.size();
    if (n == 0 || n > kMaxVectorDimension)
        throw_argument_error("InvalidArgumentValue",
                             "a VECTOR must have a dimension between 1 and " +
                                 std::to_string(kMaxVectorDimension) + ", got " +
                                 std::to_string(n));
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(v.coords[i]))
            throw_argument_error("InvalidArgumentValue",
                                 "VECTOR coordinates must be finite numbers, coordinate " +
                                     std::to_string(i) + " is " +
                                     (std::isnan(v.coords[i]) ? "NaN" : "infinite"));
    kind_ = ValueKind::Vector;
    u_.p = make_box(std::move(v));
}

Value::Value(Time t) : kind_(ValueKind::Time) { u_.p = make_box(t); }
Value::Value(LocalDateTime t) : kind_(ValueKind::LocalDateTime) { u_.p = make_box(t); }
Value::Value(DateTime t) : kind_(ValueKind::DateTime) { u_.p = make_box(std::move(t)); }
Value::Value(Duration d) : kind_(ValueKind::Duration) { u_.p = make_box(d); }

Value::Value(const Value& o) : kind_(ValueKind::Null) { copy_from(o); }

Value::Value(Value&& o) noexcept : kind_(o.kind_) {
    u_ = o.u_;
    o.kind_ = ValueKind::Null;
    o.u_.i = 0;
}

Value& Value::operator=(const Value& o) {
    if (this != &o) {
        // Copy first: `o` may be owned by our own payload (v = v.as_list()[0]).
        Value tmp(o);
        *this = std::move(tmp);
    }
    return *this;
}

Value& Value::operator=(Value&& o) noexcept {
    if (this != &o) {
        ValueKind k = o.kind_;
        U u = o.u_;
        o.kind_ = ValueKind::Null;
        o.u_.i = 0;
        destroy();
        kind_ = k;
        u_ = u;
    }
    return *this;
}

Value::~Value() { destroy(); }

void Value::destroy() noexcept {
    if (is_heavy(kind_)) release(kind_, u_.p);
    kind_ = ValueKind::Null;
    u_.i = 0;
}

void Value::copy_from(const Value& o) {
    kind_ = o.kind_;
    u_ = o.u_;
    if (is_heavy(kind_)) static_cast<BoxBase*>(u_.p)->refs.fetch_add(1, std::memory_order_relaxed);
}

const std::string& Value::as_string() const {
    assert(is_string());
    return unbox<std::string>(u_.p);
}
const List& Value::as_list() const {
    assert(is_list());
    return unbox<List>(u_.p);
}
const Map& Value::as_map() const {
    assert(is_map());
    return unbox<Map>(u_.p);
}
const Node& Value::as_node() const {
    assert(is_node());
    return unbox<Node>(u_.p);
}
const Relationship& Value::as_relationship() const {
    assert(is_relationship());
    return unbox<Relationship>(u_.p);
}
const Path& Value::as_path() const {
    assert(is_path());
    return unbox<Path>(u_.p);
}
const Vector& Value::as_vector() const {
    assert(is_vector());
    return unbox<Vector>(u_.p);
}
const Time& Value::as_time() const {
    assert(kind_ == ValueKind::Time);
    return unbox<Time>(u_.p);
}
const LocalDateTime& Value::as_local_date_time() const {
    assert(kind_ == ValueKind::LocalDateTime);
    return unbox<LocalDateTime>(u_.p);
}
const DateTime& Value::as_date_time() const {
    assert(kind_ == ValueKind::DateTime);
    return unbox<DateTime>(u_.p);
}
const Duration& Value::as_duration() const {
    assert(kind_ == ValueKind::Duration);
    return unbox<Duration>(u_.p);
}

// ---------------------------------------------------------------------------------------
// Numbers

namespace {

// Exact comparison of an integer with a finite-or-infinite, non-NaN double. Going through
// double would call 2^53 + 1 equal to 2^53.
int compare_int_float(int64_t i, double f) {
    constexpr double two63 = 9223372036854775808.0;  // 2^63, exactly representable
    if (f >= two63) return -1;
    if (f < -two63) return 1;
    // |f| < 2^63 so its integral part fits in int64 and the subtraction below is exact.
    double tf = std::trunc(f);
    auto t = static_cast<int64_t>(tf);
    if (i < t) return -1;
    if (i > t) return 1;
    double frac = f - tf;
    if (frac > 0) return -1;
    if (frac < 0) return 1;
    return 0;
}

// Numeric comparison, nullopt if NaN is involved.
std::optional<int> compare_numbers(const Value& a, const Value& b) {
    if (a.is_int() && b.is_int()) {
        int64_t x = a.as_int(), y = b.as_int();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is_int()) {
        if (std::isnan(b.as_float())) return std::nullopt;
        return compare_int_float(a.as_int(), b.as_float());
    }
    if (b.is_int()) {
        if (std::isnan(a.as_float())) return std::nullopt;
        return -compare_int_float(b.as_int(), a.as_float());
    }
    double x = a.as_float(), y = b.as_float();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : (x > y ? 1 : 0);
}

bool is_nan(const Value& v) { return v.is_float() && std::isnan(v.as_float()); }

int cmp3(auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); }

Tri tri_and(Tri acc, Tri t) {
    if (acc == Tri::False || t == Tri::False) return Tri::False;
    if (acc == Tri::Null || t == Tri::Null) return Tri::Null;
    return Tri::True;
}

// Temporal values of one kind: the time order (nullopt for durations, which only equal or
// differ) and exact equality of all fields.
std::optional<int> compare_temporal(const Value& a, const Value& b) {
    switch (a.kind()) {
        case ValueKind::Date: return cmp3(a.as_date().days, b.as_date().days);
        case ValueKind::LocalTime: return cmp3(a.as_local_time().nanos, b.as_local_time().nanos);
        case ValueKind::Time:
            return cmp3(temporal::utc_nanos_of_day(a.as_time()),
                        temporal::utc_nanos_of_day(b.as_time()));
        case ValueKind::LocalDateTime: {
            const auto& x = a.as_local_date_time();
            const auto& y = b.as_local_date_time();
            if (int c = cmp3(x.seconds, y.seconds)) return c;
            return cmp3(x.nanos, y.nanos);
        }
        case ValueKind::DateTime: {
            const auto& x = a.as_date_time();
            const auto& y = b.as_date_time();
            if (int c = cmp3(x.seconds, y.seconds)) return c;
            return cmp3(x.nanos, y.nanos);
        }
        default: return std::nullopt;
    }
}

bool same_temporal(const Value& a, const Value& b) {
    switch (a.kind()) {
        case ValueKind::Date: return a.as_date().days == b.as_date().days;
        case ValueKind::LocalTime: return a.as_local_time().nanos == b.as_local_time().nanos;
        case ValueKind::Time:
            return a.as_time().nanos == b.as_time().nanos &&
                   a.as_time().offset == b.as_time().offset;
        case ValueKind::LocalDateTime:
            return a.as_local_date_time().seconds == b.as_local_date_time().seconds &&
                   a.as_local_date_time().nanos == b.as_local_date_time().nanos;
        case ValueKind::DateTime: {
            const auto& x = a.as_date_time();
            const auto& y = b.as_date_time();
            return x.seconds == y.seconds && x.nanos == y.nanos && x.offset == y.offset &&
                   x.zone == y.zone;
        }
        case ValueKind::Duration: {
            const auto& x = a.as_duration();
            const auto& y = b.as_duration();
            return x.months == y.months && x.days == y.days && x.seconds == y.seconds &&
                   x.nanos == y.nanos;
        }
        default: return false;
    }
}

bool same_path_ids(const Path& x, const Path& y) {
    if (x.nodes.size() != y.nodes.size() || x.rels.size() != y.rels.size()) return false;
    for (size_t i = 0; i < x.nodes.size(); ++i)
        if (x.nodes[i].id != y.nodes[i].id) return false;
    for (size_t i = 0; i < x.rels.size(); ++i)
        if (x.rels[i].id != y.rels[i].id) return false;
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Equality

Tri cypher_equals(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Tri::Null;
    if (a.is_number() && b.is_number()) {
        auto c = compare_numbers(a, b);
        return (c && *c == 0) ? Tri::True : Tri::False;
    }
    if (a.kind() != b.kind()) return Tri::False;
    switch (a.kind()) {
        case ValueKind::Bool: return a.as_bool() == b.as_bool() ? Tri::True : Tri::False;
        case ValueKind::String: return a.as_string() == b.as_string() ? Tri::True : Tri::False;
        case ValueKind::List: {
            const List& x = a.as_list();
            const List& y = b.as_list();
            if (x.size() != y.size()) return Tri::False;
            Tri acc = Tri::True;
            for (size_t i = 0; i < x.size() && acc != Tri::False; ++i)
                acc = tri_and(acc, cypher_equals(x[i], y[i]));
            return acc;
        }
        case ValueKind::Map: {
            const Map& x = a.as_map();
            const Map& y = b.as_map();
            if (x.size() != y.size()) return Tri::False;
            for (auto xi = x.begin(), yi = y.begin(); xi != x.end(); ++xi, ++yi)
                if (xi->first != yi->first) return Tri::False;
            Tri acc = Tri::True;
            for (auto xi = x.begin(), yi = y.begin(); xi != x.end() && acc != Tri::False;
                 ++xi, ++yi)
                acc = tri_and(acc, cypher_equals(xi->second, yi->second));
            return acc;
        }
        case ValueKind::Node: return a.as_node().id == b.as_node().id ? Tri::True : Tri::False;
        case ValueKind::Relationship:
            return a.as_relationship().id == b.as_relationship().id ? Tri::True : Tri::False;
        case ValueKind::Path:
            return same_path_ids(a.as_path(), b.as_path()) ? Tri::True : Tri::False;
        case ValueKind::Vector:
            return a.as_vector().coords == b.as_vector().coords ? Tri::True : Tri::False;
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: return same_temporal(a, b) ? Tri::True : Tri::False;
        default: return Tri::False;
    }
}

// ---------------------------------------------------------------------------------------
// Comparability

std::optional<int> cypher_compare(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return std::nullopt;
    if (a.is_number() && b.is_number()) return compare_numbers(a, b);
    if (a.kind() != b.kind()) return std::nullopt;
    switch (a.kind()) {
        case ValueKind::Bool: return cmp3(a.as_bool(), b.as_bool());
        case ValueKind::String: {
            // std::string compares chars as unsigned, so this is UTF-8 byte order, which
            // is code point order.
            int c = a.as_string().compare(b.as_string());
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        case ValueKind::List: {
            const List& x = a.as_list();
            const List& y = b.as_list();
            size_t n = std::min(x.size(), y.size());
            for (size_t i = 0; i < n; ++i) {
                auto c = cypher_compare(x[i], y[i]);
                if (!c) return std::nullopt;
                if (*c != 0) return c;
            }
            return cmp3(x.size(), y.size());
        }
        default: return a.is_temporal() ? compare_temporal(a, b) : std::nullopt;
    }
}

Tri cypher_compare_op(CompareOp op, const Value& a, const Value& b) {
    auto c = cypher_compare(a, b);
    if (!c) {
        if (a.is_number() && b.is_number()) return Tri::False;  // NaN: never ordered
        return Tri::Null;
    }
    bool r = false;
    switch (op) {
        case CompareOp::Lt: r = *c < 0; break;
        case CompareOp::Le: r = *c <= 0; break;
        case CompareOp::Gt: r = *c > 0; break;
        case CompareOp::Ge: r = *c >= 0; break;
    }
    return r ? Tri::True : Tri::False;
}

// ---------------------------------------------------------------------------------------
// Orderability

namespace {

int order_rank(ValueKind k) {
    switch (k) {
        case ValueKind::Map: return 0;
        case ValueKind::Node: return 1;
        case ValueKind::Relationship: return 2;
        case ValueKind::List: return 3;
        case ValueKind::Path: return 4;
        // Neo4j's hierarchy puts VECTOR after PATH (before its spatial and temporal types).
        case ValueKind::Vector: return 5;
        // Then Neo4j's temporal kinds (a Point kind would come before them).
        case ValueKind::DateTime: return 7;
        case ValueKind::LocalDateTime: return 8;
        case ValueKind::Date: return 9;
        case ValueKind::Time: return 10;
        case ValueKind::LocalTime: return 11;
        case ValueKind::Duration: return 12;
        case ValueKind::String: return 13;
        case ValueKind::Bool: return 14;
        case ValueKind::Int:
        case ValueKind::Float: return 15;
        case ValueKind::Null: return 16;
    }
    return 17;
}

int order_numbers(const Value& a, const Value& b) {
    bool na = is_nan(a), nb = is_nan(b);
    if (na || nb) return cmp3(na, nb);
    auto c = compare_numbers(a, b);
    return *c;
}

}  // namespace

int order_compare(const Value& a, const Value& b) {
    int ra = order_rank(a.kind()), rb = order_rank(b.kind());
    if (ra != rb) return cmp3(ra, rb);
    switch (a.kind()) {
        case ValueKind::Null: return 0;
        case ValueKind::Bool: return cmp3(a.as_bool(), b.as_bool());
        case ValueKind::Int:
        case ValueKind::Float: return order_numbers(a, b);
        case ValueKind::String: {
            int c = a.as_string().compare(b.as_string());
            return cmp3(c, 0);
        }
        case ValueKind::List: {
            const List& x = a.as_list();
            const List& y = b.as_list();
            size_t n = std::min(x.size(), y.size());
            for (size_t i = 0; i < n; ++i)
                if (int c = order_compare(x[i], y[i])) return c;
            return cmp3(x.size(), y.size());
        }
        case ValueKind::Map: {
            // Maps have no order in Cypher beyond "before everything else"; order by the
            // sorted (key, value) sequence so the order is at least total and stable.
            const Map& x = a.as_map();
            const Map& y = b.as_map();
            auto xi = x.begin();
            auto yi = y.begin();
            for (; xi != x.end() && yi != y.end(); ++xi, ++yi) {
                if (int c = cmp3(xi->first.compare(yi->first), 0)) return c;
                if (int c = order_compare(xi->second, yi->second)) return c;
            }
            return cmp3(x.size(), y.size());
        }
        case ValueKind::Node: return cmp3(a.as_node().id, b.as_node().id);
        case ValueKind::Relationship: return cmp3(a.as_relationship().id, b.as_relationship().id);
        case ValueKind::Path: {
            // Paths order as the alternating sequence node, rel, node, ...
            const Path& x = a.as_path();
            const Path& y = b.as_path();
            size_t n = std::min(x.nodes.size(), y.nodes.size());
            for (size_t i = 0; i < n; ++i) {
                if (int c = cmp3(x.nodes[i].id, y.nodes[i].id)) return c;
                if (i < x.rels.size() && i < y.rels.size())
                    if (int c = cmp3(x.rels[i].id, y.rels[i].id)) return c;
            }
            return cmp3(x.nodes.size(), y.nodes.size());
        }
        case ValueKind::Vector: {
            // As Neo4j orders vectors of one coordinate type: by dimension, then pairwise.
            const auto& x = a.as_vector().coords;
            const auto& y = b.as_vector().coords;
            if (x.size() != y.size()) return cmp3(x.size(), y.size());
            for (size_t i = 0; i < x.size(); ++i)
                if (int c = cmp3(x[i], y[i])) return c;
            return 0;
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::LocalDateTime: return *compare_temporal(a, b);
        case ValueKind::Time: {
            if (int c = *compare_temporal(a, b)) return c;
            return cmp3(a.as_time().offset, b.as_time().offset);
        }
        case ValueKind::DateTime: {
            if (int c = *compare_temporal(a, b)) return c;
            const auto& x = a.as_date_time();
            const auto& y = b.as_date_time();
            if (int c = cmp3(x.offset, y.offset)) return c;
            return cmp3(x.zone.compare(y.zone), 0);
        }
        case ValueKind::Duration: {
            const auto& x = a.as_duration();
            const auto& y = b.as_duration();
            if (int c = cmp3(x.months, y.months)) return c;
            if (int c = cmp3(x.days, y.days)) return c;
            if (int c = cmp3(x.seconds, y.seconds)) return c;
            return cmp3(x.nanos, y.nanos);
        }
    }
    return 0;
}

// ---------------------------------------------------------------------------------------
// Equivalence

bool equivalent(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    if (a.is_number() && b.is_number()) {
        bool na = is_nan(a), nb = is_nan(b);
        if (na || nb) return na && nb;
        return *compare_numbers(a, b) == 0;
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case ValueKind::Bool: return a.as_bool() == b.as_bool();
        case ValueKind::String: return a.as_string() == b.as_string();
        case ValueKind::List: {
            const List& x = a.as_list();
            const List& y = b.as_list();
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!equivalent(x[i], y[i])) return false;
            return true;
        }
        case ValueKind::Map: {
            const Map& x = a.as_map();
            const Map& y = b.as_map();
            if (x.size() != y.size()) return false;
            for (auto xi = x.begin(), yi = y.begin(); xi != x.end(); ++xi, ++yi)
                if (xi->first != yi->first || !equivalent(xi->second, yi->second)) return false;
            return true;
        }
        case ValueKind::Node: return a.as_node().id == b.as_node().id;
        case ValueKind::Relationship: return a.as_relationship().id == b.as_relationship().id;
        case ValueKind::Path: return same_path_ids(a.as_path(), b.as_path());
        case ValueKind::Vector: return a.as_vector().coords == b.as_vector().coords;
        default: return same_temporal(a, b);
    }
}

namespace {

size_t mix(size_t h, size_t v) {
    // boost::hash_combine's constant; good enough spreading for hash tables.
    return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

size_t hash_int(int64_t i) { return std::hash<int64_t>{}(i)*0x9e3779b97f4a7c15ULL; }

}  // namespace

size_t equivalence_hash(const Value& v) {
    size_t h = static_cast<size_t>(order_rank(v.kind())) * 0x100000001b3ULL;
    switch (v.kind()) {
        case ValueKind::Null: return h;
        case ValueKind::Bool: return mix(h, v.as_bool() ? 1 : 2);
        case ValueKind::Int: return mix(h, hash_int(v.as_int()));
        case ValueKind::Float: {
            double f = v.as_float();
            if (std::isnan(f)) return mix(h, 0x7ff8);
            // An integral double in int64 range may be equivalent to an int: hash as that int.
            if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && std::trunc(f) == f)
                return mix(h, hash_int(static_cast<int64_t>(f)));
            return mix(h, std::hash<double>{}(f));
        }
        case ValueKind::String: return mix(h, std::hash<std::string>{}(v.as_string()));
        case ValueKind::List: {
            for (const Value& e : v.as_list()) h = mix(h, equivalence_hash(e));
            return mix(h, v.as_list().size());
        }
        case ValueKind::Map: {
            for (const auto& [k, e] : v.as_map()) {
                h = mix(h, std::hash<std::string>{}(k));
                h = mix(h, equivalence_hash(e));
            }
            return h;
        }
        case ValueKind::Node: return mix(h, hash_int(static_cast<int64_t>(v.as_node().id)));
        case ValueKind::Relationship:
            return mix(h, hash_int(static_cast<int64_t>(v.as_relationship().id)));
        case ValueKind::Path: {
            for (const Node& n : v.as_path().nodes)
                h = mix(h, hash_int(static_cast<int64_t>(n.id)));
            for (const Relationship& r : v.as_path().rels)
                h = mix(h, hash_int(static_cast<int64_t>(r.id)));
            return h;
        }
        case ValueKind::Vector: {
            for (float f : v.as_vector().coords) {
                // -0.0 equals 0.0, so both must hash alike.
                uint32_t bits = 0;
                if (f != 0.0f) std::memcpy(&bits, &f, sizeof bits);
                h = mix(h, bits);
            }
            return h;
        }
        case ValueKind::Date: return mix(h, hash_int(v.as_date().days));
        case ValueKind::LocalTime: return mix(h, hash_int(v.as_local_time().nanos));
        case ValueKind::Time:
            return mix(mix(h, hash_int(v.as_time().nanos)), hash_int(v.as_time().offset));
        case ValueKind::LocalDateTime:
            return mix(mix(h, hash_int(v.as_local_date_time().seconds)),
                       hash_int(v.as_local_date_time().nanos));
        case ValueKind::DateTime: {
            const auto& t = v.as_date_time();
            h = mix(mix(h, hash_int(t.seconds)), hash_int(t.nanos));
            return mix(mix(h, hash_int(t.offset)), std::hash<std::string>{}(t.zone));
        }
        case ValueKind::Duration: {
            const auto& d = v.as_duration();
            h = mix(mix(h, hash_int(d.months)), hash_int(d.days));
            return mix(mix(h, hash_int(d.seconds)), hash_int(d.nanos));
        }
    }
    return h;
}

size_t ValueEquivHash::operator()(const std::vector<Value>& row) const {
    size_t h = row.size();
    for (const Value& v : row) h = mix(h, equivalence_hash(v));
    return h;
}

bool ValueEquiv::operator()(const std::vector<Value>& a, const std::vector<Value>& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!equivalent(a[i], b[i])) return false;
    return true;
}

// ---------------------------------------------------------------------------------------
// Structural equality

namespace {

bool same_node(const Node& x, const Node& y);
bool same_rel(const Relationship& x, const Relationship& y);

bool same_node(const Node& x, const Node& y) {
    if (x.id != y.id) return false;
    if (!x.data || !y.data) return !x.data && !y.data;
    return x.data->labels == y.data->labels && x.data->properties == y.data->properties;
}

bool same_rel(const Relationship& x, const Relationship& y) {
    if (x.id != y.id || x.start != y.start || x.end != y.end) return false;
    if (!x.data || !y.data) return !x.data && !y.data && x.type_id == y.type_id;
    return x.data->type == y.data->type && x.data->properties == y.data->properties;
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case ValueKind::Null: return true;
        case ValueKind::Bool: return a.as_bool() == b.as_bool();
        case ValueKind::Int: return a.as_int() == b.as_int();
        case ValueKind::Float: {
            // Structural: NaN equals NaN so containers and tests behave.
            double x = a.as_float(), y = b.as_float();
            return x == y || (std::isnan(x) && std::isnan(y));
        }
        case ValueKind::String: return a.as_string() == b.as_string();
        case ValueKind::List: return a.as_list() == b.as_list();
        case ValueKind::Map: return a.as_map() == b.as_map();
        case ValueKind::Node: return same_node(a.as_node(), b.as_node());
        case ValueKind::Relationship: return same_rel(a.as_relationship(), b.as_relationship());
        case ValueKind::Path: {
            const Path& x = a.as_path();
            const Path& y = b.as_path();
            if (x.nodes.size() != y.nodes.size() || x.rels.size() != y.rels.size()) return false;
            for (size_t i = 0; i < x.nodes.size(); ++i)
                if (!same_node(x.nodes[i], y.nodes[i])) return false;
            for (size_t i = 0; i < x.rels.size(); ++i)
                if (!same_rel(x.rels[i], y.rels[i])) return false;
            return true;
        }
        case ValueKind::Vector: return a.as_vector().coords == b.as_vector().coords;
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: return same_temporal(a, b);
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// Literal text

namespace {

void append_float(std::string& out, double f) {
    if (std::isnan(f)) {
        out += "NaN";
        return;
    }
    if (std::isinf(f)) {
        out += f > 0 ? "Infinity" : "-Infinity";
        return;
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
    std::string_view s(buf, static_cast<size_t>(end - buf));
    out += s;
    // Cypher float literals always show they are floats: 1.0, not 1.
    if (s.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

// The shortest text that reads back as the same float32: 0.1f prints as 0.1, not as the
// 0.10000000149011612 its double widening would.
void append_float32(std::string& out, float f) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
    std::string_view s(buf, static_cast<size_t>(end - buf));
    out += s;
    if (s.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void append_string(std::string& out, std::string_view s) {
    out += '\'';
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
}

bool plain_identifier(std::string_view k) {
    if (k.empty()) return false;
    auto alpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    if (!alpha(k[0])) return false;
    for (char c : k)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

void append_name(std::string& out, std::string_view k) {
    if (plain_identifier(k)) {
        out += k;
        return;
    }
    out += '`';
    for (char c : k) {
        if (c == '`') out += '`';
        out += c;
    }
    out += '`';
}

void append_value(std::string& out, const Value& v);

void append_map(std::string& out, const Map& m) {
    out += '{';
    bool first = true;
    for (const auto& [k, e] : m) {
        if (!first) out += ", ";
        first = false;
        append_name(out, k);
        out += ": ";
        append_value(out, e);
    }
    out += '}';
}

void append_node(std::string& out, const Node& n) {
    out += '(';
    if (!n.data) {
        out += std::to_string(n.id);
    } else {
        for (const std::string& l : n.data->labels) {
            out += ':';
            append_name(out, l);
        }
        if (!n.data->properties.empty()) {
            if (!n.data->labels.empty()) out += ' ';
            append_map(out, n.data->properties);
        }
    }
    out += ')';
}

void append_rel(std::string& out, const Relationship& r) {
    out += '[';
    if (!r.data) {
        out += std::to_string(r.id);
    } else {
        out += ':';
        append_name(out, r.data->type);
        if (!r.data->properties.empty()) {
            out += ' ';
            append_map(out, r.data->properties);
        }
    }
    out += ']';
}

void append_path(std::string& out, const Path& p) {
    out += '<';
    for (size_t i = 0; i < p.nodes.size(); ++i) {
        append_node(out, p.nodes[i]);
        if (i < p.rels.size()) {
            const Relationship& r = p.rels[i];
            // rels[i] may point either way; its start tells which.
            bool forward = r.start == p.nodes[i].id;
            out += forward ? "-" : "<-";
            append_rel(out, r);
            out += forward ? "->" : "-";
        }
    }
    out += '>';
}

void append_value(std::string& out, const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: out += "null"; break;
        case ValueKind::Bool: out += v.as_bool() ? "true" : "false"; break;
        case ValueKind::Int: out += std::to_string(v.as_int()); break;
        case ValueKind::Float: append_float(out, v.as_float()); break;
        case ValueKind::String: append_string(out, v.as_string()); break;
        case ValueKind::List: {
            out += '[';
            bool first = true;
            for (const Value& e : v.as_list()) {
                if (!first) out += ", ";
                first = false;
                append_value(out, e);
            }
            out += ']';
            break;
        }
        case ValueKind::Map: append_map(out, v.as_map()); break;
        case ValueKind::Node: append_node(out, v.as_node()); break;
        case ValueKind::Relationship: append_rel(out, v.as_relationship()); break;
        case ValueKind::Path: append_path(out, v.as_path()); break;
        case ValueKind::Vector: {
            // Neo4j's rendering of a VECTOR value.
            const auto& c = v.as_vector().coords;
            out += "vector([";
            for (size_t i = 0; i < c.size(); ++i) {
                if (i) out += ", ";
                append_float32(out, c[i]);
            }
            out += "], " + std::to_string(c.size()) + ", FLOAT32 NOT NULL)";
            break;
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: out += temporal::to_iso(v); break;
    }
}

}  // namespace

std::string Value::to_string() const {
    std::string out;
    append_value(out, *this);
    return out;
}

}  // namespace lora
