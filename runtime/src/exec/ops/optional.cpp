// OPTIONAL MATCH and subqueries: OptionalBegin tags and remembers each input row at the
// coordinator; the OptionalEnd / SubqueryEnd barriers join the inner rows back to them.
#include <lora/exec/executor.hpp>

#include <algorithm>
#include <utility>

namespace lora::exec {

void Executor::optional_begin(const plan::OptionalBegin& op, size_t step, Row& row) {
    const size_t next = step + 1;
    int64_t tag = optional_seq_[step]++;
    row[static_cast<size_t>(op.tag)] = Value(tag);
    keep_input(step, row);
    push(next, row);
}

void Executor::keep_input(size_t step, const Row& row) {
    const uint64_t bytes = memory::row_footprint(row);
    kept_.grow(bytes, "the input rows of OPTIONAL MATCH, MERGE or a subquery");
    optional_bytes_[step] += bytes;
    optional_inputs_[step].push_back(row);
}

void Executor::drop_inputs(size_t begin) {
    optional_inputs_[begin].clear();
    kept_.shrink(std::exchange(optional_bytes_[begin], 0));
}

void Executor::optional_end(const plan::OptionalEnd& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    auto& inputs = optional_inputs_[static_cast<size_t>(op.begin)];
    std::vector<bool> matched = matched_inputs(op.begin, rows, inputs.size());
    for (auto& r : rows) push(next, r);
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (matched[i]) continue;
        Row r = std::move(inputs[i]);
        for (int sl : op.nulls) r[static_cast<size_t>(sl)] = Value();
        push(next, r);
    }
    drop_inputs(static_cast<size_t>(op.begin));
}

void Executor::subquery_end(const plan::SubqueryEnd& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    const int tag_slot =
        std::get<plan::OptionalBegin>(env_.plan->steps[static_cast<size_t>(op.begin)].op).tag;
    auto& inputs = optional_inputs_[static_cast<size_t>(op.begin)];
    // Per input: (order key, value). Rows come from several shards in no fixed order.
    std::vector<std::vector<std::pair<int64_t, Value>>> found(inputs.size());
    for (auto& r : rows) {
        const Value& tag = r[static_cast<size_t>(tag_slot)];
        if (!tag.is_int() || tag.as_int() < 0 || static_cast<size_t>(tag.as_int()) >= found.size())
            continue;
        int64_t key = 0;
        if (op.order >= 0) {
            const Value& k = r[static_cast<size_t>(op.order)];
            if (k.is_int()) key = k.as_int();
        }
        found[static_cast<size_t>(tag.as_int())].emplace_back(
            key, op.value >= 0 ? std::move(r[static_cast<size_t>(op.value)]) : Value());
    }
    rows.clear();
    for (size_t i = 0; i < inputs.size(); ++i) {
        auto& f = found[i];
        if (op.order >= 0)
            std::stable_sort(f.begin(), f.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        List values;
        values.reserve(f.size());
        for (auto& kv : f) values.push_back(std::move(kv.second));
        Row r = std::move(inputs[i]);
        r[static_cast<size_t>(op.result)] = Value(std::move(values));
        push(next, r);
    }
    drop_inputs(static_cast<size_t>(op.begin));
}

// Which remembered inputs of the OptionalBegin step `begin` produced at least one row.
std::vector<bool> Executor::matched_inputs(int begin, const std::vector<Row>& rows,
                                           size_t inputs) const {
    const int tag_slot =
        std::get<plan::OptionalBegin>(env_.plan->steps[static_cast<size_t>(begin)].op).tag;
    std::vector<bool> matched(inputs, false);
    for (const auto& r : rows) {
        const Value& tag = r[static_cast<size_t>(tag_slot)];
        if (tag.is_int() && tag.as_int() >= 0 && static_cast<size_t>(tag.as_int()) < inputs)
            matched[static_cast<size_t>(tag.as_int())] = true;
    }
    return matched;
}

}  // namespace lora::exec
