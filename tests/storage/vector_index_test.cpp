// VectorIndex: recall against exact search on random data, updates, deletes, filters,
// growth, and the save/load image (round trip and damaged images).
#include <lora/error.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/value.hpp>
#include <lora/vector_math.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <unordered_set>

using namespace lora;
using lora::storage::VectorHit;
using lora::storage::VectorIndex;
using lora::storage::VectorIndexOptions;

namespace {

std::vector<std::vector<float>> random_vectors(size_t n, uint32_t dim, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<std::vector<float>> out(n, std::vector<float>(dim));
    for (auto& v : out)
        for (auto& x : v) x = u(rng);
    return out;
}

double exact_score(vec::Similarity s, const std::vector<float>& a, const std::vector<float>& b) {
    return s == vec::Similarity::Cosine ? *vec::cosine_similarity(a, b)
                                        : vec::euclidean_similarity(a, b);
}

// Ids of the exact top k (by score, then id) among the ids `admit` accepts.
std::vector<uint64_t> exact_top(vec::Similarity s, const std::vector<std::vector<float>>& data,
                                const std::vector<float>& q, size_t k,
                                const std::function<bool(uint64_t)>& admit = {}) {
    std::vector<std::pair<double, uint64_t>> all;
    for (size_t i = 0; i < data.size(); ++i)
        if (!admit || admit(i)) all.emplace_back(exact_score(s, data[i], q), i);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < std::min(k, all.size()); ++i) ids.push_back(all[i].second);
    return ids;
}

double recall(const std::vector<VectorHit>& got, const std::vector<uint64_t>& truth) {
    std::set<uint64_t> t(truth.begin(), truth.end());
    size_t hit = 0;
    for (const auto& h : got) hit += t.count(h.id);
    return truth.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(truth.size());
}

std::string error_code(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

}  // namespace

TEST_CASE("vector index recall@10 against exact search on random data", "[storage][vector]") {
    for (auto sim : {vec::Similarity::Cosine, vec::Similarity::Euclidean}) {
        INFO(vec::similarity_name(sim));
        const uint32_t dim = 32;
        auto data = random_vectors(3000, dim, 7);
        VectorIndexOptions o;
        o.dimension = dim;
        o.similarity = sim;
        o.initial_capacity = 64;  // forces several doublings
        VectorIndex idx(o);
        for (size_t i = 0; i < data.size(); ++i) idx.upsert(i, data[i]);
        CHECK(idx.size() == 3000);
        CHECK(idx.capacity() >= 3000);

        auto queries = random_vectors(100, dim, 8);
        double total = 0;
        for (const auto& q : queries) {
            auto hits = idx.search(q, 10);
            REQUIRE(hits.size() == 10);
            for (size_t i = 1; i < hits.size(); ++i) CHECK(hits[i - 1].score >= hits[i].score);
            // Scores are the normalised similarities of the vectors found.
            CHECK(hits[0].score == Approx(exact_score(sim, data[hits[0].id], q)).epsilon(1e-5));
            total += recall(hits, exact_top(sim, data, q, 10));
        }
        CHECK(total / queries.size() >= 0.95);
    }
}

TEST_CASE("vector index: updates move a vector, removed ids are never returned",
          "[storage][vector]") {
    VectorIndexOptions o;
    o.dimension = 2;
    o.similarity = vec::Similarity::Euclidean;
    VectorIndex idx(o);
    idx.upsert(1, std::vector<float>{0, 0});
    idx.upsert(2, std::vector<float>{10, 10});
    idx.upsert(3, std::vector<float>{5, 5});
    auto hits = idx.search(std::vector<float>{0, 0}, 1);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0] == VectorHit{1, 1.0});

    idx.upsert(1, std::vector<float>{20, 20});  // update in place
    CHECK(idx.size() == 3);
    hits = idx.search(std::vector<float>{0, 0}, 3);
    REQUIRE(hits.size() == 3);
    CHECK(hits[0].id == 3);
    CHECK(hits[0].score == 1.0 / 51.0);
    CHECK(hits[2].id == 1);

    CHECK(idx.remove(3));
    CHECK_FALSE(idx.remove(3));
    CHECK_FALSE(idx.remove(99));
    CHECK_FALSE(idx.contains(3));
    CHECK(idx.size() == 2);
    hits = idx.search(std::vector<float>{5, 5}, 10);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].id == 2);
    CHECK(hits[1].id == 1);

    idx.upsert(3, std::vector<float>{0, 1});  // a removed id comes back
    CHECK(idx.contains(3));
    CHECK(idx.size() == 3);
    CHECK(idx.search(std::vector<float>{0, 0}, 1)[0] == VectorHit{3, 0.5});
}

