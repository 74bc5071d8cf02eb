// What the Python module holds of a database and of the cursors and transactions opened from
// it. Python frees objects in any order and any thread calls any of them, so these handles
// make every call safe: a call on a closed database fails with DatabaseError.Closed, and
// cursors and transactions are destroyed before the database they belong to.
#pragma once

#include <lora/lora.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace lora::python {

// A cursor or transaction opened from a DatabaseHandle.
class Child {
public:
    virtual ~Child() = default;
    // Makes a call that is waiting on this object end soon. Thread-safe.
    virtual void interrupt() = 0;
    // Destroys the engine object. Called while no call runs on this object.
    virtual void drop() = 0;
};

class DatabaseHandle {
public:
    explicit DatabaseHandle(const Options& options);
    ~DatabaseHandle();
    DatabaseHandle(const DatabaseHandle&) = delete;
    DatabaseHandle& operator=(const DatabaseHandle&) = delete;

    // Calls fn(database) while the database stays open; throws DatabaseError.Closed once it
    // is closed. Any number of calls run at once.
    template <class Fn>
    decltype(auto) use(Fn&& fn) {
        std::shared_lock lock(life_);
        if (!db_) throw_closed();
        return fn(*db_);
    }
    // Calls fn() if the database is still open (and keeps it open meanwhile).
    template <class Fn>
    void if_open(Fn&& fn) {
        std::shared_lock lock(life_);
        if (db_) fn();
    }

    // Remembers a child so that close() can end it first.
    void track(const std::shared_ptr<Child>& child);

    // Interrupts the streams, waits for the calls running, destroys every cursor and
    // transaction (rolling the open ones back), then the database. Idempotent.
    void close();

private:
    [[noreturn]] static void throw_closed();
    std::vector<std::shared_ptr<Child>> live_children();

    // Shared by every call, exclusive while closing.
    std::shared_mutex life_;
    std::unique_ptr<Database> db_;
    std::mutex children_mu_;
    std::vector<std::weak_ptr<Child>> children_;
};

class CursorHandle : public Child {
public:
    // Starts streaming `query`; throws the errors found before the first row.
    static std::shared_ptr<CursorHandle> open(std::shared_ptr<DatabaseHandle> db,
                                              const std::string& query, const Params& params);
    CursorHandle(std::shared_ptr<DatabaseHandle> db, std::shared_ptr<CancelToken> token);
    ~CursorHandle() override;

    const std::vector<std::string>& columns() const { return columns_; }
    // The next chunk of rows; false once the result is complete or the cursor was closed.
    bool next(std::vector<std::vector<Value>>& rows);
    // The counters of the query once next() returned false (none after an error).
    std::optional<QueryStats> stats();
    // Cancels the query if it is still running (rolling back its writes).
    void close();

    void interrupt() override;
    void drop() override;

private:
    std::shared_ptr<DatabaseHandle> db_;
    std::shared_ptr<CancelToken> token_;
    std::vector<std::string> columns_;
    std::mutex mu_;  // one call at a time on the engine's cursor
    std::unique_ptr<Cursor> cursor_;
    bool ended_ = false;               // complete, or failed
    std::optional<QueryStats> stats_;  // set when the result is complete
};

class TransactionHandle : public Child {
public:
    static std::shared_ptr<TransactionHandle> begin(std::shared_ptr<DatabaseHandle> db);
    explicit TransactionHandle(std::shared_ptr<DatabaseHandle> db);
    ~TransactionHandle() override;

    Result execute(const std::string& query, const Params& params);
    void commit();
    void rollback();
    bool open();

    // A transaction's statements cannot be cancelled: close() waits for the running one.
    void interrupt() override {}
    void drop() override;

private:
    std::shared_ptr<DatabaseHandle> db_;
    std::mutex mu_;  // a transaction runs one statement at a time
    std::unique_ptr<Transaction> tx_;
};

}  // namespace lora::python
