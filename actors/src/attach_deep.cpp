// AttachDeep barriers: before the held rows go on, the data of every bare node and
// relationship in them is fetched (fetch_atom) from the shards that own it.
#include "query_actor_impl.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"

#include <algorithm>
#include <unordered_map>

namespace lora::actors::query_impl {

namespace {

// Every node / relationship reachable inside `v` (attached ones too: their data may be stale).
void collect_entities(const Value& v, std::vector<uint64_t>& nodes, std::vector<uint64_t>& rels) {
    switch (v.kind()) {
        case ValueKind::Node: nodes.push_back(v.as_node().id); break;
        case ValueKind::Relationship: rels.push_back(v.as_relationship().id); break;
        case ValueKind::List:
            for (const auto& x : v.as_list()) collect_entities(x, nodes, rels);
            break;
        case ValueKind::Map:
            for (const auto& [k, x] : v.as_map()) collect_entities(x, nodes, rels);
            break;
        case ValueKind::Path:
            for (const auto& n : v.as_path().nodes) nodes.push_back(n.id);
            for (const auto& r : v.as_path().rels) rels.push_back(r.id);
            break;
        default: break;
    }
}

struct Attached {
    std::unordered_map<uint64_t, Node> nodes;
    std::unordered_map<uint64_t, Relationship> rels;
};

Value substitute(const Value& v, const Attached& a) {
    switch (v.kind()) {
        case ValueKind::Node: {
            auto it = a.nodes.find(v.as_node().id);
            return it == a.nodes.end() || !it->second.data ? v : Value(it->second);
        }
        case ValueKind::Relationship: {
            auto it = a.rels.find(v.as_relationship().id);
            return it == a.rels.end() || !it->second.data ? v : Value(it->second);
        }
        case ValueKind::List: {
            List l;
            l.reserve(v.as_list().size());
            for (const auto& x : v.as_list()) l.push_back(substitute(x, a));
            return Value(std::move(l));
        }
        case ValueKind::Map: {
            Map m;
            for (const auto& [k, x] : v.as_map()) m.emplace(k, substitute(x, a));
            return Value(std::move(m));
        }
        case ValueKind::Path: {
            Path p = v.as_path();
            for (auto& n : p.nodes)
                if (auto it = a.nodes.find(n.id); it != a.nodes.end() && it->second.data)
                    n = it->second;
            for (auto& r : p.rels)
                if (auto it = a.rels.find(r.id); it != a.rels.end() && it->second.data)
                    r = it->second;
            return Value(std::move(p));
        }
        default: return v;
    }
}

}  // namespace

// Releases an AttachDeep barrier: fetches the data of every bare entity in the held rows
// from the owning shards, then lets the rows continue.
void attach_deep(QueryActor self, size_t step, std::vector<exec::Row> rows) {
    auto& st = self->state;
    const auto& s = std::get<plan::AttachDeep>(st.q->plan->steps[step].op);
    uint32_t count = static_cast<uint32_t>(st.q->engine->shards.size());
    std::vector<std::vector<uint64_t>> nodes(count), rels(count);
    {
        std::vector<uint64_t> n, r;
        for (const auto& row : rows)
            for (int sl : s.slots) collect_entities(row[static_cast<size_t>(sl)], n, r);
        std::sort(n.begin(), n.end());
        n.erase(std::unique(n.begin(), n.end()), n.end());
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        for (auto id : n) nodes[id % count].push_back(id);
        for (auto id : r) rels[id % count].push_back(id);
    }
    auto shared_rows = std::make_shared<std::vector<exec::Row>>(std::move(rows));
    auto attached = std::make_shared<Attached>();
    auto release = [self, step, shared_rows, attached] {
        auto& st = self->state;
        const auto& s = std::get<plan::AttachDeep>(st.q->plan->steps[step].op);
        guarded(self, [&] {
            for (auto& row : *shared_rows)
                for (int sl : s.slots)
                    row[static_cast<size_t>(sl)] =
                        substitute(row[static_cast<size_t>(sl)], *attached);
            st.ex->run_barrier(step, *shared_rows);
            flush(self);
        });
        check_done(self);
    };
    for (uint32_t i = 0; i < count; ++i) {
        if (nodes[i].empty() && rels[i].empty()) continue;
        ++st.book.fetching;
        Payload req = encode_fetch_request(nodes[i], rels[i]);
        self->request(st.q->engine->shards[i], caf::infinite, fetch_atom::value, req,
                      st.q->start_ts, st.q->txn)
            .then(
                [self, run = st.run, attached, release](const Payload& reply) {
                    auto& st = self->state;
                    if (st.run != run || st.book.finished) return;
                    if (st.failure) {
                        --st.book.fetching;
                        check_done(self);
                        return;
                    }
                    if (!guarded(self, [&] {
                            for (auto& v : decode_values(reply)) {
                                if (v.is_node())
                                    attached->nodes[v.as_node().id] = v.as_node();
                                else if (v.is_relationship())
                                    attached->rels[v.as_relationship().id] = v.as_relationship();
                            }
                        })) {
                        --st.book.fetching;
                        check_done(self);
                        return;
                    }
                    if (--st.book.fetching == 0) release();
                },
                [self, run = st.run](caf::error& err) {
                    if (self->state.run != run) return;
                    --self->state.book.fetching;
                    fail(self, errors::internal("fetching entity data failed: " +
                                                self->system().render(err)));
                    check_done(self);
                });
    }
    if (st.book.fetching == 0) release();
}

}  // namespace lora::actors::query_impl
