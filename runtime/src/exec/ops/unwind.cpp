// Unwind: a row per element of a list, produced in chunks of the row budget; a map
// element may be unpacked into slots of its own (plan/unwind_unpack.cpp).
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

namespace lora::exec {

using plan::Step;

void Executor::unwind(const Step& s, size_t step, Row& row) {
    const size_t next = step + 1;
    Value list = eval(*s.expr, row, eval_);
    if (list.is_null()) return;
    if (!list.is_list()) {
        bind_unwound(s, row, std::move(list));
        push(next, row);
        return;
    }
    produce_unwind(s, step, row, list, 0);
}

void Executor::bind_unwound(const Step& s, Row& row, Value v) {
    if (s.unpack.empty()) {
        row[static_cast<size_t>(s.slot)] = std::move(v);
        return;
    }
    if (v.is_map()) {
        const Map& m = v.as_map();
        for (const auto& [key, slot] : s.unpack) {
            auto it = m.find(key);
            row[static_cast<size_t>(slot)] = it == m.end() ? Value() : it->second;
        }
        row[static_cast<size_t>(s.slot)] = Value();
        return;
    }
    for (const auto& [key, slot] : s.unpack) row[static_cast<size_t>(slot)] = Value();
    row[static_cast<size_t>(s.slot)] = std::move(v);
}

void Executor::produce_unwind(const Step& s, size_t step, Row& row, const Value& list, size_t pos) {
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
        bind_unwound(s, out, l[i]);
        push(step + 1, out);
    }
}

}  // namespace lora::exec