TEST_CASE("vector index: many deletes on random data leave recall intact", "[storage][vector]") {
    const uint32_t dim = 16;
    auto data = random_vectors(2000, dim, 11);
    VectorIndexOptions o;
    o.dimension = dim;
    VectorIndex idx(o);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(i, data[i]);
    for (size_t i = 0; i < data.size(); i += 2) REQUIRE(idx.remove(i));  // every even id
    CHECK(idx.size() == 1000);
    auto odd = [](uint64_t id) { return id % 2 == 1; };
    double total = 0;
    auto queries = random_vectors(50, dim, 12);
    for (const auto& q : queries) {
        auto hits = idx.search(q, 10);
        REQUIRE(hits.size() == 10);
        for (const auto& h : hits) CHECK(h.id % 2 == 1);
        total += recall(hits, exact_top(vec::Similarity::Cosine, data, q, 10, odd));
    }
    CHECK(total / queries.size() >= 0.95);
}

TEST_CASE("vector index: a filter admits only the ids it accepts, however selective",
          "[storage][vector]") {
    const uint32_t dim = 8;
    auto data = random_vectors(4000, dim, 21);
    VectorIndexOptions o;
    o.dimension = dim;
    o.similarity = vec::Similarity::Euclidean;
    VectorIndex idx(o);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(i, data[i]);
    auto q = random_vectors(1, dim, 22)[0];

    // Selective (1 in 1000): served by the exact scan, so it is exact.
    auto rare = [](uint64_t id) { return id % 1000 == 7; };
    auto hits = idx.search(q, 10, rare);
    REQUIRE(hits.size() == 4);
    std::vector<uint64_t> ids;
    for (const auto& h : hits) ids.push_back(h.id);
    CHECK(ids == exact_top(vec::Similarity::Euclidean, data, q, 10, rare));

    // Broad (half the ids): served by the widened graph search.
    auto half = [](uint64_t id) { return id % 2 == 0; };
    hits = idx.search(q, 10, half);
    REQUIRE(hits.size() == 10);
    for (const auto& h : hits) CHECK(h.id % 2 == 0);
    CHECK(recall(hits, exact_top(vec::Similarity::Euclidean, data, q, 10, half)) >= 0.8);

    CHECK(idx.search(q, 10, [](uint64_t) { return false; }).empty());
}

TEST_CASE("vector index refuses bad vectors and options", "[storage][vector]") {
    VectorIndexOptions o;
    o.dimension = 3;
    VectorIndex idx(o);
    CHECK(error_code([&] {
              idx.upsert(1, std::vector<float>{1, 2});
          }) == "ArgumentError.InvalidArgumentValue");
    CHECK(error_code([&] {
              idx.upsert(1, std::vector<float>{0, 0, 0});
          }) == "ArgumentError.InvalidArgumentValue");
    CHECK(error_code([&] {
              idx.upsert(1, std::vector<float>{1, NAN, 0});
          }) == "ArgumentError.InvalidArgumentValue");
    CHECK(error_code([&] { idx.search(std::vector<float>{1}, 3); }) ==
          "ArgumentError.InvalidArgumentValue");
    CHECK(idx.size() == 0);
    CHECK(idx.search(std::vector<float>{1, 0, 0}, 5).empty());
    CHECK(idx.search(std::vector<float>{1, 0, 0}, 0).empty());

    VectorIndexOptions bad;
    bad.dimension = 0;
    CHECK(error_code([&] { VectorIndex x(bad); }) == "ArgumentError.InvalidArgumentValue");
    bad.dimension = 5000;
    CHECK(error_code([&] { VectorIndex x(bad); }) == "ArgumentError.InvalidArgumentValue");

    // A euclidean index takes the zero vector.
    o.similarity = vec::Similarity::Euclidean;
    VectorIndex l2(o);
    l2.upsert(4, std::vector<float>{0, 0, 0});
    CHECK(l2.search(std::vector<float>{0, 0, 0}, 1)[0] == VectorHit{4, 1.0});
}

