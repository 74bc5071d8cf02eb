// The executor runs plan steps on rows, push-based: a row enters at a step, each step
// pushes its output rows into the next. When the next step must run elsewhere (another
// shard, every shard, the coordinator) the row is handed to the Runtime, which batches and
// sends it. The same code runs at shards (with their partition) and at the coordinator.
#pragma once

#include <lora/exec/expr.hpp>
#include <lora/exec/txn_log.hpp>
#include <lora/plan/plan.hpp>

#include <lora/storage/catalog.hpp>

#include <lora/lora.hpp>
#include <lora/memory.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lora::storage {
class Partition;
}  // namespace lora::storage

namespace lora::exec {

struct CsvSource;  // exec/csv_reader.hpp

// The most work one SHORTEST k / GROUPS search may do (exec/ops/shortest_k.cpp): each
// relationship it reaches at a depth and each step of rebuilding a path counts one. A search
// that would do more fails with SemanticError.ShortestPathSearchTooLarge instead of growing.
inline constexpr size_t kMaxTrailSearchWork = 1'000'000;

// Where a row has to go before a step can run on it.
struct Dest {
    enum class Kind : uint8_t { Shard, Broadcast, Coordinator } kind;
    uint32_t shard = 0;
};

// A change one shard asks another to make to its partition.
struct Mutation {
    enum class Kind : uint8_t {
        AddInEdge,     // at shard(node): in-edge (rel, type, other=start)
        RemoveInEdge,  // at shard(node): remove in-edge rel
        DeleteRel,     // at shard(rel): delete the record and its out-edge
    } kind;
    uint64_t node = 0;
    uint64_t rel = 0;
    uint64_t other = 0;
    uint32_t type = 0;
};

// The rest of a source step's output (a scan, an UNWIND) past the executor's row budget:
// the runtime re-runs it later with Executor::resume, after other messages and only while
// the query has credit, so no handler produces an unbounded number of rows at once.
struct Continuation {
    size_t step = 0;
    Row row;                                           // the step's input row
    std::shared_ptr<const std::vector<uint64_t>> ids;  // ScanNodes: the ids to produce
    Value list;                                        // Unwind: the list
    std::shared_ptr<CsvSource> csv;                    // LoadCsv: the open file
    size_t pos = 0;                                    // next element to produce
};
using ContinuationPtr = std::shared_ptr<Continuation>;

class Runtime {
public:
    virtual ~Runtime() = default;
    // The row must run step `step` at `dest`.
    virtual void send_row(size_t step, Dest dest, Row&& row) = 0;
    // Coordinator: a row arrived at barrier step `step`.
    virtual void hold_row(size_t step, Row&& row) = 0;
    // Coordinator: a result row (already projected to the result columns).
    virtual void emit_result(Row&& row) = 0;
    // A partition change for another shard.
    virtual void send_mutation(uint32_t shard, const Mutation& m) = 0;
    // The rest of a source step's work, to run later (ExecEnv::chunk_rows).
    virtual void defer(ContinuationPtr c) = 0;
};

struct ExecEnv {
    const plan::Plan* plan = nullptr;
    const Map* params = nullptr;
    int64_t clock_nanos = 0;             // the statement clock (EvalEnv::clock_nanos)
    storage::Partition* part = nullptr;  // null at the coordinator
    storage::Catalog* catalog = nullptr;
    uint32_t shard_count = 1;
    int32_t here = -1;  // shard index, -1 at the coordinator
    std::atomic<uint32_t>* round_robin = nullptr;
    Runtime* runtime = nullptr;
    QueryStats* stats = nullptr;
    TxnLog* log = nullptr;  // shard: the transaction's changes here (may be null)
    std::vector<int64_t>* step_rows = nullptr;  // PROFILE: rows entering each step here
    std::vector<int64_t>* step_ns = nullptr;    // PROFILE: time spent in each step (self)
    // Rows a handler's source steps may produce before deferring the rest (0 = no limit).
    size_t chunk_rows = 0;
    // Set when the query is cancelled: long loops stop with an error.
    const std::atomic<uint8_t>* cancelled = nullptr;
    WriteLocks* locks = nullptr;  // shard: write-write conflict detection
    uint64_t txn = 0;
    uint64_t start_ts = 0;
    // Coordinator: where LOAD CSV finds its files (empty: none configured).
    const std::string* import_dir = nullptr;
    // The query's memory account (lora/memory.hpp): state the steps keep (DISTINCT sets,
    // aggregation, transaction logs) is charged to it. Null: nothing is counted.
    QueryMemory* memory = nullptr;
};

class Executor {
public:
    explicit Executor(const ExecEnv& env);

