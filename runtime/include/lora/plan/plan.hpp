// The physical plan: a linear list of steps, each bound to a location (a shard chosen by a
// row's value, every shard, or the coordinator). Rows move between actors exactly where the
// location of the next step differs from where the row is; see docs/architecture.md.
#pragma once

#include <lora/exec/expr.hpp>
#include <lora/exec/procedures.hpp>

#include <lora/storage/constraint_registry.hpp>
#include <lora/storage/index_registry.hpp>
#include <lora/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace lora::plan {

using exec::CExpr;
using exec::CExprPtr;

// Where a step runs.
enum class LocKind : uint8_t {
    Any,          // wherever the row is
    Shard,        // at the shard owning the entity in `slot` (null: wherever the row is)
    AllShards,    // at every shard (the row is copied to each)
    NewNode,      // at a shard picked round-robin (where a new node is created)
    Coordinator,  // at the query's coordinator
};

struct Location {
    LocKind kind = LocKind::Any;
    int slot = -1;
};

// The kind of a step's operator: the index of its alternative in `Operator` (below), so switches
// over steps read by name. The structs below say what each operator does.
enum class OpKind : uint8_t {
    ScanNodes,
    NodeIndexSeek,
    Expand,
    VarExpand,
    ShortestPath,
    Filter,
    Project,
    Unwind,
    Attach,
    AttachDeep,
    CreateNode,
    CreateRel,
    SetProperty,
    SetProperties,
    SetLabels,
    RemoveProperty,
    RemoveLabels,
    DeleteRel,
    DeleteNode,
    // Coordinator steps.
    OptionalBegin,
    OptionalEnd,
    SubqueryEnd,
    CallProcedure,
    VectorBegin,
    VectorSearch,
    VectorTopK,
    MergeEnd,
    MergeJoin,
    Distinct,
    Aggregate,
    Sort,
    Skip,
    Limit,
    Eager,
    Produce,
    LoadCsv,
};

struct ProjectItem {
    int slot;
    CExprPtr expr;
};

struct AggItem {
    int slot;  // output slot
    const fn::FunctionInfo* fn;
    bool distinct = false;
    bool count_star = false;
    std::vector<int> arg_slots;  // pre-computed arguments
};

struct SortKey {
    int slot;
    bool descending;
};

// What a NodeIndexSeek looks up. The expressions do not depend on the sought node.
struct IndexSeek {
    enum class Mode : uint8_t { Equal, In, Range } mode = Mode::Equal;
    std::string index;  // the index's name
    std::vector<std::string> properties;
    std::vector<CExprPtr> values;  // Equal: one per property; In: the list
    CExprPtr lower, upper;         // Range: either may be null
    bool lower_inclusive = true;
    bool upper_inclusive = true;
    // Equal on one property: the filter conjunct the seek took over (`n.p = value`). The
    // seek evaluates it on every candidate it cannot vouch for (plan/index_rewrite.cpp).
    CExprPtr recheck;
};

// A schema command: runs alone, at the coordinator, outside the plan's steps.
struct SchemaCommand {
    enum class Kind : uint8_t {
        CreateIndex,
        DropIndex,
        CreateConstraint,
        DropConstraint
    } kind = Kind::CreateIndex;
    storage::IndexDef index;            // CreateIndex (an empty name is generated)
    storage::ConstraintDef constraint;  // CreateConstraint (likewise)
    CExprPtr options;                   // CREATE OPTIONS, evaluated when run
    bool if_not_exists = false;         // CREATE ... IF NOT EXISTS / DROP ... IF EXISTS
    std::string name;                   // DropIndex, DropConstraint
};

// A step acts only on rows whose guard slot holds the guard value; the others pass through
// to the next step (MERGE's create branch and its ON MATCH / ON CREATE items).
struct Guard {
    int slot = -1;  // -1: every row
    bool value = false;
};

