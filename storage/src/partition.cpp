// Partition: node and relationship records of one shard, adjacency and the label index.
#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

#include "partition_vectors.hpp"

#include <lora/errors.hpp>

#include <algorithm>
#include <string>

namespace lora::storage {

namespace {

[[noreturn]] void throw_db(std::string detail, std::string message) {
    throw errors::database(std::move(detail), std::move(message));
}

bool storable_scalar(const Value& v) {
    return v.is_bool() || v.is_int() || v.is_float() || v.is_string() || v.is_temporal();
}

// Property values are scalars (temporal values among them), vectors or flat lists of
// scalars (as in Neo4j).
void check_storable(const Value& v) {
    if (v.is_null() || storable_scalar(v) || v.is_vector()) return;
    if (v.is_list()) {
        for (const auto& e : v.as_list()) {
            if (!storable_scalar(e)) {
                throw_type_error("InvalidPropertyType",
                                 "a property list cannot hold a value of type " +
                                     std::string(kind_name(e.kind())));
            }
        }
        return;
    }
    throw_type_error("InvalidPropertyType",
                     "a property cannot hold a value of type " + std::string(kind_name(v.kind())));
}

Map to_map(const Catalog& catalog, std::span<const Property> props) {
    Map m;
    for (const auto& p : props) m.emplace(catalog.name(Catalog::Kind::Key, p.key), p.value);
    return m;
}

}  // namespace

Partition::Partition(uint32_t shard_index, uint32_t shard_count, Catalog& catalog)
    : index_(shard_index),
      count_(shard_count),
      catalog_(catalog),
      versions_(std::make_unique<VersionStore>()) {
    if (shard_count == 0 || shard_index >= shard_count) {
        throw_db("InvalidShard", "shard index " + std::to_string(shard_index) +
                                     " is not below the shard count " +
                                     std::to_string(shard_count));
    }
}

Partition::~Partition() = default;

uint32_t Partition::next_local(size_t size, const char* what) const {
    if (size >= UINT32_MAX) {
        throw_db("CapacityExceeded",
                 std::string("shard ") + std::to_string(index_) + " cannot hold more " + what);
    }
    return static_cast<uint32_t>(size);
}

std::optional<uint32_t> Partition::live_node(uint64_t id) const {
    if (!owns(id)) return std::nullopt;
    const uint64_t local = id / count_;
    if (local >= nodes_.size() || !node_live_[local]) return std::nullopt;
    return static_cast<uint32_t>(local);
}

std::optional<uint32_t> Partition::live_rel(uint64_t id) const {
    if (!owns(id)) return std::nullopt;
    const uint64_t local = id / count_;
    if (local >= rels_.size() || !rel_live_[local]) return std::nullopt;
    return static_cast<uint32_t>(local);
}

// ---------------------------------------------------------------------------------------
// Nodes

uint64_t Partition::create_node() {
    const uint32_t local = next_local(nodes_.size(), "nodes");
    nodes_.emplace_back();
    node_live_.push_back(true);
    ++live_nodes_;
    return encode(local);
}

bool Partition::node_exists(uint64_t id) const { return live_node(id).has_value(); }

bool Partition::add_label(uint64_t node, uint32_t label) {
    auto local = live_node(node);
    if (!local || !nodes_[*local].labels.add(label)) return false;
    index_add(label, *local);
    index_entries(*local, true, label);
    return true;
}

bool Partition::remove_label(uint64_t node, uint32_t label) {
    auto local = live_node(node);
    if (!local || !nodes_[*local].labels.contains(label)) return false;
    index_entries(*local, false, label);
    nodes_[*local].labels.remove(label);
    index_remove(label);
    return true;
}

bool Partition::has_label(uint64_t node, uint32_t label) const {
    auto local = live_node(node);
    return local && nodes_[*local].labels.contains(label);
}

std::span<const uint32_t> Partition::labels(uint64_t node) const {
    auto local = live_node(node);
    if (!local) return {};
    return nodes_[*local].labels.ids();
}

bool Partition::set_node_property(uint64_t node, uint32_t key, Value v) {
    check_storable(v);
    auto local = live_node(node);
    if (!local) return false;
    if (no_indexes()) return nodes_[*local].props.set(key, std::move(v));
    index_entries(*local, false, ~0u, key);
    bool changed = nodes_[*local].props.set(key, std::move(v));
    index_entries(*local, true, ~0u, key);
    return changed;
}

const Value* Partition::node_property(uint64_t node, uint32_t key) const {
    auto local = live_node(node);
    if (!local) return nullptr;
    return nodes_[*local].props.find(key);
}

std::span<const Property> Partition::node_properties(uint64_t node) const {
    auto local = live_node(node);
    if (!local) return {};
    return nodes_[*local].props.items();
}

bool Partition::clear_node_properties(uint64_t node) {
    auto local = live_node(node);
    if (!local || nodes_[*local].props.empty()) return false;
    index_entries(*local, false);
    nodes_[*local].props.clear();
    return true;
}

bool Partition::delete_node(uint64_t node) {
    auto local = live_node(node);
    if (!local) return false;
    NodeRecord& rec = nodes_[*local];
    if (rec.adj.degree() != 0) return false;
    index_entries(*local, false);
    // Dead before the index hears of it, so a tidy triggered here drops this node.
    node_live_[*local] = false;
    for (uint32_t label : rec.labels.ids()) index_remove(label);
    rec.labels.clear();
    rec.props.clear();
    --live_nodes_;
    return true;
}

size_t Partition::degree(uint64_t node) const {
    auto local = live_node(node);
    return local ? nodes_[*local].adj.degree() : 0;
}

// ---------------------------------------------------------------------------------------
// Relationships

uint64_t Partition::create_relationship(uint64_t start, uint32_t type, uint64_t end) {
    auto start_local = live_node(start);
    if (!start_local) {
        throw errors::deleted_entity("cannot create a relationship from node " +
                                     std::to_string(start) + ": it does not exist in shard " +
                                     std::to_string(index_));
    }
    const uint32_t local = next_local(rels_.size(), "relationships");
    RelRecord& rec = rels_.emplace_back();
    rec.end = end;
    rec.start_local = *start_local;
    rec.type = type;
    rel_live_.push_back(true);
    ++live_rels_;
    const uint64_t id = encode(local);
    nodes_[*start_local].adj.add_out(Edge{id, end, type});
    return id;
}

bool Partition::add_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start) {
    auto local = live_node(end);
    if (!local) return false;
    nodes_[*local].adj.add_in(Edge{rel, start, type});
    return true;
}

