// Partition: one shard's slice of the graph (nodes, their labels, properties and adjacency,
// and the relationships whose start node lives here), with a label index.
#pragma once

#include <lora/storage/catalog.hpp>
#include <lora/storage/property_index.hpp>
#include <lora/storage/records.hpp>
#include <lora/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace lora::storage {

class VersionStore;
class VectorIndex;

// Identity: a node or relationship id is `local_seq * shard_count + shard_index`, so
// `id % shard_count` routes to the owning shard and `id / shard_count` is a dense index into
// that shard's record arrays. Ids are never reused; deleted records stay as tombstones.
//
// A relationship lives in its start node's partition (record + outgoing entry). The
// incoming entry belongs to the end node's partition and is added there by a separate
// add_in_edge call, also when that is the same partition (self-loops, local ends): the
// protocol is the same whichever shard the end node is on.
//
// Not thread-safe, not even for const calls (scans may tidy the label index): a partition is
// owned by one shard actor. Callbacks of for_each_* must not modify the partition.
// Unknown, foreign or deleted ids never crash: queries answer false / empty / nullptr.
class Partition {
public:
    Partition(uint32_t shard_index, uint32_t shard_count, Catalog& catalog);
    ~Partition();
    Partition(const Partition&) = delete;
    Partition& operator=(const Partition&) = delete;

    uint32_t shard_index() const { return index_; }
    uint32_t shard_count() const { return count_; }
    bool owns(uint64_t id) const { return id % count_ == index_; }
    Catalog& catalog() const { return catalog_; }

    // ---- nodes
    uint64_t create_node();
    bool node_exists(uint64_t id) const;
    bool add_label(uint64_t node, uint32_t label);     // true if newly added
    bool remove_label(uint64_t node, uint32_t label);  // true if it was present
    bool has_label(uint64_t node, uint32_t label) const;
    std::span<const uint32_t> labels(uint64_t node) const;  // insertion order
    // A null value removes the key. Returns whether the node changed (false if the node
    // does not exist or the value is already stored). Throws lora::Error (TypeError
    // InvalidPropertyType) for values that cannot be stored: maps, graph elements, nested
    // lists, lists holding null.
    bool set_node_property(uint64_t node, uint32_t key, Value v);
    const Value* node_property(uint64_t node, uint32_t key) const;   // nullptr if absent
    std::span<const Property> node_properties(uint64_t node) const;  // sorted by key
    bool clear_node_properties(uint64_t node);                       // true if the node had any
    // Deletes a node without relationships; returns false and changes nothing otherwise.
    bool delete_node(uint64_t node);
    size_t degree(uint64_t node) const;  // outgoing + incoming (a self-loop counts twice)

