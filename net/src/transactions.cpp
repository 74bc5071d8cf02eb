// The registry of lorad's open transactions: ids, per-transaction serialization, the cap,
// and one reaper thread that rolls back transactions left idle past the timeout.
#include <lora/errors.hpp>
#include <lora/net/transactions.hpp>

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <vector>

namespace lora::net {

namespace {

using Clock = std::chrono::steady_clock;

int64_t ticks(Clock::time_point t) { return t.time_since_epoch().count(); }

[[noreturn]] void not_found(const std::string& id) { throw errors::transaction_not_found(id); }

// Ids are random rather than sequential so one client cannot guess and hijack another's
// transaction.
std::string new_id() {
    thread_local std::mt19937_64 rng{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
}

// Rolls back without letting an engine error escape a cleanup path.
void quiet_rollback(Transaction& tx, const std::string& id) {
    try {
        tx.rollback();
    } catch (const std::exception& e) {
        spdlog::warn("rollback of transaction {} failed: {}", id, e.what());
    }
}

}  // namespace

TransactionRegistry::TransactionRegistry(Database& db, Metrics& metrics, TransactionLimits limits)
    : db_(db), metrics_(metrics), limits_(limits) {
    reaper_ = std::thread([this] { reaper_loop(); });
}

TransactionRegistry::~TransactionRegistry() { close_all(); }

std::string TransactionRegistry::begin(const ClientInfo& client) {
    {
        std::lock_guard lock(mu_);
        if (closing_) throw errors::shutting_down();
        if (open_.size() + reserved_ >= limits_.max_open)
            throw errors::too_many_transactions(limits_.max_open);
        ++reserved_;
    }
    // Database::begin may wait for a running checkpoint; the registry lock is not held.
    std::unique_ptr<Transaction> tx;
    try {
        tx = db_.begin(client);
    } catch (...) {
        std::lock_guard lock(mu_);
        --reserved_;
        throw;
    }
    auto e = std::make_shared<Entry>();
    e->tx = std::move(tx);
    e->last_used.store(ticks(Clock::now()));
    std::string id = new_id();
    std::lock_guard lock(mu_);
    --reserved_;
    open_.emplace(id, e);
    metrics_.tx_opened();
    return id;
}

std::shared_ptr<TransactionRegistry::Entry> TransactionRegistry::find(const std::string& id) {
    std::shared_ptr<Entry> e;
    {
        std::lock_guard lock(mu_);
        auto it = open_.find(id);
        if (it == open_.end()) not_found(id);
        e = it->second;
    }
    // Touched before waiting for the entry's mutex, so a request queued behind a long
    // statement does not let the reaper take the transaction meanwhile.
    e->last_used.store(ticks(Clock::now()));
    return e;
}

void TransactionRegistry::forget(const std::string& id) {
    std::lock_guard lock(mu_);
    open_.erase(id);
}

TransactionRegistry::StatementOutcome TransactionRegistry::execute(const std::string& id,
                                                                   const std::string& query,
                                                                   const Params& params,
                                                                   bool read_only) {
    auto e = find(id);
    std::lock_guard lock(e->mu);
    // Closed (reaped, committed, failed) while this request waited for the mutex.
    if (!e->tx) not_found(id);
    StatementOutcome out;
    try {
        QueryOptions options;
        options.read_only = read_only;
        out.result = e->tx->execute(query, params, options);
    } catch (const Error& err) {
        out.error = err;
    }
    e->last_used.store(ticks(Clock::now()));
    if (!e->tx->open()) {
        // The engine rolled the whole transaction back because a write failed.
        out.closed = true;
        e->tx.reset();
        forget(id);
        metrics_.tx_closed(Metrics::TxEnd::RolledBack);
    }
    return out;
}

void TransactionRegistry::commit(const std::string& id) {
    auto e = find(id);
    std::lock_guard lock(e->mu);
    if (!e->tx) not_found(id);
    std::unique_ptr<Transaction> tx = std::move(e->tx);
    forget(id);
    try {
        tx->commit();
    } catch (...) {
        metrics_.tx_closed(Metrics::TxEnd::RolledBack);
        throw;
    }
    metrics_.tx_closed(Metrics::TxEnd::Committed);
}

void TransactionRegistry::rollback(const std::string& id) {
    auto e = find(id);
    std::lock_guard lock(e->mu);
    if (!e->tx) not_found(id);
    std::unique_ptr<Transaction> tx = std::move(e->tx);
    forget(id);
    metrics_.tx_closed(Metrics::TxEnd::RolledBack);
    tx->rollback();
}

size_t TransactionRegistry::reap_idle(Clock::time_point now) {
    std::vector<std::pair<std::string, std::shared_ptr<Entry>>> candidates;
    const int64_t limit = std::chrono::duration_cast<Clock::duration>(limits_.idle_timeout).count();
    {
        std::lock_guard lock(mu_);
        for (const auto& [id, e] : open_)
            if (ticks(now) - e->last_used.load() >= limit) candidates.emplace_back(id, e);
    }
    size_t reaped = 0;
    for (auto& [id, e] : candidates) {
        // A transaction whose mutex is held is running a statement: busy, not idle.
        std::unique_lock lock(e->mu, std::try_to_lock);
        if (!lock.owns_lock() || !e->tx) continue;
        if (ticks(now) - e->last_used.load() < limit) continue;  // touched since the scan
        std::unique_ptr<Transaction> tx = std::move(e->tx);
        forget(id);
        quiet_rollback(*tx, id);
        metrics_.tx_closed(Metrics::TxEnd::TimedOut);
        spdlog::info("transaction {} idle for {} ms or more: rolled back", id,
                     limits_.idle_timeout.count());
        ++reaped;
    }
    return reaped;
}

size_t TransactionRegistry::close_all() {
    {
        std::lock_guard lock(mu_);
        closing_ = true;
    }
    reaper_cv_.notify_all();
    if (reaper_.joinable()) reaper_.join();
    std::map<std::string, std::shared_ptr<Entry>> all;
    {
        std::lock_guard lock(mu_);
        all.swap(open_);
    }
    size_t n = 0;
    for (auto& [id, e] : all) {
        // Waits for a statement still running on it; lorad calls this after the HTTP server
        // drained, so none normally is.
        std::lock_guard lock(e->mu);
        if (!e->tx) continue;
        std::unique_ptr<Transaction> tx = std::move(e->tx);
        quiet_rollback(*tx, id);
        metrics_.tx_closed(Metrics::TxEnd::RolledBack);
        ++n;
    }
    return n;
}

size_t TransactionRegistry::open_count() const {
    std::lock_guard lock(mu_);
    return open_.size();
}

void TransactionRegistry::reaper_loop() {
    // A quarter of the timeout bounds how late a timeout fires (to 1.25x), and a ceiling of
    // one second keeps long timeouts from being checked too rarely.
    auto period = std::clamp<std::chrono::milliseconds>(
        limits_.idle_timeout / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
    std::unique_lock lock(mu_);
    while (!closing_) {
        reaper_cv_.wait_for(lock, period, [this] { return closing_; });
        if (closing_) break;
        lock.unlock();
        try {
            reap_idle(Clock::now());
        } catch (const std::exception& e) {
            spdlog::error("transaction reaper: {}", e.what());
        }
        lock.lock();
    }
}

}  // namespace lora::net