TEST_CASE("vector index save/load round trip gives the same answers", "[storage][vector]") {
    const uint32_t dim = 24;
    auto data = random_vectors(1500, dim, 31);
    VectorIndexOptions o;
    o.dimension = dim;
    o.m = 12;
    o.ef_search = 40;
    VectorIndex idx(o);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(1000 + i * 3, data[i]);
    for (size_t i = 0; i < 100; ++i) idx.remove(1000 + i * 3);
    auto bytes = idx.save();

    VectorIndex back = VectorIndex::load(bytes);
    CHECK(back.size() == idx.size());
    CHECK(back.options().dimension == dim);
    CHECK(back.options().m == 12);
    CHECK(back.options().ef_search == 40);
    CHECK(back.options().similarity == vec::Similarity::Cosine);
    CHECK_FALSE(back.contains(1000));
    CHECK(back.contains(1000 + 100 * 3));
    for (const auto& q : random_vectors(20, dim, 32))
        CHECK(back.search(q, 10) == idx.search(q, 10));
    CHECK(back.save() == bytes);

    // The loaded index keeps working: inserts (past its capacity), updates, deletes.
    for (size_t i = 0; i < 3000; ++i)
        back.upsert(1'000'000 + i, random_vectors(1, dim, 100 + i)[0]);
    CHECK(back.size() == idx.size() + 3000);
    back.upsert(1000, data[0]);
    CHECK(back.search(data[0], 1)[0].id == 1000);

    VectorIndexOptions eo;
    eo.dimension = 2;
    eo.similarity = vec::Similarity::Euclidean;
    VectorIndex empty(eo);
    VectorIndex empty_back = VectorIndex::load(empty.save());
    CHECK(empty_back.size() == 0);
    CHECK(empty_back.options().similarity == vec::Similarity::Euclidean);
    empty_back.upsert(5, std::vector<float>{1, 1});
    CHECK(empty_back.search(std::vector<float>{1, 1}, 1)[0] == VectorHit{5, 1.0});
}

TEST_CASE("vector index load refuses damaged images", "[storage][vector]") {
    const uint32_t dim = 4;
    VectorIndexOptions o;
    o.dimension = dim;
    VectorIndex idx(o);
    auto data = random_vectors(300, dim, 41);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(i, data[i]);
    const auto good = idx.save();
    REQUIRE_NOTHROW(VectorIndex::load(good));

    auto load_code = [](std::vector<std::byte> b) {
        return error_code([&] { VectorIndex::load(b); });
    };
    CHECK(load_code({}) == "DatabaseError.CorruptIndex");
    auto b = good;
    b[0] = std::byte{'X'};
    CHECK(load_code(b) == "DatabaseError.CorruptIndex");
    b = good;
    b.resize(b.size() - 1);
    CHECK(load_code(b) == "DatabaseError.CorruptIndex");
    b = good;
    b.push_back(std::byte{0});
    CHECK(load_code(b) == "DatabaseError.CorruptIndex");
    // Every truncation point fails cleanly.
    for (size_t cut = 0; cut < good.size(); cut += 97) {
        std::vector<std::byte> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
        CHECK(load_code(t) == "DatabaseError.CorruptIndex");
    }
    // A neighbour id out of range in the base layer (the first element's first link).
    b = good;
    const size_t header = 4 + 4 + 4 + 1 + 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 8;
    const uint32_t huge = 1u << 30;
    std::memcpy(b.data() + header + 4, &huge, sizeof huge);
    CHECK(load_code(b) == "DatabaseError.CorruptIndex");
}

TEST_CASE("a vector index image's saved capacity is not trusted past its elements",
          "[storage][vector]") {
    // Found by fuzz_checkpoint: an image declaring a capacity of 2^40 elements made the
    // load reserve it. The capacity is a hint; growth on demand covers the rest.
    VectorIndexOptions o;
    o.dimension = 4;
    VectorIndex idx(o);
    auto data = random_vectors(100, 4, 7);
    for (size_t i = 0; i < data.size(); ++i) idx.upsert(i, data[i]);
    auto b = idx.save();
    const size_t capacity_at = 4 + 4 + 4 + 1 + 4 + 4 + 4 + 8 + 8;
    const uint64_t huge = uint64_t{1} << 40;
    std::memcpy(b.data() + capacity_at, &huge, sizeof huge);
    VectorIndex back = VectorIndex::load(b);
    CHECK(back.capacity() <= 200);
    CHECK(back.size() == 100);
    back.upsert(1000, data[0]);  // and it still grows when asked to
    CHECK(back.size() == 101);
}
