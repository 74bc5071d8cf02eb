// The vector index's int8 quantization: every SIMD kernel against the scalar one on odd
// dimensions, the encoding's error bound, exact top-k and exact scores after the re-rank,
// and loading a version-1 (float) image.
#include "../../storage/src/vector_kernels.hpp"

#include <lora/error.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/vector_math.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace lora;
using lora::storage::VectorHit;
using lora::storage::VectorIndex;
using lora::storage::VectorIndexOptions;
namespace vk = lora::storage::vk;

namespace {

const std::vector<size_t> kDims = {1,  2,  3,  15,  16,  17,  31,  32,  33,
                                   63, 64, 65, 100, 127, 128, 130, 255, 1000};

std::vector<vk::Isa> supported_isas() {
    std::vector<vk::Isa> out;
    for (auto i : {vk::Isa::Scalar, vk::Isa::Avx2, vk::Isa::Avx512Bw, vk::Isa::Avx512Vnni})
        if (vk::isa_supported(i)) out.push_back(i);
    return out;
}

std::vector<float> random_floats(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

std::vector<std::vector<float>> random_vectors(size_t n, size_t dim, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<float>> out;
    for (size_t i = 0; i < n; ++i) out.push_back(random_floats(dim, rng));
    return out;
}

std::vector<char> encoded(const std::vector<float>& x) {
    std::vector<char> out(vk::code_bytes(x.size()));
    vk::encode(x.data(), x.size(), out.data());
    return out;
}

double exact_score(vec::Similarity s, const std::vector<float>& a, const std::vector<float>& b) {
    return s == vec::Similarity::Cosine ? *vec::cosine_similarity(a, b)
                                        : vec::euclidean_similarity(a, b);
}

}  // namespace

TEST_CASE("int8 kernels: every SIMD kernel equals the scalar one on any dimension",
          "[storage][vector][quantized]") {
    const auto isas = supported_isas();
    INFO("best kernel on this CPU: " << vk::isa_name(vk::best_isa()));
    REQUIRE(isas.front() == vk::Isa::Scalar);
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> code(-127, 127);
    for (size_t dim : kDims) {
        INFO("dimension " << dim);
        for (int round = 0; round < 20; ++round) {
            std::vector<int8_t> a(dim), b(dim);
            for (size_t i = 0; i < dim; ++i) {
                a[i] = static_cast<int8_t>(code(rng));
                b[i] = static_cast<int8_t>(code(rng));
            }
            if (round == 0) {  // the extremes: no 16-bit saturation inside maddubs
                std::fill(a.begin(), a.end(), int8_t{-127});
                std::fill(b.begin(), b.end(), int8_t{127});
            }
            int32_t want = 0;
            for (size_t i = 0; i < dim; ++i) want += int32_t{a[i]} * b[i];
            for (auto isa : isas) {
                INFO("kernel " << vk::isa_name(isa));
                CHECK(vk::dot_i8(isa)(a.data(), b.data(), dim) == want);
            }
        }
        // The distance functions over encoded vectors and over floats.
        const auto x = random_floats(dim, rng), y = random_floats(dim, rng, -0.5f, 2.0f);
        const auto cx = encoded(x), cy = encoded(y);
        const float scalar_ip =
            vk::quantized_ip_distance(vk::Isa::Scalar)(cx.data(), cy.data(), &dim);
        const float scalar_l2 =
            vk::quantized_l2_distance(vk::Isa::Scalar)(cx.data(), cy.data(), &dim);
        const float exact_ip = vk::float_ip_distance(vk::Isa::Scalar)(x.data(), y.data(), &dim);
        const float exact_l2 = vk::float_l2_distance(vk::Isa::Scalar)(x.data(), y.data(), &dim);
        for (auto isa : isas) {
            INFO("kernel " << vk::isa_name(isa));
            CHECK(vk::quantized_ip_distance(isa)(cx.data(), cy.data(), &dim) ==
                  Approx(scalar_ip).epsilon(1e-5).margin(1e-5));
            CHECK(vk::quantized_l2_distance(isa)(cx.data(), cy.data(), &dim) ==
                  Approx(scalar_l2).epsilon(1e-5).margin(1e-5));
            CHECK(vk::float_ip_distance(isa)(x.data(), y.data(), &dim) ==
                  Approx(exact_ip).epsilon(1e-5).margin(1e-5));
            CHECK(vk::float_l2_distance(isa)(x.data(), y.data(), &dim) ==
                  Approx(exact_l2).epsilon(1e-5).margin(1e-5));
        }
        // The estimate is close to the exact value: each coordinate is off by at most half
        // a step, a step being 1/127 of the vector's half range.
        double bound = 0;
        for (size_t i = 0; i < dim; ++i)
            bound += std::abs(y[i]) * (1.0 / 127) + std::abs(x[i]) * (1.25 / 127);
        CHECK(std::abs(scalar_ip - exact_ip) <= bound);
        CHECK(std::abs(scalar_l2 - exact_l2) <= 2 * bound + 1e-4);
    }
}

TEST_CASE("int8 encoding: codes within [-127, 127] and half a step from the vector",
          "[storage][vector][quantized]") {
    std::mt19937 rng(9);
    for (size_t dim : kDims) {
        INFO("dimension " << dim);
        for (auto [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{0.0f, 1.0f},
                              std::pair{100.0f, 100.5f}, std::pair{-1e15f, 1e15f}}) {
            const auto x = random_floats(dim, rng, lo, hi);
            const auto c = encoded(x);
            vk::QHead h;
            std::memcpy(&h, c.data(), sizeof h);
            const auto* codes = reinterpret_cast<const int8_t*>(c.data() + sizeof h);
            double norm2 = 0;
            int64_t sum = 0;
            for (size_t i = 0; i < dim; ++i) {
                REQUIRE(codes[i] >= -127);
                const double back = double{h.offset} + double{h.scale} * codes[i];
                CHECK(std::abs(back - x[i]) <= 0.5001 * h.scale + 1e-6 * std::abs(x[i]));
                norm2 += double{x[i]} * x[i];
                sum += codes[i];
            }
            CHECK(h.norm2 == Approx(norm2).epsilon(1e-5));
            CHECK(h.scaled_sum ==
                  Approx(h.scale * static_cast<float>(sum)).epsilon(1e-5).margin(1e-30));
            for (size_t i = sizeof h + dim; i < c.size(); ++i) CHECK(c[i] == 0);  // padding
        }
    }
    // A constant vector: the offset says it all.
    const std::vector<float> flat(5, 0.25f);
    const auto c = encoded(flat);
    vk::QHead h;
    std::memcpy(&h, c.data(), sizeof h);
    CHECK(h.offset == 0.25f);
    CHECK(h.scale == 0.0f);
    size_t five = 5;
    CHECK(vk::quantized_l2_distance(vk::best_isa())(c.data(), c.data(), &five) ==
          Approx(0).margin(1e-6));
}

TEST_CASE("quantized index: with a beam over the whole set, top-k and scores are exact",
          "[storage][vector][quantized]") {
    for (auto sim : {vec::Similarity::Cosine, vec::Similarity::Euclidean}) {
        for (size_t dim : {size_t{1}, size_t{3}, size_t{17}, size_t{130}}) {
            if (dim == 1 && sim == vec::Similarity::Cosine)
                continue;  // only two directions: all ties
            INFO(vec::similarity_name(sim) << " dimension " << dim);
            const size_t n = 1500;
            auto data = random_vectors(n, dim, static_cast<uint32_t>(dim));
            VectorIndexOptions o;
            o.dimension = static_cast<uint32_t>(dim);
            o.similarity = sim;
            o.ef_search = static_cast<uint32_t>(n);
            VectorIndex idx(o);
            for (size_t i = 0; i < n; ++i) idx.upsert(i, data[i]);
            for (const auto& q : random_vectors(10, dim, 1000 + static_cast<uint32_t>(dim))) {
                std::vector<std::pair<double, uint64_t>> all;
                for (size_t i = 0; i < n; ++i) all.emplace_back(exact_score(sim, data[i], q), i);
                std::sort(all.begin(), all.end(), [](auto& a, auto& b) {
                    return a.first != b.first ? a.first > b.first : a.second < b.second;
                });
                const auto hits = idx.search(q, 10);
                REQUIRE(hits.size() == 10);
                for (size_t j = 0; j < hits.size(); ++j) {
                    // Exact scores (the float re-rank), and the exact ranking up to float
                    // rounding between near-equal scores.
                    CHECK(hits[j].score ==
                          Approx(exact_score(sim, data[hits[j].id], q)).epsilon(1e-5));
                    CHECK(hits[j].score == Approx(all[j].first).epsilon(1e-5));
                }
                if (dim > 1) CHECK(hits[0].id == all[0].second);
            }
        }
    }
}

TEST_CASE("quantized index: a filtered search with a wide beam is exact",
          "[storage][vector][quantized]") {
    const size_t dim = 33, n = 2000;
    auto data = random_vectors(n, dim, 3);
    VectorIndexOptions o;
    o.dimension = dim;
    o.similarity = vec::Similarity::Euclidean;
    o.ef_search = 2000;
    VectorIndex idx(o);
    for (size_t i = 0; i < n; ++i) idx.upsert(i, data[i]);
    auto third = [](uint64_t id) { return id % 3 == 0; };
    const auto q = random_vectors(1, dim, 4)[0];
    std::vector<std::pair<double, uint64_t>> all;
    for (size_t i = 0; i < n; i += 3) all.emplace_back(exact_score(o.similarity, data[i], q), i);
    std::sort(all.begin(), all.end(), std::greater<>());
    const auto hits = idx.search(q, 8, third);
    REQUIRE(hits.size() == 8);
    for (size_t j = 0; j < hits.size(); ++j) {
        CHECK(hits[j].id == all[j].second);
        CHECK(hits[j].score == Approx(all[j].first).epsilon(1e-6));
    }
}

TEST_CASE("vector index loads a version-1 image (float base layer)",
          "[storage][vector][quantized]") {
    // Version 1 is version 2 with the floats in the base layer instead of the codes and no
    // vector section at the end: rewrite a version-2 image into one.
    const uint32_t dim = 10, m = 6;
    auto data = random_vectors(700, dim, 51);
    VectorIndexOptions o;
    o.dimension = dim;
    o.m = m;
    o.similarity = vec::Similarity::Euclidean;
    VectorIndex idx(o);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(i * 2, data[i]);
    idx.remove(4);
    const auto v2 = idx.save();

    const size_t header = 4 + 4 + 4 + 1 + 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 8;
    uint64_t count, per_element;
    std::memcpy(&count, v2.data() + 4 + 4 + 4 + 1 + 4 + 4 + 4 + 8, 8);
    std::memcpy(&per_element, v2.data() + header - 8, 8);
    REQUIRE(count == data.size());
    const size_t links = (2 * m) * 4 + 4, code = vk::code_bytes(dim);
    REQUIRE(per_element == links + code + 8);
    const size_t v1_per_element = links + dim * 4 + 8;
    const size_t floats_at = v2.size() - count * dim * 4;

    std::vector<std::byte> v1(v2.begin(), v2.begin() + header);
    const uint32_t one = 1;
    std::memcpy(v1.data() + 4, &one, 4);
    std::memcpy(v1.data() + header - 8, &v1_per_element, 8);
    for (size_t i = 0; i < count; ++i) {
        const std::byte* e = v2.data() + header + i * per_element;
        v1.insert(v1.end(), e, e + links);
        const std::byte* f = v2.data() + floats_at + i * dim * 4;
        v1.insert(v1.end(), f, f + dim * 4);
        v1.insert(v1.end(), e + links + code, e + per_element);
    }
    v1.insert(v1.end(), v2.begin() + static_cast<std::ptrdiff_t>(header + count * per_element),
              v2.begin() + static_cast<std::ptrdiff_t>(floats_at));

    VectorIndex back = VectorIndex::load(v1);
    CHECK(back.size() == idx.size());
    CHECK_FALSE(back.contains(4));
    for (const auto& q : random_vectors(20, dim, 52)) CHECK(back.search(q, 5) == idx.search(q, 5));
    CHECK(back.save() == v2);  // saved again as version 2, byte for byte

    // Another version is refused with a clear error the engine can rebuild on.
    auto v3 = v2;
    const uint32_t three = 3;
    std::memcpy(v3.data() + 4, &three, 4);
    try {
        VectorIndex::load(v3);
        FAIL("loaded an unknown version");
    } catch (const Error& e) {
        CHECK(e.code() == "DatabaseError.CorruptIndex");
        CHECK(std::string(e.what()).find("format version 3") != std::string::npos);
    }
}

TEST_CASE("quantized index: the scalar kernels give the SIMD kernels' answers",
          "[storage][vector][quantized]") {
    // Indexes built and searched with the portable kernels (a CPU without AVX2) and with
    // this CPU's best; with a beam over the whole set both are exact.
    const size_t dim = 130, n = 1200;
    auto data = random_vectors(n, dim, 61);
    auto build = [&](vk::Isa limit) {
        vk::limit_isa(limit);
        VectorIndexOptions o;
        o.dimension = dim;
        o.ef_search = static_cast<uint32_t>(n);
        VectorIndex idx(o);
        for (size_t i = 0; i < n; ++i) idx.upsert(i, data[i]);
        vk::limit_isa(vk::Isa::Avx512Vnni);
        return idx;
    };
    VectorIndex scalar = build(vk::Isa::Scalar);
    VectorIndex simd = build(vk::Isa::Avx512Vnni);
    INFO("best kernel on this CPU: " << vk::isa_name(vk::best_isa()));
    for (const auto& q : random_vectors(10, dim, 62)) {
        const auto a = scalar.search(q, 10), b = simd.search(q, 10);
        REQUIRE(a.size() == 10);
        REQUIRE(b.size() == 10);
        for (size_t j = 0; j < 10; ++j) {
            CHECK(a[j].id == b[j].id);
            CHECK(a[j].score == Approx(b[j].score).epsilon(1e-6));
        }
    }
}

TEST_CASE("vector index memory_bytes counts the codes, the floats and the links",
          "[storage][vector][quantized]") {
    VectorIndexOptions o;
    o.dimension = 64;
    o.m = 16;
    o.initial_capacity = 16;
    VectorIndex idx(o);
    const size_t empty = idx.memory_bytes();
    for (const auto& v : random_vectors(1000, 64, 71)) idx.upsert(idx.size(), v);
    // At least, per slot: 64 floats, a 64-byte code and its head, 2M links and the label.
    const size_t floor_per_slot = 64 * 4 + vk::code_bytes(64) + (2 * 16 * 4 + 4) + 8;
    CHECK(idx.memory_bytes() >= empty + 1000 * floor_per_slot);
    CHECK(idx.memory_bytes() <= idx.capacity() * floor_per_slot * 2);
}

// Found by fuzz_checkpoint (a vector index image whose vector had a range of about 1e-38): the
// scale came out subnormal, its inverse infinite, and the coordinate at the offset was coded
// from 0 * inf = NaN (undefined behaviour, in practice the forbidden code -128).
TEST_CASE("int8 encoding: a range too small to invert codes every coordinate as the offset",
          "[storage][vector][quantized]") {
    for (float tiny : {2e-38f, 1e-39f, 1e-45f}) {
        INFO("range " << tiny);
        const std::vector<float> x = {0.0f, tiny, 0.0f, tiny};
        const auto out = encoded(x);
        vk::QHead h;
        std::memcpy(&h, out.data(), sizeof h);
        CHECK(h.scale == 0.0f);
        CHECK(std::isfinite(h.offset));
        for (size_t i = 0; i < x.size(); ++i)
            CHECK(static_cast<int8_t>(out[sizeof(vk::QHead) + i]) == 0);
    }
}
