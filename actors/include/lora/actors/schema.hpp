// The schema-change actor: runs one CREATE/DROP INDEX or CONSTRAINT for a query actor (catalog
// registry, every shard's part of the index, one WAL record), then ends.
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <lora/value.hpp>

#include <memory>
#include <string>

namespace lora::plan {
struct Plan;
using PlanPtr = std::shared_ptr<const Plan>;
}  // namespace lora::plan

namespace lora::actors {

struct EngineShared;
using EnginePtr = std::shared_ptr<EngineShared>;

// Every message a schema-change actor accepts (docs/architecture.md, "Protocol", checks
// this list).
using schema_actor = caf::typed_actor<
    // Run the command; answers once the change is built, durable and visible to plans.
    caf::replies_to<start_atom>::with<OutcomePtr>,
    // tag, lsn, error: its WAL record is durable (error empty) or failed.
    caf::reacts_to<durable_atom, uint64_t, uint64_t, std::string>,
    // Self-sent: every commit up to its record's timestamp is visible.
    caf::reacts_to<visible_atom>>;

// Spawns the actor running the schema command of `plan`; send it (start_atom) once.
schema_actor spawn_schema_change(caf::actor_system& sys, EnginePtr engine, plan::PlanPtr plan,
                                 Map params, uint64_t txn);

}  // namespace lora::actors
