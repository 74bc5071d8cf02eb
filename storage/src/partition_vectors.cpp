// Partition's vector indexes: building them from the registry's VECTOR definitions (or from
// a checkpoint's images, reconciled with the nodes) and keeping them current from the node
// hooks shared with the RANGE indexes.
#include "partition_vectors.hpp"

#include <lora/error.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace lora::storage {

namespace {

uint32_t setting_u32(const IndexDef& def, std::string_view key, uint32_t fallback) {
    const Value* v = def.setting(key);
    if (!v || !v->is_int() || v->as_int() <= 0) return fallback;
    return static_cast<uint32_t>(std::min<int64_t>(v->as_int(), UINT32_MAX));
}

void upsert_indexable(VectorIndex& index, uint64_t id, const std::vector<float>& coords) {
    try {
        index.upsert(id, coords);
    } catch (const Error&) {
        // A zero vector has no cosine: like a wrong dimension, it is simply not indexed.
    }
}

}  // namespace

VectorIndexOptions vector_index_options(const IndexDef& def) {
    VectorIndexOptions o;
    o.dimension = setting_u32(def, "vector.dimensions", 0);
    if (const Value* s = def.setting("vector.similarity_function"); s && s->is_string())
        if (auto sim = vec::parse_similarity(s->as_string())) o.similarity = *sim;
    o.m = setting_u32(def, "vector.hnsw.m", o.m);
    o.ef_construction = setting_u32(def, "vector.hnsw.ef_construction", o.ef_construction);
    o.ef_search = setting_u32(def, "vector.hnsw.ef_search", o.ef_search);
    return o;
}

const std::vector<float>* index_coords(const Value& v, std::vector<float>& scratch) {
    if (v.is_vector()) return &v.as_vector().coords;
    if (!v.is_list() || v.as_list().empty()) return nullptr;
    scratch.clear();
    scratch.reserve(v.as_list().size());
    for (const Value& x : v.as_list()) {
        if (!x.is_number()) return nullptr;
        const auto f = static_cast<float>(x.as_number());
        if (!std::isfinite(f)) return nullptr;
        scratch.push_back(f);
    }
    return &scratch;
}

size_t Partition::VecIndex::memory_bytes() const { return sizeof(*this) + index.memory_bytes(); }

VectorIndex* Partition::vector_index(const std::string& name) {
    for (auto& ix : vec_indexes_)
        if (ix->name == name) return &ix->index;
    return nullptr;
}

void Partition::vector_entries(uint32_t local, bool add, uint32_t label, uint32_t key) {
    const uint64_t id = encode(local);
    for (auto& ix : vec_indexes_) {
        if (label != ~0u && ix->label != label) continue;
        if (key != ~0u && ix->key != key) continue;
        if (!add) {
            ix->index.remove(id);
            continue;
        }
        std::vector<float> scratch;
        if (const std::vector<float>* coords = indexed_coords(*ix, local, scratch))
            upsert_indexable(ix->index, id, *coords);
    }
}

const std::vector<float>* Partition::indexed_coords(const VecIndex& ix, uint32_t local,
                                                    std::vector<float>& scratch) const {
    const NodeRecord& rec = nodes_[local];
    if (!rec.labels.contains(ix.label)) return nullptr;
    const Value* v = rec.props.find(ix.key);
    const std::vector<float>* coords = v ? index_coords(*v, scratch) : nullptr;
    if (!coords || coords->size() != ix.index.options().dimension) return nullptr;
    return coords;
}

std::vector<Partition::VectorImage> Partition::save_vector_images() const {
    std::vector<VectorImage> out;
    out.reserve(vec_indexes_.size());
    for (const auto& ix : vec_indexes_) out.push_back(VectorImage{ix->name, ix->index.save()});
    return out;
}

void Partition::stash_vector_images(std::vector<VectorImage> images) {
    vec_images_ = std::move(images);
}

