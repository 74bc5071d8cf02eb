// Distinct (coordinator, streaming): a row goes on unless one equivalent on the step's
// slots went on before.
#include <lora/exec/executor.hpp>

namespace lora::exec {

void Executor::distinct(const plan::Distinct& op, size_t step, Row& row) {
    const size_t next = step + 1;
    Row key;
    key.reserve(op.slots.size());
    for (int sl : op.slots) key.push_back(row[static_cast<size_t>(sl)]);
    const uint64_t bytes = memory::row_footprint(key) + memory::kHashNodeBytes;
    if (!distinct_[step].insert(std::move(key)).second) return;
    kept_.grow(bytes, "DISTINCT");
    push(next, row);
}

}  // namespace lora::exec
