// Commit timestamps and snapshots. A commit takes a timestamp once it is durable, installs
// its versions at every shard, and is reported installed; a snapshot starts at the visible
// timestamp, the highest one up to which every commit is installed everywhere, so it never
// sees half of a commit nor misses one that was acknowledged before it began. The oldest
// running snapshot is the horizon below which shards drop old versions.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <vector>

namespace lora::actors {

class CommitClock {
public:
    // A new commit timestamp (the commit is in flight until installed()).
    uint64_t begin_commit();
    // Commit `ts` is installed at every shard. `visible` runs (maybe at once, maybe later on
    // the thread of another commit) when every commit up to ts is: then the commit may be
    // acknowledged, and any snapshot that starts afterwards sees it.
    void installed(uint64_t ts, std::function<void()> visible);

    // Starts a snapshot at the visible timestamp; release it with end_snapshot(ts).
    uint64_t begin_snapshot();
    void end_snapshot(uint64_t ts);

    uint64_t visible() const { return visible_.load(std::memory_order_acquire); }
    // Versions stamped at or below this are needed by no running snapshot.
    uint64_t horizon() const { return horizon_.load(std::memory_order_acquire); }
    size_t running_snapshots() const;

private:
    void advance(std::vector<std::function<void()>>& ready);  // with mu_ held
    void update_horizon();                                    // with mu_ held

    mutable std::mutex mu_;
    uint64_t last_ = 1;  // last timestamp handed out
    std::set<uint64_t> in_flight_;
    std::multimap<uint64_t, std::function<void()>> waiting_;
    std::multiset<uint64_t> snapshots_;
    std::atomic<uint64_t> visible_{1};
    std::atomic<uint64_t> horizon_{1};
};

}  // namespace lora::actors
