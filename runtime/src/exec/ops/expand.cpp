// Expand: one hop from a node along its local adjacency lists, at the shard owning the
// node; into a bound target node or along a bound relationship it only checks.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

#include <algorithm>

namespace lora::exec {

using plan::Step;
using storage::Catalog;

void Executor::expand(const Step& s, size_t step, Row& row) {
    const Value& from = row[static_cast<size_t>(s.slot)];
    if (!from.is_node()) {
        if (from.is_null()) return;
        throw_type_error("InvalidArgumentType", "Expected a node to expand from, got " +
                                                    std::string(kind_name(from.kind())));
    }
    if (!env_.part) internal("expand outside a shard");
    uint64_t id = from.as_node().id;
    std::vector<uint32_t> types;
    for (const auto& t : s.types) {
        auto tid = env_.catalog->lookup(Catalog::Kind::Type, t);
        if (tid) types.push_back(*tid);
    }
    if (!s.types.empty() && types.empty()) return;
    uint64_t want_to = 0, want_rel = 0;
    if (s.to_bound) {
        const Value& t = row[static_cast<size_t>(s.to_slot)];
        if (!t.is_node()) return;
        want_to = t.as_node().id;
    }
    if (s.rel_bound) {
        const Value& r = row[static_cast<size_t>(s.rel_slot)];
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
            if (s.to_bound && e.other != want_to) return;
            if (s.rel_bound && e.rel != want_rel) return;
            hits.push_back({e, outgoing});
        });
    };
    if (s.dir != Direction::Incoming) consider(true, false);
    if (s.dir != Direction::Outgoing) consider(false, s.dir == Direction::Both);
    for (size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        Row out = (i + 1 == hits.size()) ? std::move(row) : row;
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? id : h.e.other;
        r.end = h.outgoing ? h.e.other : id;
        out[static_cast<size_t>(s.rel_slot)] = Value(std::move(r));
        if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = Value(Node{h.e.other, nullptr});
        push(step + 1, out);
    }
}

}  // namespace lora::exec
