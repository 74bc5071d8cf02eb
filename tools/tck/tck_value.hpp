// Values as the openCypher TCK writes them in result, parameter and procedure tables:
// a self-contained representation (no engine needed), its parser, printer and equality.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lora::tck {

// One value of a TCK table cell or of an engine result converted for comparison.
// Kept independent of lora::Value so that parsing and comparison are testable without the
// engine, and because TCK equality (nodes by labels+properties, 1 != 1.0) differs from
// Cypher equality.
struct TckValue {
    enum class Kind : uint8_t { Null, Bool, Int, Float, String, List, Map, Node, Rel, Path };

    Kind kind = Kind::Null;
    bool b = false;
    int64_t i = 0;  // Int; for Node/Rel values read from the engine: the entity id
    double f = 0.0;
    std::string s;                        // String; Rel: the relationship type
    std::vector<std::string> labels;      // Node: sorted, unique
    std::vector<TckValue> list;           // List; Path: node, rel, node, rel, ..., node
    std::vector<bool> forward;            // Path: per rel, true when it points along the path
    std::map<std::string, TckValue> map;  // Map; Node/Rel: properties

    static TckValue null() { return {}; }
    static TckValue boolean(bool v);
    static TckValue integer(int64_t v);
    static TckValue floating(double v);
    static TckValue string(std::string v);
    static TckValue make_list(std::vector<TckValue> items);
    static TckValue make_map(std::map<std::string, TckValue> entries);
    static TckValue node(std::vector<std::string> labels, std::map<std::string, TckValue> props);
    static TckValue rel(std::string type, std::map<std::string, TckValue> props);

    // TCK literal form, e.g. `(:A {k: 1})`, `[1, 'a']`, `<(:A)-[:T]->()>`.
    std::string to_string() const;
};

// A malformed feature file or table cell. Not lora::Error: these are faults of the test
// data, never of the engine, and this code must not depend on the engine library.
struct TckError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses one cell in the TCK value syntax (README §4). Throws TckError naming the
// position and the problem.
TckValue parse_value(std::string_view text);

// TCK equality: exact kinds (1 != 1.0), NaN equals NaN, nodes by label set and properties,
// relationships by type and properties, maps ignoring key order. With unordered_lists every
// list (at any depth) is compared as a multiset.
bool tck_equal(const TckValue& a, const TckValue& b, bool unordered_lists = false);

// Shortest round-trip text of a double with a '.' or exponent (so it reads back as float).
std::string format_float(double v);

}  // namespace lora::tck
