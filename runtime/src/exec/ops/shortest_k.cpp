// The trail search: SHORTEST k and ANY k with k > 1, SHORTEST k GROUPS, and the selections
// the node-level search (shortest_path.cpp) cannot make: a minimal length above 1, a cycle
// from a node back to itself. Paths are trails, as in Neo4j 5's quantified path patterns:
// no relationship twice (nodes may repeat).
//
// The coordinator drives the same bidirectional search, level by level, with the same shard
// expansion (kTrailRequest / kTrailReply), but keeps walks rather than first visits: layer d
// of a side maps every node a walk of length d from its end reaches to the links it was
// reached by. A path of length d0 + d1 passes exactly one node at position d0 from the start,
// which is in layer d0 of side 0 and in layer d1 of side 1, so after each level the paths of
// the new length are rebuilt through the nodes both sides' last layers hold, keeping those
// that take no relationship twice; shortest lengths come first, and the search stops once k
// paths (GROUPS: k lengths) are out. A side whose depth passes the number of relationships it
// has reached can form no longer trail, which ends searches where fewer paths exist. The
// links kept and the rebuilding steps count against kMaxTrailSearchWork.
#include <lora/exec/executor.hpp>
#include "exec/ops/shortest_common.hpp"
#include "exec/step_common.hpp"

#include <unordered_map>
#include <unordered_set>

namespace lora::exec {

using namespace shortest;

namespace {

// A node reached from `node` (one layer nearer the side's end) over relationship `rel`; 24
// bytes, as a search may keep a million of them.
struct Link {
    uint64_t node = 0;
    uint64_t rel = 0;
    uint32_t type = 0;
    bool outgoing = false;  // `rel` starts at `node`

    Relationship relationship(uint64_t reached) const {
        return Relationship{rel, outgoing ? node : reached, outgoing ? reached : node, type,
                            nullptr};
    }
};

// Layer d of a side: each node a walk of length d reaches, with the links it was reached by
// from layer d - 1 (none in layer 0).
using Layer = std::unordered_map<uint64_t, std::vector<Link>>;

struct TrailSide {
    std::vector<Layer> layers;
    std::unordered_set<uint64_t> rels;  // every relationship the side has reached
    int64_t depth() const { return static_cast<int64_t>(layers.size()) - 1; }
};

struct TrailSearch {
    Row input;
    TrailSide sides[2];  // 0 walks from `from` along the pattern's direction, 1 from `to` against
    int expanding = 0;
    size_t pending = 0;  // replies of the level still out
    Layer next;          // the level being built
    int64_t found = 0;   // paths selected (GROUPS: lengths that had a path)
    size_t work = 0;     // links kept and rebuilding steps, at most kMaxTrailSearchWork
    MemoryLease memory;  // what the layers hold, in the query's memory
};

}  // namespace

struct Executor::TrailSearches {
    std::unordered_map<int64_t, TrailSearch> by_id;

