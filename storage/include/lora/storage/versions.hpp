// Multi-version reads for one partition. Writers change the partition in place; before the
// first change a transaction makes to a node or relationship, the state it replaces is kept
// here (and every adjacency entry it adds or removes is marked), stamped with the
// transaction's commit timestamp once it commits. A reader at snapshot (ts, txn) sees the
// partition as it was after every commit with a timestamp <= ts, plus its own changes:
// wherever a change is newer than ts (or uncommitted by another transaction) it reads the
// kept state instead. Versions no running snapshot can need are collected.
#pragma once

#include <lora/storage/partition.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace lora::storage {

// What a reader sees: commits with timestamp <= ts, and the changes of transaction txn.
// The default snapshot sees the partition as it is (everything, committed or not).
struct Snap {
    uint64_t ts = UINT64_MAX;
    uint64_t txn = 0;
};

class VersionStore {
public:
    static constexpr uint64_t kPending = UINT64_MAX;  // not committed yet

    struct NodeImage {
        bool exists = false;
        std::vector<uint32_t> labels;
        std::vector<Property> props;  // sorted by key
    };
    struct RelImage {
        bool exists = false;
        uint64_t start = 0;
        uint64_t end = 0;
        uint32_t type = 0;
        std::vector<Property> props;  // sorted by key
    };
    // An adjacency entry of a local node added or removed by a transaction.
    struct EdgeMark {
        uint64_t rel;
        uint64_t other;
        uint32_t type;
        bool outgoing;
        bool added;
        uint64_t ts;
        uint64_t txn;
    };

    // A change stamped (ts, txn) is hidden from snapshot s: s must read the older state.
    static bool hidden(uint64_t ts, uint64_t txn, Snap s) { return txn != s.txn && ts > s.ts; }

    bool empty() const {
        return nodes_.empty() && rels_.empty() && edges_.empty() && pending_.empty() &&
               committed_.empty();
    }
    // Whether any kept version is hidden from s: a commit newer than s, or another
    // transaction's uncommitted change. When not, s reads the partition as it is.
    bool may_hide(Snap s) const {
        if (empty()) return false;
        if (newest_commit_ > s.ts) return true;
        return pending_.size() > (pending_.count(s.txn) ? 1u : 0u);
    }
    bool has_node_versions() const { return !nodes_.empty(); }
    size_t version_count() const;

    // ---- writers (the shard actor's thread). Call before changing an existing entity; after
    // creating one. Repeated calls by the same transaction keep the first image.
    void before_node_change(const Partition& p, uint64_t node, uint64_t txn);
    void node_created(uint64_t node, uint64_t txn);
    void before_rel_change(const Partition& p, uint64_t rel, uint64_t txn);
    // A relationship created by txn (its outgoing entry included): listed, not versioned.
    void rel_created(uint64_t rel, uint64_t txn);
    // The incoming entry of a relationship txn created (here or at another shard): listed.
    void in_edge_created(uint64_t rel, uint64_t txn);
    void edge_changed(uint64_t node, const Edge& e, bool outgoing, bool added, uint64_t txn);

    // The transaction committed at ts: its versions are stamped.
    void commit(uint64_t txn, uint64_t ts);
    // The transaction was rolled back (the partition is restored already): its versions go.
    void abort(uint64_t txn);
    // Drops versions stamped at or below `horizon`, the oldest snapshot still running: every
    // reader sees those changes, so nobody reads the state they replaced.
    void collect(uint64_t horizon);

    // ---- readers: the kept state s must see, or nullptr when the partition's is the one.
    const NodeImage* node_at(uint64_t node, Snap s) const;
    const RelImage* rel_at(uint64_t rel, Snap s) const;
    const std::vector<EdgeMark>* edge_marks(uint64_t node) const;
    // Whether s must not see relationships created by some transaction (one it does not see
    // created any here); then created_hidden says which.
    bool hides_created(Snap s) const;
    // Whether relationship `rel` (outgoing: created here; else: its incoming entry was
    // added here) was created by a transaction s does not see.
    bool created_hidden(uint64_t rel, bool outgoing, Snap s) const;
    template <typename F>
    void for_each_versioned_node(F&& f) const {
        for (const auto& [id, chain] : nodes_) f(id);
    }
    template <typename F>
    void for_each_versioned_rel(F&& f) const {
        for (const auto& [id, chain] : rels_) f(id);
    }

private:
    template <typename Image>
    struct Version {
        uint64_t ts;
        uint64_t txn;
        Image image;
    };
    template <typename Image>
    using Chains = std::unordered_map<uint64_t, std::vector<Version<Image>>>;
    // Ids appended in (nearly always) ascending order, binary-searched; sorted on the first
    // search after an out-of-order append. Only the shard's thread touches a store.
    struct IdList {
        mutable std::vector<uint64_t> ids;
        mutable bool sorted = true;
        void add(uint64_t id) {
            if (!ids.empty() && id < ids.back()) sorted = false;
            ids.push_back(id);
        }
        bool contains(uint64_t id) const;
    };
    struct Touched {
        std::vector<uint64_t> nodes, rels, edge_nodes;
        // What the transaction created: a relationship and its two adjacency entries cost an
        // id in a list each instead of a version and two edge marks in hash maps. Nobody
        // but the transaction saw them before, so readers only need "created by whom".
        IdList created_rels, created_in;
    };
    Touched& touched(uint64_t txn);

