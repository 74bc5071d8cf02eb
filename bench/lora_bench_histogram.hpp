// Latency histogram of lora-bench: log-bucketed like HdrHistogram, so memory is constant
// whatever the run length and every recorded value is kept within 1/128 (< 0.8%).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace lora::bench {

// Counts values (nanoseconds here) in buckets: values below 2*kSub exactly, above that
// kSub buckets per power of two. One instance per thread, merged at the end; not
// thread-safe on its own.
class LatencyHistogram {
public:
    static constexpr int kSubBits = 7;
    static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
    // Values from 2^kMaxBits on (about 9.8 hours in ns) land in the last bucket; the exact
    // maximum is still tracked.
    static constexpr int kMaxBits = 45;
    static constexpr size_t kBuckets = 2 * kSub + (kMaxBits - kSubBits - 1) * kSub;

    void record(uint64_t value);
    void merge(const LatencyHistogram& other);
    void clear();

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

    // The value at percentile p in (0, 100]: the top of the bucket holding the value of
    // rank ceil(p/100 * count), never above the largest recorded value. 0 when empty.
    uint64_t percentile(double p) const;

    // Bucket arithmetic, public for the tests.
    static size_t bucket_of(uint64_t value);
    static uint64_t bucket_low(size_t bucket);
    static uint64_t bucket_high(size_t bucket);

private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t min_ = UINT64_MAX;
    uint64_t max_ = 0;
    double sum_ = 0;
};

}  // namespace lora::bench
