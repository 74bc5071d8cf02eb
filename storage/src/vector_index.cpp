// VectorIndex over hnswlib 0.6 (Debian's libhnswlib-dev). hnswlib.h defines non-inline
// functions, so it must be included by this one translation unit only.
#include <lora/storage/vector_index.hpp>

#include "vector_kernels.hpp"

#include <lora/errors.hpp>
#include <lora/value.hpp>

#include <hnswlib/hnswlib.h>
#include <fstream>  // hnswlib's headers use it without including it

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_set>

namespace lora::storage {

namespace {

using Hnsw = hnswlib::HierarchicalNSW<float>;

[[noreturn]] void invalid(const std::string& message) {
    throw_argument_error("InvalidArgumentValue", "vector index: " + message);
}

[[noreturn]] void corrupt(const std::string& message) {
    throw errors::database("CorruptIndex", "vector index image: " + message);
}

[[noreturn]] void out_of_memory(const std::exception& e) {
    throw errors::database("OutOfMemory", std::string("vector index: ") + e.what());
}

// hnswlib's SpaceInterface over int8 codes (vector_kernels.hpp): the graph is built and
// walked on quantized vectors, a quarter of the floats' bytes and a fraction of their
// arithmetic; the walk's candidates are then re-ranked on the float copy Impl keeps.
class QuantizedSpace final : public hnswlib::SpaceInterface<float> {
public:
    QuantizedSpace(size_t dim, vec::Similarity sim, vk::Isa isa) : dim_(dim) {
        fn_ = sim == vec::Similarity::Cosine ? vk::quantized_ip_distance(isa)
                                             : vk::quantized_l2_distance(isa);
    }
    size_t get_data_size() override { return vk::code_bytes(dim_); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return fn_; }
    void* get_dist_func_param() override { return &dim_; }

private:
    size_t dim_;
    hnswlib::DISTFUNC<float> fn_;
};

constexpr char kMagic[4] = {'L', 'V', 'I', 'X'};
// Version 2: the base layer holds int8 codes, and the float vectors follow the link lists.
// Version 1 (floats in the base layer) still loads: its vectors are encoded on the way in.
constexpr uint32_t kFormatVersion = 2;

class ByteWriter {
public:
    template <typename T>
    void put(const T& v) {
        put_raw(&v, sizeof v);
    }
    void put_raw(const void* p, size_t n) {
        const size_t at = out_.size();
        out_.resize(at + n);
        if (n) std::memcpy(out_.data() + at, p, n);
    }
    std::vector<std::byte> take() { return std::move(out_); }

private:
    std::vector<std::byte> out_;
};

class ByteReader {
public:
    explicit ByteReader(std::span<const std::byte> in) : in_(in) {}
    template <typename T>
    T get(const char* what) {
        T v;
        get_raw(&v, sizeof v, what);
        return v;
    }
    void get_raw(void* p, size_t n, const char* what) {
        if (in_.size() - pos_ < n)
            corrupt(std::string("truncated while reading ") + what + " at offset " +
                    std::to_string(pos_));
        if (n) std::memcpy(p, in_.data() + pos_, n);
        pos_ += n;
    }
    bool at_end() const { return pos_ == in_.size(); }
    size_t remaining() const { return in_.size() - pos_; }

private:
    std::span<const std::byte> in_;
    size_t pos_ = 0;
};

}  // namespace

struct VectorIndex::Impl {
    VectorIndexOptions opt;
    size_t dim;
    vk::DistFn exact;  // float distance for the re-rank and the filtered scan
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<Hnsw> hnsw;
    // The prepared (checked, maybe normalised) float vectors by hnswlib internal id,
    // capacity() * dim of them: the exact distances of the re-rank come from here.
    std::vector<float> vectors;
    size_t live = 0;
    std::vector<float> scratch;  // the prepared vector
    std::vector<char> code;      // its encoding

