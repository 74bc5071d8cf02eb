// StreamChannel: result hand-off and credit of a streaming query (see stream.hpp and
// docs/streaming.md). Parked continuations are resumed outside the lock: resuming sends a
// message, which must never happen while a consumer or producer waits on mu_.
#include "lora/actors/stream.hpp"

namespace lora::actors {

namespace {
void run_all(std::vector<std::function<void()>>& fns) {
    for (auto& f : fns) f();
}
}  // namespace

std::vector<std::function<void()>> StreamChannel::wake_locked() {
    std::vector<std::function<void()>> out;
    if (parked_.empty() || !has_credit_locked()) return out;
    out.swap(parked_);
    parked_count_.fetch_sub(static_cast<int64_t>(out.size()));
    return out;
}

void StreamChannel::admit(std::function<void()> resume) {
    {
        std::lock_guard lock(mu_);
        // Counted before the credit check, so a batch_taken() racing with this park either
        // sees the count (and wakes) or left credit this check sees.
        parked_count_.fetch_add(1);
        if (!has_credit_locked()) {
            parked_.push_back(std::move(resume));
            return;
        }
        parked_count_.fetch_sub(1);
    }
    resume();
}

void StreamChannel::batch_taken() {
    in_pipeline_.fetch_sub(1);
    if (parked_count_.load() == 0) return;
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mu_);
        wake = wake_locked();
    }
    run_all(wake);
}

void StreamChannel::open(std::vector<std::string> columns) {
    std::lock_guard lock(mu_);
    columns_ = std::move(columns);
    opened_ = true;
    cv_.notify_all();
}

void StreamChannel::publish(Rows&& rows) {
    if (rows.empty()) return;
    std::function<void()> waker;
    {
        std::lock_guard lock(mu_);
        if (done_ || released_) return;  // nobody will read them
        queued_ += static_cast<int64_t>(rows.size());
        chunks_.push_back(std::move(rows));
        waker.swap(waker_);
        cv_.notify_all();
    }
    if (waker) waker();
}

void StreamChannel::finish(std::optional<Error> error, const QueryStats& stats) {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mu_);
        if (done_) return;
        done_ = true;
        error_ = std::move(error);
        stats_ = stats;
        released_ = true;
        wake = wake_locked();
        if (waker_) wake.push_back(std::move(waker_));
        waker_ = nullptr;
        cv_.notify_all();
    }
    run_all(wake);
}

std::optional<Error> StreamChannel::wait_open(std::vector<std::string>& columns) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return opened_ || done_; });
    if (!opened_ && error_) return error_;
    columns = columns_;
    return std::nullopt;
}

bool StreamChannel::take(Rows& out) {
    out.clear();
    std::vector<std::function<void()>> wake;
    {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !chunks_.empty() || done_; });
        if (chunks_.empty()) {
            if (error_) throw *error_;
            return false;
        }
        out = std::move(chunks_.front());
        chunks_.pop_front();
        queued_ -= static_cast<int64_t>(out.size());
        wake = wake_locked();
    }
    run_all(wake);
    return true;
}

Cursor::Poll StreamChannel::poll(Rows& out, std::function<void()> wake) {
    out.clear();
    std::vector<std::function<void()>> credit;
    {
        std::lock_guard lock(mu_);
        if (chunks_.empty()) {
            if (!done_) {
                waker_ = std::move(wake);
                return Cursor::Poll::Pending;
            }
            if (error_) throw *error_;
            return Cursor::Poll::Done;
        }
        out = std::move(chunks_.front());
        chunks_.pop_front();
        queued_ -= static_cast<int64_t>(out.size());
        credit = wake_locked();
    }
    run_all(credit);
    return Cursor::Poll::Rows;
}

QueryStats StreamChannel::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

void StreamChannel::release_all() {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mu_);
        released_ = true;
        chunks_.clear();
        queued_ = 0;
        wake = wake_locked();
    }
    run_all(wake);
}

}  // namespace lora::actors