    // Routes the row to where `step` runs, or runs it here.
    void push(size_t step, Row& row);
    // Runs `step` here (the row has been routed already).
    void run_here(size_t step, Row& row);
    // Coordinator: all rows of barrier `step` have arrived.
    void run_barrier(size_t step, std::vector<Row>& rows);
    // Shard: runs the rows of a batch at `step` (run_here each), warming the cache for
    // them first where the step's reads are known up front (exec/batch_warm.cpp).
    void run_batch(size_t step, std::vector<Row>& rows);
    // Shard: applies a mutation sent by another shard.
    void apply(const Mutation& m);
    // Shard: applies a batch of them (cache warm-up first).
    void apply_all(const std::vector<Mutation>& ms);
    // A fresh row budget for the next handler (a long-lived coordinator executor).
    void reset_budget();
    // Continues a deferred source step (with a fresh row budget).
    void resume(Continuation& c);

    uint32_t shard_of(uint64_t id) const { return static_cast<uint32_t>(id % env_.shard_count); }

private:
    // exec/executor.cpp: dispatch, row budget, cancellation.
    void run_step(size_t step, Row& row);
    void run_barrier_step(size_t step, std::vector<Row>& rows);
    // A source step may produce another row now; false: defer the rest.
    bool take_budget();
    void check_cancelled(size_t i) const;

