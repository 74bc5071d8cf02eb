// MERGE: after the match (an optional subquery), MergeEnd sends each distinct merge key
// of the unmatched inputs on once to be created; MergeJoin hands what it created to the
// other inputs of its group.
#include <lora/exec/executor.hpp>

#include <unordered_map>

namespace lora::exec {

void Executor::merge_end(const plan::MergeEnd& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    auto& inputs = optional_inputs_[static_cast<size_t>(op.begin)];
    std::vector<bool> matched = matched_inputs(op.begin, rows, inputs.size());
    std::vector<Row> matched_rows = std::move(rows);
    rows.clear();
    auto& groups = merge_groups_[step];
    std::unordered_map<Value, size_t, ValueEquivHash, ValueEquiv> index;
    std::vector<Row> creators;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (matched[i]) continue;
        const Value& key = inputs[i][static_cast<size_t>(op.key)];
        auto [it, fresh] = index.try_emplace(key, groups.size());
        if (fresh) {
            groups.emplace_back();
            Row r = std::move(inputs[i]);
            r[static_cast<size_t>(op.flag)] = Value(false);
            r[static_cast<size_t>(op.group)] = Value(static_cast<int64_t>(it->second));
            creators.push_back(std::move(r));
        } else {
            groups[it->second].push_back(std::move(inputs[i]));
        }
    }
    drop_inputs(static_cast<size_t>(op.begin));
    for (auto& r : matched_rows) {
        r[static_cast<size_t>(op.flag)] = Value(true);
        push(next, r);
    }
    for (auto& r : creators) push(next, r);
}

void Executor::merge_join(const plan::MergeJoin& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    auto& groups = merge_groups_[static_cast<size_t>(op.end)];
    std::vector<Row> out = std::move(rows);
    rows.clear();
    for (auto& r : out) {
        const Value& flag = r[static_cast<size_t>(op.flag)];
        const Value& group = r[static_cast<size_t>(op.group)];
        if (flag.is_bool() && !flag.as_bool() && group.is_int() &&
            static_cast<size_t>(group.as_int()) < groups.size()) {
            // The rest of the group finds what this row created: they match it.
            for (auto& m : groups[static_cast<size_t>(group.as_int())]) {
                for (int sl : op.created) m[static_cast<size_t>(sl)] = r[static_cast<size_t>(sl)];
                m[static_cast<size_t>(op.flag)] = Value(true);
                push(next, m);
            }
            groups[static_cast<size_t>(group.as_int())].clear();
        }
        push(next, r);
    }
}

}  // namespace lora::exec
