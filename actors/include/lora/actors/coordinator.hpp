// The coordinator: the entry point for services with their own actor system. It takes a
// query actor per request and delegates the reply to it.
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

namespace lora::actors {

struct EngineShared;
using EnginePtr = std::shared_ptr<EngineShared>;

// Every message the coordinator accepts (docs/architecture.md, "Protocol", checks this list).
using coordinator_actor = caf::typed_actor<
    // Run a request; the query actor that runs it answers (a typed delegation: the reply
    // type is checked like any other).
    caf::replies_to<execute_atom, QueryRequestPtr>::with<OutcomePtr>>;

coordinator_actor spawn_coordinator(caf::actor_system& sys, EnginePtr engine);

}  // namespace lora::actors