    // The operators, one family per file in exec/ops/. A step function gets its operator
    // (plan/plan.hpp), its step index and input row and pushes its output rows into the next step;
    // a barrier function gets all the rows of its step. scan.cpp
    void scan(const plan::ScanNodes& op, size_t step, Row& row);
    void produce_scan(const plan::ScanNodes& op, size_t step, Row& row,
                      std::shared_ptr<const std::vector<uint64_t>> ids, size_t pos);
    // index_seek.cpp
    void index_seek(const plan::NodeIndexSeek& op, size_t step, Row& row);
    // The catalog ids of a seek step (cached), or null when a name is unknown.
    struct SeekIds;
    const SeekIds* seek_ids(const plan::NodeIndexSeek& op, size_t step);
    void warm_seeks(const plan::NodeIndexSeek& op, size_t step, std::vector<Row>& rows);
    // expand.cpp, var_expand.cpp
    void expand(const plan::Expand& op, size_t step, Row& row);
    void var_expand(const plan::VarExpand& op, size_t step, Row& row);
    // shortest_path.cpp: the coordinator's search (a new input row, a shard's reply) and a
    // shard's expansion of the frontier nodes a request names.
    void shortest_path(const plan::ShortestPath& op, size_t step, Row& row);
    void shortest_start(const plan::ShortestPath& op, size_t step, Row& row);
    void shortest_expand(const plan::ShortestPath& op, size_t step, Row& row);
    void shortest_reply(const plan::ShortestPath& op, size_t step, Row& row);
    void shortest_check(const plan::ShortestPath& op, size_t step, Row& row);
    bool shortest_allows(const plan::ShortestPath& op, const CExpr& pred, int var, Value v,
                         Row& scratch);
    struct ShortestSearch;
    void shortest_advance(const plan::ShortestPath& op, size_t step, int64_t id);
    // Sends the frontier `nodes` of search `id`'s `side` to the shards that own them, one
    // request of `kind` per shard, setting `pending` to their number first (a reply may come
    // back before this returns).
    void shortest_send(const plan::ShortestPath& op, size_t step, int64_t kind, int64_t id,
                       int side, const std::vector<uint64_t>& nodes, size_t& pending);
    bool shortest_finish(const plan::ShortestPath& op, size_t step, int64_t id);
    // shortest_k.cpp: SHORTEST k / GROUPS over trails, on the same shard expansion.
    static bool trail_search(const plan::ShortestPath& op, uint64_t from, uint64_t to);
    void trail_start(const plan::ShortestPath& op, size_t step, const Row& row, uint64_t from,
                     uint64_t to);
    void trail_advance(const plan::ShortestPath& op, size_t step, int64_t id);
    void trail_reply(const plan::ShortestPath& op, size_t step, Row& row);
    void trail_select(const plan::ShortestPath& op, int64_t id, std::vector<Row>& out);
    // row_ops.cpp
    void filter(const plan::Filter& op, size_t step, Row& row);
    void project(const plan::Project& op, size_t step, Row& row);
    void produce(const plan::Produce& op, Row& row);
    void eager(size_t step, std::vector<Row>& rows);
    // unwind.cpp
    void unwind(const plan::Unwind& op, size_t step, Row& row);
    void produce_unwind(const plan::Unwind& op, size_t step, Row& row, const Value& list,
                        size_t pos);
    // Binds an UNWIND element: into its slot, or a map's keys into the unpacked slots.
    void bind_unwound(const plan::Unwind& op, Row& row, Value v);
    // load_csv.cpp
    void load_csv(const plan::LoadCsv& op, size_t step, Row& row);
    void produce_csv(const plan::LoadCsv& op, size_t step, Row& row,
                     const std::shared_ptr<CsvSource>& src);
    // attach.cpp
    void attach(const plan::Attach& op, size_t step, Row& row);
    // distinct.cpp
    void distinct(const plan::Distinct& op, size_t step, Row& row);
    // sort.cpp
    void sort(const plan::Sort& op, size_t step, std::vector<Row>& rows);
    void skip(const plan::Skip& op, size_t step, Row& row);
    void limit(const plan::Limit& op, size_t step, Row& row);
    int64_t& remaining(size_t step, const std::vector<int>& per, const CExpr& count, Row& row,
                       const char* what);
    int64_t count_arg(const CExpr& count, Row& row, const char* what);
    // aggregate.cpp
    void aggregate(const plan::Aggregate& op, size_t step, std::vector<Row>& rows);
    // optional.cpp
    void optional_begin(const plan::OptionalBegin& op, size_t step, Row& row);
    void optional_end(const plan::OptionalEnd& op, size_t step, std::vector<Row>& rows);
    void subquery_end(const plan::SubqueryEnd& op, size_t step, std::vector<Row>& rows);
    std::vector<bool> matched_inputs(int begin, const std::vector<Row>& rows, size_t inputs) const;
    // The input rows OptionalBegin `step` remembers (counted in kept_), and their end.
    void keep_input(size_t step, const Row& row);
    void drop_inputs(size_t begin);
    // merge.cpp
    void merge_end(const plan::MergeEnd& op, size_t step, std::vector<Row>& rows);
    void merge_join(const plan::MergeJoin& op, size_t step, std::vector<Row>& rows);
    // call_procedure.cpp
    void call_procedure(const plan::CallProcedure& op, size_t step, Row& row);
    // vector_query.cpp: db.index.vector.queryNodes steps.
    void vector_begin(const plan::VectorBegin& op, size_t step, Row& row);
    void vector_search(const plan::VectorSearch& op, size_t step, Row& row);
    void vector_topk(const plan::VectorTopK& op, size_t step, std::vector<Row>& rows);
    // create.cpp
    void create_node(const plan::CreateNode& op, size_t step, Row& row);
    void create_rel(const plan::CreateRel& op, size_t step, Row& row);
    void create_rel_literal(const plan::CreateRel& op, size_t step, Row& row);
    void create_node_literal(const plan::CreateNode& op, size_t step, Row& row);
    void finish_create_rel(const plan::CreateRel& op, size_t step, Row& row, uint64_t rel,
                           uint64_t start, uint64_t end, uint32_t type);
    struct CreateIds;
    // set_remove.cpp
    void set_property(const plan::SetProperty& op, Row& row);
    void set_properties(const plan::SetProperties& op, Row& row);
    void set_labels(const plan::SetLabels& op, Row& row);
    void remove_labels(const plan::RemoveLabels& op, Row& row);
    void labels(int slot, const std::vector<std::string>& names, Row& row, bool add);
    void remove_property(const plan::RemoveProperty& op, Row& row);
    // delete.cpp
    void delete_rel(const plan::DeleteRel& op, Row& row);
    void delete_rel(uint64_t rel);
    void delete_node(const plan::DeleteNode& op, Row& row);