    explicit Impl(const VectorIndexOptions& o) : opt(o), dim(o.dimension) {
        if (o.dimension == 0 || o.dimension > kMaxVectorDimension)
            invalid("dimension must be between 1 and " + std::to_string(kMaxVectorDimension) +
                    ", got " + std::to_string(o.dimension));
        if (o.m < 2 || o.m > 1024)
            invalid("M must be between 2 and 1024, got " + std::to_string(o.m));
        if (o.ef_construction == 0) invalid("ef_construction must be positive");
        if (o.ef_search == 0) invalid("ef_search must be positive");
        const vk::Isa isa = vk::best_isa();
        exact = o.similarity == vec::Similarity::Cosine ? vk::float_ip_distance(isa)
                                                        : vk::float_l2_distance(isa);
        space = std::make_unique<QuantizedSpace>(dim, o.similarity, isa);
        code.resize(vk::code_bytes(dim));
        try {
            const size_t cap = std::max<size_t>(o.initial_capacity, 1);
            hnsw = std::make_unique<Hnsw>(space.get(), cap, o.m, o.ef_construction, o.seed);
            vectors.resize(cap * dim);
        } catch (const std::runtime_error& e) {
            out_of_memory(e);
        } catch (const std::bad_alloc& e) {
            out_of_memory(e);
        }
        hnsw->setEf(o.ef_search);
    }

    // Checks `v` and copies it into `out` as the index stores it: normalised for a cosine
    // index (the inner product of unit vectors is their cosine).
    void prepared_copy(std::span<const float> v, std::vector<float>& out, const char* what) const {
        if (v.size() != opt.dimension)
            invalid(std::string(what) + " has dimension " + std::to_string(v.size()) +
                    ", the index has dimension " + std::to_string(opt.dimension));
        out.assign(v.begin(), v.end());
        for (size_t i = 0; i < out.size(); ++i)
            if (!std::isfinite(out[i]))
                invalid(std::string(what) + " has a non-finite coordinate at " + std::to_string(i));
        if (opt.similarity == vec::Similarity::Cosine) {
            const double n = vec::l2_norm(out);
            if (n == 0.0) invalid(std::string(what) + " is a zero vector, which has no cosine");
            for (float& x : out) x = static_cast<float>(x / n);
        }
    }

    // The same into `scratch`, and its encoding into `code`.
    const float* prepare(std::span<const float> v, const char* what) {
        prepared_copy(v, scratch, what);
        vk::encode(scratch.data(), dim, code.data());
        return scratch.data();
    }

    const float* vector_of(hnswlib::tableint in) const { return vectors.data() + size_t{in} * dim; }

    double score(float distance) const {
        return opt.similarity == vec::Similarity::Cosine ? vec::score_from_ip_distance(distance)
                                                         : vec::score_from_squared_l2(distance);
    }

    // -1 when absent.
    int64_t internal_id(uint64_t id) const {
        auto it = hnsw->label_lookup_.find(static_cast<hnswlib::labeltype>(id));
        return it == hnsw->label_lookup_.end() ? -1 : static_cast<int64_t>(it->second);
    }

    void grow(size_t capacity) {
        hnsw->resizeIndex(capacity);
        vectors.resize(capacity * dim);
    }

    static void sort_hits(std::vector<VectorHit>& hits) {
        std::sort(hits.begin(), hits.end(), [](const VectorHit& a, const VectorHit& b) {
            return a.score != b.score ? a.score > b.score : a.id < b.id;
        });
    }

    using Scored = std::pair<float, hnswlib::tableint>;
    std::vector<Scored> beam;        // max-heap on distance: the ef best so far, worst on top
    std::vector<Scored> candidates;  // min-heap on distance: the frontier, nearest on top
    std::vector<hnswlib::tableint> batch;

    // Every cache line of the code (144 bytes at 128 dims, 3 or 4 lines as they fall).
    void prefetch_code(hnswlib::tableint in) const {
        const char* p = hnsw->getDataByInternalId(in);
        const auto first = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{63};
        const auto last = reinterpret_cast<uintptr_t>(p) + code.size() - 1;
        for (uintptr_t line = first; line <= last; line += 64)
            __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 3);
    }

