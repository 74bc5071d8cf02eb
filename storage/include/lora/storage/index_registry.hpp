// IndexRegistry: the database's index definitions (CREATE INDEX / DROP INDEX), shared by
// every shard like the catalog that owns it; each partition builds its own structures.
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lora::storage {

// RANGE: an ordered property index per partition (storage/property_index.hpp).
// VECTOR: registered with its validated options; the structure is built elsewhere.
enum class IndexKind : uint8_t { Range = 0, Vector = 1 };
// Populating while the partitions build it; the planner only uses Online indexes.
enum class IndexState : uint8_t { Populating = 0, Online = 1 };

std::string_view index_kind_name(IndexKind k);    // "RANGE", "VECTOR"
std::string_view index_state_name(IndexState s);  // "POPULATING", "ONLINE"

struct IndexDef {
    uint64_t id = 0;  // assigned by the registry, stable across restarts
    std::string name;
    IndexKind kind = IndexKind::Range;
    std::string label;
    std::vector<std::string> properties;
    // Validated settings, e.g. vector.dimensions -> 128, vector.similarity_function -> 'cosine'.
    std::vector<std::pair<std::string, Value>> config;
    IndexState state = IndexState::Populating;

    // Same kind over the same label and property list: an "equivalent" index in Neo4j's words.
    bool same_schema(const IndexDef& o) const {
        return kind == o.kind && label == o.label && properties == o.properties;
    }
    const Value* setting(std::string_view key) const;
    // `(:Label {p, q})`, as error messages write it.
    std::string schema_text() const;
    // WAL form: a map holding everything but the state (logged definitions come back Online).
    Value to_value() const;
    // Throws lora::Error (DatabaseError CorruptLog) for a malformed map.
    static IndexDef from_value(const std::string& name, const Value& v);
};

// `index_<8 hex digits>`, derived from kind, label and properties (Neo4j names unnamed
// indexes the same way), so an unnamed index gets the same name on every replay.
std::string generated_index_name(const IndexDef& def);

// Thread-safe (one mutex; DDL and planning are rare compared with row work).
class IndexRegistry {
public:
    // Adds `def` (its id is assigned, its state set to Populating; an empty name is
    // generated). Returns false, changing nothing, when `if_not_exists` and an index of that
    // name or an equivalent one exists; otherwise those cases throw lora::Error SchemaError
    // (EquivalentSchemaRuleAlreadyExists, IndexWithNameAlreadyExists, IndexAlreadyExists).
    bool create(IndexDef& def, bool if_not_exists);
    // Removes and returns the index called `name`. When there is none: nullopt if
    // `if_exists`, else lora::Error SchemaError IndexNotFound.
    std::optional<IndexDef> drop(const std::string& name, bool if_exists);
    void set_state(const std::string& name, IndexState state);

    std::optional<IndexDef> find(const std::string& name) const;
    std::vector<IndexDef> list() const;  // by name
    // Online RANGE indexes on `label`.
    std::vector<IndexDef> online_range(const std::string& label) const;
    bool empty() const;
    // Bumped by every change.
    uint64_t version() const;

    // Recovery (WAL replay, checkpoint, snapshot): no errors, last writer wins.
    void restore(IndexDef def);  // adds or replaces by name; keeps def.id and def.state
    void restore_drop(const std::string& name);
    void restore_all(std::vector<IndexDef> defs);

private:
    mutable std::mutex mu_;
    std::vector<IndexDef> defs_;
    uint64_t next_id_ = 1;
    uint64_t version_ = 0;
};

}  // namespace lora::storage
