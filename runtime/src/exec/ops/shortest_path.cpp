// ShortestPath: shortestPath / allShortestPaths between two bound nodes. The coordinator
// keeps each search (the nodes seen from either end, with their depth and parent links) and
// drives a bidirectional breadth-first search level by level: it sends the frontier of the
// smaller side, one request per shard, to the shards owning those nodes; each shard reads the
// nodes' adjacency in the transaction's snapshot and replies with the edges; once every reply
// of the level is in, the new nodes are checked against the other side's. The first level
// where the sides meet gives the shortest length; the paths are rebuilt from the parents.
// With predicates on the path's relationships or nodes, a level has a second round: the
// edges to new nodes go to those nodes' shards, which check the node and the relationships
// they own (a relationship lives at its start node's shard), and only the edges that pass
// are taken. SHORTEST k and the other selections over trails run in shortest_k.cpp on the
// same shard expansion.
#include <lora/exec/executor.hpp>
#include "exec/ops/shortest_common.hpp"
#include "exec/step_common.hpp"

#include <lora/storage/partition.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace lora::exec {

using storage::Catalog;
using namespace shortest;

namespace {

// A node reached by a side and the edges it was reached by at its depth (every one of them
// for allShortestPaths, the first one otherwise).
struct Parent {
    uint64_t node = 0;
    Relationship rel;
};
struct Visit {
    int64_t depth = 0;
    std::vector<Parent> parents;
};

// What a node first reached by a side holds: its entry in `seen` and in the next frontier.
constexpr uint64_t kVisitBytes = sizeof(Visit) + sizeof(uint64_t) * 2 + memory::kHashNodeBytes;

// One end of the search: side 0 walks from `from` along the pattern's direction, side 1 from
// `to` against it.
struct Side {
    std::unordered_map<uint64_t, Visit> seen;
    std::vector<uint64_t> frontier;  // the nodes at `depth`, to expand next
    int64_t depth = 0;
};

Direction reverse(Direction d) {
    if (d == Direction::Outgoing) return Direction::Incoming;
    if (d == Direction::Incoming) return Direction::Outgoing;
    return d;
}

// Neo4j's rule: a search from a node to itself finds nothing of length 1 or more.
[[noreturn]] void throw_common_end_nodes() {
    throw_semantic("SemanticError", "ShortestPathCommonEndNodes",
                   "Cannot find the shortest path when the start and end nodes are the same "
                   "(use a minimal length of 0, or a variable-length pattern ordered by length)",
                   ErrorPhase::Runtime);
}

// The walks from `v` back to the side's start, each as (relationship, node) steps starting
// with v's parent link; one walk unless `all`. Depth-first over an explicit stack: a path
// may be as long as the graph, more than an actor's stack holds in recursive calls.
std::vector<std::vector<Parent>> walks(const Side& side, uint64_t v, bool all) {
    struct Frame {
        const Visit* visit;
        size_t next = 0;  // the parent to follow next
    };
    std::vector<std::vector<Parent>> out;
    std::vector<Parent> cur;  // the steps to the node of each frame but the first
    std::vector<Frame> stack{{&side.seen.at(v)}};
    while (!stack.empty()) {
        Frame& f = stack.back();
        const std::vector<Parent>& parents = f.visit->parents;
        if (parents.empty()) out.push_back(cur);
        const size_t count = all ? parents.size() : std::min<size_t>(parents.size(), 1);
        if (f.next == count) {
            stack.pop_back();
            if (!cur.empty()) cur.pop_back();
            continue;
        }
        const Parent& p = parents[f.next++];
        cur.push_back(p);
        stack.push_back({&side.seen.at(p.node)});
    }
    return out;
}

}  // namespace

struct Executor::ShortestSearch {
    Row input;
    Side sides[2];
    int expanding = 0;   // the side whose level is being expanded
    size_t pending = 0;  // replies of the level's round still out
    std::vector<uint64_t> next;
    std::map<uint32_t, List> checks;  // edges to check, by the shard of the node they reach
    MemoryLease memory;               // what `sides` hold, in the query's memory
};

struct Executor::ShortestSearches {
    std::unordered_map<int64_t, ShortestSearch> by_id;
};

