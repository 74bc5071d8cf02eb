// The pool of idle query actors (query_pool.hpp) and acquire_query.
#include "lora/actors/query_pool.hpp"

#include "query_actor_impl.hpp"

namespace lora::actors {

query_actor acquire_query(caf::actor_system& sys, const EnginePtr& engine) {
    if (auto a = engine->query_pool.take()) return a;
    return query_impl::spawn_query(sys, engine);
}

query_actor QueryPool::take() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return {};
    query_actor a = std::move(idle_.back());
    idle_.pop_back();
    return a;
}

bool QueryPool::put(query_actor a) {
    std::lock_guard lock(mu_);
    if (closed_ || idle_.size() >= capacity_) return false;
    idle_.push_back(std::move(a));
    return true;
}

std::vector<query_actor> QueryPool::close() {
    std::vector<query_actor> idle;
    std::lock_guard lock(mu_);
    closed_ = true;
    idle.swap(idle_);
    return idle;
}

}  // namespace lora::actors
