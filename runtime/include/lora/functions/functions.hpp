// The Cypher function library: scalar functions over lora::Value, and aggregators.
// Entity functions (labels, type, keys, properties, startNode, ...) read the data carried
// by hydrated Node / Relationship values; the executor hydrates before calling them.
#pragma once

#include <lora/value.hpp>

#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace lora {
class QueryMemory;  // lora/memory.hpp
}  // namespace lora

namespace lora::fn {

struct FunctionInfo {
    std::string_view name;  // canonical lower-case name, e.g. "tostring", "vector.norm"
    int min_args;
    int max_args;  // -1 = variadic
    bool aggregate;
    bool deterministic;  // false for rand(), timestamp(), ...
};

// What a call may read besides its arguments: the statement clock, nanoseconds since the
// UTC epoch, that date(), datetime(), ... read (0: they read the system clock).
struct CallContext {
    int64_t clock_nanos = 0;
};

// Case-insensitive lookup (Cypher function names are case-insensitive). nullptr if unknown.
const FunctionInfo* find_function(std::string_view name);
// The canonical names of every registered function.
std::vector<std::string_view> function_names();

// SHOW FUNCTIONS: every function a query can call (function_docs.cpp), by name. Each
// registered function has one, and so have the list predicates all/any/none/single, which
// the parser reads as expressions (expression_form).
struct FunctionDoc {
    std::string_view name;      // as Neo4j spells it, e.g. "toString"
    std::string_view category;  // Neo4j's: Scalar, List, String, Numeric, Predicate, ...
    std::string_view signature;
    std::string_view description;
    bool aggregating;
};
std::span<const FunctionDoc> function_docs();
bool expression_form(std::string_view name);

// Calls a scalar (non-aggregate) function. Throws lora::Error at runtime, with the codes
// the openCypher TCK expects: an argument of the wrong kind is TypeError.InvalidArgumentValue
// (range() is the exception: ArgumentError.InvalidArgumentType); a bad value (negative
// substring length, range step 0, integer out of range) is ArgumentError.NumberOutOfRange.
// A wrong argument count is SyntaxError.InvalidNumberOfArguments (the planner should check
// min_args/max_args first). An unhydrated entity is a Database-class error.
Value call(const FunctionInfo& f, std::span<const Value> args, const CallContext& ctx = {});

// One aggregation group's accumulator.
class Aggregator {
public:
    virtual ~Aggregator() = default;
    // Adds one input row's argument values (count(*) passes none; percentiles pass 2).
    virtual void add(std::span<const Value> args) = 0;
    // Partial aggregation: the state as a Value, and merging another partial state into
    // this one, so shards can aggregate locally and the coordinator merges.
    virtual Value state() const = 0;
    virtual void merge(const Value& state) = 0;
    virtual Value result() const = 0;
};

// Creates an aggregator for an aggregate function (count, sum, avg, min, max, collect,
// percentileCont, percentileDisc, stDev, stDevP). `count_star` for count(*). What it
// keeps (collected values, DISTINCT sets) is charged to `memory` when given.
std::unique_ptr<Aggregator> make_aggregator(const FunctionInfo& f, bool distinct,
                                            bool count_star = false, QueryMemory* memory = nullptr);

// Arithmetic and operators shared by the expression evaluator (Cypher semantics: null
// propagation; integer overflow raises ArgumentError.NumberOutOfRange, integer division or
// modulo by zero ArgumentError.DivisionByZero, operands of the wrong kinds
// TypeError.InvalidArgumentType; float division by zero gives Infinity/NaN).
Value add(const Value& a, const Value& b);  // numbers, strings, lists (concatenation)
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b);
Value divide(const Value& a, const Value& b);  // integer division truncates; /0 errors for ints
Value modulo(const Value& a, const Value& b);
Value power(const Value& a, const Value& b);  // always float
Value negate(const Value& a);

// `v.key` of a temporal value (d.year, dt.timezone, dur.months, ...); an unknown key is
// ArgumentError.InvalidArgumentValue.
Value temporal_property(const Value& v, std::string_view key);

}  // namespace lora::fn
