// Query memory accounting: what each query holds (collected lists, rows held at a barrier,
// aggregation and DISTINCT state, collected results, transaction logs, values a function is
// about to build) counted against the query's limit and against the pool of all queries
// together. A query over either limit fails alone with TransientError.
// MemoryPoolOutOfMemoryError (errors::memory_limit); the process and the other queries go
// on. The counts are estimates of what the structures hold (Value::footprint), not of what
// the allocator handed out: a value shared by many rows counts once per row.
#pragma once

#include <lora/export.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace lora {

class Value;

// "512 B", "64.0 KiB", "1.5 GiB".
LORA_API std::string format_bytes(uint64_t bytes);

// The memory all queries of one database may hold together (Options::memory_limit).
// Queries take from it in grains (kGrain), so the shared counter moves rarely.
class LORA_API MemoryPool {
public:
    static constexpr uint64_t kGrain = 1ull << 20;

    // `limit` 0: no limit (the pool still counts).
    explicit MemoryPool(uint64_t limit) : limit_(limit) {}
    MemoryPool(const MemoryPool&) = delete;
    MemoryPool& operator=(const MemoryPool&) = delete;

    uint64_t limit() const noexcept { return limit_; }
    uint64_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
    uint64_t peak() const noexcept { return peak_.load(std::memory_order_relaxed); }
    // Queries failed by their own limit / by the pool's since the pool was made.
    uint64_t query_rejections() const noexcept {
        return query_rejections_.load(std::memory_order_relaxed);
    }
    uint64_t pool_rejections() const noexcept {
        return pool_rejections_.load(std::memory_order_relaxed);
    }

    // Takes `bytes` from the pool; false (nothing taken) when that would pass the limit.
    bool take(uint64_t bytes) noexcept;
    void give_back(uint64_t bytes) noexcept;
    void count_rejection(bool by_pool) noexcept;

private:
    const uint64_t limit_;
    std::atomic<uint64_t> used_{0};
    std::atomic<uint64_t> peak_{0};
    std::atomic<uint64_t> query_rejections_{0};
    std::atomic<uint64_t> pool_rejections_{0};
};

// One query's account (shared by the query actor and every shard working on it, so
// thread-safe). Destroying it gives everything back to the pool.
class LORA_API QueryMemory {
public:
    // `pool` may be null (no pool); `limit` 0: no limit of its own.
    QueryMemory(MemoryPool* pool, uint64_t limit) : pool_(pool), limit_(limit) {}
    ~QueryMemory();
    QueryMemory(const QueryMemory&) = delete;
    QueryMemory& operator=(const QueryMemory&) = delete;

    uint64_t limit() const noexcept { return limit_; }
    uint64_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
    uint64_t peak() const noexcept { return peak_.load(std::memory_order_relaxed); }

    // The query holds `bytes` more, for `what` ("collect()", "rows held for ORDER BY", ...).
    // Throws errors::memory_limit (nothing recorded) when that passes the query's limit or
    // the pool has no room for it.
    void charge(uint64_t bytes, std::string_view what);
    // The query holds `bytes` less (what an earlier charge recorded).
    void release(uint64_t bytes) noexcept;
    // Throws like charge when `bytes` more would not fit, recording nothing: a value of that
    // size is about to be built and will be counted where it is kept, if it is.
    void check(uint64_t bytes, std::string_view what);
    // The query is answered: gives its memory back to the pool and counts against it no
    // more (its state may linger a while in a pooled actor). The destructor does it too.
    void finish() noexcept;

private:
    [[noreturn]] void refuse(uint64_t bytes, std::string_view what, bool by_pool);
    // Takes grains from the pool until `used` bytes are covered; false when it has no room.
    bool cover(uint64_t used);

    std::atomic<MemoryPool*> pool_;  // finish() clears it (under cover_mu_)
    const uint64_t limit_;
    std::atomic<uint64_t> used_{0};
    std::atomic<uint64_t> peak_{0};
    std::atomic<bool> refused_{false};
    std::mutex cover_mu_;  // taking grains from the pool
    uint64_t taken_ = 0;   // bytes taken from the pool (under cover_mu_)
};

// What one structure holds, charged to its query as it grows and released when the lease
// ends. A lease without a query (tests, constant folding) counts nothing.
class LORA_API MemoryLease {
public:
    MemoryLease() = default;
    explicit MemoryLease(QueryMemory* memory) : memory_(memory) {}
    MemoryLease(MemoryLease&& o) noexcept : memory_(o.memory_), bytes_(o.bytes_) { o.bytes_ = 0; }
    MemoryLease& operator=(MemoryLease&& o) noexcept;
    ~MemoryLease() { clear(); }

    // Throws errors::memory_limit (nothing recorded) when the query has no room.
    void grow(uint64_t bytes, std::string_view what) {
        if (!memory_) return;
        memory_->charge(bytes, what);
        bytes_ += bytes;
    }
    void shrink(uint64_t bytes) noexcept;
    void clear() noexcept { shrink(bytes_); }
    uint64_t bytes() const noexcept { return bytes_; }

private:
    QueryMemory* memory_ = nullptr;
    uint64_t bytes_ = 0;
};

namespace memory {

// The query this thread works for just now (set by the actors around each handler), or
// null. Functions that build values whose size their arguments choose (range(), string and
// list concatenation, ...) check against it before allocating.
LORA_API QueryMemory* current() noexcept;

class LORA_API Scope {
public:
    explicit Scope(QueryMemory* memory) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    QueryMemory* prev_;
};

// current()->check(bytes, what) when a query is current and `bytes` is 64 KiB or more
// (smaller values are counted where they are kept, if they are).
LORA_API void check(uint64_t bytes, std::string_view what);

// A value built piece by piece (a list comprehension's list): checks the current query
// (memory::check) whenever another 1 MiB has been added.
class LORA_API BuildCheck {
public:
    explicit BuildCheck(std::string_view what) : what_(what) {}
    void add(uint64_t bytes) {
        total_ += bytes;
        if (total_ < next_) return;
        check(total_, what_);
        next_ = total_ + (1u << 20);
    }

private:
    std::string_view what_;
    uint64_t total_ = 0;
    uint64_t next_ = 1u << 20;
};

// What a hash set's or map's node costs beside its element (links, hash, bucket share).
inline constexpr uint64_t kHashNodeBytes = 32;

// Bytes a row of these values holds (Value::footprint of each).
template <class Row>
uint64_t row_footprint(const Row& row);

// The default limit of all queries together: 70% of the memory this process may use (the
// smallest of physical memory and the cgroup's limit), or half the address-space limit when
// one is set (RLIMIT_AS) and smaller.
LORA_API uint64_t default_pool_limit();
}  // namespace memory
}  // namespace lora

#include <lora/value.hpp>

template <class Row>
uint64_t lora::memory::row_footprint(const Row& row) {
    uint64_t n = sizeof(Row);
    for (const Value& v : row) n += v.footprint();
    return n;
}
