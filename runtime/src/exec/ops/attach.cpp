// Attach: at the shard owning an entity, copy its labels and properties into the row
// value, so later steps elsewhere (and the result) can read them.
#include <lora/exec/executor.hpp>

namespace lora::exec {

void Executor::attach(const plan::Attach& op, size_t step, Row& row) {
    const size_t next = step + 1;
    auto& v = row[static_cast<size_t>(op.slot)];
    v = attach_local(v, eval_);
    push(next, row);
}

}  // namespace lora::exec