bool Partition::remove_in_edge(uint64_t end, uint64_t rel) {
    auto local = live_node(end);
    return local && nodes_[*local].adj.remove_in(rel);
}

bool Partition::relationship_exists(uint64_t rel) const { return live_rel(rel).has_value(); }

std::optional<Partition::RelInfo> Partition::relationship(uint64_t rel) const {
    auto local = live_rel(rel);
    if (!local) return std::nullopt;
    const RelRecord& rec = rels_[*local];
    return RelInfo{encode(rec.start_local), rec.end, rec.type};
}

bool Partition::delete_relationship(uint64_t rel) {
    auto local = live_rel(rel);
    if (!local) return false;
    RelRecord& rec = rels_[*local];
    nodes_[rec.start_local].adj.remove_out(rel);
    rec.props.clear();
    rel_live_[*local] = false;
    --live_rels_;
    return true;
}

bool Partition::set_rel_property(uint64_t rel, uint32_t key, Value v) {
    check_storable(v);
    auto local = live_rel(rel);
    if (!local) return false;
    return rels_[*local].props.set(key, std::move(v));
}

const Value* Partition::rel_property(uint64_t rel, uint32_t key) const {
    auto local = live_rel(rel);
    if (!local) return nullptr;
    return rels_[*local].props.find(key);
}

std::span<const Property> Partition::rel_properties(uint64_t rel) const {
    auto local = live_rel(rel);
    if (!local) return {};
    return rels_[*local].props.items();
}

bool Partition::clear_rel_properties(uint64_t rel) {
    auto local = live_rel(rel);
    if (!local || rels_[*local].props.empty()) return false;
    rels_[*local].props.clear();
    return true;
}