// ---------------------------------------------------------------- operators
// One struct per operator: what that operator reads and writes. A slot of -1 is unused.

// slot <- every local node the snapshot sees (with `label`, if given).
struct ScanNodes {
    int slot = -1;
    std::optional<std::string> label;
};

// slot <- the local nodes with `label` whose indexed value matches `seek` (a superset:
// the filters it replaced stay in the plan). Made from a ScanNodes by plan/index_rewrite.cpp.
struct NodeIndexSeek {
    int slot = -1;
    std::string label;
    std::shared_ptr<const IndexSeek> seek;
};

// from -[rel]- to, at the shard of `from`.
struct Expand {
    int from = -1;
    int rel = -1;
    int to = -1;
    exec::Direction dir = exec::Direction::Outgoing;
    bool to_bound = false;           // into an already bound node: only checks it
    bool rel_bound = false;          // along an already bound relationship: only checks it
    std::vector<std::string> types;  // any of these (empty: any type)
};

// from -[rel*min_hops..max_hops]- to, hopping shard to shard: the row re-enters this step at
// the shard of its frontier node. `rel` holds the list of relationships walked so far.
struct VarExpand {
    int from = -1;
    int rel = -1;
    int to = -1;
    int frontier = -1;  // the node the next hop starts from (null on the first entry)
    exec::Direction dir = exec::Direction::Outgoing;
    bool to_bound = false;
    std::vector<std::string> types;
    int64_t min_hops = 1;
    int64_t max_hops = -1;  // -1: unbounded
    bool reversed = false;  // walks the pattern right to left: `rel` is emitted in pattern order
};

// path <- the shortest path(s) from -[*min_hops..max_hops]- to (both bound): a breadth-first
// search the coordinator drives level by level, each level expanded at the shards owning its
// frontier nodes (exec/ops/shortest_path.cpp; SHORTEST k with k > 1, GROUPS, a minimal
// length above 1 or a cycle: the trail search of exec/ops/shortest_k.cpp). `frontier` and
// `work` carry the search's requests and replies; `rel` (if not -1) gets the path's
// relationships.
struct ShortestPath {
    int from = -1;
    int to = -1;
    int path = -1;
    int rel = -1;
    bool rel_list = true;  // `rel` is a list (a variable-length pattern), else one relationship
    int frontier = -1;
    int work = -1;
    exec::Direction dir = exec::Direction::Outgoing;
    std::vector<std::string> types;
    int64_t min_hops = 1;   // 0 or 1 but for a selector
    int64_t max_hops = -1;  // -1: unbounded
    bool all = false;       // allShortestPaths / ALL SHORTEST: every path of the minimal length
    bool selector = false;  // written as SHORTEST / ALL SHORTEST / ANY
    int64_t k = 1;          // SHORTEST k / ANY k: paths per pair (with `groups`: lengths)
    bool groups = false;    // SHORTEST k GROUPS / ALL SHORTEST: every path of those lengths
    // What each relationship / node of a path must satisfy (true) for the search to take it,
    // with the entity in rel_var / node_var; null: anything (plan/shortest_path.cpp).
    CExprPtr rel_pred;
    int rel_var = -1;
    CExprPtr node_pred;
    int node_var = -1;
};

// Keeps the rows where `pred` is true.
struct Filter {
    CExprPtr pred;
};

// outputs[i].slot <- outputs[i].expr, in order.
struct Project {
    std::vector<ProjectItem> outputs;
};

// slot <- each element of `list`. With `unpack`, a map element's keys go into their own
// slots and `slot` is left null (plan/unwind_unpack.cpp); other elements are bound as they are.
// index <- the element's position in the list (from 0), when not -1.
struct Unwind {
    int slot = -1;
    CExprPtr list;
    std::vector<std::pair<std::string, int>> unpack;  // key -> slot
    int index = -1;
};

// Copies the labels and properties of the entity in `slot` into the row (at its shard).
struct Attach {
    int slot = -1;
};