    // The beam search of the base layer from `ep` (hnswlib's searchBaseLayerST, leaving
    // `beam` as the result). Uniform data makes every step a cache miss on codes spread
    // over the base layer, so the walk first collects the unvisited neighbours of the node
    // it expands and prefetches their codes a few ahead of the distances: the misses then
    // overlap instead of queueing one after another.
    template <bool kHasDeleted>
    void walk_base(hnswlib::tableint ep, float ep_d, size_t ef) {
        const Hnsw& h = *hnsw;
        constexpr size_t kAhead = 6;      // codes in flight: measured best among 2..16 and all
        constexpr size_t kLinkLines = 2;  // of the next node's neighbour list
        auto* vl = h.visited_list_pool_->getFreeVisitedList();
        hnswlib::vl_type* visited = vl->mass;
        const hnswlib::vl_type tag = vl->curV;
        const auto nearer = [](const Scored& a, const Scored& b) { return a.first > b.first; };
        beam.clear();
        candidates.clear();
        float bound = std::numeric_limits<float>::max();
        if (!kHasDeleted || !h.isMarkedDeleted(ep)) {
            beam.emplace_back(ep_d, ep);
            bound = ep_d;
        }
        candidates.emplace_back(ep_d, ep);
        visited[ep] = tag;
        while (!candidates.empty()) {
            const Scored c = candidates.front();
            if (c.first > bound && beam.size() >= ef) break;
            std::pop_heap(candidates.begin(), candidates.end(), nearer);
            candidates.pop_back();
            auto* list = h.get_linklist0(c.second);
            const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
            batch.clear();
            for (size_t j = 0, n = h.getListCount(list); j < n; ++j)
                if (visited[ids[j]] != tag) {
                    visited[ids[j]] = tag;
                    batch.push_back(ids[j]);
                }
            for (size_t j = 0; j < std::min(kAhead, batch.size()); ++j) prefetch_code(batch[j]);
            for (size_t j = 0; j < batch.size(); ++j) {
                if (j + kAhead < batch.size()) prefetch_code(batch[j + kAhead]);
                const hnswlib::tableint in = batch[j];
                const float d =
                    h.fstdistfunc_(code.data(), h.getDataByInternalId(in), h.dist_func_param_);
                if (beam.size() < ef || d < bound) {
                    candidates.emplace_back(d, in);
                    std::push_heap(candidates.begin(), candidates.end(), nearer);
                    if (!kHasDeleted || !h.isMarkedDeleted(in)) {
                        beam.emplace_back(d, in);
                        std::push_heap(beam.begin(), beam.end());
                        if (beam.size() > ef) {
                            std::pop_heap(beam.begin(), beam.end());
                            beam.pop_back();
                        }
                    }
                    if (!beam.empty()) bound = beam.front().first;
                }
            }
            if (!candidates.empty())
                for (size_t l = 0; l < kLinkLines; ++l)
                    __builtin_prefetch(
                        reinterpret_cast<const char*>(h.get_linklist0(candidates.front().second)) +
                            64 * l,
                        0, 3);
        }
        h.visited_list_pool_->releaseVisitedList(vl);
    }