EdgeRange Partition::out_edges(uint64_t node) const {
    auto local = live_node(node);
    if (!local) return {};
    return nodes_[*local].adj.out();
}

EdgeRange Partition::in_edges(uint64_t node) const {
    auto local = live_node(node);
    if (!local) return {};
    return nodes_[*local].adj.in();
}

// ---------------------------------------------------------------------------------------
// Label index

void Partition::index_add(uint32_t label, uint32_t local) {
    if (label >= label_index_.size()) label_index_.resize(size_t{label} + 1);
    LabelPostings& p = label_index_[label];
    // `<=`: re-adding a label that was just removed appends a duplicate, which tidy drops.
    if (!p.locals.empty() && local <= p.locals.back()) p.sorted = false;
    p.locals.push_back(local);
}

void Partition::index_remove(uint32_t label) {
    if (label >= label_index_.size()) return;
    LabelPostings& p = label_index_[label];
    ++p.stale;
    // Bounds the garbage of workloads that churn labels without ever scanning them.
    if (p.stale > 64 && p.stale > p.locals.size() / 2) tidy(p);
}

void Partition::tidy(LabelPostings& p) const {
    if (p.sorted && p.stale == 0) return;
    auto& v = p.locals;
    if (!p.sorted) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    const uint32_t label = static_cast<uint32_t>(&p - label_index_.data());
    if (p.stale != 0) {
        v.erase(std::remove_if(v.begin(), v.end(),
                               [&](uint32_t local) {
                                   return !node_live_[local] ||
                                          !nodes_[local].labels.contains(label);
                               }),
                v.end());
    }
    if (v.capacity() > 64 && v.size() < v.capacity() / 4) v.shrink_to_fit();
    p.sorted = true;
    p.stale = 0;
}

size_t Partition::label_count(uint32_t label) const {
    if (label >= label_index_.size()) return 0;
    LabelPostings& p = label_index_[label];
    tidy(p);
    return p.locals.size();
}

// ---------------------------------------------------------------------------------------
// Property indexes

void Partition::index_entries(uint32_t local, bool add, uint32_t label, uint32_t key) {
    if (!vec_indexes_.empty()) vector_entries(local, add, label, key);
    if (prop_indexes_.empty()) return;
    const NodeRecord& rec = nodes_[local];
    for (auto& ix : prop_indexes_) {
        if (label != ~0u && ix->label() != label) continue;
        if (key != ~0u && !ix->covers_key(key)) continue;
        if (!rec.labels.contains(ix->label())) continue;
        auto k = ix->key_of(rec.props);
        if (!k) continue;
        if (add)
            ix->insert(std::move(*k), local);
        else
            ix->erase(*k, local);
    }
}

void Partition::sync_indexes() {
    std::vector<IndexDef> defs;
    for (auto& d : catalog_.indexes().list())
        if (d.kind == IndexKind::Range) defs.push_back(std::move(d));
    std::erase_if(prop_indexes_, [&](const std::unique_ptr<PropertyIndex>& ix) {
        return std::none_of(defs.begin(), defs.end(),
                            [&](const IndexDef& d) { return d.name == ix->name(); });
    });
    for (const auto& d : defs) {
        if (has_index(d.name)) continue;
        const uint32_t label = catalog_.intern(Catalog::Kind::Label, d.label);
        std::vector<uint32_t> keys;
        for (const auto& p : d.properties) keys.push_back(catalog_.intern(Catalog::Kind::Key, p));
        auto ix = std::make_unique<PropertyIndex>(d.name, label, std::move(keys));
        for_each_node_with_label(label, [&](uint64_t id) {
            const uint32_t local = static_cast<uint32_t>(id / count_);
            if (auto k = ix->key_of(nodes_[local].props)) ix->insert(std::move(*k), local);
        });
        prop_indexes_.push_back(std::move(ix));
    }
    sync_vector_indexes();
}

bool Partition::has_index(const std::string& name) const {
    return std::any_of(
               prop_indexes_.begin(), prop_indexes_.end(),
               [&](const std::unique_ptr<PropertyIndex>& ix) { return ix->name() == name; }) ||
           std::any_of(vec_indexes_.begin(), vec_indexes_.end(),
                       [&](const std::unique_ptr<VecIndex>& ix) { return ix->name == name; });
}

