// VarExpand: variable-length expansion. The row re-enters the step at the shard of its
// frontier node for each hop, carrying the relationships walked so far.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

#include <algorithm>

namespace lora::exec {

using plan::Step;
using storage::Catalog;

void Executor::var_expand(const Step& s, size_t step, Row& row) {
    auto at = [&](int slot) -> Value& { return row[static_cast<size_t>(slot)]; };
    if (at(s.aux_slot).is_null()) {
        // First entry: the frontier is the start node and the path is empty.
        const Value& from = at(s.slot);
        if (!from.is_node()) {
            if (from.is_null()) return;
            throw_type_error("InvalidArgumentType", "Expected a node to expand from");
        }
        at(s.aux_slot) = from;
        at(s.rel_slot) = Value(List{});
        if (s.min_hops == 0) {
            bool ok = !s.to_bound ||
                      (at(s.to_slot).is_node() && at(s.to_slot).as_node().id == from.as_node().id);
            if (ok) {
                Row out = row;
                if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = from;
                out[static_cast<size_t>(s.aux_slot)] = Value();
                push(step + 1, out);
            }
        }
        if (s.max_hops == 0) return;
        push(step, row);  // continue at the frontier's shard
        return;
    }
    if (!env_.part) internal("variable-length expand outside a shard");
    uint64_t frontier = at(s.aux_slot).as_node().id;
    const List& sofar = at(s.rel_slot).as_list();
    int64_t depth = static_cast<int64_t>(sofar.size()) + 1;
    std::vector<uint32_t> types;
    for (const auto& t : s.types)
        if (auto tid = env_.catalog->lookup(Catalog::Kind::Type, t)) types.push_back(*tid);
    if (!s.types.empty() && types.empty()) return;
    auto used = [&](uint64_t rel) {
        for (const auto& r : sofar)
            if (r.as_relationship().id == rel) return true;
        return false;
    };
    struct Hop {
        storage::Edge e;
        bool outgoing;
    };
    std::vector<Hop> hops;
    const storage::View view = this->view();
    auto consider = [&](bool outgoing, bool skip_loops) {
        view.for_each_edge(frontier, outgoing, [&](const storage::Edge& e) {
            if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end())
                return;
            if (skip_loops && e.other == frontier) return;
            if (used(e.rel)) return;
            hops.push_back({e, outgoing});
        });
    };
    if (s.dir != Direction::Incoming) consider(true, false);
    if (s.dir != Direction::Outgoing) consider(false, s.dir == Direction::Both);
    for (const auto& h : hops) {
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? frontier : h.e.other;
        r.end = h.outgoing ? h.e.other : frontier;
        List rels = sofar;
        rels.push_back(Value(std::move(r)));
        Value other = Value(Node{h.e.other, nullptr});
        if (depth >= s.min_hops && (s.max_hops < 0 || depth <= s.max_hops)) {
            bool ok =
                !s.to_bound || (at(s.to_slot).is_node() && at(s.to_slot).as_node().id == h.e.other);
            if (ok) {
                Row out = row;
                if (s.reversed) {
                    List in_order(rels.rbegin(), rels.rend());
                    out[static_cast<size_t>(s.rel_slot)] = Value(std::move(in_order));
                } else {
                    out[static_cast<size_t>(s.rel_slot)] = Value(rels);
                }
                if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = other;
                out[static_cast<size_t>(s.aux_slot)] = Value();
                push(step + 1, out);
            }
        }
        if (s.max_hops < 0 || depth < s.max_hops) {
            Row more = row;
            more[static_cast<size_t>(s.rel_slot)] = Value(std::move(rels));
            more[static_cast<size_t>(s.aux_slot)] = std::move(other);
            push(step, more);
        }
    }
}

}  // namespace lora::exec
