// Constraint enforcement at one shard, without actors. Before a transaction commits, every
// shard it changed checks the nodes and relationships it changed against the constraints
// on their labels and types (constraint_claims): a missing or mistyped property fails
// there, and each value tuple a uniqueness or key constraint covers becomes a claim. Every
// claim is then locked at its home shard (claim_key % shard count: the same tuple always
// meets the same lock, so of two transactions claiming it one fails with a transient
// conflict) and looked up at every shard (find_duplicate) at the transaction's snapshot:
// together, a tuple committed before the snapshot is found, and one committed after it or
// still in flight meets the lock.
#pragma once

#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/versions.hpp>
#include <lora/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lora::exec {

struct TxnLog;

// A uniqueness (or key) constraint's value tuple held by a node the transaction changed.
struct UniqueClaim {
    std::string constraint;
    std::string label;
    std::vector<std::string> properties;
    std::vector<Value> values;  // one per property, none null
    uint64_t node = 0;

    // The lock key: a hash of the constraint and the values (equal numbers hash alike), with
    // the top bit set so it never meets an entity's key (exec::WriteLocks::key).
    uint64_t key() const;
    // `label `L` and property `p` = 'x'` (or `properties `a` = 1, `b` = 2`).
    std::string describe() const;
    // Wire form (a list) and back; from_value throws lora::Error CorruptMessage.
    Value to_value() const;
    static UniqueClaim from_value(const Value& v);
};

// Checks what `log` changed at `part` since its last check (log.checked) against
// `catalog`'s constraints (the present state: the transaction's own). Throws lora::Error
// ConstraintValidationFailed for a node or relationship that lacks a required property or
// holds one of the wrong type; returns the claims of the uniqueness and key constraints.
// The caller advances log.checked once the claims are taken.
std::vector<UniqueClaim> constraint_claims(const storage::Partition& part,
                                           const storage::Catalog& catalog, const TxnLog& log);

// A node here other than claim.node that `snap` sees with the claim's label and values, or
// nullopt. Seeks the constraint's index when this partition has it, else scans the label.
std::optional<uint64_t> find_duplicate(const storage::Partition& part,
                                       const storage::Catalog& catalog, storage::Snap snap,
                                       const UniqueClaim& claim);

// A new constraint's check of the data one partition holds at `snap`: the first entity
// that breaks it (the message says how), and for a uniqueness or key constraint each
// value tuple with the first node holding it here (a second holder here is a violation).
struct ExistingCheck {
    std::optional<std::string> violation;
    std::vector<std::pair<std::vector<Value>, uint64_t>> tuples;
};
ExistingCheck check_existing(const storage::Partition& part, const storage::Catalog& catalog,
                             storage::Snap snap, const storage::ConstraintDef& def);
// "Both Node(1) and Node(2) have the label `L` and property `p` = 'x'".
std::string both_have(uint64_t a, uint64_t b, const storage::ConstraintDef& def,
                      const std::vector<Value>& values);

// The error a duplicate is reported with: "Node(7) already exists with label `L` and
// property `p` = 'x'" (class Constraint, Schema.ConstraintValidationFailed).
Error duplicate_error(uint64_t existing, const UniqueClaim& claim);

}  // namespace lora::exec
