// VarExpand: variable-length expansion. The row re-enters the step at the shard of its
// frontier node for each hop, carrying the relationships walked so far.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

#include <algorithm>

namespace lora::exec {

using storage::Catalog;

void Executor::var_expand(const plan::VarExpand& op, size_t step, Row& row) {
    auto at = [&](int slot) -> Value& { return row[static_cast<size_t>(slot)]; };
    if (at(op.frontier).is_null()) {
        // First entry: the frontier is the start node and the path is empty.
        const Value& from = at(op.from);
        if (!from.is_node()) {
            if (from.is_null()) return;
            throw_type_error("InvalidArgumentType", "Expected a node to expand from");
        }
        at(op.frontier) = from;
        at(op.rel) = Value(List{});
        if (op.min_hops == 0) {
            bool ok = !op.to_bound ||
                      (at(op.to).is_node() && at(op.to).as_node().id == from.as_node().id);
            if (ok) {
                Row out = row;
                if (!op.to_bound) out[static_cast<size_t>(op.to)] = from;
                out[static_cast<size_t>(op.frontier)] = Value();
                push(step + 1, out);
            }
        }
        if (op.max_hops == 0) return;
        push(step, row);  // continue at the frontier's shard
        return;
    }
    if (!env_.part) internal("variable-length expand outside a shard");
    uint64_t frontier = at(op.frontier).as_node().id;
    const List& sofar = at(op.rel).as_list();
    int64_t depth = static_cast<int64_t>(sofar.size()) + 1;
    std::vector<uint32_t> types;
    for (const auto& t : op.types)
        if (auto tid = env_.catalog->lookup(Catalog::Kind::Type, t)) types.push_back(*tid);
    if (!op.types.empty() && types.empty()) return;
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
    if (op.dir != Direction::Incoming) consider(true, false);
    if (op.dir != Direction::Outgoing) consider(false, op.dir == Direction::Both);
    for (const auto& h : hops) {
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? frontier : h.e.other;
        r.end = h.outgoing ? h.e.other : frontier;
        List rels = sofar;
        rels.push_back(Value(std::move(r)));
        Value other = Value(Node{h.e.other, nullptr});
        if (depth >= op.min_hops && (op.max_hops < 0 || depth <= op.max_hops)) {
            bool ok = !op.to_bound || (at(op.to).is_node() && at(op.to).as_node().id == h.e.other);
            if (ok) {
                Row out = row;
                if (op.reversed) {
                    List in_order(rels.rbegin(), rels.rend());
                    out[static_cast<size_t>(op.rel)] = Value(std::move(in_order));
                } else {
                    out[static_cast<size_t>(op.rel)] = Value(rels);
                }
                if (!op.to_bound) out[static_cast<size_t>(op.to)] = other;
                out[static_cast<size_t>(op.frontier)] = Value();
                push(step + 1, out);
            }
        }
        if (op.max_hops < 0 || depth < op.max_hops) {
            Row more = row;
            more[static_cast<size_t>(op.rel)] = Value(std::move(rels));
            more[static_cast<size_t>(op.frontier)] = std::move(other);
            push(step, more);
        }
    }
}

}  // namespace lora::exec
