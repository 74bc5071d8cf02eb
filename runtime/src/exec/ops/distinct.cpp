// Distinct (coordinator, streaming): a row goes on unless one equivalent on the step's
// slots went on before.
#include <lora/exec/executor.hpp>

namespace lora::exec {

using plan::Step;

void Executor::distinct(const Step& s, size_t step, Row& row) {
    const size_t next = step + 1;
    Row key;
    key.reserve(s.slots.size());
    for (int sl : s.slots) key.push_back(row[static_cast<size_t>(sl)]);
    if (distinct_[step].insert(std::move(key)).second) push(next, row);
}

}  // namespace lora::exec
