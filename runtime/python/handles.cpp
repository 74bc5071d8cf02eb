#include "handles.hpp"

#include <lora/errors.hpp>

#include <algorithm>
#include <utility>

namespace lora::python {

DatabaseHandle::DatabaseHandle(const Options& options) : db_(Database::open(options)) {}

DatabaseHandle::~DatabaseHandle() { close(); }

void DatabaseHandle::throw_closed() { throw errors::database_closed(); }

void DatabaseHandle::track(const std::shared_ptr<Child>& child) {
    std::lock_guard lock(children_mu_);
    std::erase_if(children_, [](const std::weak_ptr<Child>& c) { return c.expired(); });
    children_.push_back(child);
}

std::vector<std::shared_ptr<Child>> DatabaseHandle::live_children() {
    std::lock_guard lock(children_mu_);
    std::vector<std::shared_ptr<Child>> live;
    for (const auto& weak : children_) {
        if (auto child = weak.lock()) live.push_back(std::move(child));
    }
    return live;
}

void DatabaseHandle::close() {
    // Streams waiting for rows give way at once; transaction statements run to their end.
    for (const auto& child : live_children()) child->interrupt();
    // Declared before the lock so that the children, whose destructors take the lock
    // shared, are released after it.
    std::vector<std::shared_ptr<Child>> children;
    std::unique_lock lock(life_);
    if (!db_) return;
    // Taken again under the lock: a child opened since is in the list now, and none can be
    // opened until the database is gone.
    children = live_children();
    for (const auto& child : children) child->drop();
    db_.reset();
}

std::shared_ptr<CursorHandle> CursorHandle::open(std::shared_ptr<DatabaseHandle> db,
                                                 const std::string& query, const Params& params) {
    auto token = std::make_shared<CancelToken>();
    auto handle = std::make_shared<CursorHandle>(db, token);
    db->use([&](Database& database) {
        QueryOptions options;
        options.cancel = token;
        handle->cursor_ = database.stream(query, params, options);
        handle->columns_ = handle->cursor_->columns();
        db->track(handle);
    });
    return handle;
}

CursorHandle::CursorHandle(std::shared_ptr<DatabaseHandle> db, std::shared_ptr<CancelToken> token)
    : db_(std::move(db)), token_(std::move(token)) {}

CursorHandle::~CursorHandle() { close(); }

bool CursorHandle::next(std::vector<std::vector<Value>>& rows) {
    return db_->use([&](Database&) {
        std::lock_guard lock(mu_);
        rows.clear();
        if (!cursor_ || ended_) return false;
        try {
            if (cursor_->next(rows)) return true;
        } catch (...) {
            ended_ = true;  // the engine's cursor reports an error once
            throw;
        }
        ended_ = true;
        stats_ = cursor_->stats();
        return false;
    });
}

std::optional<QueryStats> CursorHandle::stats() {
    std::lock_guard lock(mu_);
    return stats_;
}

void CursorHandle::close() {
    token_->cancel();  // a next() waiting in another thread returns; harmless once complete
    db_->if_open([&] {
        std::lock_guard lock(mu_);
        cursor_.reset();
    });
}

void CursorHandle::interrupt() { token_->cancel(); }

void CursorHandle::drop() {
    std::lock_guard lock(mu_);
    cursor_.reset();
}

std::shared_ptr<TransactionHandle> TransactionHandle::begin(std::shared_ptr<DatabaseHandle> db) {
    auto handle = std::make_shared<TransactionHandle>(db);
    db->use([&](Database& database) {
        handle->tx_ = database.begin();
        db->track(handle);
    });
    return handle;
}

TransactionHandle::TransactionHandle(std::shared_ptr<DatabaseHandle> db) : db_(std::move(db)) {}

// Destroying an open transaction rolls it back.
TransactionHandle::~TransactionHandle() {
    db_->if_open([&] {
        std::lock_guard lock(mu_);
        tx_.reset();
    });
}

// Inside DatabaseHandle::use the transaction is never dropped (that happens only while the
// database closes), so tx_ is set there.
Result TransactionHandle::execute(const std::string& query, const Params& params) {
    return db_->use([&](Database&) {
        std::lock_guard lock(mu_);
        return tx_->execute(query, params);
    });
}

void TransactionHandle::commit() {
    db_->use([&](Database&) {
        std::lock_guard lock(mu_);
        tx_->commit();
    });
}

void TransactionHandle::rollback() {
    db_->use([&](Database&) {
        std::lock_guard lock(mu_);
        tx_->rollback();
    });
}

bool TransactionHandle::open() {
    bool open = false;
    db_->if_open([&] {
        std::lock_guard lock(mu_);
        open = tx_->open();
    });
    return open;
}

void TransactionHandle::drop() {
    std::lock_guard lock(mu_);
    tx_.reset();
}

}  // namespace lora::python