    // The `fetch` best live vectors for the prepared query: the graph walk on codes with a
    // beam of max(ef_search, fetch), then every candidate of the beam re-ranked by its exact
    // float distance, so the scores are exact and a neighbour the codes ranked a little
    // low in the beam still makes the top.
    std::vector<VectorHit> knn(const float* q, size_t fetch) {
        const Hnsw& h = *hnsw;
        const size_t ef = std::max<size_t>(opt.ef_search, fetch);
        if (h.cur_element_count == 0) return {};
        // The upper layers: greedy descent to the base layer's entry point (hnswlib's
        // searchKnn, without its per-hop atomic metrics and label round trip).
        hnswlib::tableint cur = h.enterpoint_node_;
        float cur_d = h.fstdistfunc_(code.data(), h.getDataByInternalId(cur), h.dist_func_param_);
        for (int level = h.maxlevel_; level > 0; --level) {
            for (bool changed = true; changed;) {
                changed = false;
                auto* list = h.get_linklist(cur, level);
                const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
                for (size_t j = 0, n = h.getListCount(list); j < n; ++j) {
                    const float d = h.fstdistfunc_(code.data(), h.getDataByInternalId(ids[j]),
                                                   h.dist_func_param_);
                    if (d < cur_d) {
                        cur_d = d;
                        cur = ids[j];
                        changed = true;
                    }
                }
            }
        }
        if (h.num_deleted_)
            walk_base<true>(cur, cur_d, ef);
        else
            walk_base<false>(cur, cur_d, ef);
        std::vector<VectorHit> out;
        out.reserve(beam.size());
        for (size_t j = 0; j < beam.size(); ++j) {
            if (j + 2 < beam.size()) {  // the float vectors are as scattered as the codes
                const char* p = reinterpret_cast<const char*>(vector_of(beam[j + 2].second));
                for (size_t off = 0; off < dim * sizeof(float); off += 64)
                    __builtin_prefetch(p + off, 0, 3);
            }
            const hnswlib::tableint in = beam[j].second;
            out.push_back(VectorHit{static_cast<uint64_t>(h.getExternalLabel(in)),
                                    score(exact(q, vector_of(in), &dim))});
        }
        sort_hits(out);
        if (out.size() > fetch) out.resize(fetch);
        return out;
    }

    // Exact top-k over the live vectors the filter admits.
    std::vector<VectorHit> scan(const float* q, size_t k,
                                const std::function<bool(uint64_t)>& filter) {
        std::vector<VectorHit> out;
        for (size_t i = 0; i < hnsw->cur_element_count; ++i) {
            const auto in = static_cast<hnswlib::tableint>(i);
            if (hnsw->isMarkedDeleted(in)) continue;
            const auto id = static_cast<uint64_t>(hnsw->getExternalLabel(in));
            if (filter && !filter(id)) continue;
            out.push_back(VectorHit{id, score(exact(q, vector_of(in), &dim))});
        }
        sort_hits(out);
        if (out.size() > k) out.resize(k);
        return out;
    }
};

VectorIndex::VectorIndex(const VectorIndexOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::VectorIndex(VectorIndex&&) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&&) noexcept = default;
VectorIndex::~VectorIndex() = default;

const VectorIndexOptions& VectorIndex::options() const { return impl_->opt; }

void VectorIndex::upsert(uint64_t id, std::span<const float> vector) {
    Impl& s = *impl_;
    const float* data = s.prepare(vector, "the vector");
    const int64_t in = s.internal_id(id);
    const bool was_live = in >= 0 && !s.hnsw->isMarkedDeleted(static_cast<hnswlib::tableint>(in));
    try {
        if (in < 0 && s.hnsw->cur_element_count >= s.hnsw->max_elements_)
            s.grow(std::max<size_t>(s.hnsw->max_elements_ * 2, 16));
        // An id already present (live or deleted) is updated in place, and undeleted.
        s.hnsw->addPoint(s.code.data(), static_cast<hnswlib::labeltype>(id));
    } catch (const std::runtime_error& e) {
        out_of_memory(e);
    } catch (const std::bad_alloc& e) {
        out_of_memory(e);
    }
    const auto slot = static_cast<size_t>(s.internal_id(id));
    std::copy(data, data + s.dim, s.vectors.begin() + static_cast<std::ptrdiff_t>(slot * s.dim));
    if (!was_live) ++s.live;
}

bool VectorIndex::remove(uint64_t id) {
    Impl& s = *impl_;
    const int64_t in = s.internal_id(id);
    if (in < 0 || s.hnsw->isMarkedDeleted(static_cast<hnswlib::tableint>(in))) return false;
    s.hnsw->markDeletedInternal(static_cast<hnswlib::tableint>(in));
    --s.live;
    return true;
}

