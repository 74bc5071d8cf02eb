// The small row-at-a-time steps: Filter, Project, Produce (a result row), and the Eager
// barrier that only holds rows back.
#include <lora/exec/executor.hpp>

namespace lora::exec {

void Executor::filter(const plan::Filter& op, size_t step, Row& row) {
    const size_t next = step + 1;
    if (eval_predicate(*op.pred, row, eval_)) push(next, row);
}

void Executor::project(const plan::Project& op, size_t step, Row& row) {
    const size_t next = step + 1;
    for (const auto& o : op.outputs) row[static_cast<size_t>(o.slot)] = eval(*o.expr, row, eval_);
    push(next, row);
}

void Executor::produce(const plan::Produce& op, Row& row) {
    Row out;
    out.reserve(op.slots.size());
    for (int sl : op.slots) out.push_back(std::move(row[static_cast<size_t>(sl)]));
    env_.runtime->emit_result(std::move(out));
}

// Eager (and AttachDeep, whose entities the coordinator fetched before releasing it): the
// rows go on once everything before has finished.
void Executor::eager(size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    for (size_t i = 0; i < rows.size(); ++i) {
        check_cancelled(i);
        push(next, rows[i]);
    }
}

}  // namespace lora::exec
