// Query text -> plan, shared by all query actors. Plans are immutable once built.
#pragma once

#include <lora/plan/plan.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace lora::actors {

struct EngineShared;

class PlanCache {
public:
    explicit PlanCache(size_t capacity = 1024) : capacity_(capacity) {}
    plan::PlanPtr get(const std::string& text);
    void put(const std::string& text, plan::PlanPtr plan);
    void clear();

private:
    std::mutex mu_;
    size_t capacity_;
    std::unordered_map<std::string, plan::PlanPtr> map_;
};

// The plan of `text`: from the cache, or parsed, analyzed, planned (PROFILE and EXPLAIN
// variants included) and cached. Throws lora::Error for an invalid query.
plan::PlanPtr plan_for(EngineShared& eng, const std::string& text);

}  // namespace lora::actors
