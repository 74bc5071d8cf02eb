// The physical plan: a linear list of steps, each bound to a location (a shard chosen by a
// row's value, every shard, or the coordinator). Rows move between actors exactly where the
// location of the next step differs from where the row is; see docs/architecture.md.
#pragma once

#include <lora/exec/expr.hpp>
#include <lora/exec/procedures.hpp>

#include <lora/storage/index_registry.hpp>
#include <lora/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
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

enum class OpKind : uint8_t {
    ScanNodes,       // slot <- every local node (with `labels[0]` if given)
    NodeIndexSeek,   // slot <- local nodes with `labels[0]` whose indexed value matches `seek`
                     // (a superset: the filters it replaced stay in the plan)
    Expand,          // from slot -[rel_slot]- to_slot, at shard(from)
    VarExpand,       // from slot -[rel_slot*min..max]- to_slot, hopping shard to shard:
                     // the row re-enters this step at the shard of its frontier (aux_slot)
    Filter,          // keep rows where expr is true
    Project,         // outputs[i].slot <- outputs[i].expr
    Unwind,          // slot <- each element of expr
    Attach,          // snapshot the data of the entity in slot into the row (at its shard)
    AttachDeep,      // coordinator: attach every entity nested in the values of `slots`
    CreateNode,      // slot <- new node with labels and properties expr
    CreateRel,       // rel_slot <- new relationship slot -[type]-> to_slot, at shard(slot)
    SetProperty,     // slot.key = expr
    SetProperties,   // slot = expr (replace) or slot += expr (merge_props)
    SetLabels,       // slot:labels
    RemoveProperty,  // REMOVE slot.key
    RemoveLabels,    // REMOVE slot:labels
    DeleteRel,       // DELETE the relationship in slot
    DeleteNode,      // [DETACH] DELETE the node in slot
    // Coordinator steps.
    OptionalBegin,  // tag each row with a sequence number in `slot`, remember it
    OptionalEnd,    // barrier: rows whose tag produced nothing come back null-extended
    SubqueryEnd,    // barrier: each remembered input row of `pair` continues with the list of
                    // `expr` values its subquery rows produced in `slot` (count if no expr)
    CallProcedure,  // rows for each output row of a registered procedure
    // db.index.vector.queryNodes (exec/ops/vector_query.cpp); key_slots = {index name, k, query
    // vector} computed before, to_slot = the input row's tag.
    VectorBegin,   // checks the arguments, tags the row
    VectorSearch,  // @all-shards: slot <- each local top-k node, aux_slot <- its score
    VectorTopK,    // barrier: per tag, the k best rows by score (descending), in order
    MergeEnd,      // barrier: matched rows go on flagged true (in `slot`); each distinct
                   // merge key (key_slots) of the unmatched inputs goes on once, flagged
                   // false, to create the pattern; group index in aux_slot
    MergeJoin,     // barrier: rows of a group created once hand the new entities (`slots`)
                   // to the other inputs of the group, which continue as matched
    Distinct,      // drop rows equivalent on `slots` to one seen before
    Aggregate,     // barrier: group by keys, compute aggregates
    Sort,          // barrier: order by sort keys
    Skip,          // drop the first expr rows
    Limit,         // keep the first expr rows
    Eager,         // barrier: let everything before finish before anything after starts
    Produce,       // final: emit `slots` as a result row
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
    enum class Kind : uint8_t { CreateIndex, DropIndex } kind = Kind::CreateIndex;
    storage::IndexDef index;     // CreateIndex (an empty name is generated)
    CExprPtr options;            // CreateIndex OPTIONS, evaluated when run
    bool if_not_exists = false;  // CREATE ... IF NOT EXISTS / DROP ... IF EXISTS
    std::string name;            // DropIndex
};

struct Step {
    OpKind op;
    Location loc;
    bool barrier = false;

    int slot = -1;      // main variable
    int rel_slot = -1;  // Expand / CreateRel
    int to_slot = -1;   // Expand / CreateRel
    exec::Direction dir = exec::Direction::Outgoing;
    bool to_bound = false;             // Expand into an already bound node
    bool rel_bound = false;            // Expand along an already bound relationship
    std::vector<std::string> labels;   // ScanNodes / Expand target labels / Create / Set / Remove
    std::vector<std::string> types;    // Expand relationship types (any of)
    std::string key;                   // SetProperty / RemoveProperty
    bool merge_props = false;          // SetProperties: += instead of =
    bool detach = false;               // DeleteNode
    CExprPtr expr;                     // Filter / Unwind / Create props / Set value / Skip / Limit
    std::vector<ProjectItem> outputs;  // Project
    std::vector<int> slots;            // Distinct / AttachDeep / Produce / OptionalEnd nulls
    std::vector<int> key_slots;        // Aggregate group keys
    std::vector<AggItem> aggs;         // Aggregate
    std::vector<SortKey> sort;         // Sort
    int pair = -1;                     // OptionalEnd / SubqueryEnd: index of the begin step
    int aux_slot = -1;                 // VarExpand frontier; MergeEnd/MergeJoin group
    int guard_slot = -1;               // when set, the step acts only on rows whose guard
    bool guard_value = false;          // slot holds this boolean; others pass through
    int64_t min_hops = 1;              // VarExpand
    int64_t max_hops = -1;             // VarExpand, -1 = unbounded
    bool reversed = false;             // VarExpand walks the pattern right to left: the
                                       // relationship list is emitted in pattern order
    std::shared_ptr<const exec::ProcedureEntry> procedure;  // CallProcedure
    std::vector<CExprPtr> args;                             // CallProcedure arguments
    std::vector<std::pair<std::string, int>> yields;        // CallProcedure: output field -> slot
    std::shared_ptr<const IndexSeek> seek;                  // NodeIndexSeek
    // Unwind: keys of a map element copied into slots, the element's own slot left null
    // (plan/unwind_unpack.cpp); other elements are bound as they are.
    std::vector<std::pair<std::string, int>> unpack;

    std::string describe() const;  // one line for EXPLAIN
};

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

}  // namespace lora::plan