std::optional<std::vector<uint64_t>> Partition::index_seek(uint32_t label,
                                                           std::span<const uint32_t> keys,
                                                           const IndexQuery& q) const {
    std::vector<uint64_t> ids;
    if (!index_seek(label, keys, q, ids)) return std::nullopt;
    return ids;
}

void Partition::prefetch_equal_seeks(uint32_t label, std::span<const uint32_t> keys,
                                     std::span<const Value> values) const {
    const PropertyIndex* ix = nullptr;
    for (const auto& p : prop_indexes_)
        if (p->label() == label &&
            std::equal(keys.begin(), keys.end(), p->keys().begin(), p->keys().end()))
            ix = p.get();
    if (!ix || ix->keys().size() != 1) return;
    for (const Value& v : values) ix->prefetch(v);
    std::vector<uint32_t>& locals = seek_scratch_;
    locals.clear();
    for (const Value& v : values) {
        uint32_t local = 0;
        if (ix->probe(v, local) == PropertyIndex::Probe::Unique && local < nodes_.size()) {
            __builtin_prefetch(&nodes_[local]);
            locals.push_back(local);
        }
    }
    for (uint32_t l : locals) nodes_[l].props.prefetch();
}

void Partition::prefetch_in_edges(std::span<const uint64_t> nodes) const {
    std::vector<uint32_t>& locals = seek_scratch_;
    locals.clear();
    for (uint64_t id : nodes) {
        if (!owns(id)) continue;
        const uint64_t local = id / count_;
        if (local >= nodes_.size()) continue;
        __builtin_prefetch(&nodes_[local]);
        locals.push_back(static_cast<uint32_t>(local));
    }
    for (uint32_t l : locals) nodes_[l].adj.prefetch();
    for (uint32_t l : locals) nodes_[l].adj.prefetch_next_in();
}

