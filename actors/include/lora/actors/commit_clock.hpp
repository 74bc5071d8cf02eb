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
    // A new commit timestamp (the commit is in flight until installed()). For a database
    // without a WAL; with one, a commit's timestamp is its WAL record's LSN, reserved by the
    // WAL actor before the record is written.
    uint64_t begin_commit();
    // Timestamp `ts` (an LSN) is taken by a commit in flight; abandon() if it fails.
    void reserve(uint64_t ts);
    void abandon(uint64_t ts);
    // After recovery: timestamps so far are all committed and visible.
    void start_at(uint64_t ts);
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
    // Timestamps start above 0 (a WAL's first LSN is 1), so a snapshot at 0 sees no commit.
    uint64_t last_ = 0;  // last timestamp handed out
    std::set<uint64_t> in_flight_;
    std::multimap<uint64_t, std::function<void()>> waiting_;
    std::multiset<uint64_t> snapshots_;
    std::atomic<uint64_t> visible_{0};
    std::atomic<uint64_t> horizon_{0};
};

}  // namespace lora::actors
