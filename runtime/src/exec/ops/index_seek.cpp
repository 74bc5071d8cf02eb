// NodeIndexSeek: the candidate nodes of a label scan narrowed by a partition's property
// index. Whenever the index cannot answer exactly as the filters after it would (no index
// here, a value the index does not order, an error while computing the key), it falls back
// to the label scan and lets those filters decide, so results never depend on the index.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

#include <algorithm>

namespace lora::exec {

using plan::IndexSeek;
using storage::Catalog;

namespace {

// The lookups a seek makes for one row: none (nothing can match: comparing with null), or
// nullopt when the label scan must decide.
std::optional<std::vector<storage::IndexQuery>> lookups(const IndexSeek& k, Row& row,
                                                        const EvalEnv& env) {
    using Qs = std::vector<storage::IndexQuery>;
    storage::IndexQuery q;
    switch (k.mode) {
        case IndexSeek::Mode::Equal: {
            if (k.values.size() == 1) {  // the common case, without a one-element tuple
                Value v = eval(*k.values[0], row, env);
                if (v.is_null()) return Qs{};
                q.equal = std::move(v);
                return Qs{std::move(q)};
            }
            List tuple;
            for (const auto& e : k.values) {
                Value v = eval(*e, row, env);
                if (v.is_null()) return Qs{};
                tuple.push_back(std::move(v));
            }
            q.equal = tuple.size() == 1 ? std::move(tuple[0]) : Value(std::move(tuple));
            return Qs{std::move(q)};
        }
        case IndexSeek::Mode::In: {
            Value list = eval(*k.values.at(0), row, env);
            if (list.is_null()) return Qs{};
            if (!list.is_list()) return std::nullopt;  // the IN filter raises the type error
            Qs qs;
            for (const auto& x : list.as_list()) {
                if (x.is_null()) continue;
                qs.emplace_back().equal = x;
            }
            return qs;
        }
        case IndexSeek::Mode::Range: {
            if (k.lower) {
                Value v = eval(*k.lower, row, env);
                if (v.is_null()) return Qs{};
                q.lower = storage::IndexBound{std::move(v), k.lower_inclusive};
            }
            if (k.upper) {
                Value v = eval(*k.upper, row, env);
                if (v.is_null()) return Qs{};
                q.upper = storage::IndexBound{std::move(v), k.upper_inclusive};
            }
            if (q.lower && !storage::range_bound_ok(q.lower->value)) return std::nullopt;
            if (q.upper && !storage::range_bound_ok(q.upper->value)) return std::nullopt;
            if (q.lower && q.upper && !storage::same_range_class(q.lower->value, q.upper->value))
                return std::nullopt;
            return Qs{std::move(q)};
        }
    }
    return std::nullopt;
}

}  // namespace

const Executor::SeekIds* Executor::seek_ids(const plan::NodeIndexSeek& op, size_t step) {
    // Catalog ids never change once given, so one lookup per handler serves every row of
    // the batch (the catalog is shared and locked; this step runs once per row).
    auto cached = seek_ids_.find(step);
    if (cached == seek_ids_.end()) {
        SeekIds ids;
        auto label = env_.catalog->lookup(Catalog::Kind::Label, op.label);
        ids.found = label.has_value();
        if (label) ids.label = *label;
        for (const auto& p : op.seek->properties) {
            auto id = env_.catalog->lookup(Catalog::Kind::Key, p);
            if (!id)
                ids.found = false;
            else
                ids.keys.push_back(*id);
        }
        if (!ids.found) return nullptr;  // not cached: the name may be created later
        cached = seek_ids_.emplace(step, std::move(ids)).first;
    }
    return &cached->second;
}

void Executor::warm_seeks(const plan::NodeIndexSeek& op, size_t step, std::vector<Row>& rows) {
    if (op.seek->mode != IndexSeek::Mode::Equal || op.seek->values.size() != 1) return;
    const SeekIds* ids = seek_ids(op, step);
    if (!ids) return;
    std::vector<Value>& values = warm_values_;
    values.clear();
    for (auto& row : rows) {
        try {
            values.push_back(eval(*op.seek->values[0], row, eval_));
        } catch (const Error&) {
            // The row's own run meets the error again (and handles it).
        }
    }
    env_.part->prefetch_equal_seeks(ids->label, ids->keys, values);
    values.clear();
}

void Executor::index_seek(const plan::NodeIndexSeek& op, size_t step, Row& row) {
    if (!env_.part) internal("index seek outside a shard");
    const SeekIds* cached = seek_ids(op, step);
    if (!cached) return;  // no node has the label or a property: no filter can pass
    const uint32_t label = cached->label;
    const std::vector<uint32_t>& keys = cached->keys;
    std::optional<std::vector<storage::IndexQuery>> qs;
    try {
        qs = lookups(*op.seek, row, eval_);
    } catch (const Error&) {
        qs.reset();  // the filters meet the same error if any node reaches them
    }
    std::vector<uint64_t>& ids = seek_out_;
    ids.clear();
    bool seeked = false;
    // Whether every id found is known to pass the conjunct the seek took over (recheck).
    bool exact = true;
    if (qs) {
        seeked = true;
        for (const auto& q : *qs) {
            bool hit_exact = false;
            if (!env_.part->index_seek(label, keys, q, ids, &hit_exact)) {
                seeked = false;  // no such index here (dropped meanwhile): scan
                ids.clear();
                break;
            }
            exact = exact && hit_exact;
        }
        if (seeked && qs->size() > 1) {
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        }
    }
    if (!seeked) {
        exact = false;
        view().node_ids(label, ids);
    } else if (const storage::View v = view();
               v.hides() && env_.part->versions().has_node_versions()) {
        exact = false;
        // The index holds the present values. For this snapshot, nodes changed since (or by
        // uncommitted transactions) are candidates too, and the filters after the seek read
        // them as the snapshot sees them.
        std::erase_if(ids, [&](uint64_t id) { return !v.has_label(id, label); });
        env_.part->versions().for_each_versioned_node([&](uint64_t id) {
            if (v.has_label(id, label)) ids.push_back(id);
        });
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
    // Pushing may re-enter this step (a later seek of the same plan at this shard) and
    // reuse seek_out_: take the ids out first.
    if (ids.empty()) return;
    const CExpr* recheck = exact ? nullptr : op.seek->recheck.get();
    if (ids.size() == 1) {
        const uint64_t id = ids[0];
        row[static_cast<size_t>(op.slot)] = Value(Node{id, nullptr});
        if (recheck && !eval_predicate(*recheck, row, eval_)) return;
        push(step + 1, row);
        return;
    }
    std::vector<uint64_t> found = std::move(ids);
    ids = {};
    for (size_t i = 0; i < found.size(); ++i) {
        if (recheck) {
            row[static_cast<size_t>(op.slot)] = Value(Node{found[i], nullptr});
            if (!eval_predicate(*recheck, row, eval_)) continue;
            Row out = row;
            push(step + 1, out);
            continue;
        }
        Row out = (i + 1 == found.size()) ? std::move(row) : row;
        out[static_cast<size_t>(op.slot)] = Value(Node{found[i], nullptr});
        push(step + 1, out);
    }
}

}  // namespace lora::exec
