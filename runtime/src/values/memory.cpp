// Query memory accounting (lora/memory.hpp): the pool of all queries, each query's account,
// leases, the thread's current query and the default pool limit.
#include <lora/memory.hpp>

#include <lora/errors.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace lora {

std::string format_bytes(uint64_t bytes) {
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    size_t unit = 0;
    v /= 1024;
    while (v >= 1024 && unit + 1 < std::size(kUnits)) {
        v /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
    return buf;
}

// ---- MemoryPool ------------------------------------------------------------------------

bool MemoryPool::take(uint64_t bytes) noexcept {
    uint64_t now = used_.load(std::memory_order_relaxed);
    do {
        if (limit_ && now + bytes > limit_) return false;
    } while (!used_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
    uint64_t peak = peak_.load(std::memory_order_relaxed);
    while (now + bytes > peak &&
           !peak_.compare_exchange_weak(peak, now + bytes, std::memory_order_relaxed)) {}
    return true;
}

void MemoryPool::give_back(uint64_t bytes) noexcept {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
}

void MemoryPool::count_rejection(bool by_pool) noexcept {
    (by_pool ? pool_rejections_ : query_rejections_).fetch_add(1, std::memory_order_relaxed);
}

// ---- QueryMemory -----------------------------------------------------------------------

QueryMemory::~QueryMemory() { finish(); }

void QueryMemory::charge(uint64_t bytes, std::string_view what) {
    const uint64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    if (limit_ && now > limit_) {
        used_.fetch_sub(bytes, std::memory_order_relaxed);
        refuse(now, what, false);
    }
    if (!cover(now)) {
        used_.fetch_sub(bytes, std::memory_order_relaxed);
        refuse(now, what, true);
    }
    uint64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {}
}

void QueryMemory::release(uint64_t bytes) noexcept {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
}

void QueryMemory::check(uint64_t bytes, std::string_view what) {
    const uint64_t now = used() + bytes;
    if (limit_ && now > limit_) refuse(now, what, false);
    std::lock_guard lock(cover_mu_);
    MemoryPool* pool = pool_.load(std::memory_order_relaxed);
    if (pool && pool->limit() && now > taken_ && pool->used() + (now - taken_) > pool->limit())
        refuse(now, what, true);
}

void QueryMemory::finish() noexcept {
    std::lock_guard lock(cover_mu_);
    MemoryPool* pool = pool_.exchange(nullptr, std::memory_order_relaxed);
    if (pool && taken_) pool->give_back(taken_);
    taken_ = 0;
}

bool QueryMemory::cover(uint64_t used) {
    std::lock_guard lock(cover_mu_);
    MemoryPool* pool = pool_.load(std::memory_order_relaxed);
    if (!pool || used <= taken_) return true;
    // Whole grains, but never past what the pool has left when a grain would not fit.
    const uint64_t want =
        (used - taken_ + MemoryPool::kGrain - 1) / MemoryPool::kGrain * MemoryPool::kGrain;
    if (pool->take(want)) {
        taken_ += want;
        return true;
    }
    if (!pool->take(used - taken_)) return false;
    taken_ = used;
    return true;
}

void QueryMemory::refuse(uint64_t bytes, std::string_view what, bool by_pool) {
    MemoryPool* pool = pool_.load(std::memory_order_relaxed);
    // A query refused at several shards at once counts once.
    if (pool && !refused_.exchange(true, std::memory_order_relaxed)) pool->count_rejection(by_pool);
    if (by_pool)
        throw errors::memory_limit(std::string(what), bytes, pool ? pool->limit() : 0, true);
    throw errors::memory_limit(std::string(what), bytes, limit_, false);
}

// ---- MemoryLease -----------------------------------------------------------------------

MemoryLease& MemoryLease::operator=(MemoryLease&& o) noexcept {
    if (this != &o) {
        clear();
        memory_ = o.memory_;
        bytes_ = o.bytes_;
        o.bytes_ = 0;
    }
    return *this;
}

void MemoryLease::shrink(uint64_t bytes) noexcept {
    bytes = std::min(bytes, bytes_);
    if (memory_ && bytes) memory_->release(bytes);
    bytes_ -= bytes;
}

// ---- the current query, defaults, the new-handler --------------------------------------

namespace memory {

namespace {
thread_local QueryMemory* current_query = nullptr;

// The cgroup (v2, else v1) memory limit of this process, or 0.
uint64_t cgroup_limit() {
    for (const char* path :
         {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
        std::ifstream in(path);
        std::string text;
        if (!(in >> text) || text == "max") continue;
        try {
            return std::stoull(text);
        } catch (const std::exception&) {}
    }
    return 0;
}
}  // namespace

QueryMemory* current() noexcept { return current_query; }

Scope::Scope(QueryMemory* memory) noexcept : prev_(current_query) { current_query = memory; }
Scope::~Scope() { current_query = prev_; }

void check(uint64_t bytes, std::string_view what) {
    // Smaller values are left to where they are kept, if they are.
    constexpr uint64_t kSmall = 64 << 10;
    if (bytes < kSmall) return;
    if (QueryMemory* m = current_query) m->check(bytes, what);
}

uint64_t default_pool_limit() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    uint64_t usable =
        pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
    if (uint64_t c = cgroup_limit(); c && (!usable || c < usable)) usable = c;
    uint64_t limit = usable / 10 * 7;
    rlimit as{};
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        const uint64_t half = static_cast<uint64_t>(as.rlim_cur) / 2;
        if (!limit || half < limit) limit = half;
    }
    return limit;
}

}  // namespace memory
}  // namespace lora