bool VectorIndex::contains(uint64_t id) const {
    const int64_t in = impl_->internal_id(id);
    return in >= 0 && !impl_->hnsw->isMarkedDeleted(static_cast<hnswlib::tableint>(in));
}

bool VectorIndex::holds(uint64_t id, std::span<const float> vector) const {
    const Impl& s = *impl_;
    const int64_t in = s.internal_id(id);
    if (in < 0 || s.hnsw->isMarkedDeleted(static_cast<hnswlib::tableint>(in))) return false;
    std::vector<float> want;
    try {
        s.prepared_copy(vector, want, "the vector");
    } catch (const Error&) {
        return false;  // upsert would refuse it: it cannot be what is indexed
    }
    return std::memcmp(want.data(), s.vector_of(static_cast<hnswlib::tableint>(in)),
                       s.dim * sizeof(float)) == 0;
}

void VectorIndex::for_each_id(const std::function<void(uint64_t)>& f) const {
    const Hnsw& h = *impl_->hnsw;
    for (size_t i = 0; i < h.cur_element_count; ++i) {
        const auto in = static_cast<hnswlib::tableint>(i);
        if (!h.isMarkedDeleted(in)) f(static_cast<uint64_t>(h.getExternalLabel(in)));
    }
}

size_t VectorIndex::size() const { return impl_->live; }
size_t VectorIndex::capacity() const { return impl_->hnsw->max_elements_; }

size_t VectorIndex::memory_bytes() const {
    const Impl& s = *impl_;
    const Hnsw& h = *s.hnsw;
    // Per slot: hnswlib's base layer element, the floats, the level and upper-layer list
    // pointers and a link-list lock; per element, an upper-layer list on average 1/(M-1)
    // of the time and a label-lookup node.
    const size_t per_slot = h.size_data_per_element_ + s.dim * sizeof(float) + sizeof(int) +
                            sizeof(void*) + sizeof(std::mutex);
    const size_t upper = h.size_links_per_element_ / std::max<size_t>(h.M_ - 1, 1);
    return sizeof(Impl) + h.max_elements_ * per_slot + h.cur_element_count * (upper + 32);
}

void VectorIndex::set_ef_search(uint32_t ef) {
    if (ef == 0) invalid("ef_search must be positive");
    impl_->opt.ef_search = ef;
    impl_->hnsw->setEf(ef);
}

std::vector<VectorHit> VectorIndex::search(std::span<const float> query, size_t k,
                                           const std::function<bool(uint64_t)>& filter) {
    Impl& s = *impl_;
    if (k == 0) return {};
    const float* q = s.prepare(query, "the query vector");
    if (s.live == 0) return {};
    k = std::min(k, s.live);
    if (!filter) return s.knn(q, k);
    // hnswlib 0.6 cannot filter inside the graph walk: fetch more candidates than asked and
    // keep the admitted ones, widening until k are found; once the beam would cover a
    // large part of the index, an exact scan is cheaper and cannot miss.
    size_t fetch = std::max<size_t>(k, s.opt.ef_search);
    while (fetch * 4 < s.live) {
        auto hits = s.knn(q, fetch);
        const bool exhausted = hits.size() < fetch;
        std::erase_if(hits, [&](const VectorHit& h) { return !filter(h.id); });
        if (hits.size() >= k || exhausted) {
            Impl::sort_hits(hits);
            if (hits.size() > k) hits.resize(k);
            return hits;
        }
        fetch *= 4;
    }
    return s.scan(q, k, filter);
}