namespace {

// The stashed image of `name` as an index with the definition's options, or nullopt (logged)
// when there is none or it is damaged or built with other options: images are derived
// data, so none of this may fail recovery.
std::optional<VectorIndex> take_image(std::vector<Partition::VectorImage>& stash,
                                      const std::string& name, const VectorIndexOptions& want,
                                      uint32_t shard) {
    auto it = std::find_if(stash.begin(), stash.end(),
                           [&](const Partition::VectorImage& im) { return im.name == name; });
    if (it == stash.end()) {
        if (!stash.empty())
            spdlog::info("vector index {} (shard {}): not in the checkpoint's images, rebuilding",
                         name, shard);
        return std::nullopt;
    }
    const std::vector<std::byte> bytes = std::move(it->bytes);
    stash.erase(it);
    try {
        VectorIndex ix = VectorIndex::load(bytes);
        const auto& got = ix.options();
        if (got.dimension != want.dimension || got.similarity != want.similarity ||
            got.m != want.m || got.ef_construction != want.ef_construction) {
            spdlog::warn(
                "vector index {} (shard {}): the checkpoint image was built with other "
                "options (dimension {}, M {}, ef_construction {}; the index has {}, {}, "
                "{}, or another similarity), rebuilding",
                name, shard, got.dimension, got.m, got.ef_construction, want.dimension, want.m,
                want.ef_construction);
            return std::nullopt;
        }
        ix.set_ef_search(want.ef_search);
        return ix;
    } catch (const std::exception& e) {
        spdlog::warn("vector index {} (shard {}): unusable checkpoint image ({}), rebuilding", name,
                     shard, e.what());
        return std::nullopt;
    }
}

}  // namespace

void Partition::reconcile_vector_index(VecIndex& ix) {
    std::vector<float> scratch;
    // Entries of nodes gone, relabelled or changed since the image was saved, and entries
    // of writes that never committed.
    std::vector<uint64_t> stale;
    ix.index.for_each_id([&](uint64_t id) {
        const auto local = live_node(id);
        const std::vector<float>* c = local ? indexed_coords(ix, *local, scratch) : nullptr;
        if (!c || !ix.index.holds(id, *c)) stale.push_back(id);
    });
    for (uint64_t id : stale) ix.index.remove(id);
    // Then whatever a rebuild would index that the image lacks.
    for_each_node_with_label(ix.label, [&](uint64_t id) {
        const std::vector<float>* c =
            indexed_coords(ix, static_cast<uint32_t>(id / count_), scratch);
        if (c && !ix.index.holds(id, *c)) upsert_indexable(ix.index, id, *c);
    });
}

void Partition::sync_vector_indexes() {
    std::vector<IndexDef> defs;
    for (auto& d : catalog_.indexes().list())
        if (d.kind == IndexKind::Vector) defs.push_back(std::move(d));
    std::erase_if(vec_indexes_, [&](const std::unique_ptr<VecIndex>& ix) {
        return std::none_of(defs.begin(), defs.end(),
                            [&](const IndexDef& d) { return d.name == ix->name; });
    });
    for (const auto& d : defs) {
        if (vector_index(d.name) || d.properties.size() != 1) continue;
        VectorIndexOptions opt = vector_index_options(d);
        if (opt.dimension == 0) continue;
        const uint32_t label = catalog_.intern(Catalog::Kind::Label, d.label);
        const uint32_t key = catalog_.intern(Catalog::Kind::Key, d.properties[0]);
        if (auto image = take_image(vec_images_, d.name, opt, index_)) {
            auto ix = std::make_unique<VecIndex>(d.name, label, key, std::move(*image));
            reconcile_vector_index(*ix);
            vec_indexes_.push_back(std::move(ix));
            ++vec_build_stats_.from_image;
            continue;
        }
        opt.initial_capacity = std::max<size_t>(16, label_count(label));
        auto ix = std::make_unique<VecIndex>(d.name, label, key, opt);
        vec_indexes_.push_back(std::move(ix));
        for_each_node_with_label(label, [&](uint64_t id) {
            vector_entries(static_cast<uint32_t>(id / count_), true, label, key);
        });
        ++vec_build_stats_.rebuilt;
    }
    // Images of indexes dropped meanwhile (or not built here) are of no further use.
    vec_images_.clear();
    vec_images_.shrink_to_fit();
}

}  // namespace lora::storage
