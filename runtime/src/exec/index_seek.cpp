// NodeIndexSeek: the candidate nodes of a label scan narrowed by a partition's property
// index. Whenever the index cannot answer exactly as the filters after it would (no index
// here, a value the index does not order, an error while computing the key), it falls back
// to the label scan and lets those filters decide, so results never depend on the index.
#include "exec/executor.hpp"

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

void Executor::index_seek(const plan::Step& s, size_t step, Row& row) {
    if (!env_.part)
        throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "Internal",
                    "internal: index seek outside a shard");
    auto label = env_.catalog->lookup(Catalog::Kind::Label, s.labels.at(0));
    if (!label) return;
    std::optional<std::vector<uint64_t>> ids;
    std::optional<std::vector<storage::IndexQuery>> qs;
    try {
        qs = lookups(*s.seek, row, eval_);
    } catch (const Error&) {
        qs.reset();  // the filters meet the same error if any node reaches them
    }
    if (qs) {
        std::vector<uint32_t> keys;
        for (const auto& p : s.seek->properties) {
            auto id = env_.catalog->lookup(Catalog::Kind::Key, p);
            if (!id) return;  // no node has the property: no filter can pass
            keys.push_back(*id);
        }
        ids.emplace();
        for (const auto& q : *qs) {
            auto some = env_.part->index_seek(*label, keys, q);
            if (!some) {
                ids.reset();  // no such index here (dropped meanwhile): scan
                break;
            }
            ids->insert(ids->end(), some->begin(), some->end());
        }
        if (ids && qs->size() > 1) {
            std::sort(ids->begin(), ids->end());
            ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
        }
    }
    if (!ids) {
        ids.emplace();
        view().node_ids(*label, *ids);
    } else if (const storage::View v = view();
               v.hides() && env_.part->versions().has_node_versions()) {
        // The index holds the present values. For this snapshot, nodes changed since (or by
        // uncommitted transactions) are candidates too, and the filters after the seek read
        // them as the snapshot sees them.
        std::erase_if(*ids, [&](uint64_t id) { return !v.has_label(id, *label); });
        env_.part->versions().for_each_versioned_node([&](uint64_t id) {
            if (v.has_label(id, *label)) ids->push_back(id);
        });
        std::sort(ids->begin(), ids->end());
        ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    for (size_t i = 0; i < ids->size(); ++i) {
        Row out = (i + 1 == ids->size()) ? std::move(row) : row;
        out[static_cast<size_t>(s.slot)] = Value(Node{(*ids)[i], nullptr});
        push(step + 1, out);
    }
}

}  // namespace lora::exec