    // Ends the search and fails the query: it would do more than kMaxTrailSearchWork.
    [[noreturn]] void too_large(int64_t id) {
        by_id.erase(id);
        throw_semantic("SemanticError", "ShortestPathSearchTooLarge",
                       "SHORTEST k: the search for the paths between two nodes would take more "
                       "than " +
                           std::to_string(kMaxTrailSearchWork) +
                           " steps (lora::exec::kMaxTrailSearchWork); bound the pattern's "
                           "length or ask for fewer paths",
                       ErrorPhase::Runtime);
    }
    void charge(int64_t id, TrailSearch& s, size_t n) {
        s.work += n;
        if (s.work > kMaxTrailSearchWork) too_large(id);
        s.memory.grow(n * (sizeof(Link) + memory::kHashNodeBytes), "the shortest-path search");
    }
};

bool Executor::trail_search(const plan::ShortestPath& op, uint64_t from, uint64_t to) {
    return op.selector && (op.k != 1 || op.min_hops > 1 || (from == to && op.min_hops > 0));
}

void Executor::trail_start(const plan::ShortestPath& op, size_t step, const Row& row, uint64_t from,
                           uint64_t to) {
    // Selectors filter with their MATCH's WHERE after the selection: no search predicates.
    if (op.rel_pred || op.node_pred) internal("a trail search with search predicates");
    if (!trails_) trails_ = std::make_shared<TrailSearches>();
    const int64_t id = next_search_++;
    TrailSearch& s = trails_->by_id[id];
    s.input = row;
    s.memory = MemoryLease(env_.memory);
    s.sides[0].layers.push_back(Layer{{from, {}}});
    s.sides[1].layers.push_back(Layer{{to, {}}});
    trail_advance(op, step, id);
}

// After a level (or at the start): selects the paths of the new length, then ends the search
// or sends the next level's requests for the side with the smaller frontier.
void Executor::trail_advance(const plan::ShortestPath& op, size_t step, int64_t id) {
    std::vector<Row> out;
    trail_select(op, id, out);
    TrailSearch& s = trails_->by_id.at(id);
    const TrailSide& a = s.sides[0];
    const TrailSide& b = s.sides[1];
    const bool done = s.found >= op.k ||
                      (op.max_hops >= 0 && a.depth() + b.depth() >= op.max_hops) ||
                      a.layers.back().empty() || b.layers.back().empty() ||
                      a.depth() > static_cast<int64_t>(a.rels.size()) ||
                      b.depth() > static_cast<int64_t>(b.rels.size());
    if (done) {
        trails_->by_id.erase(id);
    } else {
        s.expanding = a.layers.back().size() <= b.layers.back().size() ? 0 : 1;
        std::vector<uint64_t> frontier;
        frontier.reserve(s.sides[s.expanding].layers.back().size());
        for (const auto& [n, links] : s.sides[s.expanding].layers.back()) frontier.push_back(n);
        shortest_send(op, step, kTrailRequest, id, s.expanding, frontier, s.pending);
    }
    for (auto& r : out) push(step + 1, r);
}

// At the coordinator: a shard's edges for the level under way, added to the next layer.
void Executor::trail_reply(const plan::ShortestPath& op, size_t step, Row& row) {
    const List& reply = row[static_cast<size_t>(op.work)].as_list();
    const int64_t id = reply[1].as_int();
    if (!trails_) internal("reply for an unknown trail search");
    auto found = trails_->by_id.find(id);
    if (found == trails_->by_id.end()) internal("reply for an unknown trail search");
    TrailSearch& s = found->second;
    TrailSide& side = s.sides[s.expanding];
    const Layer& last = side.layers.back();
    // A node every walk reached over the same relationship cannot go back over it (no trail
    // does); the edges of one node come together in a reply.
    uint64_t at = 0;
    const Link* came_by = nullptr;
    for (size_t i = kHeader; i + kEdgeInts <= reply.size(); i += kEdgeInts) {
        const uint64_t from = id_at(reply, i);
        if (i == kHeader || from != at) {
            at = from;
            came_by = nullptr;
            const std::vector<Link>& links = last.at(from);
            if (!links.empty()) {
                came_by = &links.front();
                for (const Link& l : links)
                    if (l.rel != came_by->rel) {
                        came_by = nullptr;
                        break;
                    }
            }
        }
        const uint64_t rel = id_at(reply, i + 1);
        if (came_by && came_by->rel == rel) continue;
        s.next[id_at(reply, i + 3)].push_back(Link{
            from, rel, static_cast<uint32_t>(reply[i + 2].as_int()), reply[i + 4].as_int() != 0});
        side.rels.insert(rel);
        trails_->charge(id, s, 1);
    }
    if (--s.pending > 0) return;
    side.layers.push_back(std::move(s.next));
    s.next = {};
    trail_advance(op, step, id);
}

// The trails of length d0 + d1 (the sides' depths) through the nodes both last layers hold,
// as rows into `out`: all of them for GROUPS, else up to the k not selected yet. Each trail is
// rebuilt by a depth-first walk over the links, side 0's from the meeting node back to
// `from`, then side 1's on to `to`, skipping a link whose relationship the trail has taken.
void Executor::trail_select(const plan::ShortestPath& op, int64_t id, std::vector<Row>& out) {
    TrailSearch& s = trails_->by_id.at(id);
    const int64_t d0 = s.sides[0].depth();
    const int64_t d1 = s.sides[1].depth();
    const int64_t length = d0 + d1;
    if (length < op.min_hops) return;
    const Layer& heads = s.sides[0].layers.back();
    const Layer& tails = s.sides[1].layers.back();
    const Layer& fewer = heads.size() <= tails.size() ? heads : tails;
    const Layer& more = heads.size() <= tails.size() ? tails : heads;
    const size_t before = out.size();
    auto enough = [&] {
        return !op.groups && static_cast<int64_t>(out.size() - before) >= op.k - s.found;
    };
    // The links of the trail being built, by position from the meeting node: positions
    // [0, d0) lead back to `from`, [d0, length) on to `to`.
    const size_t n = static_cast<size_t>(length);
    std::vector<const Link*> chosen(n, nullptr);
    std::vector<size_t> tried(n + 1, 0);
    std::unordered_set<uint64_t> used;
    for (const auto& entry : fewer) {
        const uint64_t v = entry.first;
        if (enough()) break;
        if (!more.count(v)) continue;
        auto node_at = [&](size_t i) {
            return (i == 0 || i == static_cast<size_t>(d0)) ? v : chosen[i - 1]->node;
        };
        auto links_at = [&](size_t i) -> const std::vector<Link>& {
            const bool head = i < static_cast<size_t>(d0);
            const TrailSide& side = s.sides[head ? 0 : 1];
            const size_t depth = head ? static_cast<size_t>(d0) - i : n - i;
            return side.layers[depth].at(node_at(i));
        };
        size_t i = 0;
        tried[0] = 0;
        while (true) {
            if (i == n) {
                Path p;
                for (size_t j = static_cast<size_t>(d0); j-- > 0;) {
                    p.nodes.push_back(Node{chosen[j]->node, nullptr});
                    p.rels.push_back(chosen[j]->relationship(node_at(j)));
                }
                p.nodes.push_back(Node{v, nullptr});
                for (size_t j = static_cast<size_t>(d0); j < n; ++j) {
                    p.rels.push_back(chosen[j]->relationship(node_at(j)));
                    p.nodes.push_back(Node{chosen[j]->node, nullptr});
                }
                trails_->charge(id, s, n + 1);
                out.push_back(path_row(op, s.input, std::move(p)));
                if (enough() || n == 0) break;
                --i;
                used.erase(chosen[i]->rel);
                continue;
            }
            const std::vector<Link>& links = links_at(i);
            bool deeper = false;
            while (tried[i] < links.size()) {
                const Link& l = links[tried[i]++];
                trails_->charge(id, s, 1);
                if (used.insert(l.rel).second) {
                    chosen[i] = &l;
                    tried[++i] = 0;
                    deeper = true;
                    break;
                }
            }
            if (deeper) continue;
            if (i == 0) break;
            --i;
            used.erase(chosen[i]->rel);
        }
        used.clear();
    }
    const int64_t selected = static_cast<int64_t>(out.size() - before);
    s.found += op.groups ? (selected > 0 ? 1 : 0) : selected;
}

}  // namespace lora::exec
