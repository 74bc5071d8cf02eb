// lora::Value — the dynamically typed value of the query language, used in query
// parameters, results, property storage and the rows that move between actors.
#pragma once

#include <lora/export.hpp>
#include <lora/temporal.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lora {

class Value;

using List = std::vector<Value>;
// Maps keep their keys sorted; Cypher maps are unordered, so this only fixes output order.
using Map = std::map<std::string, Value, std::less<>>;

// Labels and properties of a node as read at one moment. Shared and immutable.
struct NodeData {
    std::vector<std::string> labels;
    Map properties;
};

// Type and properties of a relationship as read at one moment. Shared and immutable.
struct RelData {
    std::string type;
    Map properties;
};

// A node value. Inside the engine a node may travel as a bare reference (data == nullptr);
// results handed to users always carry data.
struct Node {
    uint64_t id = 0;
    std::shared_ptr<const NodeData> data;
};

struct Relationship {
    uint64_t id = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    uint32_t type_id = 0;  // catalog id of the type; `data->type` is its name once hydrated
    std::shared_ptr<const RelData> data;
};

// nodes.size() == rels.size() + 1; rels[i] joins nodes[i] and nodes[i+1] in either direction.
struct Path {
    std::vector<Node> nodes;
    std::vector<Relationship> rels;
};

// The largest dimension a VECTOR may have (Neo4j's limit).
inline constexpr size_t kMaxVectorDimension = 4096;

// The coordinates of a VECTOR value: float32 (Neo4j's FLOAT32 coordinate type), dimension
// 1..kMaxVectorDimension, every coordinate finite. Value(Vector) enforces this, so a VECTOR
// Value is always valid. Shared and immutable once inside a Value.
struct Vector {
    std::vector<float> coords;
};

enum class ValueKind : uint8_t {
    Null = 0,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
    Node,
    Relationship,
    Path,
    Vector,
    // Temporal kinds (lora/temporal.hpp). A spatial Point kind would follow them.
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
};

// "NULL", "BOOLEAN", "INTEGER", "FLOAT", ..., "DATE", "LOCAL TIME", "ZONED TIME",
// "LOCAL DATETIME", "ZONED DATETIME", "DURATION".
LORA_API std::string_view kind_name(ValueKind k);

// Three-valued logic result of Cypher comparisons.
enum class Tri : uint8_t { False = 0, True = 1, Null = 2 };

// The deepest nesting a value may have (Value::nesting). Building a deeper list or map
// throws ArgumentError.ValueTooDeep: every algorithm over values (encoding between actors,
// comparison, hashing, printing, JSON, destruction) recurses per level, and the bound keeps
// that recursion far from the end of any thread's stack, whatever a query builds.
inline constexpr uint32_t kMaxValueNesting = 1000;

class LORA_API Value {
public:
    Value() noexcept : kind_(ValueKind::Null) {}
    Value(std::nullptr_t) noexcept : kind_(ValueKind::Null) {}
    Value(bool b) noexcept : kind_(ValueKind::Bool) { u_.b = b; }
    Value(int v) noexcept : kind_(ValueKind::Int) { u_.i = v; }
    Value(int64_t v) noexcept : kind_(ValueKind::Int) { u_.i = v; }
    Value(double v) noexcept : kind_(ValueKind::Float) { u_.f = v; }
    Value(const char* s);
    Value(std::string s);
    Value(std::string_view s);
    // Throw lora::Error (ArgumentError.ValueTooDeep) when the result would nest deeper
    // than kMaxValueNesting.
    Value(List l);
    Value(Map m);
    Value(Node n);
    Value(Relationship r);
    Value(Path p);
    // Throws lora::Error (ArgumentError.InvalidArgumentValue) when the dimension is 0 or
    // above kMaxVectorDimension, or a coordinate is NaN or infinite.
    explicit Value(Vector v);
    // Temporal values. Their fields must be in range (lora/temporal.hpp says which);
    // the temporal functions and decoders check that before they build one.
    Value(Date d) noexcept : kind_(ValueKind::Date) { u_.i = d.days; }
    Value(LocalTime t) noexcept : kind_(ValueKind::LocalTime) { u_.i = t.nanos; }
    Value(Time t);
    Value(LocalDateTime t);
    Value(DateTime t);
    Value(Duration d);

    Value(const Value& o);
    Value(Value&& o) noexcept;
    Value& operator=(const Value& o);
    Value& operator=(Value&& o) noexcept;
    ~Value();

