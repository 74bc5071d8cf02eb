// The plan cache and plan_for: query text -> plan, shared by all query actors.
#include "lora/actors/plan_cache.hpp"

#include <lora/errors.hpp>

#include "lora/actors/engine_shared.hpp"

#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/plan/planner.hpp>

namespace lora::actors {

plan::PlanPtr PlanCache::get(const std::string& text) {
    std::lock_guard lock(mu_);
    auto it = map_.find(text);
    return it == map_.end() ? nullptr : it->second;
}

void PlanCache::clear() {
    std::lock_guard lock(mu_);
    map_.clear();
}

void PlanCache::put(const std::string& text, plan::PlanPtr p) {
    std::lock_guard lock(mu_);
    if (map_.size() >= capacity_) map_.clear();
    map_.emplace(text, std::move(p));
}

plan::PlanPtr plan_for(EngineShared& eng, const std::string& text) {
    if (auto p = eng.plans.get(text)) return p;
    cypher::Statement st = cypher::parse(text);
    cypher::analyze(st);
    auto p = plan::build_plan(st, text, &eng.procedures, &eng.catalog->indexes());
    if (st.mode == cypher::Statement::Mode::Profile) {
        if (!p->union_parts.empty()) throw errors::not_supported("PROFILE of a UNION");
        auto copy = std::make_shared<plan::Plan>(plan::clone(*p));
        copy->profile = true;
        p = copy;
    }
    if (st.mode == cypher::Statement::Mode::Explain) {
        auto copy = std::make_shared<plan::Plan>();
        copy->query = p->query;
        copy->explain_only = true;
        copy->columns = {"plan"};
        copy->steps.clear();
        copy->slot_count = 0;
        copy->explain_text = p->explain();
        p = copy;
    }
    eng.plans.put(text, p);
    return p;
}

}  // namespace lora::actors
