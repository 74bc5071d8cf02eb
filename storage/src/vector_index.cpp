// VectorIndex over hnswlib 0.6 (Debian's libhnswlib-dev). hnswlib.h defines non-inline
// functions, so it must be included by this one translation unit only.
#include <lora/storage/vector_index.hpp>

#include <lora/error.hpp>
#include <lora/value.hpp>

#include <fstream>  // hnswlib's headers use it without including it
#include <hnswlib/hnswlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

namespace lora::storage {

namespace {

using Hnsw = hnswlib::HierarchicalNSW<float>;

[[noreturn]] void invalid(const std::string& message) {
    throw_argument_error("InvalidArgumentValue", "vector index: " + message);
}

[[noreturn]] void corrupt(const std::string& message) {
    throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "CorruptIndex",
                "vector index image: " + message);
}

[[noreturn]] void out_of_memory(const std::exception& e) {
    throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "OutOfMemory",
                std::string("vector index: ") + e.what());
}

// ---- distance kernels
//
// hnswlib picks its SIMD kernels at compile time (SSE unless the whole build targets AVX).
// These choose at run time, so a portable build still uses AVX2/FMA where the CPU has it;
// distances are most of the cost of both inserts and searches. The signature is hnswlib's
// DISTFUNC: the third argument points to the dimension.

float l2sq_scalar(const void* a, const void* b, const void* dim) {
    const auto* x = static_cast<const float*>(a);
    const auto* y = static_cast<const float*>(b);
    const size_t n = *static_cast<const size_t*>(dim);
    float s = 0;
    for (size_t i = 0; i < n; ++i) {
        const float d = x[i] - y[i];
        s += d * d;
    }
    return s;
}

float dot_scalar(const float* x, const float* y, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; ++i) s += x[i] * y[i];
    return s;
}

float ip_distance_scalar(const void* a, const void* b, const void* dim) {
    return 1.0f - dot_scalar(static_cast<const float*>(a), static_cast<const float*>(b),
                             *static_cast<const size_t*>(dim));
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 0x55));
    return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) float l2sq_avx2(const void* a, const void* b, const void* dim) {
    const auto* x = static_cast<const float*>(a);
    const auto* y = static_cast<const float*>(b);
    const size_t n = *static_cast<const size_t*>(dim);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) {
        const float d = x[i] - y[i];
        s += d * d;
    }
    return s;
}

__attribute__((target("avx2,fma"))) float ip_distance_avx2(const void* a, const void* b,
                                                          const void* dim) {
    const auto* x = static_cast<const float*>(a);
    const auto* y = static_cast<const float*>(b);
    const size_t n = *static_cast<const size_t*>(dim);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) s += x[i] * y[i];
    return 1.0f - s;
}

bool has_avx2_fma() {
    static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return yes;
}
#endif

// hnswlib's SpaceInterface with the kernels above.
class Space final : public hnswlib::SpaceInterface<float> {
public:
    Space(size_t dim, vec::Similarity sim) : dim_(dim) {
        const bool cosine = sim == vec::Similarity::Cosine;
        fn_ = cosine ? ip_distance_scalar : l2sq_scalar;
#if defined(__x86_64__)
        if (has_avx2_fma()) fn_ = cosine ? ip_distance_avx2 : l2sq_avx2;
#endif
    }
    size_t get_data_size() override { return dim_ * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return fn_; }
    void* get_dist_func_param() override { return &dim_; }

private:
    size_t dim_;
    hnswlib::DISTFUNC<float> fn_;
};