    // exec/writes.cpp: the logged partition changes every write goes through.
    void mutate(uint32_t shard, const Mutation& m);
    const std::string& name_of(storage::Catalog::Kind kind, uint32_t id) const;
    void lock(uint64_t id, bool rel);
    // Counts `bytes` more of the transaction's changes in the query's memory.
    void logged(uint64_t bytes);
    uint64_t w_create_node();
    // `fresh`: the entity was created by this statement, so no other transaction can
    // conflict on it and it takes no lock.
    bool w_label(uint64_t node, uint32_t label, bool add, bool fresh = false);
    bool w_set_property(bool node, uint64_t id, uint32_t key, const Value& v, bool fresh = false);
    uint64_t w_create_rel(uint64_t start, uint32_t type, uint64_t end);
    void w_add_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start);
    void w_remove_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start);

    EvalEnv eval_env() const;
    // Reads see the transaction's snapshot: commits up to start_ts and its own changes.
    storage::Snap snap() const { return storage::Snap{env_.start_ts, env_.txn}; }
    storage::View view() const { return storage::View(*env_.part, snap()); }

    ExecEnv env_;
    EvalEnv eval_;
    int64_t budget_ = 0;    // rows the source steps may still produce in this handler
    int64_t child_ns_ = 0;  // PROFILE: time of nested steps, subtracted from the caller's
    // Coordinator state of streaming steps, per step index.
    std::unordered_map<size_t, std::unordered_map<Row, int64_t, ValueEquivHash, ValueEquiv>>
        counters_;  // SKIP / LIMIT: rows left per outer row (exec/ops/sort.cpp)
    std::unordered_map<size_t, std::unordered_set<Row, ValueEquivHash, ValueEquiv>> distinct_;
    std::unordered_map<size_t, std::vector<Row>> optional_inputs_;
    std::unordered_map<size_t, uint64_t> optional_bytes_;  // their footprint, per step
    // What the state above holds of the query's memory (env_.memory).
    MemoryLease kept_;
    uint64_t unlogged_bytes_ = 0;  // changes not yet charged (logged)
    std::unordered_map<size_t, int64_t> optional_seq_;
    std::unordered_map<size_t, std::vector<std::vector<Row>>> merge_groups_;
    // ShortestPath (exec/ops/shortest_path.cpp): the coordinator's searches under way, by id
    // (shared_ptr: the type is complete only in that file).
    struct ShortestSearches;
    std::shared_ptr<ShortestSearches> searches_;
    struct TrailSearches;  // exec/ops/shortest_k.cpp
    std::shared_ptr<TrailSearches> trails_;
    int64_t next_search_ = 0;
    // NodeIndexSeek (exec/ops/index_seek.cpp): catalog ids of each seek step's label and keys,
    // and a scratch list of the ids a seek found.
    struct SeekIds {
        bool found = false;
        uint32_t label = 0;
        std::vector<uint32_t> keys;
    };
    std::unordered_map<size_t, SeekIds> seek_ids_;
    std::vector<uint64_t> seek_out_;
    std::vector<Value> warm_values_;
    // CreateNode / CreateRel with a literal property map: catalog ids per step (a key's id
    // is -1 until it is first written), the keys' indices in Map order, and the values of
    // one row.
    struct CreateIds {
        bool has_type = false;
        uint32_t type = 0;
        std::vector<uint32_t> labels;  // CreateNode: interned once the first node exists
        std::vector<size_t> order;
        std::vector<int64_t> keys;
    };
    std::unordered_map<size_t, CreateIds> create_ids_;
    std::vector<Value> create_vals_;
    CreateIds& literal_ids(size_t step, const CExpr& m);
    // The literal's values for this row, checked as storable (in Map order).
    std::vector<Value>& literal_values(const CExpr& m, const CreateIds& ids, Row& row);
    void set_literal_properties(bool node, uint64_t id, const CExpr& m, CreateIds& ids,
                                const std::vector<Value>& vals);
    std::vector<uint64_t> warm_ids_;
};

// Checks that a value may be stored as a property (null, scalars, homogeneous lists of
// scalars). Throws TypeError InvalidPropertyType otherwise.
void check_property_value(const Value& v);

}  // namespace lora::exec
