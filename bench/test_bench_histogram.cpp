// Tests of lora-bench's LatencyHistogram: bucket bounds, precision, percentiles, merge.
#define CATCH_CONFIG_MAIN
#include "lora_bench_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using lora::bench::LatencyHistogram;

TEST_CASE("buckets tile the value range without gaps and stay within 1/128") {
    for (size_t b = 0; b + 1 < LatencyHistogram::kBuckets; ++b) {
        INFO("bucket " << b);
        REQUIRE(LatencyHistogram::bucket_high(b) + 1 == LatencyHistogram::bucket_low(b + 1));
        const uint64_t lo = LatencyHistogram::bucket_low(b);
        const uint64_t width = LatencyHistogram::bucket_high(b) - lo + 1;
        REQUIRE(width * 128 <= std::max<uint64_t>(lo, 128));
    }
    const uint64_t samples[] = {0, 1, 255, 256, 257, 1000, 123456, 987654321, (1ull << 44) + 5};
    for (uint64_t v : samples) {
        const size_t b = LatencyHistogram::bucket_of(v);
        CHECK(LatencyHistogram::bucket_low(b) <= v);
        CHECK(v <= LatencyHistogram::bucket_high(b));
    }
    // Huge values clamp into the last bucket instead of indexing past the array.
    CHECK(LatencyHistogram::bucket_of(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("percentiles of a known distribution are within 1%") {
    LatencyHistogram h;
    for (uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 us .. 100 ms
    CHECK(h.count() == 100000);
    CHECK(h.min() == 1000);
    CHECK(h.max() == 100000000);
    CHECK(h.percentile(50) == Approx(50000000.0).epsilon(0.01));
    CHECK(h.percentile(95) == Approx(95000000.0).epsilon(0.01));
    CHECK(h.percentile(99) == Approx(99000000.0).epsilon(0.01));
    CHECK(h.percentile(100) == 100000000);
    CHECK(h.mean() == Approx(50000500.0));
}

TEST_CASE("small values are exact and an empty histogram reports zero") {
    LatencyHistogram h;
    CHECK(h.percentile(99) == 0);
    CHECK(h.min() == 0);
    for (int i = 0; i < 99; ++i) h.record(7);
    h.record(200);
    CHECK(h.percentile(50) == 7);
    CHECK(h.percentile(99) == 7);
    CHECK(h.percentile(99.5) == 200);
}

TEST_CASE("merging per-thread histograms equals recording everything in one") {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(12.0, 1.5);
    LatencyHistogram all, parts[4];
    std::vector<uint64_t> values;
    for (int i = 0; i < 40000; ++i) {
        auto v = static_cast<uint64_t>(dist(rng));
        values.push_back(v);
        all.record(v);
        parts[i % 4].record(v);
    }
    LatencyHistogram merged;
    for (auto& p : parts) merged.merge(p);
    CHECK(merged.count() == all.count());
    CHECK(merged.max() == all.max());
    CHECK(merged.min() == all.min());
    std::sort(values.begin(), values.end());
    for (double p : {50.0, 90.0, 99.0, 99.9}) {
        INFO("p" << p);
        CHECK(merged.percentile(p) == all.percentile(p));
        const uint64_t exact = values[static_cast<size_t>(p / 100.0 * values.size()) - 1];
        CHECK(static_cast<double>(merged.percentile(p)) ==
              Approx(static_cast<double>(exact)).epsilon(0.01));
    }
}
