// ConstraintRegistry: the database's constraint definitions (CREATE CONSTRAINT / DROP
// CONSTRAINT), shared by every shard like the catalog that owns it. A uniqueness or key
// constraint owns a RANGE index of the same name (in the IndexRegistry) that serves both its
// checks and the planner's seeks.
#pragma once

#include <lora/value.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lora::storage {

// Unique: no two entities share the property tuple (entities missing one are exempt).
// NodeKey: Unique and every property present. Exists: `IS NOT NULL`. PropertyType: `IS ::`.
enum class ConstraintKind : uint8_t { Unique = 0, NodeKey = 1, Exists = 2, PropertyType = 3 };
enum class ConstraintEntity : uint8_t { Node = 0, Relationship = 1 };

struct ConstraintDef {
    uint64_t id = 0;  // assigned by the registry, stable across restarts
    std::string name;
    ConstraintKind kind = ConstraintKind::Unique;
    ConstraintEntity entity = ConstraintEntity::Node;
    std::string label;  // or relationship type
    std::vector<std::string> properties;
    // PropertyType: the allowed types in Neo4j's spelling, e.g. {"INTEGER"} or
    // {"LIST<STRING NOT NULL>", "STRING"}, normalized and sorted.
    std::vector<std::string> types;

    bool unique() const {
        return kind == ConstraintKind::Unique || kind == ConstraintKind::NodeKey;
    }
    bool requires_presence() const {
        return kind == ConstraintKind::Exists || kind == ConstraintKind::NodeKey;
    }
    // Same kind over the same schema (and the same types): Neo4j's "equivalent" constraint.
    bool same_schema(const ConstraintDef& o) const {
        return kind == o.kind && entity == o.entity && label == o.label &&
               properties == o.properties && types == o.types;
    }
    // SHOW CONSTRAINTS' type column: NODE_PROPERTY_UNIQUENESS, NODE_KEY, ...
    std::string type_name() const;
    // `(:Label {p, q})` or `()-[:TYPE {p}]-()`, as error messages write it.
    std::string schema_text() const;
    // `INTEGER | FLOAT` (PropertyType only).
    std::string types_text() const;
    // `Constraint( name='c', type='NODE_KEY', schema=(:L {p}) )`, Neo4j's description.
    std::string describe() const;
    // WAL form: a map of everything but the name.
    Value to_value() const;
    // Throws lora::Error (DatabaseError CorruptLog) for a malformed map.
    static ConstraintDef from_value(const std::string& name, const Value& v);
};

// `constraint_<8 hex digits>`, derived from the definition, so an unnamed constraint gets
// the same name on every replay.
std::string generated_constraint_name(const ConstraintDef& def);

// Whether `v` (not null) is a value of the property type `type` (one of ConstraintDef::types).
bool value_has_type(const Value& v, std::string_view type);

// Thread-safe (one mutex); `any()` is a lock-free check for the write path.
class ConstraintRegistry {
public:
    // Adds `def` (its id assigned, an empty name generated). Returns false, changing
    // nothing, when `if_not_exists` and one of that name or an equivalent one exists;
    // otherwise those cases (and a conflicting constraint on the same schema) throw
    // lora::Error SchemaError (EquivalentSchemaRuleAlreadyExists,
    // ConstraintWithNameAlreadyExists, ConstraintAlreadyExists).
    bool create(ConstraintDef& def, bool if_not_exists);
    // Removes and returns the constraint `name`; nullopt if `if_exists` and there is none,
    // else lora::Error SchemaError ConstraintDropFailed.
    std::optional<ConstraintDef> drop(const std::string& name, bool if_exists);

    std::optional<ConstraintDef> find(const std::string& name) const;
    std::vector<ConstraintDef> list() const;  // by name
    // Whether any constraint exists (no lock).
    bool any() const { return count_.load(std::memory_order_acquire) != 0; }

    // Recovery (WAL replay, checkpoint, snapshot): no errors, last writer wins.
    void restore(ConstraintDef def);
    void restore_drop(const std::string& name);
    void restore_all(std::vector<ConstraintDef> defs);

private:
    void counted();  // with mu_ held
    mutable std::mutex mu_;
    std::vector<ConstraintDef> defs_;
    uint64_t next_id_ = 1;
    std::atomic<size_t> count_{0};
};

}  // namespace lora::storage
