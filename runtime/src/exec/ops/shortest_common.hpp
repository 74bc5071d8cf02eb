// What the two shortest path searches share: the messages between the coordinator and the
// shards (shortest_path.cpp's shard side serves both) and how a found path becomes a row.
#pragma once

#include <lora/exec/executor.hpp>

#include <cstdint>

namespace lora::exec::shortest {

// The first elements of a request or reply in the `work` slot: its kind, the search's id and
// the side. A request lists node ids after them; a reply lists edges, kEdgeInts each.
constexpr int64_t kRequest = 0;       // to the shard of the nodes to expand
constexpr int64_t kReply = 1;         // their edges, back to the coordinator
constexpr int64_t kCheck = 2;         // edges to the shard of the nodes they reach, to check
constexpr int64_t kChecked = 3;       // the edges that passed, back to the coordinator
constexpr int64_t kTrailRequest = 4;  // kRequest of a trail search (shortest_k.cpp)
constexpr int64_t kTrailReply = 5;    // its reply
constexpr size_t kHeader = 3;
constexpr size_t kEdgeInts = 5;  // from node, relationship, type, other node, outgoing (0/1)

inline uint64_t id_at(const List& l, size_t i) { return static_cast<uint64_t>(l[i].as_int()); }

// `input` with the path (and the relationship variable) of `op` set to `p`.
inline Row path_row(const plan::ShortestPath& op, const Row& input, Path p) {
    Row out = input;
    if (op.rel >= 0) {
        if (op.rel_list) {
            List rels;
            for (const auto& r : p.rels) rels.push_back(Value(r));
            out[static_cast<size_t>(op.rel)] = Value(std::move(rels));
        } else {
            out[static_cast<size_t>(op.rel)] = Value(p.rels.front());
        }
    }
    if (op.path >= 0) out[static_cast<size_t>(op.path)] = Value(std::move(p));
    return out;
}

}  // namespace lora::exec::shortest
