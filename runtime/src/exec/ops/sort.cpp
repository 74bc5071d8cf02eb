// Sort (a coordinator barrier, stable), and SKIP / LIMIT, which count rows at the
// coordinator from the value of their expression at the first row (of each outer row,
// inside a subquery).
#include <lora/exec/executor.hpp>

#include <lora/error.hpp>

#include <algorithm>

namespace lora::exec {

void Executor::sort(const plan::Sort& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        for (const auto& k : op.keys) {
            int c = order_compare(a[static_cast<size_t>(k.slot)], b[static_cast<size_t>(k.slot)]);
            if (c != 0) return k.descending ? c > 0 : c < 0;
        }
        return false;
    });
    for (size_t i = 0; i < rows.size(); ++i) {
        check_cancelled(i);
        push(next, rows[i]);
    }
}

void Executor::skip(const plan::Skip& op, size_t step, Row& row) {
    const size_t next = step + 1;
    int64_t& left = remaining(step, op.per, *op.count, row, "SKIP");
    if (left > 0) {
        --left;
        return;
    }
    push(next, row);
}

void Executor::limit(const plan::Limit& op, size_t step, Row& row) {
    const size_t next = step + 1;
    int64_t& left = remaining(step, op.per, *op.count, row, "LIMIT");
    if (left <= 0) return;
    --left;
    push(next, row);
}

// The rows a SKIP / LIMIT step still skips or lets through: one count per step, or per
// outer row (the values of the `per` slots) inside a subquery; `count` is evaluated at the
// first row of each.
int64_t& Executor::remaining(size_t step, const std::vector<int>& per, const CExpr& count, Row& row,
                             const char* what) {
    Row key;
    key.reserve(per.size());
    for (int sl : per) key.push_back(row[static_cast<size_t>(sl)]);
    auto [it, fresh] = counters_[step].try_emplace(std::move(key), 0);
    if (fresh) it->second = count_arg(count, row, what);
    return it->second;
}

int64_t Executor::count_arg(const CExpr& count, Row& row, const char* what) {
    Value v = eval(count, row, eval_);
    if (!v.is_int())
        throw_semantic("SyntaxError", "InvalidArgumentType",
                       std::string(what) + " expects a non-negative integer, got " + v.to_string(),
                       ErrorPhase::Runtime);
    if (v.as_int() < 0)
        throw_semantic("SyntaxError", "NegativeIntegerArgument",
                       std::string(what) + " expects a non-negative integer, got " + v.to_string(),
                       ErrorPhase::Runtime);
    return v.as_int();
}

}  // namespace lora::exec