// Coordinator barrier: attaches every entity nested in the values of `slots` (the query
// actor fetches them from their shards before releasing the barrier).
struct AttachDeep {
    std::vector<int> slots;
};

// slot <- a new node with `labels` and the properties of `props` (a map, or null).
struct CreateNode {
    int slot = -1;
    std::vector<std::string> labels;
    CExprPtr props;
};

// rel <- a new relationship start -[:type]-> end, at the shard of `start`. rel is -1 when
// nothing reads it (plan/unwind_unpack.cpp).
struct CreateRel {
    int start = -1;
    int rel = -1;
    int end = -1;
    std::string type;
    CExprPtr props;
};

// SET slot.key = value
struct SetProperty {
    int slot = -1;
    std::string key;
    CExprPtr value;
};

// SET slot = value (replace), or SET slot += value (merge).
struct SetProperties {
    int slot = -1;
    bool merge = false;
    CExprPtr value;
};

// SET slot:labels
struct SetLabels {
    int slot = -1;
    std::vector<std::string> labels;
};

// REMOVE slot.key
struct RemoveProperty {
    int slot = -1;
    std::string key;
};

// REMOVE slot:labels
struct RemoveLabels {
    int slot = -1;
    std::vector<std::string> labels;
};

// DELETE the relationship in slot.
struct DeleteRel {
    int slot = -1;
};

// [DETACH] DELETE the node in slot.
struct DeleteNode {
    int slot = -1;
    bool detach = false;
};

// Coordinator: tags each row with a sequence number in `tag` and remembers it, for the
// OptionalEnd / SubqueryEnd / MergeEnd that closes the subquery.
struct OptionalBegin {
    int tag = -1;
};

// Barrier: the rows go on; each remembered input of `begin` (a step index) that produced
// none goes on too, with `nulls` set to null.
struct OptionalEnd {
    int begin = -1;
    std::vector<int> nulls;
};

// Barrier: each remembered input of `begin` goes on once, with the list of `value` values
// its subquery rows produced in `result` (nulls, one per row, when value is -1). With an
// `order` slot (an integer in each subquery row), the list is in that order; otherwise the
// rows' order across shards is arbitrary.
struct SubqueryEnd {
    int begin = -1;
    int result = -1;
    int value = -1;
    int order = -1;
};

// Rows for each output row of a registered procedure.
struct CallProcedure {
    std::shared_ptr<const exec::ProcedureEntry> procedure;
    std::vector<CExprPtr> args;
    std::vector<std::pair<std::string, int>> yields;  // output field -> slot
};

// db.index.vector.queryNodes (exec/ops/vector_query.cpp). `args` = the slots of {index name,
// k, query vector}, computed before; `tag` = the input row's tag.
// Coordinator: checks the arguments, tags the row.
struct VectorBegin {
    std::vector<int> args;
    int tag = -1;
};

// At every shard: node <- each local top-k node, score <- its score.
struct VectorSearch {
    std::vector<int> args;
    int tag = -1;
    int node = -1;
    int score = -1;
};

// Barrier: per tag, the k best rows by score (descending), in order.
struct VectorTopK {
    std::vector<int> args;
    int tag = -1;
    int node = -1;
    int score = -1;
};

// Barrier closing MERGE's match (opened by the OptionalBegin `begin`): matched rows go on
// with `flag` true; each distinct merge key (in slot `key`) of the unmatched inputs goes on
// once with `flag` false, to create the pattern, its group's index in `group`.
struct MergeEnd {
    int begin = -1;
    int flag = -1;
    int group = -1;
    int key = -1;
};

// Barrier after MERGE's creation: the rows of a group created once (by the MergeEnd step
// `end`) get the new entities (`created`) from the row that created them, and continue as
// matched.
struct MergeJoin {
    int end = -1;
    int flag = -1;
    int group = -1;
    std::vector<int> created;
};

