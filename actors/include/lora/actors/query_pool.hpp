// Idle query actors. Spawning an actor per query costs more than the work of a small write
// (and in CAF 0.17 every actor's exit wakes the clock thread), so a query actor that has
// answered resets itself and waits here for the next request.
#pragma once

#include "lora/actors/query.hpp"

#include <mutex>
#include <vector>

namespace lora::actors {

class QueryPool {
public:
    query_actor take();       // an idle actor, or null
    bool put(query_actor a);  // false: full or closed (the actor should quit)
    // At shutdown: refuses new actors and hands back the idle ones for the caller to end.
    std::vector<query_actor> close();

private:
    std::mutex mu_;
    std::vector<query_actor> idle_;
    size_t capacity_ = 256;
    bool closed_ = false;
};

}  // namespace lora::actors
