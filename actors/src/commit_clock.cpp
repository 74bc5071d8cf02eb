// Commit timestamps, the visible timestamp and the snapshot horizon.
#include <lora/actors/commit_clock.hpp>

namespace lora::actors {

uint64_t CommitClock::begin_commit() {
    std::lock_guard lock(mu_);
    uint64_t ts = ++last_;
    in_flight_.insert(ts);
    return ts;
}

void CommitClock::reserve(uint64_t ts) {
    std::lock_guard lock(mu_);
    in_flight_.insert(ts);
    if (ts > last_) last_ = ts;
}

void CommitClock::abandon(uint64_t ts) {
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(mu_);
        in_flight_.erase(ts);
        advance(ready);
    }
    for (auto& f : ready) f();
}

void CommitClock::start_at(uint64_t ts) {
    std::lock_guard lock(mu_);
    if (ts > last_) last_ = ts;
    std::vector<std::function<void()>> ready;
    advance(ready);
}

void CommitClock::installed(uint64_t ts, std::function<void()> visible) {
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(mu_);
        in_flight_.erase(ts);
        waiting_.emplace(ts, std::move(visible));
        advance(ready);
    }
    for (auto& f : ready) f();
}

void CommitClock::advance(std::vector<std::function<void()>>& ready) {
    const uint64_t v = in_flight_.empty() ? last_ : *in_flight_.begin() - 1;
    visible_.store(v, std::memory_order_release);
    while (!waiting_.empty() && waiting_.begin()->first <= v) {
        ready.push_back(std::move(waiting_.begin()->second));
        waiting_.erase(waiting_.begin());
    }
    update_horizon();
}

void CommitClock::update_horizon() {
    const uint64_t v = visible_.load(std::memory_order_relaxed);
    horizon_.store(snapshots_.empty() ? v : *snapshots_.begin(), std::memory_order_release);
}

uint64_t CommitClock::begin_snapshot() {
    std::lock_guard lock(mu_);
    const uint64_t ts = visible_.load(std::memory_order_relaxed);
    snapshots_.insert(ts);
    update_horizon();
    return ts;
}

void CommitClock::end_snapshot(uint64_t ts) {
    std::lock_guard lock(mu_);
    auto it = snapshots_.find(ts);
    if (it != snapshots_.end()) snapshots_.erase(it);
    update_horizon();
}

size_t CommitClock::running_snapshots() const {
    std::lock_guard lock(mu_);
    return snapshots_.size();
}

}  // namespace lora::actors
