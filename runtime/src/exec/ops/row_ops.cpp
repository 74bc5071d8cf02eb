// The small row-at-a-time steps: Filter, Project, Produce (a result row), and the Eager
// barrier that only holds rows back.
#include <lora/exec/executor.hpp>

namespace lora::exec {

using plan::Step;

void Executor::filter(const Step& s, size_t step, Row& row) {
    const size_t next = step + 1;
    if (eval_predicate(*s.expr, row, eval_)) push(next, row);
}

void Executor::project(const Step& s, size_t step, Row& row) {
    const size_t next = step + 1;
    for (const auto& o : s.outputs) row[static_cast<size_t>(o.slot)] = eval(*o.expr, row, eval_);
    push(next, row);
}

void Executor::produce(const Step& s, Row& row) {
    Row out;
    out.reserve(s.slots.size());
    for (int sl : s.slots) out.push_back(std::move(row[static_cast<size_t>(sl)]));
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
