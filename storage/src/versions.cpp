// Kept versions of one partition and the snapshot view that reads through them.
#include <lora/storage/versions.hpp>

#include <algorithm>

namespace lora::storage {

namespace {

template <typename Chain>
void erase_txn(Chain& chain, uint64_t txn) {
    chain.erase(std::remove_if(
                    chain.begin(), chain.end(),
                    [&](const auto& v) { return v.txn == txn && v.ts == VersionStore::kPending; }),
                chain.end());
}

template <typename Chain>
void stamp_txn(Chain& chain, uint64_t txn, uint64_t ts) {
    for (auto& v : chain)
        if (v.txn == txn && v.ts == VersionStore::kPending) v.ts = ts;
}

template <typename Chain>
void collect_chain(Chain& chain, uint64_t horizon) {
    chain.erase(std::remove_if(chain.begin(), chain.end(),
                               [&](const auto& v) {
                                   return v.ts != VersionStore::kPending && v.ts <= horizon;
                               }),
                chain.end());
}

const Value* find_property(const std::vector<Property>& props, uint32_t key) {
    auto it = std::lower_bound(props.begin(), props.end(), key,
                               [](const Property& p, uint32_t k) { return p.key < k; });
    return it != props.end() && it->key == key ? &it->value : nullptr;
}

}  // namespace

// ---- VersionStore

bool VersionStore::IdList::contains(uint64_t id) const {
    if (ids.empty() || (sorted && (id < ids.front() || id > ids.back()))) return false;
    if (!sorted) {
        std::sort(ids.begin(), ids.end());
        sorted = true;
    }
    return std::binary_search(ids.begin(), ids.end(), id);
}

VersionStore::Touched& VersionStore::touched(uint64_t txn) {
    if (last_touched_ && last_txn_ == txn) return *last_touched_;
    last_txn_ = txn;
    last_touched_ = &pending_[txn];
    return *last_touched_;
}

size_t VersionStore::version_count() const {
    size_t n = 0;
    auto created = [&](const Touched& t) {
        n += t.created_rels.ids.size() + t.created_in.ids.size();
    };
    for (const auto& [txn, t] : pending_) created(t);
    for (const auto& [ts, t] : committed_) created(t);
    for (const auto& [id, c] : nodes_) n += c.size();
    for (const auto& [id, c] : rels_) n += c.size();
    for (const auto& [id, c] : edges_) n += c.size();
    return n;
}

template <typename Image>
bool VersionStore::has_pending(const Chains<Image>& chains, uint64_t id, uint64_t txn) {
    auto it = chains.find(id);
    if (it == chains.end() || it->second.empty()) return false;
    const auto& last = it->second.back();
    return last.txn == txn && last.ts == kPending;
}

void VersionStore::before_node_change(const Partition& p, uint64_t node, uint64_t txn) {
    if (has_pending(nodes_, node, txn)) return;
    NodeImage img;
    img.exists = p.node_exists(node);
    if (img.exists) {
        auto ls = p.labels(node);
        img.labels.assign(ls.begin(), ls.end());
        auto ps = p.node_properties(node);
        img.props.assign(ps.begin(), ps.end());
    }
    nodes_[node].push_back({kPending, txn, std::move(img)});
    touched(txn).nodes.push_back(node);
}

void VersionStore::node_created(uint64_t node, uint64_t txn) {
    if (has_pending(nodes_, node, txn)) return;
    nodes_[node].push_back({kPending, txn, NodeImage{}});
    touched(txn).nodes.push_back(node);
}

void VersionStore::before_rel_change(const Partition& p, uint64_t rel, uint64_t txn) {
    if (has_pending(rels_, rel, txn)) return;
    // Created by txn: every other snapshot finds it absent through the created list.
    if (auto it = pending_.find(txn); it != pending_.end() && it->second.created_rels.contains(rel))
        return;
    RelImage img;
    if (auto info = p.relationship(rel)) {
        img.exists = true;
        img.start = info->start;
        img.end = info->end;
        img.type = info->type;
        auto ps = p.rel_properties(rel);
        img.props.assign(ps.begin(), ps.end());
    }
    rels_[rel].push_back({kPending, txn, std::move(img)});
    touched(txn).rels.push_back(rel);
}

void VersionStore::rel_created(uint64_t rel, uint64_t txn) { touched(txn).created_rels.add(rel); }

void VersionStore::in_edge_created(uint64_t rel, uint64_t txn) { touched(txn).created_in.add(rel); }

void VersionStore::edge_changed(uint64_t node, const Edge& e, bool outgoing, bool added,
                                uint64_t txn) {
    // An entry added and removed again by the same transaction was never seen by anybody.
    if (!added) {
        if (auto it = pending_.find(txn); it != pending_.end()) {
            const IdList& created = outgoing ? it->second.created_rels : it->second.created_in;
            if (created.contains(e.rel)) return;
        }
    }
    auto& marks = edges_[node];
    if (!added) {
        for (auto it = marks.begin(); it != marks.end(); ++it) {
            if (it->added && it->rel == e.rel && it->outgoing == outgoing && it->txn == txn &&
                it->ts == kPending) {
                marks.erase(it);
                if (marks.empty()) edges_.erase(node);
                return;
            }
        }
    }
    marks.push_back({e.rel, e.other, e.type, outgoing, added, kPending, txn});
    touched(txn).edge_nodes.push_back(node);
}

void VersionStore::commit(uint64_t txn, uint64_t ts) {
    auto it = pending_.find(txn);
    if (it == pending_.end()) return;
    Touched t = std::move(it->second);
    pending_.erase(it);
    last_touched_ = nullptr;
    for (uint64_t id : t.nodes)
        if (auto c = nodes_.find(id); c != nodes_.end()) stamp_txn(c->second, txn, ts);
    for (uint64_t id : t.rels)
        if (auto c = rels_.find(id); c != rels_.end()) stamp_txn(c->second, txn, ts);
    for (uint64_t id : t.edge_nodes)
        if (auto c = edges_.find(id); c != edges_.end()) stamp_txn(c->second, txn, ts);
    committed_.emplace_back(ts, std::move(t));
    newest_commit_ = std::max(newest_commit_, ts);
}

void VersionStore::abort(uint64_t txn) {
    auto it = pending_.find(txn);
    if (it == pending_.end()) return;
    Touched t = std::move(it->second);
    pending_.erase(it);
    last_touched_ = nullptr;
    auto drop = [&](auto& chains, const std::vector<uint64_t>& ids) {
        for (uint64_t id : ids) {
            auto c = chains.find(id);
            if (c == chains.end()) continue;
            erase_txn(c->second, txn);
            if (c->second.empty()) chains.erase(c);
        }
    };
    drop(nodes_, t.nodes);
    drop(rels_, t.rels);
    drop(edges_, t.edge_nodes);
}

void VersionStore::collect(uint64_t horizon) {
    auto drop = [&](auto& chains, const std::vector<uint64_t>& ids) {
        for (uint64_t id : ids) {
            auto c = chains.find(id);
            if (c == chains.end()) continue;
            collect_chain(c->second, horizon);
            if (c->second.empty()) chains.erase(c);
        }
    };
    // Commits reach a shard nearly in timestamp order; one that is out of order only waits
    // for the ones in front of it.
    while (!committed_.empty() && committed_.front().first <= horizon) {
        Touched& t = committed_.front().second;
        drop(nodes_, t.nodes);
        drop(rels_, t.rels);
        drop(edges_, t.edge_nodes);
        committed_.pop_front();
    }
}

template <typename Image>
const Image* VersionStore::image_at(const Chains<Image>& chains, uint64_t id, Snap s) {
    auto it = chains.find(id);
    if (it == chains.end()) return nullptr;
    // Oldest first: the first change s does not see holds the state s sees.
    for (const auto& v : it->second)
        if (hidden(v.ts, v.txn, s)) return &v.image;
    return nullptr;
}

const VersionStore::NodeImage* VersionStore::node_at(uint64_t node, Snap s) const {
    return image_at(nodes_, node, s);
}

const VersionStore::RelImage* VersionStore::rel_at(uint64_t rel, Snap s) const {
    return image_at(rels_, rel, s);
}

const std::vector<VersionStore::EdgeMark>* VersionStore::edge_marks(uint64_t node) const {
    auto it = edges_.find(node);
    return it == edges_.end() ? nullptr : &it->second;
}

bool VersionStore::hides_created(Snap s) const {
    auto any = [](const Touched& t) {
        return !t.created_rels.ids.empty() || !t.created_in.ids.empty();
    };
    for (const auto& [txn, t] : pending_)
        if (txn != s.txn && any(t)) return true;
    for (const auto& [ts, t] : committed_)
        if (ts > s.ts && any(t)) return true;
    return false;
}

bool VersionStore::created_hidden(uint64_t rel, bool outgoing, Snap s) const {
    auto in = [&](const Touched& t) {
        return (outgoing ? t.created_rels : t.created_in).contains(rel);
    };
    for (const auto& [txn, t] : pending_)
        if (txn != s.txn && in(t)) return true;
    for (const auto& [ts, t] : committed_)
        if (ts > s.ts && in(t)) return true;
    return false;
}

// ---- View

const VersionStore::RelImage View::kNotCreated{};

bool View::node_exists(uint64_t node) const {
    if (auto img = node_image(node)) return img->exists;
    return p_.node_exists(node);
}

bool View::has_label(uint64_t node, uint32_t label) const {
    if (auto img = node_image(node))
        return img->exists &&
               std::find(img->labels.begin(), img->labels.end(), label) != img->labels.end();
    return p_.has_label(node, label);
}

std::span<const uint32_t> View::labels(uint64_t node) const {
    if (auto img = node_image(node)) return img->labels;
    return p_.labels(node);
}

const Value* View::node_property(uint64_t node, uint32_t key) const {
    if (auto img = node_image(node)) return img->exists ? find_property(img->props, key) : nullptr;
    return p_.node_property(node, key);
}

std::span<const Property> View::node_properties(uint64_t node) const {
    if (auto img = node_image(node)) return img->props;
    return p_.node_properties(node);
}

bool View::relationship_exists(uint64_t rel) const {
    if (auto img = rel_image(rel)) return img->exists;
    return p_.relationship_exists(rel);
}

std::optional<Partition::RelInfo> View::relationship(uint64_t rel) const {
    if (auto img = rel_image(rel)) {
        if (!img->exists) return std::nullopt;
        return Partition::RelInfo{img->start, img->end, img->type};
    }
    return p_.relationship(rel);
}

const Value* View::rel_property(uint64_t rel, uint32_t key) const {
    if (auto img = rel_image(rel)) return img->exists ? find_property(img->props, key) : nullptr;
    return p_.rel_property(rel, key);
}

std::span<const Property> View::rel_properties(uint64_t rel) const {
    if (auto img = rel_image(rel)) return img->props;
    return p_.rel_properties(rel);
}

std::shared_ptr<const NodeData> View::node_data(uint64_t node) const {
    auto img = node_image(node);
    if (!img) return p_.node_data(node);
    if (!img->exists) return nullptr;
    return p_.make_node_data(img->labels, img->props);
}

std::shared_ptr<const RelData> View::rel_data(uint64_t rel) const {
    auto img = rel_image(rel);
    if (!img) return p_.rel_data(rel);
    if (!img->exists) return nullptr;
    return p_.make_rel_data(img->type, img->props);
}

namespace {

// Turns out[first..] - the present ids, ascending - into what a snapshot sees: `image(id)`
// is the kept state the snapshot reads (nullptr: the present one), `sees(image)` whether
// the snapshot finds the entity there, `present(id)` whether the present state has it.
// Present ids the snapshot does not see drop out; versioned ids it sees but the present
// lacks come in; the order stays ascending.
template <typename Image, typename ForEachVersioned, typename Sees, typename Present>
void to_snapshot(std::vector<uint64_t>& out, size_t first, Image&& image,
                 ForEachVersioned&& for_each_versioned, Sees&& sees, Present&& present) {
    const auto begin = out.begin() + static_cast<std::ptrdiff_t>(first);
    out.erase(std::remove_if(begin, out.end(),
                             [&](uint64_t id) {
                                 auto img = image(id);
                                 return img && !sees(*img);
                             }),
              out.end());
    const size_t present_end = out.size();
    for_each_versioned([&](uint64_t id) {
        auto img = image(id);
        if (img && sees(*img) && !present(id)) out.push_back(id);
    });
    if (out.size() == present_end) return;
    auto mid = out.begin() + static_cast<std::ptrdiff_t>(present_end);
    std::sort(mid, out.end());
    std::inplace_merge(out.begin() + static_cast<std::ptrdiff_t>(first), mid, out.end());
}

}  // namespace

void View::node_ids(std::optional<uint32_t> label, std::vector<uint64_t>& out) const {
    const size_t first = out.size();
    if (label)
        p_.for_each_node_with_label(*label, [&](uint64_t id) { out.push_back(id); });
    else
        p_.for_each_node([&](uint64_t id) { out.push_back(id); });
    if (!hides_ || !v_.has_node_versions()) return;
    to_snapshot(
        out, first, [&](uint64_t id) { return v_.node_at(id, s_); },
        [&](auto&& f) { v_.for_each_versioned_node(f); },
        [&](const VersionStore::NodeImage& img) {
            return img.exists && (!label || std::find(img.labels.begin(), img.labels.end(),
                                                      *label) != img.labels.end());
        },
        [&](uint64_t id) { return p_.node_exists(id) && (!label || p_.has_label(id, *label)); });
}

void View::rel_ids(std::vector<uint64_t>& out) const {
    const size_t first = out.size();
    p_.for_each_relationship([&](uint64_t id) { out.push_back(id); });
    if (!hides_) return;
    to_snapshot(
        out, first, [&](uint64_t id) { return rel_image(id); },
        [&](auto&& f) { v_.for_each_versioned_rel(f); },
        [](const VersionStore::RelImage& img) { return img.exists; },
        [&](uint64_t id) { return p_.relationship_exists(id); });
}

bool View::hidden_addition(const std::vector<VersionStore::EdgeMark>& marks, uint64_t rel,
                           bool outgoing) const {
    for (const auto& m : marks)
        if (m.added && m.rel == rel && m.outgoing == outgoing &&
            VersionStore::hidden(m.ts, m.txn, s_))
            return true;
    return false;
}

}  // namespace lora::storage
