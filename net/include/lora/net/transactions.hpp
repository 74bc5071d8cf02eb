// lorad's explicit transactions over HTTP: a registry of open lora::Transaction objects by
// opaque id, with an idle-timeout reaper and a cap, and the /tx routes that use it.
#pragma once

#include <lora/lora.hpp>
#include <lora/net/metrics.hpp>
#include <lora/net/router.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace lora::net {

struct TransactionLimits {
    // A transaction with no request for this long is rolled back (open transactions hold
    // back checkpoints, so an abandoned one must not live forever).
    std::chrono::milliseconds idle_timeout{30000};
    size_t max_open = 1000;  // begin() beyond it throws TooManyTransactions
};

// Open transactions by id. Thread-safe. Requests on one transaction are serialized by a
// per-transaction mutex (the engine forbids concurrent statements in one transaction);
// requests on different transactions run in parallel.
class TransactionRegistry {
public:
    // Starts the reaper thread (one for all transactions). `db` and `metrics` must outlive
    // the registry.
    TransactionRegistry(Database& db, Metrics& metrics, TransactionLimits limits);
    ~TransactionRegistry();  // stops the reaper, then rolls back what is still open

    TransactionRegistry(const TransactionRegistry&) = delete;
    TransactionRegistry& operator=(const TransactionRegistry&) = delete;

    // Begins a transaction and returns its id (128 random bits, hex). Throws lora::Error
    // (Request.TooManyTransactions) when max_open are already open.
    // `client`: who begins it, as SHOW TRANSACTIONS shows.
    std::string begin(const ClientInfo& client = {});

    // Outcome of a statement: the result, or the error and whether it closed the transaction.
    struct StatementOutcome {
        std::optional<Result> result;
        std::optional<Error> error;
        bool closed = false;
    };
    // Runs a statement in transaction `id`. Throws lora::Error (TransactionNotFound) for an
    // unknown or closed id; engine errors come back in the outcome. `read_only`: the client
    // may only read (QueryOptions::read_only), whoever began the transaction.
    StatementOutcome execute(const std::string& id, const std::string& query, const Params& params,
                             bool read_only = false);
    // Commits / rolls back and forgets `id`. Throw TransactionNotFound for an unknown id;
    // commit() rethrows the engine's error (the transaction is then gone as well).
    void commit(const std::string& id);
    void rollback(const std::string& id);

    // Rolls back every transaction idle for at least the timeout as of `now`; returns how
    // many. The reaper calls this on its timer; public for tests.
    size_t reap_idle(std::chrono::steady_clock::time_point now);
    // Stops the reaper and rolls back every open transaction (lorad's shutdown). Returns
    // how many were rolled back. Later begin() calls throw.
    size_t close_all();

    size_t open_count() const;

private:
    struct Entry {
        std::mutex mu;                    // held for the whole of each request on this transaction
        std::unique_ptr<Transaction> tx;  // null once closed
        std::atomic<int64_t> last_used{0};  // steady_clock ticks
    };

    Database& db_;
    Metrics& metrics_;
    TransactionLimits limits_;
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<Entry>> open_;
    size_t reserved_ = 0;  // begins under way, counted against the cap
    bool closing_ = false;
    std::condition_variable reaper_cv_;
    std::thread reaper_;

    std::shared_ptr<Entry> find(const std::string& id);
    void forget(const std::string& id);
    void reaper_loop();
};

// POST /tx, POST /tx/{id}/query, POST /tx/{id}/commit, POST /tx/{id}/rollback.
void add_transaction_routes(Router& router, TransactionRegistry& registry, Metrics& metrics);

}  // namespace lora::net