std::vector<std::byte> VectorIndex::save() const {
    const Impl& s = *impl_;
    const Hnsw& h = *s.hnsw;
    ByteWriter w;
    w.put_raw(kMagic, sizeof kMagic);
    w.put<uint32_t>(kFormatVersion);
    w.put<uint32_t>(s.opt.dimension);
    w.put<uint8_t>(static_cast<uint8_t>(s.opt.similarity));
    w.put<uint32_t>(s.opt.m);
    w.put<uint32_t>(s.opt.ef_construction);
    w.put<uint32_t>(s.opt.ef_search);
    w.put<uint64_t>(s.opt.seed);
    w.put<uint64_t>(h.cur_element_count);
    w.put<uint64_t>(h.max_elements_);
    w.put<int32_t>(h.maxlevel_);
    w.put<uint32_t>(h.enterpoint_node_);
    w.put<uint64_t>(h.size_data_per_element_);
    w.put_raw(h.data_level0_memory_, h.cur_element_count * h.size_data_per_element_);
    for (size_t i = 0; i < h.cur_element_count; ++i) {
        const auto bytes = static_cast<uint32_t>(
            h.element_levels_[i] > 0 ? h.size_links_per_element_ * h.element_levels_[i] : 0);
        w.put<uint32_t>(bytes);
        if (bytes) w.put_raw(h.linkLists_[i], bytes);
    }
    w.put_raw(s.vectors.data(), h.cur_element_count * s.dim * sizeof(float));
    return w.take();
}