void Executor::shortest_path(const plan::ShortestPath& op, size_t step, Row& row) {
    const Value& work = row[static_cast<size_t>(op.work)];
    if (work.is_null()) {
        // A new input row: its search runs at the coordinator.
        if (env_.here >= 0) {
            env_.runtime->send_row(step, Dest{Dest::Kind::Coordinator, 0}, std::move(row));
            return;
        }
        shortest_start(op, step, row);
        return;
    }
    const int64_t kind = work.as_list()[0].as_int();
    if (kind == kRequest || kind == kTrailRequest)
        shortest_expand(op, step, row);
    else if (kind == kCheck)
        shortest_check(op, step, row);
    else if (kind == kTrailReply)
        trail_reply(op, step, row);
    else
        shortest_reply(op, step, row);
}

void Executor::shortest_start(const plan::ShortestPath& op, size_t step, Row& row) {
    const Value& from = row[static_cast<size_t>(op.from)];
    const Value& to = row[static_cast<size_t>(op.to)];
    if (from.is_null() || to.is_null()) return;
    if (!from.is_node() || !to.is_node())
        throw_type_error("InvalidArgumentType",
                         "shortestPath expects nodes at both ends, got " +
                             std::string(kind_name((from.is_node() ? to : from).kind())));
    const uint64_t a = from.as_node().id;
    const uint64_t b = to.as_node().id;
    if (trail_search(op, a, b)) {
        trail_start(op, step, row, a, b);
        return;
    }
    if (a == b) {
        if (op.min_hops > 0) throw_common_end_nodes();
        Row out = row;
        Path p;
        p.nodes.push_back(Node{a, nullptr});
        if (op.path >= 0) out[static_cast<size_t>(op.path)] = Value(std::move(p));
        if (op.rel >= 0) out[static_cast<size_t>(op.rel)] = Value(List{});
        push(step + 1, out);
        return;
    }
    if (!searches_) searches_ = std::make_shared<ShortestSearches>();
    const int64_t id = next_search_++;
    ShortestSearch& s = searches_->by_id[id];
    s.input = row;
    s.memory = MemoryLease(env_.memory);
    s.sides[0].seen[a] = Visit{};
    s.sides[0].frontier = {a};
    s.sides[1].seen[b] = Visit{};
    s.sides[1].frontier = {b};
    shortest_advance(op, step, id);
}

// Sends the next level's requests, or ends the search without a path when a side has nowhere
// left to go or the next level would pass the maximal length.
void Executor::shortest_send(const plan::ShortestPath& op, size_t step, int64_t kind, int64_t id,
                             int side, const std::vector<uint64_t>& nodes, size_t& pending) {
    std::map<uint32_t, List> by_shard;
    for (uint64_t n : nodes) {
        List& l = by_shard[shard_of(n)];
        if (l.empty()) {
            l.push_back(Value(kind));
            l.push_back(Value(id));
            l.push_back(Value(static_cast<int64_t>(side)));
        }
        l.push_back(Value(static_cast<int64_t>(n)));
    }
    pending = by_shard.size();
    for (auto& [shard, l] : by_shard) {
        Row req(static_cast<size_t>(env_.plan->slot_count));
        req[static_cast<size_t>(op.frontier)] = Value(Node{id_at(l, kHeader), nullptr});
        req[static_cast<size_t>(op.work)] = Value(std::move(l));
        push(step, req);
    }
}

void Executor::shortest_advance(const plan::ShortestPath& op, size_t step, int64_t id) {
    ShortestSearch& s = searches_->by_id.at(id);
    Side& a = s.sides[0];
    Side& b = s.sides[1];
    if ((op.max_hops >= 0 && a.depth + b.depth >= op.max_hops) || a.frontier.empty() ||
        b.frontier.empty()) {
        searches_->by_id.erase(id);
        return;
    }
    s.expanding = a.frontier.size() <= b.frontier.size() ? 0 : 1;
    s.next.clear();
    shortest_send(op, step, kRequest, id, s.expanding, s.sides[s.expanding].frontier, s.pending);
}

