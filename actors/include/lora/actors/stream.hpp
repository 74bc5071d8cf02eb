// A streaming query's channel: the query actor hands result rows to the consumer through it,
// and it is the query's credit: source steps at every actor run only while it has room.
#pragma once

#include <lora/error.hpp>
#include <lora/lora.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lora::actors {

class StreamChannel {
public:
    using Rows = std::vector<std::vector<Value>>;

    // `window_rows`: result rows the consumer may have waiting before producers park;
    // `max_batches`: row batches in flight between the query's actors before they park.
    StreamChannel(size_t window_rows, int64_t max_batches)
        : window_(static_cast<int64_t>(window_rows ? window_rows : 1)),
          max_batches_(max_batches > 0 ? max_batches : 1) {}

    // ---- producers (any actor of the query)
    // Runs `resume` now when the query has credit; else keeps it and runs it (on the thread
    // that returns the credit) once credit is back, or when the query ends.
    void admit(std::function<void()> resume);
    void batches_sent(int64_t n) { in_pipeline_.fetch_add(n); }
    void batch_taken();

    // ---- the query actor
    void open(std::vector<std::string> columns);
    void publish(Rows&& rows);
    // The end: `error` set when the query failed. Parked work is released to drain.
    void finish(std::optional<Error> error, const QueryStats& stats);

    // ---- the consumer
    // Waits until the columns are known (returns nullopt) or the query failed first.
    std::optional<Error> wait_open(std::vector<std::string>& columns);
    // Waits for the next rows; false once the result is complete. Throws the query's error.
    bool take(Rows& out);
    // take() without the wait: Pending when no rows and no end are there yet; `wake` then
    // runs once (on the thread that publishes the next rows or the end, outside the lock).
    Cursor::Poll poll(Rows& out, std::function<void()> wake);
    QueryStats stats() const;
    // Lifts the credit limit for good (cancellation): parked work runs and drains.
    void release_all();

private:
    bool has_credit_locked() const {
        return released_ || (queued_ < window_ && in_pipeline_.load() < max_batches_);
    }
    std::vector<std::function<void()>> wake_locked();

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Rows> chunks_;
    int64_t queued_ = 0;  // rows published and not yet taken
    const int64_t window_;
    const int64_t max_batches_;
    std::atomic<int64_t> in_pipeline_{0};
    std::atomic<int64_t> parked_count_{0};
    std::vector<std::function<void()>> parked_;
    std::function<void()> waker_;  // of a consumer that polled in vain
    bool opened_ = false;
    bool done_ = false;
    bool released_ = false;
    std::vector<std::string> columns_;
    std::optional<Error> error_;
    QueryStats stats_;
};

}  // namespace lora::actors
