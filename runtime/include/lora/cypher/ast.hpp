// Abstract syntax tree of a Cypher statement, as produced by cypher::parse().
// Plain structs owned through unique_ptr; every node records where it starts in the text.
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lora::cypher {

struct Pos {
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in characters (code points)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// ---------------------------------------------------------------- patterns

enum class Direction : uint8_t { Outgoing, Incoming, Both };  // -->, <--, -- (or <-->)

struct NodePattern {
    Pos pos;
    std::optional<std::string> variable;
    std::vector<std::string> labels;  // (n:A:B)
    ExprPtr properties;               // a MapLiteral or a Parameter, or null
};

struct RangeSpec {  // *, *2, *1..3, *..3, *2..
    std::optional<int64_t> min;
    std::optional<int64_t> max;
};

struct RelPattern {
    Pos pos;
    std::optional<std::string> variable;
    std::vector<std::string> types;  // [:A|B] (also accepts [:A|:B])
    Direction direction = Direction::Both;
    std::optional<RangeSpec> range;  // set when the pattern is variable-length
    ExprPtr properties;              // a MapLiteral or a Parameter, or null
};

// node (rel node)*
struct PatternPart {
    Pos pos;
    std::optional<std::string> path_variable;  // p = (a)-->(b)
    // shortestPath(...) / allShortestPaths(...) wrap the whole part.
    enum class Shortest : uint8_t { None, Shortest, All } shortest = Shortest::None;
    bool selector = false;           // written as Neo4j 5's SHORTEST k / ALL SHORTEST / ANY k
    int64_t selector_k = 1;          // SHORTEST k, ANY k, SHORTEST k GROUPS
    bool selector_groups = false;    // SHORTEST k GROUPS: the paths of the k shortest lengths
    std::vector<NodePattern> nodes;  // nodes.size() == rels.size() + 1
    std::vector<RelPattern> rels;
};

struct Pattern {
    std::vector<PatternPart> parts;  // comma-separated
};

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
    Literal,               // value
    Parameter,             // name
    Variable,              // name
    Property,              // children[0].name
    DynamicSubscript,      // children[0][children[1]] (list index or map key)
    Slice,                 // children[0][children[1]..children[2]]; absent bounds are null
    ListLiteral,           // children
    MapLiteral,            // keys[i]: children[i]
    Unary,                 // op, children[0]
    Binary,                // op, children (two or more, left-associative), ops
    Comparison,            // chained: children[0] ops[0] children[1] ops[1] children[2] ...
    IsNull,                // children[0] IS NULL
    IsNotNull,             // children[0] IS NOT NULL
    HasLabels,             // children[0]:A:B (labels)
    FunctionCall,          // name (may be dotted, e.g. "vector.norm"), distinct, children
    CountStar,             // count(*)
    Case,                  // children[0] = subject or null; then (when, then) pairs; else last
    ListComprehension,     // [variable IN children[0] WHERE children[1] | children[2]]
    PatternComprehension,  // [p = pattern WHERE children[0] | children[1]]
    Quantifier,            // quantifier(variable IN children[0] WHERE children[1])
    Reduce,                // reduce(keys[0] = children[0], variable IN children[1] | children[2])
    PatternPredicate,      // a bare pattern used as a boolean: (a)-->(b)
    Subquery,              // EXISTS / COUNT / COLLECT { query } or { pattern [WHERE] }
    MapProjection,         // children[0] (a variable) { .key, key: expr, var, .* }
};

enum class Op : uint8_t {
    // Unary
    Not,
    Negate,
    Plus,
    // Binary
    Or,
    Xor,
    And,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
    In,
    StartsWith,
    EndsWith,
    Contains,
    RegexMatch,  // =~
    // Comparison
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
};

enum class QuantifierKind : uint8_t { All, Any, None, Single };

// What a Subquery expression makes of its rows: whether there is one, how many, or the list
// of the values its one RETURN column takes.
enum class SubqueryKind : uint8_t { Exists, Count, Collect };

struct Query;  // a full query, for subquery expressions

struct MapProjectionItem {
    enum class Kind : uint8_t { Property, Literal, Variable, AllProperties } kind;
    std::string key;  // property key, literal key or variable name
    ExprPtr value;    // for Literal
};

struct Expr {
    ExprKind kind;
    Pos pos;
    Value value;           // Literal
    std::string name;      // Parameter, Variable, Property key, FunctionCall name
    std::string variable;  // comprehension / quantifier / reduce iteration variable
    Op op = Op::Not;       // Unary, Binary
    std::vector<Op> ops;   // Comparison chain; Binary chain mixing operators (binary_op)
    std::vector<uint32_t> chain_ends;  // Binary chain: length of `text` through children[i]
    bool distinct = false;             // FunctionCall(DISTINCT ...)
    QuantifierKind quantifier = QuantifierKind::All;
    SubqueryKind subquery_kind = SubqueryKind::Exists;
    std::vector<std::string> keys;         // MapLiteral keys, HasLabels labels, Reduce accumulator
    std::vector<ExprPtr> children;         // see ExprKind
    std::unique_ptr<PatternPart> pattern;  // PatternComprehension, PatternPredicate
    std::unique_ptr<Query> subquery;       // Subquery
    std::vector<MapProjectionItem> projection;  // MapProjection
    // Original text of the expression, used to name an unaliased RETURN column.
    std::string text;
};

// The operator of a Binary chain between children[i - 1] and children[i] (i >= 1).
inline Op binary_op(const Expr& e, size_t i) { return e.ops.empty() ? e.op : e.ops[i - 1]; }

// The text of a Binary chain's operands children[0..k]: an expression of its own (a + b in
// a + b - c), which ORDER BY and WITH ... WHERE may use to name a projected column.
inline std::string_view chain_prefix_text(const Expr& e, size_t k) {
    return std::string_view(e.text).substr(0, e.chain_ends[k]);
}

// ---------------------------------------------------------------- clauses

struct SortItem {
    ExprPtr expr;
    bool descending = false;
};

struct ProjectionItem {
    ExprPtr expr;
    std::optional<std::string> alias;  // AS name
    std::string text;                  // the expression's text, the column name without alias
};

// The name a projected item binds: its alias, else its text.
inline const std::string& column_name(const ProjectionItem& it) {
    return it.alias ? *it.alias : it.text;
}

// Shared by WITH and RETURN.
struct ProjectionBody {
    bool distinct = false;
    bool star = false;  // RETURN * / WITH * (items may follow: RETURN *, a.x AS y)
    std::vector<ProjectionItem> items;
    std::vector<SortItem> order_by;
    ExprPtr skip;
    ExprPtr limit;
};

struct SetItem {
    enum class Kind : uint8_t {
        Property,  // target(Property expr) = value
        Replace,   // variable = map            (SET n = {...})
        Merge,     // variable += map           (SET n += {...})
        Labels,    // variable:A:B
    } kind;
    Pos pos;
    ExprPtr target;  // Property: a Property expr; others: a Variable expr
    ExprPtr value;
    std::vector<std::string> labels;  // Labels
};

struct RemoveItem {
    enum class Kind : uint8_t { Property, Labels } kind;
    Pos pos;
    ExprPtr target;  // Property: a Property expr; Labels: a Variable expr
    std::vector<std::string> labels;
};

enum class ClauseKind : uint8_t {
    Match,             // [OPTIONAL] MATCH pattern [WHERE]
    Unwind,            // UNWIND expr AS variable
    With,              // WITH body [WHERE]
    Return,            // RETURN body
    Create,            // CREATE pattern
    Merge,             // MERGE part [ON CREATE SET ...] [ON MATCH SET ...]
    Set,               // SET items
    Remove,            // REMOVE items
    Delete,            // [DETACH] DELETE exprs
    Call,              // CALL proc(args) [YIELD ...] [WHERE]
    Foreach,           // FOREACH (variable IN expr | body clauses)
    Subquery,          // CALL [(scope)] { query }
    CreateIndex,       // CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.prop, ...)
    DropIndex,         // DROP INDEX name [IF EXISTS]
    LoadCsv,           // LOAD CSV [WITH HEADERS] FROM expr AS variable [FIELDTERMINATOR 'c']
    CreateConstraint,  // CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE ...
    DropConstraint,    // DROP CONSTRAINT name [IF EXISTS]
};

// What a CREATE CONSTRAINT's REQUIRE asks of the properties.
enum class ConstraintRequire : uint8_t {
    Unique,   // IS [NODE | REL] UNIQUE
    Key,      // IS [NODE | REL] KEY
    NotNull,  // IS NOT NULL
    Type,     // IS :: TYPE
};

// CALL { ... } IN TRANSACTIONS [OF n ROWS] [ON ERROR ...] [REPORT STATUS AS s]. The byte
// offsets into the statement's text let the engine's driver (engine/in_transactions.cpp)
// cut the statement into the outer query, the subquery and what follows.
struct InTransactions {
    enum class OnError : uint8_t { Fail, Continue, Break } on_error = OnError::Fail;
    ExprPtr batch_size;                 // OF n ROWS (null: 1000)
    std::optional<std::string> status;  // REPORT STATUS AS s
    size_t call_begin = 0;              // the CALL keyword
    size_t body_end = 0;                // just after the subquery's closing brace
    size_t clause_end = 0;              // just after the clause's last token
};

struct YieldItem {
    std::string field;
    std::optional<std::string> alias;
};

struct Clause {
    ClauseKind kind;
    Pos pos;
    // Match
    bool optional = false;
    Pattern pattern;  // Match, Create; Merge uses pattern.parts[0]
    ExprPtr where;    // Match, With, Call
    // Unwind, Foreach, LoadCsv
    ExprPtr expr;
    std::string variable;
    // Foreach: the updating clauses run for each element
    std::vector<Clause> body_clauses;
    // Subquery: the query; `scope` is Neo4j 5's CALL (x, y) { ... } (unset without
    // parentheses, when an importing WITH may begin the query), `scope_all` CALL (*)
    std::unique_ptr<Query> subquery;
    std::optional<std::vector<std::string>> scope;
    bool scope_all = false;
    std::unique_ptr<InTransactions> in_transactions;
    // With / Return
    ProjectionBody body;
    // Merge
    std::vector<SetItem> on_create;
    std::vector<SetItem> on_match;
    // Set
    std::vector<SetItem> set_items;
    // Remove
    std::vector<RemoveItem> remove_items;
    // Delete
    bool detach = false;
    std::vector<ExprPtr> delete_exprs;
    // Call
    std::string procedure;                     // dotted name
    std::optional<std::vector<ExprPtr>> args;  // nullopt: implicit arguments (no parentheses)
    bool yield_star = false;
    std::vector<YieldItem> yields;
    // CreateIndex / DropIndex (and vector indexes, which add options)
    std::string index_name;
    bool if_not_exists = false;  // CREATE ... IF NOT EXISTS / DROP ... IF EXISTS
    std::string index_label;
    std::vector<std::string> index_properties;
    bool vector_index = false;
    ExprPtr index_options;  // OPTIONS {...}
    // CreateConstraint (with the index_* fields above: name, label or type, properties,
    // options) / DropConstraint (index_name)
    ConstraintRequire require = ConstraintRequire::Unique;
    bool on_relationship = false;             // FOR ()-[r:TYPE]-()
    std::vector<std::string> property_types;  // Type: normalized, sorted (INTEGER, ...)
    // LoadCsv (`expr` is the URL, `variable` the row)
    bool csv_headers = false;
    char field_terminator = ',';
};

// One query between UNIONs.
struct SingleQuery {
    std::vector<Clause> clauses;
};

struct Query {
    std::vector<SingleQuery> parts;  // joined by UNION
    std::vector<bool> union_all;     // union_all[i] joins parts[i] and parts[i+1]
};

struct Statement {
    enum class Mode : uint8_t { Normal, Explain, Profile } mode = Mode::Normal;
    Query query;
};

}  // namespace lora::cypher
