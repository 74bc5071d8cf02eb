// Catalog: interns label, relationship-type and property-key names to dense uint32 ids.
// One catalog is shared by every partition (all shard actors, all threads); it only grows.
#pragma once

#include <lora/storage/constraint_registry.hpp>
#include <lora/storage/index_registry.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lora::storage {

// Thread-safe: any thread may intern and read concurrently. Id -> name reads are lock-free
// (names live in append-only chunks published by an atomic size); name -> id reads take a
// shared lock; only interning a new name takes the exclusive lock. Returned name references
// stay valid for the catalog's lifetime.
class Catalog {
public:
    enum class Kind : uint8_t { Label = 0, Type = 1, Key = 2 };

    Catalog();
    ~Catalog();
    Catalog(const Catalog&) = delete;
    Catalog& operator=(const Catalog&) = delete;

    // Id of `name`, assigning the next id if it is new. `inserted`, when given, tells
    // whether this call created it (new names must be logged with their transaction).
    uint32_t intern(Kind kind, std::string_view name, bool* inserted = nullptr);
    // Id of `name` without interning it (reads must not grow the catalog).
    std::optional<uint32_t> lookup(Kind kind, std::string_view name) const;
    // Name of an id; throws lora::Error if the id was never assigned.
    const std::string& name(Kind kind, uint32_t id) const;
    // Number of names of a kind (ids are 0 .. size-1).
    size_t size(Kind kind) const;
    // All names of a kind in id order (for checkpoints and the WAL).
    std::vector<std::string> names(Kind kind) const;
    // Recovery: makes `id` name `name`. Ids must be restored in order (id == size) or
    // repeat an existing pair; anything else throws lora::Error (the files disagree).
    void restore(Kind kind, uint32_t id, std::string_view name);

    static std::string_view kind_name(Kind kind);  // "label", "relationship type", ...

    // The index definitions: schema shared by every partition, persisted with the names.
    IndexRegistry& indexes() { return indexes_; }
    const IndexRegistry& indexes() const { return indexes_; }
    // The constraint definitions, persisted with the indexes.
    ConstraintRegistry& constraints() { return constraints_; }
    const ConstraintRegistry& constraints() const { return constraints_; }

private:
    class Table;
    const Table& table(Kind kind) const { return *tables_[static_cast<size_t>(kind)]; }
    Table& table(Kind kind) { return *tables_[static_cast<size_t>(kind)]; }

    std::array<std::unique_ptr<Table>, 3> tables_;
    IndexRegistry indexes_;
    ConstraintRegistry constraints_;
};

}  // namespace lora::storage