bool Partition::index_seek(uint32_t label, std::span<const uint32_t> keys, const IndexQuery& q,
                           std::vector<uint64_t>& out, bool* exact) const {
    if (exact) *exact = false;
    for (const auto& ix : prop_indexes_) {
        if (ix->label() != label ||
            !std::equal(keys.begin(), keys.end(), ix->keys().begin(), ix->keys().end()))
            continue;
        if (q.equal && !q.lower && !q.upper && ix->keys().size() == 1) {
            uint32_t local = 0;
            switch (ix->probe(*q.equal, local)) {
                case PropertyIndex::Probe::Absent:
                    if (exact) *exact = true;
                    return true;
                case PropertyIndex::Probe::Unique: {
                    // The hash only says "maybe": check the node's key. Integers against
                    // integers and strings against strings compare in Cypher order exactly
                    // as `=` does; other pairs (2 against 2.0, NaN) leave it to the caller.
                    const Value* v =
                        local < nodes_.size() ? nodes_[local].props.find(ix->keys()[0]) : nullptr;
                    if (v && order_compare(*v, *q.equal) == 0) {
                        out.push_back(encode(local));
                        if (exact)
                            *exact =
                                v->kind() == q.equal->kind() && (v->is_int() || v->is_string());
                    } else if (exact) {
                        *exact = true;
                    }
                    return true;
                }
                case PropertyIndex::Probe::Ordered: break;
            }
        }
        std::vector<uint32_t>& locals = seek_scratch_;
        locals.clear();
        ix->seek(q, locals);
        if (locals.size() > 1) {
            std::sort(locals.begin(), locals.end());
            locals.erase(std::unique(locals.begin(), locals.end()), locals.end());
        }
        for (uint32_t l : locals) out.push_back(encode(l));
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// Memory, snapshots, recovery

size_t Partition::memory_bytes() const {
    size_t n = sizeof(*this) + nodes_.bytes() + rels_.bytes();
    n += node_live_.capacity() / 8 + rel_live_.capacity() / 8;
    for (size_t i = 0; i < nodes_.size(); ++i) {
        const NodeRecord& r = nodes_[i];
        n += r.props.heap_bytes() + r.adj.heap_bytes() + r.labels.heap_bytes();
    }
    for (size_t i = 0; i < rels_.size(); ++i) n += rels_[i].props.heap_bytes();
    n += label_index_.capacity() * sizeof(LabelPostings);
    for (const auto& p : label_index_) n += alloc_size(p.locals.capacity() * sizeof(uint32_t));
    for (const auto& ix : prop_indexes_) n += ix->memory_bytes();
    for (const auto& ix : vec_indexes_) n += ix->memory_bytes();
    return n;
}

std::shared_ptr<const NodeData> Partition::node_data(uint64_t node) const {
    auto local = live_node(node);
    if (!local) return nullptr;
    const NodeRecord& rec = nodes_[*local];
    return make_node_data(rec.labels.ids(), rec.props.items());
}

std::shared_ptr<const NodeData> Partition::make_node_data(std::span<const uint32_t> labels,
                                                          std::span<const Property> props) const {
    auto data = std::make_shared<NodeData>();
    data->labels.reserve(labels.size());
    for (uint32_t l : labels) data->labels.push_back(catalog_.name(Catalog::Kind::Label, l));
    data->properties = to_map(catalog_, props);
    return data;
}

std::shared_ptr<const RelData> Partition::rel_data(uint64_t rel) const {
    auto local = live_rel(rel);
    if (!local) return nullptr;
    const RelRecord& rec = rels_[*local];
    return make_rel_data(rec.type, rec.props.items());
}

std::shared_ptr<const RelData> Partition::make_rel_data(uint32_t type,
                                                        std::span<const Property> props) const {
    auto data = std::make_shared<RelData>();
    data->type = catalog_.name(Catalog::Kind::Type, type);
    data->properties = to_map(catalog_, props);
    return data;
}

void Partition::restore_node(uint64_t id) {
    if (!owns(id)) {
        throw_db("ForeignId", "node " + std::to_string(id) + " does not belong to shard " +
                                  std::to_string(index_));
    }
    const uint64_t local = id / count_;
    if (local < nodes_.size()) {
        throw_db("DuplicateId", "node id " + std::to_string(id) + " is already used");
    }
    while (nodes_.size() < local) {
        next_local(nodes_.size(), "nodes");
        nodes_.emplace_back();
        node_live_.push_back(false);
    }
    create_node();
}

void Partition::restore_relationship(uint64_t rel, uint64_t start, uint32_t type, uint64_t end) {
    if (!owns(rel)) {
        throw_db("ForeignId", "relationship " + std::to_string(rel) + " does not belong to shard " +
                                  std::to_string(index_));
    }
    const uint64_t local = rel / count_;
    if (local < rels_.size()) {
        throw_db("DuplicateId", "relationship id " + std::to_string(rel) + " is already used");
    }
    if (!node_exists(start)) {
        throw_db("MissingNode", "relationship " + std::to_string(rel) + " starts at node " +
                                    std::to_string(start) + ", which is not live in shard " +
                                    std::to_string(index_));
    }
    while (rels_.size() < local) {
        next_local(rels_.size(), "relationships");
        rels_.emplace_back();
        rel_live_.push_back(false);
    }
    create_relationship(start, type, end);
}

bool Partition::revive_node(uint64_t id) {
    if (!owns(id)) return false;
    const uint64_t local = id / count_;
    if (local >= nodes_.size()) {
        restore_node(id);
        return true;
    }
    if (node_live_[local]) return false;
    node_live_[local] = true;
    ++live_nodes_;
    return true;
}

bool Partition::revive_relationship(uint64_t rel, uint64_t start, uint32_t type, uint64_t end) {
    if (!owns(rel)) return false;
    auto start_local = live_node(start);
    if (!start_local) return false;
    const uint64_t local = rel / count_;
    if (local >= rels_.size()) {
        restore_relationship(rel, start, type, end);
        return true;
    }
    if (rel_live_[local]) return false;
    RelRecord& rec = rels_[local];
    rec.end = end;
    rec.start_local = *start_local;
    rec.type = type;
    rec.props.clear();
    rel_live_[local] = true;
    ++live_rels_;
    nodes_[*start_local].adj.add_out(Edge{rel, end, type});
    return true;
}

}  // namespace lora::storage