    // ---- relationships (records live here only if owns(rel))
    // Creates the record and the start node's outgoing entry; returns the new id. The
    // caller then calls add_in_edge at the end node's partition. Throws lora::Error
    // (EntityNotFound) if `start` is not a live node of this partition.
    uint64_t create_relationship(uint64_t start, uint32_t type, uint64_t end);
    // Adds the incoming entry of `rel` to local node `end`; false if `end` is not live here.
    bool add_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start);
    bool remove_in_edge(uint64_t end, uint64_t rel);
    bool relationship_exists(uint64_t rel) const;
    struct RelInfo {
        uint64_t start;
        uint64_t end;
        uint32_t type;
    };
    std::optional<RelInfo> relationship(uint64_t rel) const;
    // Removes the record and the outgoing entry. The caller removes the incoming entry at
    // the end node's partition (read relationship() first to learn where it is).
    bool delete_relationship(uint64_t rel);
    bool set_rel_property(uint64_t rel, uint32_t key, Value v);  // as set_node_property
    const Value* rel_property(uint64_t rel, uint32_t key) const;
    std::span<const Property> rel_properties(uint64_t rel) const;
    bool clear_rel_properties(uint64_t rel);
    // Adjacency views (Edge values); valid until the node's adjacency changes.
    EdgeRange out_edges(uint64_t node) const;  // creation order
    EdgeRange in_edges(uint64_t node) const;   // newest first

    // ---- scans. F is called with the id; it may return bool (false stops the scan).
    template <typename F>
    void for_each_node(F&& f) const;  // live nodes, ascending id
    template <typename F>
    void for_each_node_with_label(uint32_t label, F&& f) const;  // ascending id, O(matching)
    template <typename F>
    void for_each_relationship(F&& f) const;  // live owned relationships, ascending id
    size_t node_count() const { return live_nodes_; }
    size_t relationship_count() const { return live_rels_; }
    size_t label_count(uint32_t label) const;  // nodes carrying `label`
    // Estimated bytes held by this partition (records, lists, index, property payloads).
    size_t memory_bytes() const;

    // The states that running snapshots may still need (see versions.hpp). Kept by the
    // writers (the executor), read through storage::View.
    VersionStore& versions() const { return *versions_; }

    // ---- snapshots for results, names resolved through the catalog; nullptr if absent.
    std::shared_ptr<const NodeData> node_data(uint64_t node) const;
    std::shared_ptr<const RelData> rel_data(uint64_t rel) const;
    // The same from given labels / type and properties (storage::View's kept versions).
    std::shared_ptr<const NodeData> make_node_data(std::span<const uint32_t> labels,
                                                   std::span<const Property> props) const;
    std::shared_ptr<const RelData> make_rel_data(uint32_t type,
                                                 std::span<const Property> props) const;

    // ---- recovery (WAL replay, checkpoint load): recreate records under their old ids.
    // Slots skipped over become tombstones. Throw lora::Error if the id is foreign, already
    // used, or (for relationships) the start node is not live here.
    void restore_node(uint64_t id);
    void restore_relationship(uint64_t rel, uint64_t start, uint32_t type, uint64_t end);
    // Undo of a delete / replay into a gap: makes the tombstone `id` live again, empty.
    // If `id` lies past the allocated range, the gap is filled with tombstones first.
    // False if the node is live already or foreign.
    bool revive_node(uint64_t id);
    // Same for a relationship, with its endpoints (start must be live here); also re-adds
    // the outgoing entry. False if already live, foreign, or the start node is not live.
    bool revive_relationship(uint64_t rel, uint64_t start, uint32_t type, uint64_t end);
    // ---- property (RANGE) indexes. Every node change above keeps them current.
    // Builds the RANGE indexes of the catalog's registry this partition lacks and drops the
    // ones the registry no longer has (run in the shard actor after CREATE/DROP INDEX, and
    // after recovery or a snapshot load).
    void sync_indexes();
    bool has_index(const std::string& name) const;
    // Ids (ascending) of the nodes carrying `label` whose key (the values of `keys`, a list
    // for several keys) matches `q`; nullopt when no index here covers exactly (label, keys).
    std::optional<std::vector<uint64_t>> index_seek(uint32_t label, std::span<const uint32_t> keys,
                                                    const IndexQuery& q) const;
    // The same appended to `out` (ascending among themselves); false, leaving `out`
    // unchanged, when no index here covers exactly (label, keys). No allocation when `out`
    // has room.
    // `exact`, when given, is set when every id appended holds a value Cypher `=` finds
    // equal to q.equal (an integer or string key of the same kind, read from the node),
    // so a caller need not compare again.
    bool index_seek(uint32_t label, std::span<const uint32_t> keys, const IndexQuery& q,
                    std::vector<uint64_t>& out, bool* exact = nullptr) const;
    // Cache warm-up before a batch of rows runs (reads nothing it does not prefetch; changes
    // nothing): the equality seeks of `values` on the index over (label, keys) - hash slots,
    // then the records and property blocks of the nodes they point at - and the adjacency
    // blocks add_in_edge will write for the local ones of `nodes`. Each phase issues all its
    // loads before the next reads any, so the misses of a batch overlap.
    void prefetch_equal_seeks(uint32_t label, std::span<const uint32_t> keys,
                              std::span<const Value> values) const;
    void prefetch_in_edges(std::span<const uint64_t> nodes) const;
    // ---- vector indexes: one VectorIndex per VECTOR definition of the registry, holding the
    // nodes with its label whose property is a VECTOR of its dimension (other values, and
    // zero vectors in a cosine index, are not indexed). sync_indexes() builds and drops them
    // with the RANGE ones, and the same hooks keep them current. They hold present values:
    // snapshot readers re-check candidates through a View. nullptr when absent here.
    VectorIndex* vector_index(const std::string& name);
    // Checkpoint images of the vector indexes (partition_vectors.cpp). An image is the index
    // as it is when saved (writes after the checkpoint's snapshot, uncommitted ones too), so
    // the next sync_indexes() that builds the index loads a stashed image of its name and
    // reconciles it with the nodes instead of rebuilding; a mismatching or damaged image is
    // logged and rebuilt. The stash is emptied by that sync_indexes().
    struct VectorImage {
        std::string name;
        std::vector<std::byte> bytes;  // VectorIndex::save()
    };
    std::vector<VectorImage> save_vector_images() const;
    void stash_vector_images(std::vector<VectorImage> images);
    // How the vector indexes were built so far: loaded from an image, or from the nodes.
    struct VectorBuildStats {
        uint32_t from_image = 0;
        uint32_t rebuilt = 0;
    };
    const VectorBuildStats& vector_build_stats() const { return vec_build_stats_; }
    // Next ids create_node / create_relationship would hand out.
    uint64_t next_node_id() const { return encode(nodes_.size()); }
    uint64_t next_relationship_id() const { return encode(rels_.size()); }