// At a shard: the edges of the requested nodes (all local) that the pattern may take, for
// either search.
void Executor::shortest_expand(const plan::ShortestPath& op, size_t step, Row& row) {
    if (!env_.part) internal("shortest path expansion outside a shard");
    const List& req = row[static_cast<size_t>(op.work)].as_list();
    const bool forward = req[2].as_int() == 0;
    const Direction dir = forward ? op.dir : reverse(op.dir);
    std::vector<uint32_t> types;
    for (const auto& t : op.types)
        if (auto tid = env_.catalog->lookup(Catalog::Kind::Type, t)) types.push_back(*tid);
    List reply{Value(req[0].as_int() == kTrailRequest ? kTrailReply : kReply), req[1], req[2]};
    Row scratch;
    if (op.types.empty() || !types.empty()) {
        const storage::View view = this->view();
        for (size_t i = kHeader; i < req.size(); ++i) {
            const uint64_t n = id_at(req, i);
            auto consider = [&](bool outgoing, bool skip_loops) {
                view.for_each_edge(n, outgoing, [&](const storage::Edge& e) {
                    if (skip_loops && e.other == n) return;
                    if (!types.empty() &&
                        std::find(types.begin(), types.end(), e.type) == types.end())
                        return;
                    // An outgoing relationship lives here: checked now. Incoming ones are
                    // checked at their start node's shard (shortest_check).
                    if (outgoing && op.rel_pred &&
                        !shortest_allows(op, *op.rel_pred, op.rel_var,
                                         Value(Relationship{e.rel, n, e.other, e.type, nullptr}),
                                         scratch))
                        return;
                    reply.push_back(Value(static_cast<int64_t>(n)));
                    reply.push_back(Value(static_cast<int64_t>(e.rel)));
                    reply.push_back(Value(static_cast<int64_t>(e.type)));
                    reply.push_back(Value(static_cast<int64_t>(e.other)));
                    reply.push_back(Value(static_cast<int64_t>(outgoing ? 1 : 0)));
                });
            };
            if (dir != Direction::Incoming) consider(true, false);
            if (dir != Direction::Outgoing) consider(false, dir == Direction::Both);
        }
    }
    Row out(static_cast<size_t>(env_.plan->slot_count));
    out[static_cast<size_t>(op.work)] = Value(std::move(reply));
    env_.runtime->send_row(step, Dest{Dest::Kind::Coordinator, 0}, std::move(out));
}

// Whether `pred` holds (is true) with `v` in slot `var`. `scratch` is a row to reuse.
bool Executor::shortest_allows(const plan::ShortestPath&, const CExpr& pred, int var, Value v,
                               Row& scratch) {
    if (scratch.empty()) scratch.resize(static_cast<size_t>(env_.plan->slot_count));
    scratch[static_cast<size_t>(var)] = std::move(v);
    const Value r = eval(pred, scratch, eval_);
    return r.is_bool() && r.as_bool();
}

// At the shard of the nodes some edges reach: the edges whose node (and relationship, when
// it starts at that node) pass the search's predicates.
void Executor::shortest_check(const plan::ShortestPath& op, size_t step, Row& row) {
    if (!env_.part) internal("shortest path check outside a shard");
    const List& req = row[static_cast<size_t>(op.work)].as_list();
    List reply{Value(kChecked), req[1], req[2]};
    Row scratch;
    std::unordered_map<uint64_t, bool> node_ok;
    for (size_t i = kHeader; i + kEdgeInts <= req.size(); i += kEdgeInts) {
        const uint64_t from = id_at(req, i);
        const uint64_t other = id_at(req, i + 3);
        if (op.node_pred) {
            auto [it, fresh] = node_ok.try_emplace(other, false);
            if (fresh)
                it->second = shortest_allows(op, *op.node_pred, op.node_var,
                                             Value(Node{other, nullptr}), scratch);
            if (!it->second) continue;
        }
        const bool outgoing = req[i + 4].as_int() != 0;
        if (!outgoing && op.rel_pred) {
            Relationship r{id_at(req, i + 1), other, from,
                           static_cast<uint32_t>(req[i + 2].as_int()), nullptr};
            if (!shortest_allows(op, *op.rel_pred, op.rel_var, Value(std::move(r)), scratch))
                continue;
        }
        reply.insert(reply.end(), req.begin() + static_cast<long>(i),
                     req.begin() + static_cast<long>(i + kEdgeInts));
    }
    Row out(static_cast<size_t>(env_.plan->slot_count));
    out[static_cast<size_t>(op.work)] = Value(std::move(reply));
    env_.runtime->send_row(step, Dest{Dest::Kind::Coordinator, 0}, std::move(out));
}

