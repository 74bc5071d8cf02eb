// Expand: one hop from a node along its local adjacency lists, at the shard owning the
// node; into a bound target node or along a bound relationship it only checks.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

#include <algorithm>

namespace lora::exec {

using storage::Catalog;

void Executor::expand(const plan::Expand& op, size_t step, Row& row) {
    const Value& from = row[static_cast<size_t>(op.from)];
    if (!from.is_node()) {
        if (from.is_null()) return;
        throw_type_error("InvalidArgumentType", "Expected a node to expand from, got " +
                                                    std::string(kind_name(from.kind())));
    }
    if (!env_.part) internal("expand outside a shard");
    uint64_t id = from.as_node().id;
    std::vector<uint32_t> types;
    for (const auto& t : op.types) {
        auto tid = env_.catalog->lookup(Catalog::Kind::Type, t);
        if (tid) types.push_back(*tid);
    }
    if (!op.types.empty() && types.empty()) return;
    uint64_t want_to = 0, want_rel = 0;
    if (op.to_bound) {
        const Value& t = row[static_cast<size_t>(op.to)];
        if (!t.is_node()) return;
        want_to = t.as_node().id;
    }
    if (op.rel_bound) {
        const Value& r = row[static_cast<size_t>(op.rel)];
        if (!r.is_relationship()) return;
        want_rel = r.as_relationship().id;
    }
    struct Hit {
        storage::Edge e;
        bool outgoing;
    };
    std::vector<Hit> hits;
    const storage::View view = this->view();
    // A self-loop appears in both lists; it is one match when undirected.
    auto consider = [&](bool outgoing, bool skip_loops) {
        view.for_each_edge(id, outgoing, [&](const storage::Edge& e) {
            if (skip_loops && e.other == id) return;
            if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end())
                return;
            if (op.to_bound && e.other != want_to) return;
            if (op.rel_bound && e.rel != want_rel) return;
            hits.push_back({e, outgoing});
        });
    };
    if (op.dir != Direction::Incoming) consider(true, false);
    if (op.dir != Direction::Outgoing) consider(false, op.dir == Direction::Both);
    for (size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        Row out = (i + 1 == hits.size()) ? std::move(row) : row;
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? id : h.e.other;
        r.end = h.outgoing ? h.e.other : id;
        out[static_cast<size_t>(op.rel)] = Value(std::move(r));
        if (!op.to_bound) out[static_cast<size_t>(op.to)] = Value(Node{h.e.other, nullptr});
        push(step + 1, out);
    }
}

}  // namespace lora::exec
