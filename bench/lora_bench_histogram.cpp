// LatencyHistogram: bucket arithmetic and percentile walk.
#include "lora_bench_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lora::bench {

size_t LatencyHistogram::bucket_of(uint64_t value) {
    if (value < 2 * kSub) return static_cast<size_t>(value);
    value = std::min(value, (uint64_t{1} << kMaxBits) - 1);
    const int msb = 63 - std::countl_zero(value);
    const int shift = msb - kSubBits;          // >= 1 here, since value >= 2 * kSub
    const uint64_t mantissa = value >> shift;  // in [kSub, 2 * kSub)
    return static_cast<size_t>(2 * kSub + static_cast<uint64_t>(shift - 1) * kSub +
                               (mantissa - kSub));
}

uint64_t LatencyHistogram::bucket_low(size_t bucket) {
    if (bucket < 2 * kSub) return bucket;
    const uint64_t rel = bucket - 2 * kSub;
    const int shift = static_cast<int>(rel / kSub) + 1;
    return (rel % kSub + kSub) << shift;
}

uint64_t LatencyHistogram::bucket_high(size_t bucket) {
    if (bucket < 2 * kSub) return bucket;
    const int shift = static_cast<int>((bucket - 2 * kSub) / kSub) + 1;
    return bucket_low(bucket) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::record(uint64_t value) {
    ++counts_[bucket_of(value)];
    ++count_;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    sum_ += static_cast<double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

void LatencyHistogram::clear() { *this = LatencyHistogram{}; }

uint64_t LatencyHistogram::percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::clamp(bucket_high(i), min_, max_);
    }
    return max_;
}

}  // namespace lora::bench
