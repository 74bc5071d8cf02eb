// ScanNodes: every node of the local partition (with a label, if given) that the
// snapshot sees, produced in chunks of the row budget (the rest continues later).
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

namespace lora::exec {

using storage::Catalog;

void Executor::scan(const plan::ScanNodes& op, size_t step, Row& row) {
    if (!env_.part) internal("scan outside a shard");
    // The ids are taken now (the scan's snapshot); their rows are produced in chunks.
    auto ids = std::make_shared<std::vector<uint64_t>>();
    if (!op.label) {
        ids->reserve(env_.part->node_count());
        view().node_ids(std::nullopt, *ids);
    } else {
        auto label = env_.catalog->lookup(Catalog::Kind::Label, *op.label);
        if (!label) return;
        view().node_ids(*label, *ids);
    }
    produce_scan(op, step, row, std::move(ids), 0);
}

void Executor::produce_scan(const plan::ScanNodes& op, size_t step, Row& row,
                            std::shared_ptr<const std::vector<uint64_t>> ids, size_t pos) {
    const auto& v = *ids;
    for (size_t i = pos; i < v.size(); ++i) {
        if (!take_budget() && v.size() - i > kSmallTail) {
            auto c = std::make_shared<Continuation>();
            c->step = step;
            c->row = std::move(row);
            c->ids = std::move(ids);
            c->pos = i;
            env_.runtime->defer(std::move(c));
            return;
        }
        Row out = (i + 1 == v.size()) ? std::move(row) : row;
        out[static_cast<size_t>(op.slot)] = Value(Node{v[i], nullptr});
        push(step + 1, out);
    }
}

}  // namespace lora::exec