    ValueKind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == ValueKind::Null; }
    bool is_bool() const noexcept { return kind_ == ValueKind::Bool; }
    bool is_int() const noexcept { return kind_ == ValueKind::Int; }
    bool is_float() const noexcept { return kind_ == ValueKind::Float; }
    bool is_number() const noexcept { return is_int() || is_float(); }
    bool is_string() const noexcept { return kind_ == ValueKind::String; }
    bool is_list() const noexcept { return kind_ == ValueKind::List; }
    bool is_map() const noexcept { return kind_ == ValueKind::Map; }
    bool is_node() const noexcept { return kind_ == ValueKind::Node; }
    bool is_relationship() const noexcept { return kind_ == ValueKind::Relationship; }
    bool is_path() const noexcept { return kind_ == ValueKind::Path; }
    bool is_vector() const noexcept { return kind_ == ValueKind::Vector; }
    bool is_temporal() const noexcept {
        return kind_ >= ValueKind::Date && kind_ <= ValueKind::Duration;
    }

    // Accessors assume the kind matches (checked by assert in debug builds).
    bool as_bool() const noexcept { return u_.b; }
    int64_t as_int() const noexcept { return u_.i; }
    double as_float() const noexcept { return u_.f; }
    double as_number() const noexcept { return is_int() ? static_cast<double>(u_.i) : u_.f; }
    const std::string& as_string() const;
    const List& as_list() const;
    const Map& as_map() const;
    const Node& as_node() const;
    const Relationship& as_relationship() const;
    const Path& as_path() const;
    const Vector& as_vector() const;
    Date as_date() const noexcept { return Date{u_.i}; }
    LocalTime as_local_time() const noexcept { return LocalTime{u_.i}; }
    const Time& as_time() const;
    const LocalDateTime& as_local_date_time() const;
    const DateTime& as_date_time() const;
    const Duration& as_duration() const;
    // How deeply lists and maps nest inside this value: 0 for a scalar, string or vector,
    // 1 for a list or map of scalars, one more per level; nodes and relationships count as
    // 2 (their property maps), paths as 3. Recorded when a list or map is made (values are
    // immutable), so reading it is constant time.
    uint32_t nesting() const noexcept;
    // Bytes the value holds: its own 16 and, for the heavy kinds, its box and what that owns
    // (a string's characters, a list's elements, a map's entries, an entity's properties).
    // An estimate for memory accounting (lora/memory.hpp); constant time for lists and maps,
    // whose footprint is recorded when they are made.
    uint64_t footprint() const noexcept;

    // Cypher equality (`=`): null if either side is null or the comparison involves null
    // inside lists/maps; 1 = 1.0 is true; NaN = NaN is false. Zoned times and datetimes are
    // equal when time, offset and zone all are; durations when each component is.
    friend LORA_API Tri cypher_equals(const Value& a, const Value& b);
    // Cypher comparison (`<`, `<=`, ...): -1/0/1, or nullopt when either side is null, the
    // types are not comparable (1 < 'a'), or NaN is involved. Temporal values of one kind
    // compare by time (zoned times and datetimes as instants); durations do not compare.
    friend LORA_API std::optional<int> cypher_compare(const Value& a, const Value& b);
    // Total order used by ORDER BY (the openCypher "orderability", in Neo4j's order of the
    // kinds): maps < nodes < rels < lists < paths < vectors < zoned datetimes < local
    // datetimes < dates < zoned times < local times < durations < strings < booleans <
    // numbers < null (ascending, null last), NaN after all other numbers. Vectors order by
    // dimension, then coordinate by coordinate; durations by months, days, seconds,
    // nanoseconds; zoned values by instant, then offset and zone name.
    friend LORA_API int order_compare(const Value& a, const Value& b);
    // Equivalence used by DISTINCT, grouping and IN-list membership tests: like equality
    // but null is equivalent to null and NaN to NaN; 1 and 1.0 are equivalent.
    friend LORA_API bool equivalent(const Value& a, const Value& b);
    friend LORA_API size_t equivalence_hash(const Value& v);

    // Structural equality (exact kinds: 1 != 1.0), for tests and containers.
    friend LORA_API bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

    // Cypher literal form, e.g. `{a: 1, b: 'x'}`, `(:L {p: 1})`, `[:T {p: 2}]`, `2.5`;
    // temporal values in their ISO-8601 form as Neo4j prints them (`2015-07-21`,
    // `2015-07-21T21:40:32.142+01:00[Europe/London]`, `P1Y2M10DT12H45M30.25S`).
    std::string to_string() const;

private:
    void destroy() noexcept;
    void copy_from(const Value& o);

    ValueKind kind_;
    union U {
        bool b;
        int64_t i;
        double f;
        void* p;  // points to a ref-counted box holding the payload of the heavier kinds
        U() : i(0) {}
    } u_;
};

// The comparison operators `<`, `<=`, `>`, `>=` as Cypher evaluates them: null when
// cypher_compare has no answer, except that NaN against a number is false (not null).
enum class CompareOp : uint8_t { Lt, Le, Gt, Ge };
LORA_API Tri cypher_compare_op(CompareOp op, const Value& a, const Value& b);

// Hash and equality functors for unordered containers keyed by equivalence.
struct LORA_API ValueEquivHash {
    size_t operator()(const Value& v) const { return equivalence_hash(v); }
    size_t operator()(const std::vector<Value>& row) const;
};
struct LORA_API ValueEquiv {
    bool operator()(const Value& a, const Value& b) const { return equivalent(a, b); }
    bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const;
};

}  // namespace lora
