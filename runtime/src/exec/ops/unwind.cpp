// Unwind: a row per element of a list (with its position, if asked), produced in chunks of the
// row budget; a map element may be unpacked into slots of its own (plan/unwind_unpack.cpp).
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

namespace lora::exec {

void Executor::unwind(const plan::Unwind& op, size_t step, Row& row) {
    const size_t next = step + 1;
    Value list = eval(*op.list, row, eval_);
    if (list.is_null()) return;
    if (!list.is_list()) {
        bind_unwound(op, row, std::move(list));
        if (op.index >= 0) row[static_cast<size_t>(op.index)] = Value(int64_t{0});
        push(next, row);
        return;
    }
    produce_unwind(op, step, row, list, 0);
}

void Executor::bind_unwound(const plan::Unwind& op, Row& row, Value v) {
    if (op.unpack.empty()) {
        row[static_cast<size_t>(op.slot)] = std::move(v);
        return;
    }
    if (v.is_map()) {
        const Map& m = v.as_map();
        for (const auto& [key, slot] : op.unpack) {
            auto it = m.find(key);
            row[static_cast<size_t>(slot)] = it == m.end() ? Value() : it->second;
        }
        row[static_cast<size_t>(op.slot)] = Value();
        return;
    }
    for (const auto& [key, slot] : op.unpack) row[static_cast<size_t>(slot)] = Value();
    row[static_cast<size_t>(op.slot)] = std::move(v);
}

void Executor::produce_unwind(const plan::Unwind& op, size_t step, Row& row, const Value& list,
                              size_t pos) {
    const auto& l = list.as_list();
    for (size_t i = pos; i < l.size(); ++i) {
        if (!take_budget() && l.size() - i > kSmallTail) {
            auto c = std::make_shared<Continuation>();
            c->step = step;
            c->row = std::move(row);
            c->list = list;
            c->pos = i;
            env_.runtime->defer(std::move(c));
            return;
        }
        Row out = (i + 1 == l.size()) ? std::move(row) : row;
        bind_unwound(op, out, l[i]);
        if (op.index >= 0) out[static_cast<size_t>(op.index)] = Value(static_cast<int64_t>(i));
        push(step + 1, out);
    }
}

}  // namespace lora::exec
