// The coordinator: the entry point for services with their own actor system.
#include "lora/actors/coordinator.hpp"

#include "lora/actors/query_context.hpp"

#include <caf/all.hpp>

namespace lora::actors {

namespace {

coordinator_actor::behavior_type coordinator_behavior(coordinator_actor::pointer self,
                                                      EnginePtr engine) {
    return {
        [=](execute_atom, const QueryRequestPtr& req) {
            auto q = acquire_query(self->system(), engine);
            return self->delegate(q, start_atom::value, req);
        },
    };
}

}  // namespace

coordinator_actor spawn_coordinator(caf::actor_system& sys, EnginePtr engine) {
    return sys.spawn(coordinator_behavior, std::move(engine));
}

}  // namespace lora::actors
