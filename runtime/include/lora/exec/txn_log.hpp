// What one transaction changed at one shard: redo operations (logged in the WAL at commit,
// replayed on recovery) and undo operations (applied in reverse when it aborts).
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace lora::storage {
class Partition;
}

namespace lora::exec {

struct RedoOp {
    enum class Kind : uint8_t {
        CreateNode = 0,
        DeleteNode,
        AddLabel,
        RemoveLabel,
        SetNodeProperty,
        CreateRel,
        DeleteRel,
        SetRelProperty,
        CreateIndex,       // name: the index; value: its definition (IndexDef::to_value)
        DropIndex,         // name: the index
        CreateConstraint,  // name: the constraint; value: ConstraintDef::to_value
        DropConstraint,    // name: the constraint
    } kind;
    uint64_t id = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    std::string name;
    Value value;
};

struct UndoOp {
    enum class Kind : uint8_t {
        DropNode,    // undo a create: delete the (now edge-less) node
        ReviveNode,  // undo a delete: the node comes back, empty
        AddLabel,
        RemoveLabel,
        SetNodeProperty,  // restore `value` (null: remove)
        DropRel,          // undo a create (owner shard)
        ReviveRel,        // undo a delete (owner shard): start, end, type
        SetRelProperty,
        AddInEdge,  // at the end node's shard
        RemoveInEdge,
    } kind;
    uint64_t id = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    uint32_t key = 0;  // label, key or type id
    Value value;
};

struct TxnLog {
    std::vector<RedoOp> redo;
    std::vector<UndoOp> undo;
    std::vector<uint64_t> locked;  // write locks held here (see WriteLocks)
    size_t checked = 0;  // redo[0, checked) passed the constraint checks (exec/constraints.hpp)
    bool empty() const { return redo.empty() && undo.empty(); }
};

// Write-write conflict detection at one shard (first updater wins): a transaction that
// changes a node's or relationship's labels or properties, or deletes it, takes its lock
// until commit or abort. Another transaction's write to the same entity fails with a
// transient (retryable) error, as does a write to an entity committed after the writer's
// start timestamp (that would lose the other transaction's update).
class WriteLocks {
public:
    static uint64_t key(uint64_t id, bool rel) { return id * 2 + (rel ? 1 : 0); }
    // Throws lora::Error (class Transient, TransientError.ConflictDetected).
    void acquire(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log);
    // The same for a unique value tuple (exec::UniqueClaim::key); `what` describes it in the
    // conflict error.
    void claim(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log, const std::string& what);
    void commit(TxnLog& log, uint64_t commit_ts);
    void release(TxnLog& log);
    // Forgets commits at or below `horizon` (the oldest running snapshot): no transaction
    // that could still write started before them.
    void collect(uint64_t horizon);
    size_t remembered() const { return committed_.size(); }

private:
    enum class Taken : uint8_t { Now, Already, Held, Newer };
    Taken take(uint64_t key, uint64_t txn, uint64_t start_ts, TxnLog& log);
    std::unordered_map<uint64_t, uint64_t> owner_;      // key -> transaction
    std::unordered_map<uint64_t, uint64_t> committed_;  // key -> last commit timestamp
    std::deque<std::pair<uint64_t, uint64_t>> order_;   // (commit timestamp, key), for collect
};

// Applies the undo log in reverse. Never throws for records that are already gone.
void rollback(storage::Partition& part, TxnLog& log);

}  // namespace lora::exec

namespace lora::storage {
class Catalog;
}

namespace lora::exec {

// Recovery: applies one committed transaction's redo operations to the partitions (indexed
// by shard). Creations come first, then property and label changes in log order, then
// relationship deletions, then node deletions, so cross-shard order inside the record does
// not matter. Throws lora::Error (class Database) when the log contradicts the data.
void replay(const std::vector<RedoOp>& ops, const std::vector<storage::Partition*>& parts,
            storage::Catalog& catalog);

}  // namespace lora::exec
