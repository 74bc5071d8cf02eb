// What one transaction changed at one shard: redo operations (logged in the WAL at commit,
// replayed on recovery) and undo operations (applied in reverse when it aborts).
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <string>
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
    } kind;
    uint64_t id = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    std::string name;
    Value value;
};

struct UndoOp {
    enum class Kind : uint8_t {
        DropNode,         // undo a create: delete the (now edge-less) node
        ReviveNode,       // undo a delete: the node comes back, empty
        AddLabel,
        RemoveLabel,
        SetNodeProperty,  // restore `value` (null: remove)
        DropRel,          // undo a create (owner shard)
        ReviveRel,        // undo a delete (owner shard): start, end, type
        SetRelProperty,
        AddInEdge,        // at the end node's shard
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
    bool empty() const { return redo.empty() && undo.empty(); }
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
