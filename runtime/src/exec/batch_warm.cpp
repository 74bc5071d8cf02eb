// Batch entry points of a shard: before the rows (or mutations) of a batch run one by one,
// the cache lines their random reads will touch are requested for the whole batch, so the
// misses overlap instead of stalling each row in turn. Only warms; results never change.
#include <lora/exec/executor.hpp>

#include <lora/storage/partition.hpp>

namespace lora::exec {

namespace {
// Below this the rows' own misses would barely overlap with anything.
constexpr size_t kWarmMin = 8;
}  // namespace

void Executor::run_batch(size_t step, std::vector<Row>& rows) {
    if (env_.part && rows.size() >= kWarmMin && step < env_.plan->steps.size()) {
        const plan::Operator& op = env_.plan->steps[step].op;
        if (const auto* seek = std::get_if<plan::NodeIndexSeek>(&op); seek && seek->seek) {
            warm_seeks(*seek, step, rows);
        } else if (const auto* create = std::get_if<plan::CreateRel>(&op)) {
            // The new relationship's incoming entry at the end node, when that is here.
            warm_ids_.clear();
            for (const auto& row : rows) {
                const Value& b = row[static_cast<size_t>(create->end)];
                if (b.is_node()) warm_ids_.push_back(b.as_node().id);
            }
            env_.part->prefetch_in_edges(warm_ids_);
        }
    }
    for (auto& row : rows) run_here(step, row);
}

void Executor::apply_all(const std::vector<Mutation>& ms) {
    if (env_.part && ms.size() >= kWarmMin) {
        warm_ids_.clear();
        for (const auto& m : ms)
            if (m.kind == Mutation::Kind::AddInEdge) warm_ids_.push_back(m.node);
        env_.part->prefetch_in_edges(warm_ids_);
    }
    for (const auto& m : ms) apply(m);
}

}  // namespace lora::exec
