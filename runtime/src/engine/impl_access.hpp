// What streaming.cpp (cursors, cancellation, execute_async) and service.cpp (the database's
// actor) use of Database::Impl, which database.cpp defines and keeps to itself.
#pragma once

#include "lora/actors/protocol.hpp"

#include <lora/lora.hpp>

#include <caf/fwd.hpp>

#include <functional>

namespace lora {

caf::actor_system& engine_system(Database::Impl& impl);
actors::EnginePtr engine_of(Database::Impl& impl);
actors::coordinator_actor engine_coordinator(Database::Impl& impl);
// The database's actor (service.hpp): made by `spawn` on first use, then the same one.
caf::actor service_front(Database::Impl& impl,
                         const std::function<caf::actor(caf::actor_system&)>& spawn);
// A statement counted as running: false when the database is being destroyed (it then
// takes no statement). Every true is paired with one async_end.
bool async_begin(Database::Impl& impl);
void async_end(Database::Impl& impl);

// A query actor's outcome as the embedding API's completion (moved out of `o`).
inline Completion completion_of(actors::Outcome& o) {
    Completion c;
    c.error = std::move(o.error);
    c.result = std::move(o.result);
    return c;
}

}  // namespace lora