VectorIndex VectorIndex::load(std::span<const std::byte> bytes) {
    ByteReader r(bytes);
    char magic[4];
    r.get_raw(magic, sizeof magic, "the magic");
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) corrupt("bad magic, not a vector index");
    const auto version = r.get<uint32_t>("the format version");
    if (version != 1 && version != kFormatVersion)
        corrupt("format version " + std::to_string(version) + " is not supported (expected 1 or " +
                std::to_string(kFormatVersion) + ")");
    VectorIndexOptions o;
    o.dimension = r.get<uint32_t>("the dimension");
    const auto sim = r.get<uint8_t>("the similarity");
    if (sim > static_cast<uint8_t>(vec::Similarity::Cosine))
        corrupt("unknown similarity " + std::to_string(sim));
    o.similarity = static_cast<vec::Similarity>(sim);
    o.m = r.get<uint32_t>("M");
    o.ef_construction = r.get<uint32_t>("ef_construction");
    o.ef_search = r.get<uint32_t>("ef_search");
    o.seed = r.get<uint64_t>("the seed");
    const auto count = r.get<uint64_t>("the element count");
    const auto capacity = r.get<uint64_t>("the capacity");
    const auto maxlevel = r.get<int32_t>("the top level");
    const auto enterpoint = r.get<uint32_t>("the entry point");
    const auto per_element = r.get<uint64_t>("the element size");
    if (o.dimension == 0 || o.dimension > kMaxVectorDimension || o.m < 2 || o.m > 1024 ||
        o.ef_construction == 0 || o.ef_search == 0)
        corrupt("implausible options (dimension " + std::to_string(o.dimension) + ", M " +
                std::to_string(o.m) + ")");
    if (count > capacity || count >= std::numeric_limits<hnswlib::tableint>::max() ||
        per_element == 0 || count > r.remaining() / per_element)
        corrupt("element count " + std::to_string(count) + " does not fit the image");
    o.initial_capacity = std::max<size_t>(static_cast<size_t>(count), 1);

    auto impl = std::make_unique<Impl>(o);
    Hnsw& h = *impl->hnsw;
    const size_t dim = o.dimension;
    // Version 1 kept the float vectors where version 2 keeps their codes.
    const size_t expected_per_element =
        version == 1 ? h.size_links_level0_ + dim * sizeof(float) + sizeof(hnswlib::labeltype)
                     : h.size_data_per_element_;
    if (expected_per_element != per_element)
        corrupt("element size " + std::to_string(per_element) + " disagrees with the options (" +
                std::to_string(expected_per_element) + ")");
    if (version == 1) {
        std::vector<char> element(per_element);
        for (size_t i = 0; i < count; ++i) {
            r.get_raw(element.data(), per_element, "the base layer");
            char* to = h.data_level0_memory_ + i * h.size_data_per_element_;
            std::memcpy(to, element.data(), h.size_links_level0_);
            std::memcpy(impl->vectors.data() + i * dim, element.data() + h.size_links_level0_,
                        dim * sizeof(float));
            std::memcpy(to + h.label_offset_,
                        element.data() + h.size_links_level0_ + dim * sizeof(float),
                        sizeof(hnswlib::labeltype));
        }
    } else {
        r.get_raw(h.data_level0_memory_, count * per_element, "the base layer");
    }
    // Graph data the destructor frees must be consistent before anything can throw.
    size_t deleted = 0;
    for (size_t i = 0; i < count; ++i) {
        const auto bytes = r.get<uint32_t>("a link list size");
        if (bytes % h.size_links_per_element_ != 0 || bytes > r.remaining())
            corrupt("link list " + std::to_string(i) + " has a bad size " + std::to_string(bytes));
        const int levels = static_cast<int>(bytes / h.size_links_per_element_);
        h.linkLists_[i] = nullptr;
        if (levels > 0) {
            h.linkLists_[i] = static_cast<char*>(std::malloc(bytes));
            if (!h.linkLists_[i]) corrupt("out of memory for link list " + std::to_string(i));
            r.get_raw(h.linkLists_[i], bytes, "a link list");
        }
        h.element_levels_[i] = levels;
        h.cur_element_count = i + 1;
        const auto in = static_cast<hnswlib::tableint>(i);
        if (!h.label_lookup_.emplace(h.getExternalLabel(in), in).second)
            corrupt("node id " + std::to_string(h.getExternalLabel(in)) + " appears twice");
        if (h.isMarkedDeleted(in)) ++deleted;
    }
    if (version != 1) {
        if (r.remaining() / (dim * sizeof(float)) < count)
            corrupt("truncated while reading the vectors");
        r.get_raw(impl->vectors.data(), count * dim * sizeof(float), "the vectors");
    }
    if (!r.at_end()) corrupt(std::to_string(r.remaining()) + " unexpected bytes at the end");
    // The codes are derived from the vectors, never trusted from the image.
    for (size_t i = 0; i < count; ++i) {
        const float* v = impl->vectors.data() + i * dim;
        for (size_t j = 0; j < dim; ++j)
            if (!std::isfinite(v[j]))
                corrupt("element " + std::to_string(i) + " has a non-finite coordinate");
        vk::encode(v, dim, h.getDataByInternalId(static_cast<hnswlib::tableint>(i)));
    }
    // Every neighbour id must name an element, or a search would read out of bounds.
    for (size_t i = 0; i < count; ++i) {
        const auto in = static_cast<hnswlib::tableint>(i);
        for (int level = 0; level <= h.element_levels_[i]; ++level) {
            auto* list = level == 0 ? h.get_linklist0(in) : h.get_linklist(in, level);
            const size_t n = h.getListCount(list);
            if (n > (level == 0 ? h.maxM0_ : h.maxM_))
                corrupt("element " + std::to_string(i) + " has " + std::to_string(n) +
                        " neighbours at level " + std::to_string(level));
            const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
            for (size_t j = 0; j < n; ++j)
                if (ids[j] >= count || h.element_levels_[ids[j]] < level)
                    corrupt("element " + std::to_string(i) + " links to element " +
                            std::to_string(ids[j]) + " of " + std::to_string(count) + " at level " +
                            std::to_string(level) + ", which it does not reach");
        }
    }
    if (count > 0) {
        if (enterpoint >= count || maxlevel != h.element_levels_[enterpoint])
            corrupt("bad entry point " + std::to_string(enterpoint));
        h.enterpoint_node_ = enterpoint;
        h.maxlevel_ = maxlevel;
    }
    h.num_deleted_ = deleted;
    impl->live = count - deleted;
    // The saved capacity is only a hint, never trusted past what growth on demand (doubling)
    // would reach for these elements: a damaged image must not reserve gigabytes.
    const uint64_t room = std::min<uint64_t>(capacity, std::max<uint64_t>(count * 2, 16));
    if (room > h.max_elements_) impl->grow(static_cast<size_t>(room));
    return VectorIndex(std::move(impl));
}

}  // namespace lora::storage