// At the coordinator: a shard's edges for the level under way (or, with predicates, first
// the edges to check, then those that passed).
void Executor::shortest_reply(const plan::ShortestPath& op, size_t step, Row& row) {
    const List& reply = row[static_cast<size_t>(op.work)].as_list();
    const int64_t id = reply[1].as_int();
    if (!searches_) internal("reply for an unknown search");
    auto found = searches_->by_id.find(id);
    if (found == searches_->by_id.end()) internal("reply for an unknown search");
    ShortestSearch& s = found->second;
    Side& side = s.sides[s.expanding];
    const int64_t depth = side.depth + 1;
    const bool screen = (op.rel_pred || op.node_pred) && reply[0].as_int() == kReply;
    for (size_t i = kHeader; i + kEdgeInts <= reply.size(); i += kEdgeInts) {
        const uint64_t from = id_at(reply, i);
        const uint64_t other = id_at(reply, i + 3);
        if (screen) {
            // Nodes seen before are nearer (or as near) already; the others get checked.
            if (side.seen.count(other)) continue;
            List& l = s.checks[shard_of(other)];
            if (l.empty()) l = {Value(kCheck), Value(id), Value(static_cast<int64_t>(s.expanding))};
            l.insert(l.end(), reply.begin() + static_cast<long>(i),
                     reply.begin() + static_cast<long>(i + kEdgeInts));
            continue;
        }
        auto [v, fresh] = side.seen.try_emplace(other);
        if (fresh) {
            v->second.depth = depth;
            s.next.push_back(other);
        } else if (v->second.depth != depth || !op.all) {
            continue;
        }
        s.memory.grow(sizeof(Parent) + (fresh ? kVisitBytes : 0), "the shortest-path search");
        Parent p;
        p.node = from;
        p.rel.id = id_at(reply, i + 1);
        p.rel.type_id = static_cast<uint32_t>(reply[i + 2].as_int());
        const bool outgoing = reply[i + 4].as_int() != 0;
        p.rel.start = outgoing ? from : other;
        p.rel.end = outgoing ? other : from;
        v->second.parents.push_back(std::move(p));
    }
    if (--s.pending > 0) return;
    if (screen && !s.checks.empty()) {
        s.pending = s.checks.size();
        for (auto& [shard, l] : s.checks) {
            Row req(static_cast<size_t>(env_.plan->slot_count));
            req[static_cast<size_t>(op.frontier)] = Value(Node{id_at(l, kHeader + 3), nullptr});
            req[static_cast<size_t>(op.work)] = Value(std::move(l));
            push(step, req);
        }
        s.checks.clear();
        return;
    }
    side.depth = depth;
    side.frontier = std::move(s.next);
    s.next = {};
    if (!shortest_finish(op, step, id)) shortest_advance(op, step, id);
}

// After a level: when the sides meet (true), emits the path(s) through the meeting nodes and ends
// the search. Every meeting node of the first level where the sides meet lies on a shortest
// path, and every shortest path passes exactly one of them (the node at the expanded side's
// depth), so the paths rebuilt through all of them are all the shortest paths, once each.
bool Executor::shortest_finish(const plan::ShortestPath& op, size_t step, int64_t id) {
    ShortestSearch& s = searches_->by_id.at(id);
    const Side& grown = s.sides[s.expanding];
    const Side& other = s.sides[1 - s.expanding];
    std::vector<uint64_t> meets;
    for (uint64_t v : grown.frontier)
        if (other.seen.count(v)) {
            meets.push_back(v);
            if (!op.all) break;
        }
    if (meets.empty()) return false;
    std::vector<Row> outs;
    for (uint64_t v : meets) {
        const std::vector<std::vector<Parent>> heads = walks(s.sides[0], v, op.all);
        const std::vector<std::vector<Parent>> tails = walks(s.sides[1], v, op.all);
        for (const auto& head : heads)
            for (const auto& tail : tails) {
                Path p;
                // head: v back to `from`; tail: v on to `to`.
                for (auto h = head.rbegin(); h != head.rend(); ++h) {
                    p.nodes.push_back(Node{h->node, nullptr});
                    p.rels.push_back(h->rel);
                }
                p.nodes.push_back(Node{v, nullptr});
                for (const Parent& t : tail) {
                    p.rels.push_back(t.rel);
                    p.nodes.push_back(Node{t.node, nullptr});
                }
                outs.push_back(path_row(op, s.input, std::move(p)));
                if (!op.all) break;
            }
        if (!op.all) break;
    }
    // The search ends before its rows go on (pushing may run further steps here).
    searches_->by_id.erase(id);
    for (auto& out : outs) push(step + 1, out);
    return true;
}

}  // namespace lora::exec