constexpr char kMagic[4] = {'L', 'V', 'I', 'X'};
constexpr uint32_t kFormatVersion = 1;

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
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<Hnsw> hnsw;
    size_t live = 0;
    std::vector<float> scratch;  // the prepared (checked, maybe normalised) vector

    explicit Impl(const VectorIndexOptions& o) : opt(o) {
        if (o.dimension == 0 || o.dimension > kMaxVectorDimension)
            invalid("dimension must be between 1 and " + std::to_string(kMaxVectorDimension) +
                    ", got " + std::to_string(o.dimension));
        if (o.m < 2 || o.m > 1024) invalid("M must be between 2 and 1024, got " + std::to_string(o.m));
        if (o.ef_construction == 0) invalid("ef_construction must be positive");
        if (o.ef_search == 0) invalid("ef_search must be positive");
        space = std::make_unique<Space>(o.dimension, o.similarity);
        try {
            hnsw = std::make_unique<Hnsw>(space.get(), std::max<size_t>(o.initial_capacity, 1), o.m,
                                          o.ef_construction, o.seed);
        } catch (const std::runtime_error& e) {
            out_of_memory(e);
        }
        hnsw->setEf(o.ef_search);
    }

    // Checks `v` and copies it into `scratch`, normalised for a cosine index (the inner
    // product of unit vectors is their cosine).
    const float* prepare(std::span<const float> v, const char* what) {
        if (v.size() != opt.dimension)
            invalid(std::string(what) + " has dimension " + std::to_string(v.size()) +
                    ", the index has dimension " + std::to_string(opt.dimension));
        scratch.assign(v.begin(), v.end());
        for (size_t i = 0; i < scratch.size(); ++i)
            if (!std::isfinite(scratch[i]))
                invalid(std::string(what) + " has a non-finite coordinate at " + std::to_string(i));
        if (opt.similarity == vec::Similarity::Cosine) {
            const double n = vec::l2_norm(scratch);
            if (n == 0.0) invalid(std::string(what) + " is a zero vector, which has no cosine");
            for (float& x : scratch) x = static_cast<float>(x / n);
        }
        return scratch.data();
    }

    double score(float distance) const {
        return opt.similarity == vec::Similarity::Cosine ? vec::score_from_ip_distance(distance)
                                                         : vec::score_from_squared_l2(distance);
    }

    // -1 when absent.
    int64_t internal_id(uint64_t id) const {
        auto it = hnsw->label_lookup_.find(static_cast<hnswlib::labeltype>(id));
        return it == hnsw->label_lookup_.end() ? -1 : static_cast<int64_t>(it->second);
    }

    static void sort_hits(std::vector<VectorHit>& hits) {
        std::sort(hits.begin(), hits.end(), [](const VectorHit& a, const VectorHit& b) {
            return a.score != b.score ? a.score > b.score : a.id < b.id;
        });
    }

    std::vector<VectorHit> knn(const float* q, size_t fetch) {
        hnsw->setEf(std::max<size_t>(opt.ef_search, fetch));
        auto pq = hnsw->searchKnn(q, fetch);
        hnsw->setEf(opt.ef_search);
        std::vector<VectorHit> out;
        out.reserve(pq.size());
        for (; !pq.empty(); pq.pop())
            out.push_back(VectorHit{static_cast<uint64_t>(pq.top().second), score(pq.top().first)});
        return out;
    }

    // Exact top-k over the live vectors the filter admits.
    std::vector<VectorHit> scan(const float* q, size_t k, const std::function<bool(uint64_t)>& filter) {
        std::vector<VectorHit> out;
        for (size_t i = 0; i < hnsw->cur_element_count; ++i) {
            const auto in = static_cast<hnswlib::tableint>(i);
            if (hnsw->isMarkedDeleted(in)) continue;
            const auto id = static_cast<uint64_t>(hnsw->getExternalLabel(in));
            if (filter && !filter(id)) continue;
            float d = hnsw->fstdistfunc_(q, hnsw->getDataByInternalId(in), hnsw->dist_func_param_);
            out.push_back(VectorHit{id, score(d)});
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
            s.hnsw->resizeIndex(std::max<size_t>(s.hnsw->max_elements_ * 2, 16));
        // An id already present (live or deleted) is updated in place, and undeleted.
        s.hnsw->addPoint(data, static_cast<hnswlib::labeltype>(id));
    } catch (const std::runtime_error& e) {
        out_of_memory(e);
    }
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

size_t VectorIndex::size() const { return impl_->live; }
size_t VectorIndex::capacity() const { return impl_->hnsw->max_elements_; }

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
    if (!filter) {
        auto hits = s.knn(q, k);
        Impl::sort_hits(hits);
        return hits;
    }
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
    return w.take();
}

VectorIndex VectorIndex::load(std::span<const std::byte> bytes) {
    ByteReader r(bytes);
    char magic[4];
    r.get_raw(magic, sizeof magic, "the magic");
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) corrupt("bad magic, not a vector index");
    const auto version = r.get<uint32_t>("the format version");
    if (version != kFormatVersion)
        corrupt("format version " + std::to_string(version) + " is not supported (expected " +
                std::to_string(kFormatVersion) + ")");
    VectorIndexOptions o;
    o.dimension = r.get<uint32_t>("the dimension");
    const auto sim = r.get<uint8_t>("the similarity");
    if (sim > static_cast<uint8_t>(vec::Similarity::Cosine)) corrupt("unknown similarity " + std::to_string(sim));
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
    if (h.size_data_per_element_ != per_element)
        corrupt("element size " + std::to_string(per_element) + " disagrees with the options (" +
                std::to_string(h.size_data_per_element_) + ")");
    r.get_raw(h.data_level0_memory_, count * per_element, "the base layer");
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
    if (!r.at_end()) corrupt(std::to_string(r.remaining()) + " unexpected bytes at the end");
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
                            std::to_string(ids[j]) + " of " + std::to_string(count) +
                            " at level " + std::to_string(level) + ", which it does not reach");
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
    if (capacity > h.max_elements_) h.resizeIndex(static_cast<size_t>(capacity));
    return VectorIndex(std::move(impl));
}

}  // namespace lora::storage
