// Compiled expressions: the AST with variables resolved to row slots and functions to
// their implementation, evaluated against one row. Entity properties are read from data
// attached to the value, or from the local partition when the entity lives here.
#pragma once

#include <lora/exec/regex.hpp>
#include <lora/functions/functions.hpp>

#include <lora/storage/versions.hpp>
#include <lora/value.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lora::storage {
class Partition;
class Catalog;
}  // namespace lora::storage

namespace lora::exec {

enum class Direction : uint8_t { Outgoing, Incoming, Both };

using Row = std::vector<Value>;

enum class EK : uint8_t {
    Literal,
    Param,
    Slot,
    Property,
    Subscript,
    Slice,
    List,
    Map,
    Not,
    Negate,
    And,
    Or,
    Xor,
    Arith,    // op in `arith`: + - * / % ^; And, Or, Xor, Arith take two or more operands
    Compare,  // chained comparison
    In,
    StartsWith,
    EndsWith,
    Contains,
    Regex,
    IsNull,
    IsNotNull,
    HasLabels,
    Call,  // scalar function
    Case,
    ListComp,    // [x IN list WHERE pred | expr]
    Quantifier,  // all/any/none/single
    Reduce,
    MapProjection,
    PathBuild,  // children alternate node, relationship (or list of them), node, ...
    Entities,   // the relationships (quant 0) or nodes (quant 1) inside children[0]: a
                // node, relationship, path or (nested) list of them; for DELETE
};

enum class Cmp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

struct CExpr;
using CExprPtr = std::unique_ptr<CExpr>;

struct MapProjEntry {
    enum class Kind : uint8_t { Property, Value, AllProperties } kind;
    std::string key;
    CExprPtr value;  // Value kind
};

struct CExpr {
    EK kind;
    Value value;       // Literal
    std::string name;  // Param name, Property key, label
    int slot = -1;     // Slot; comprehension/quantifier/reduce variable
    int slot2 = -1;    // Reduce accumulator
    // ListComp / Quantifier / Reduce: when not -1, the last child is a list aligned with the
    // iterated one, and its i-th value is in this slot while element i is (values computed
    // per element beforehand: patterns over the element, plan/iteration.cpp).
    int pre_slot = -1;
    char arith = '+';
    std::string ariths;        // Arith chain mixing operators: the one before children[i + 1]
    std::vector<Cmp> cmps;     // Compare chain
    int quant = 0;             // 0 all, 1 any, 2 none, 3 single
    bool has_else = false;     // Case
    bool simple_case = false;  // Case with a subject (children[0])
    const fn::FunctionInfo* fn = nullptr;
    std::vector<std::string> labels;  // HasLabels
    std::vector<CExprPtr> children;
    std::vector<std::string> keys;            // Map literal keys
    std::vector<MapProjEntry> projection;     // MapProjection (children[0] is the subject)
    mutable std::atomic<int64_t> key_id{-1};  // Property: cached catalog id (-1 unknown)
    std::unique_ptr<RegexSlot> regex;         // Regex: the pattern compiled last

    CExpr(EK k) : kind(k) {}
};

struct EvalEnv {
    const Map* params = nullptr;
    // The statement clock, nanoseconds since the UTC epoch (0: the functions read the
    // system clock themselves).
    int64_t clock_nanos = 0;
    const storage::Partition* part = nullptr;  // the partition of the shard we run at
    const storage::Catalog* catalog = nullptr;
    storage::Snap snap;  // what reads of `part` see
};

Value eval(const CExpr& e, Row& row, const EvalEnv& env);
// Cypher truth of a predicate: only `true` passes (null and false do not).
bool eval_predicate(const CExpr& e, Row& row, const EvalEnv& env);

// Reads property `key` of a node/relationship/map value (null for absent; errors for
// other kinds). `key_id` caches the catalog id.
Value property_of(const Value& v, const std::string& key, std::atomic<int64_t>& key_id,
                  const EvalEnv& env);

// Returns the value with node/relationship data attached if it is a bare entity owned by
// the local partition; other values unchanged.
Value attach_local(const Value& v, const EvalEnv& env);

// Deep-copies an expression (plans are shared; some steps need their own copy).
CExprPtr clone(const CExpr& e);

}  // namespace lora::exec