// Coordinator: drops rows equivalent on `slots` to one seen before (inside a subquery, the
// slots include its tags: rows of different outer rows never fold).
struct Distinct {
    std::vector<int> slots;
};

// Barrier: groups the rows by `keys`; one row per group with the aggregates. Without
// grouping keys there is one row even over no input; inside a subquery (`per_input`, its
// OptionalBegin step) that is one row per outer row, also for those whose subquery found
// nothing.
struct Aggregate {
    std::vector<int> keys;
    std::vector<AggItem> aggs;
    int per_input = -1;
};

// Barrier: orders the rows (stable).
struct Sort {
    std::vector<SortKey> keys;
};

// Coordinator: drops the first `count` rows; inside a subquery, the first `count` of each
// outer row (rows with the same values in the `per` slots, its tags).
struct Skip {
    CExprPtr count;
    std::vector<int> per;
};

// Coordinator: keeps the first `count` rows (per outer row inside a subquery, as Skip).
struct Limit {
    CExprPtr count;
    std::vector<int> per;
};

// Barrier: everything before finishes before anything after starts.
struct Eager {};

// Final: emits `slots` as a result row.
struct Produce {
    std::vector<int> slots;
};

// Coordinator source: slot <- each record of the CSV file `url` names in the import
// directory (a list of strings, or a map with `headers`), line <- the line it starts on,
// file <- the file's path (what linenumber() and file() read). Chunked like Unwind.
struct LoadCsv {
    int slot = -1;
    int line = -1;
    int file = -1;
    CExprPtr url;
    bool headers = false;
    char delimiter = ',';
};

// The operator of a step. The order is OpKind's: Step::kind() is the index.
using Operator =
    std::variant<ScanNodes, NodeIndexSeek, Expand, VarExpand, ShortestPath, Filter, Project, Unwind,
                 Attach, AttachDeep, CreateNode, CreateRel, SetProperty, SetProperties, SetLabels,
                 RemoveProperty, RemoveLabels, DeleteRel, DeleteNode, OptionalBegin, OptionalEnd,
                 SubqueryEnd, CallProcedure, VectorBegin, VectorSearch, VectorTopK, MergeEnd,
                 MergeJoin, Distinct, Aggregate, Sort, Skip, Limit, Eager, Produce, LoadCsv>;

template <OpKind K, typename T>
inline constexpr bool op_at =
    std::is_same_v<std::variant_alternative_t<static_cast<size_t>(K), Operator>, T>;
static_assert(std::variant_size_v<Operator> == static_cast<size_t>(OpKind::LoadCsv) + 1);
static_assert(
    op_at<OpKind::ScanNodes, ScanNodes> && op_at<OpKind::NodeIndexSeek, NodeIndexSeek> &&
    op_at<OpKind::Expand, Expand> && op_at<OpKind::VarExpand, VarExpand> &&
    op_at<OpKind::ShortestPath, ShortestPath> && op_at<OpKind::Filter, Filter> &&
    op_at<OpKind::Project, Project> && op_at<OpKind::Unwind, Unwind> &&
    op_at<OpKind::Attach, Attach> && op_at<OpKind::AttachDeep, AttachDeep> &&
    op_at<OpKind::CreateNode, CreateNode> && op_at<OpKind::CreateRel, CreateRel> &&
    op_at<OpKind::SetProperty, SetProperty> && op_at<OpKind::SetProperties, SetProperties> &&
    op_at<OpKind::SetLabels, SetLabels> && op_at<OpKind::RemoveProperty, RemoveProperty> &&
    op_at<OpKind::RemoveLabels, RemoveLabels> && op_at<OpKind::DeleteRel, DeleteRel> &&
    op_at<OpKind::DeleteNode, DeleteNode> && op_at<OpKind::OptionalBegin, OptionalBegin> &&
    op_at<OpKind::OptionalEnd, OptionalEnd> && op_at<OpKind::SubqueryEnd, SubqueryEnd> &&
    op_at<OpKind::CallProcedure, CallProcedure> && op_at<OpKind::VectorBegin, VectorBegin> &&
    op_at<OpKind::VectorSearch, VectorSearch> && op_at<OpKind::VectorTopK, VectorTopK> &&
    op_at<OpKind::MergeEnd, MergeEnd> && op_at<OpKind::MergeJoin, MergeJoin> &&
    op_at<OpKind::Distinct, Distinct> && op_at<OpKind::Aggregate, Aggregate> &&
    op_at<OpKind::Sort, Sort> && op_at<OpKind::Skip, Skip> && op_at<OpKind::Limit, Limit> &&
    op_at<OpKind::Eager, Eager> && op_at<OpKind::Produce, Produce>);
