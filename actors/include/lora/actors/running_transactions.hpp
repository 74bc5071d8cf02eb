// The engine's running transactions, for SHOW TRANSACTIONS and TERMINATE TRANSACTION: each
// auto-commit statement while its query actor runs it, and each explicit transaction from
// Database::begin until it commits or rolls back, with the statement it runs now.
#pragma once

#include "lora/actors/query.hpp"

#include <lora/lora.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lora::actors {

class StreamChannel;

struct RunningTxn {
    RunningTxn(uint64_t id, bool explicit_txn, uint64_t start_ts, ClientInfo client)
        : id(id),
          explicit_txn(explicit_txn),
          start_ts(start_ts),
          client(std::move(client)),
          started(std::chrono::system_clock::now()) {}

    const uint64_t id;  // the transaction's id (an auto-commit statement's: its query id)
    const bool explicit_txn;
    const uint64_t start_ts;  // its snapshot
    const ClientInfo client;
    const std::chrono::system_clock::time_point started;

    // The statement running now and how to stop it; an explicit transaction between
    // statements has none. Guarded by mu, like `terminated`.
    struct Statement {
        QueryRequestPtr request;  // its query text (never changed once sent); set while an
                                  // explicit transaction's commit or rollback runs too
        uint64_t query_id = 0;
        std::chrono::system_clock::time_point started;
        query_actor actor;
        StopFlag stop;
        std::shared_ptr<StreamChannel> stream;
    };
    mutable std::mutex mu;
    Statement statement;
    bool terminated = false;
    bool rolled_back = false;  // an idle explicit transaction rolled back by its termination
};
using RunningTxnPtr = std::shared_ptr<RunningTxn>;

// The registry (striped: every auto-commit statement passes through it).
class RunningTransactions {
public:
    RunningTxnPtr add(uint64_t id, bool explicit_txn, uint64_t start_ts, ClientInfo client);
    // Takes the entry out; null when it was not there.
    RunningTxnPtr remove(uint64_t id);
    RunningTxnPtr find(uint64_t id) const;
    // Every running transaction, by id.
    std::vector<RunningTxnPtr> list() const;

    // TERMINATE TRANSACTION: marks the transaction terminated and stops the statement it
    // runs (which fails with TransactionError.Terminated). IdleExplicit: an explicit
    // transaction running no statement (marked rolled back); the caller rolls it back.
    enum class Terminated { NotFound, Running, IdleExplicit };
    Terminated terminate(uint64_t id);

private:
    struct Stripe {
        mutable std::mutex mu;
        std::unordered_map<uint64_t, RunningTxnPtr> map;
    };
    Stripe& stripe(uint64_t id) { return stripes_[id % stripes_.size()]; }
    const Stripe& stripe(uint64_t id) const { return stripes_[id % stripes_.size()]; }
    std::array<Stripe, 16> stripes_;
};

// "lora-transaction-<id>" and back (nullopt when `text` names no transaction this way).
std::string transaction_id_text(uint64_t id);
std::optional<uint64_t> parse_transaction_id(std::string_view text);

}  // namespace lora::actors