private:
    // Members of one label: local indexes, appended as labels are added. Removals only
    // count as stale; a scan (or too much garbage) sorts, dedups and filters the list.
    struct LabelPostings {
        std::vector<uint32_t> locals;
        uint32_t stale = 0;
        bool sorted = true;
    };

    uint64_t encode(uint64_t local) const { return local * count_ + index_; }
    // Local index of a live node/relationship owned here, or nullopt.
    std::optional<uint32_t> live_node(uint64_t id) const;
    std::optional<uint32_t> live_rel(uint64_t id) const;
    uint32_t next_local(size_t size, const char* what) const;
    void index_add(uint32_t label, uint32_t local);
    void index_remove(uint32_t label);
    void tidy(LabelPostings& p) const;
    // Adds (add) or removes the index entries of a node, for the indexes on a label it has
    // (only `label` when not ~0u) that cover `key` (any key when ~0u).
    void index_entries(uint32_t local, bool add, uint32_t label = ~0u, uint32_t key = ~0u);
    // The same for the vector indexes (storage/src/partition_vectors.cpp).
    struct VecIndex;
    void vector_entries(uint32_t local, bool add, uint32_t label, uint32_t key);
    void sync_vector_indexes();
    // Makes a loaded image hold exactly what a rebuild from the nodes would.
    void reconcile_vector_index(VecIndex& ix);
    // What `ix` holds of node `local`: the coordinates of its property when it has the label
    // and they have the index's dimension (they may point into `scratch`), else null.
    const std::vector<float>* indexed_coords(const VecIndex& ix, uint32_t local,
                                             std::vector<float>& scratch) const;
    bool no_indexes() const { return prop_indexes_.empty() && vec_indexes_.empty(); }

    template <typename F>
    static bool call(F& f, uint64_t id) {
        if constexpr (std::is_same_v<std::invoke_result_t<F&, uint64_t>, bool>) {
            return f(id);
        } else {
            f(id);
            return true;
        }
    }

    uint32_t index_;
    uint32_t count_;
    Catalog& catalog_;
    ChunkedVector<NodeRecord> nodes_;
    std::vector<bool> node_live_;
    ChunkedVector<RelRecord> rels_;
    std::vector<bool> rel_live_;
    size_t live_nodes_ = 0;
    size_t live_rels_ = 0;
    mutable std::vector<LabelPostings> label_index_;  // indexed by label id
    std::unique_ptr<VersionStore> versions_;
    std::vector<std::unique_ptr<PropertyIndex>> prop_indexes_;
    std::vector<std::unique_ptr<VecIndex>> vec_indexes_;
    std::vector<VectorImage> vec_images_;  // stashed by recovery, consumed by sync_indexes()
    VectorBuildStats vec_build_stats_;
    mutable std::vector<uint32_t> seek_scratch_;  // index_seek's local ids
};

template <typename F>
void Partition::for_each_node(F&& f) const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (node_live_[i] && !call(f, encode(i))) return;
    }
}

template <typename F>
void Partition::for_each_node_with_label(uint32_t label, F&& f) const {
    if (label >= label_index_.size()) return;
    LabelPostings& p = label_index_[label];
    tidy(p);
    for (uint32_t local : p.locals) {
        if (!call(f, encode(local))) return;
    }
}

template <typename F>
void Partition::for_each_relationship(F&& f) const {
    for (size_t i = 0; i < rels_.size(); ++i) {
        if (rel_live_[i] && !call(f, encode(i))) return;
    }
}

}  // namespace lora::storage