    template <typename Image>
    static bool has_pending(const Chains<Image>& chains, uint64_t id, uint64_t txn);
    template <typename Image>
    static const Image* image_at(const Chains<Image>& chains, uint64_t id, Snap s);

    Chains<NodeImage> nodes_;
    Chains<RelImage> rels_;
    std::unordered_map<uint64_t, std::vector<EdgeMark>> edges_;  // by local node
    std::unordered_map<uint64_t, Touched> pending_;              // by transaction
    std::deque<std::pair<uint64_t, Touched>> committed_;         // in commit order, for collect
    uint64_t newest_commit_ = 0;
    // The last transaction touched() looked up (map nodes keep their address until erased).
    uint64_t last_txn_ = 0;
    Touched* last_touched_ = nullptr;
};

// A partition as one snapshot sees it: the read interface of Partition, answering from kept
// versions where the snapshot must not see the present state. Cheap to make; holds references.
class View {
public:
    // A view lives for one step of one message: versions change only between messages.
    View(const Partition& part, Snap snap)
        : p_(part),
          v_(part.versions()),
          s_(snap),
          hides_(v_.may_hide(snap)),
          created_(hides_ && v_.hides_created(snap)) {}

    const Partition& partition() const { return p_; }
    Snap snap() const { return s_; }
    bool owns(uint64_t id) const { return p_.owns(id); }

    bool node_exists(uint64_t node) const;
    bool has_label(uint64_t node, uint32_t label) const;
    std::span<const uint32_t> labels(uint64_t node) const;
    const Value* node_property(uint64_t node, uint32_t key) const;
    std::span<const Property> node_properties(uint64_t node) const;
    bool relationship_exists(uint64_t rel) const;
    std::optional<Partition::RelInfo> relationship(uint64_t rel) const;
    const Value* rel_property(uint64_t rel, uint32_t key) const;
    std::span<const Property> rel_properties(uint64_t rel) const;
    std::shared_ptr<const NodeData> node_data(uint64_t node) const;
    std::shared_ptr<const RelData> rel_data(uint64_t rel) const;

    // Live nodes (with `label`, if given) in ascending id order.
    void node_ids(std::optional<uint32_t> label, std::vector<uint64_t>& out) const;
    // Live relationships owned here, in ascending id order.
    void rel_ids(std::vector<uint64_t>& out) const;
    // Calls f(Edge) for each outgoing (or incoming) adjacency entry of `node`.
    template <typename F>
    void for_each_edge(uint64_t node, bool outgoing, F&& f) const;
    // Whether the snapshot reads anything other than the present state here.
    bool hides() const { return hides_; }

private:
    const VersionStore::NodeImage* node_image(uint64_t node) const {
        return hides_ ? v_.node_at(node, s_) : nullptr;
    }
    const VersionStore::RelImage* rel_image(uint64_t rel) const {
        if (created_ && v_.created_hidden(rel, true, s_)) return &kNotCreated;
        return hides_ ? v_.rel_at(rel, s_) : nullptr;
    }
    static const VersionStore::RelImage kNotCreated;
    bool hidden_addition(const std::vector<VersionStore::EdgeMark>& marks, uint64_t rel,
                         bool outgoing) const;

    const Partition& p_;
    const VersionStore& v_;
    Snap s_;
    bool hides_;
    bool created_;  // some relationships here were created by transactions s_ does not see
};

template <typename F>
void View::for_each_edge(uint64_t node, bool outgoing, F&& f) const {
    const EdgeRange range = outgoing ? p_.out_edges(node) : p_.in_edges(node);
    const auto* marks = hides_ ? v_.edge_marks(node) : nullptr;
    if (!marks && !created_) {
        for (const Edge e : range) f(e);
        return;
    }
    for (const Edge e : range) {
        if (created_ && v_.created_hidden(e.rel, outgoing, s_)) continue;
        if (marks && hidden_addition(*marks, e.rel, outgoing)) continue;
        f(e);
    }
    if (!marks) return;
    // Entries removed by changes the snapshot does not see are still there for it (unless
    // their relationship is newer than the snapshot too).
    for (const auto& m : *marks) {
        if (m.added || m.outgoing != outgoing || !VersionStore::hidden(m.ts, m.txn, s_)) continue;
        if (hidden_addition(*marks, m.rel, outgoing)) continue;
        if (created_ && v_.created_hidden(m.rel, outgoing, s_)) continue;
        f(Edge{m.rel, m.other, m.type});
    }
}

}  // namespace lora::storage