static_assert(op_at<OpKind::LoadCsv, LoadCsv>);

struct Step {
    Location loc;
    bool barrier = false;  // runs at the coordinator once all rows before it have arrived
    Guard guard;
    Operator op;

    OpKind kind() const { return static_cast<OpKind>(op.index()); }
    // The slot EXPLAIN names after the step (the node scanned, the entity set, ...), or -1.
    int main_slot() const;
    std::string describe() const;  // one line for EXPLAIN
};

// Calls f(CExprPtr&) on each expression a step's operator holds (`O` is Operator or const
// Operator), not those of an IndexSeek, which are copies of filter expressions.
template <typename O, typename F>
void for_each_expr(O& op, F&& f) {
    std::visit(
        [&](auto& o) {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, Filter>) f(o.pred);
            if constexpr (std::is_same_v<T, Unwind>) f(o.list);
            if constexpr (std::is_same_v<T, LoadCsv>) f(o.url);
            if constexpr (std::is_same_v<T, CreateNode> || std::is_same_v<T, CreateRel>) f(o.props);
            if constexpr (std::is_same_v<T, SetProperty> || std::is_same_v<T, SetProperties>)
                f(o.value);
            if constexpr (std::is_same_v<T, Skip> || std::is_same_v<T, Limit>) f(o.count);
            if constexpr (std::is_same_v<T, Project>)
                for (auto& p : o.outputs) f(p.expr);
            if constexpr (std::is_same_v<T, CallProcedure>)
                for (auto& a : o.args) f(a);
            if constexpr (std::is_same_v<T, ShortestPath>) {
                if (o.rel_pred) f(o.rel_pred);
                if (o.node_pred) f(o.node_pred);
            }
        },
        op);
}

struct Plan {
    std::string query;  // the text it was planned from
    std::vector<Step> steps;
    int slot_count = 0;
    std::vector<std::string> columns;     // result column names
    bool writes = false;                  // contains an update step
    std::vector<std::string> slot_names;  // for EXPLAIN / debugging
    bool explain_only = false;            // EXPLAIN: answer with the plan, run nothing
    bool profile = false;                 // PROFILE: run, then answer with rows per step
    // UNION: the parts run one after another; their results are concatenated (and made
    // distinct unless union_all). A plan with parts has no steps of its own.
    std::vector<std::shared_ptr<const Plan>> union_parts;
    bool union_all = false;
    std::string explain_text;
    std::shared_ptr<const SchemaCommand> schema;  // a schema command (then no steps)
    std::string explain() const;
};

using PlanPtr = std::shared_ptr<const Plan>;

// Deep copy (plans own their expressions).
Plan clone(const Plan& p);

// Whether running the plan changes state, so read-only access refuses it: an update step, a
// schema command, a procedure of mode WRITE or SCHEMA, or TERMINATE TRANSACTION (the one
// DBMS procedure of lora's that changes something). Null when it does not, else what it
// does, for the error ("writes", "changes the schema", "calls <procedure>").
const char* changes_state(const Plan& p);

// The operator's name as EXPLAIN and PROFILE show it ("Sort", "Aggregate", ...).
const char* op_name(OpKind op);

}  // namespace lora::plan
