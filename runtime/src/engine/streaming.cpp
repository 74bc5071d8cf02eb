// The embedding API's cancellation, deadlines and streaming cursors (lora.hpp): a query actor
// started with a stop flag, wired to the caller's CancelToken, optionally streaming through
// a StreamChannel (actors/include/lora/actors/stream.hpp; docs/streaming.md).
#include "engine/impl_access.hpp"
#include "engine/in_transactions.hpp"
#include "lora/actors/protocol.hpp"

#include <caf/all.hpp>

#include <lora/errors.hpp>
#include <lora/lora.hpp>

#include <spdlog/spdlog.h>

#include <future>
#include <thread>

namespace lora {

namespace {

// A statement started while the Database is being destroyed.
Error closed_error() { return errors::database_closed(); }

}  // namespace

void CancelToken::cancel() {
    std::map<uint64_t, std::function<void()>> hooks;
    {
        std::lock_guard lock(mu_);
        if (cancelled_) return;
        cancelled_ = true;
        hooks.swap(hooks_);
    }
    for (auto& [id, hook] : hooks) hook();
}

bool CancelToken::cancelled() const {
    std::lock_guard lock(mu_);
    return cancelled_;
}

uint64_t CancelToken::on_cancel(std::function<void()> hook) {
    {
        std::lock_guard lock(mu_);
        if (!cancelled_) {
            uint64_t id = next_++;
            hooks_.emplace(id, std::move(hook));
            return id;
        }
    }
    hook();
    return 0;
}

void CancelToken::remove(uint64_t id) {
    std::lock_guard lock(mu_);
    hooks_.erase(id);
}

namespace {

// A started query actor and its stop wiring; unhooks from the token when done.
struct Running {
    actors::query_actor actor;
    actors::StopFlag stop;
    std::shared_ptr<actors::StreamChannel> stream;
    std::shared_ptr<CancelToken> token;
    uint64_t hook = 0;

    Running() = default;
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    ~Running() {
        if (token && hook) token->remove(hook);
    }
    void stop_now(uint8_t reason) const { actors::stop_query(actor, stop, stream, reason); }
};

std::unique_ptr<Running> launch(Database::Impl& impl, const actors::QueryRequestPtr& req,
                                const QueryOptions& o) {
    auto r = std::make_unique<Running>();
    r->stop = std::make_shared<std::atomic<uint8_t>>(actors::kStopNone);
    r->stream = req->stream;
    req->stop = r->stop;
    req->timeout = o.timeout;
    req->memory_limit = o.memory_limit;
    req->read_only = o.read_only;
    r->actor = actors::acquire_query(engine_system(impl), engine_of(impl));
    if (o.cancel) {
        r->token = o.cancel;
        r->hook = o.cancel->on_cancel([actor = r->actor, stop = r->stop, stream = r->stream] {
            actors::stop_query(actor, stop, stream, actors::kStopCancelled);
        });
    }
    caf::anon_send(r->actor, actors::start_atom::value, req);
    return r;
}

}  // namespace

Result Database::execute(const std::string& query, const Params& params,
                         const QueryOptions& options) {
    // The blocking call is the asynchronous one and a wait.
    auto promise = std::make_shared<std::promise<Completion>>();
    auto future = promise->get_future();
    execute_async(
        query, params, [promise](Completion&& c) { promise->set_value(std::move(c)); }, options);
    Completion c = future.get();
    if (c.error) throw *c.error;
    return std::move(c.result);
}

void Database::execute_async(std::string query, Params params, CompletionFn done,
                             const QueryOptions& options) {
    if (!async_begin(*impl_)) {
        Completion c;
        c.error = closed_error();
        done(std::move(c));
        return;
    }
    std::shared_ptr<const in_transactions::Statement> batched;
    try {
        batched = in_transactions::detect(query);
    } catch (const Error& e) {
        Completion c;
        c.error = e;
        done(std::move(c));
        async_end(*impl_);
        return;
    }
    if (batched) {
        // The batches wait for each other: a thread of their own, not an engine thread.
        std::thread([this, batched, params = std::move(params), done = std::move(done), options] {
            Completion c;
            try {
                c.result = in_transactions::run(*this, *batched, params, options);
            } catch (const Error& e) {
                c.error = e;
            } catch (const std::exception& e) {
                c.error = errors::internal(e.what());
            }
            try {
                done(std::move(c));
            } catch (...) {
                spdlog::error("execute_async: the completion callback threw");
            }
            async_end(*impl_);
        }).detach();
        return;
    }
    auto req = std::make_shared<actors::QueryRequest>();
    req->query = std::move(query);
    req->params = std::move(params);
    req->client = options.client;
    req->memory_limit = options.memory_limit;
    // The launch record (the cancel token's hook) lives until the statement is done.
    // `done` may run before launch() returns: then the caller's thread drops it.
    struct Slot {
        std::mutex mu;
        std::unique_ptr<Running> run;
        bool finished = false;
    };
    auto slot = std::make_shared<Slot>();
    Database::Impl* impl = impl_.get();
    req->done = [impl, slot, done = std::move(done)](actors::OutcomePtr o) mutable {
        {
            // Moved out so what the callback holds is released now, not when a pooled
            // query actor lets go of the request.
            CompletionFn fn = std::move(done);
            try {
                fn(completion_of(*o));
            } catch (const std::exception& e) {
                spdlog::error("execute_async: the completion callback threw: {}", e.what());
            } catch (...) {
                spdlog::error("execute_async: the completion callback threw");
            }
        }
        std::unique_ptr<Running> run;
        {
            std::lock_guard lock(slot->mu);
            slot->finished = true;
            run = std::move(slot->run);
        }
        run.reset();
        async_end(*impl);
    };
    if (options.cancel || options.timeout.count() > 0) {
        auto run = launch(*impl_, req, options);
        std::lock_guard lock(slot->mu);
        if (!slot->finished) slot->run = std::move(run);
    } else {
        caf::anon_send(actors::acquire_query(engine_system(*impl_), engine_of(*impl_)),
                       actors::start_atom::value, std::move(req));
    }
}

Result Transaction::execute(const std::string& query, const Params& params,
                            const QueryOptions& options) {
    if (!open_) throw errors::transaction_closed();
    auto& eng = *engine_of(*db_);
    // Gone from the running transactions: its termination rolled it back and ended it.
    auto t = eng.running.find(id_);
    if (!t) end_terminated(true);
    auto req = std::make_shared<actors::QueryRequest>();
    req->txn = id_;
    req->start_ts = start_ts_;
    req->query = query;
    req->params = params;
    auto promise = std::make_shared<std::promise<actors::OutcomePtr>>();
    auto future = promise->get_future();
    req->done = [promise](actors::OutcomePtr o) { promise->set_value(std::move(o)); };
    std::unique_ptr<Running> run;
    {
        // Started under the entry's lock: TERMINATE TRANSACTION either comes first (the
        // statement does not run) or finds it running and stops it.
        std::unique_lock lock(t->mu);
        if (t->terminated) {
            const bool rolled_back = t->rolled_back;
            lock.unlock();
            end_terminated(rolled_back);
        }
        run = launch(*db_, req, options);
        t->statement = {req,
                        eng.next_query.fetch_add(1),
                        std::chrono::system_clock::now(),
                        run->actor,
                        run->stop,
                        run->stream};
    }
    actors::OutcomePtr o = future.get();
    bool terminated = false;
    {
        std::lock_guard lock(t->mu);
        t->statement = {};
        terminated = t->terminated;
    }
    if (o->txn_aborted) finish();
    if (terminated) end_terminated(false);
    if (o->error) throw *o->error;
    return std::move(o->result);
}

struct Cursor::Impl {
    std::unique_ptr<Running> run;
    std::vector<std::string> columns;
    bool finished = false;
};

Cursor::Cursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Cursor::~Cursor() {
    if (impl_ && !impl_->finished) impl_->run->stop_now(actors::kStopCancelled);
}

const std::vector<std::string>& Cursor::columns() const { return impl_->columns; }

bool Cursor::next(std::vector<std::vector<Value>>& rows) {
    if (impl_->finished) {
        rows.clear();
        return false;
    }
    try {
        if (impl_->run->stream->take(rows)) return true;
    } catch (...) {
        impl_->finished = true;
        throw;
    }
    impl_->finished = true;
    return false;
}

Cursor::Poll Cursor::poll(std::vector<std::vector<Value>>& rows, std::function<void()> wake) {
    if (impl_->finished) {
        rows.clear();
        return Poll::Done;
    }
    Poll p;
    try {
        p = impl_->run->stream->poll(rows, std::move(wake));
    } catch (...) {
        impl_->finished = true;
        throw;
    }
    if (p == Poll::Done) impl_->finished = true;
    return p;
}

QueryStats Cursor::stats() const { return impl_->run->stream->stats(); }

void Cursor::cancel() { impl_->run->stop_now(actors::kStopCancelled); }

std::unique_ptr<Cursor> Database::stream(const std::string& query, const Params& params,
                                         const QueryOptions& options) {
    if (auto batched = in_transactions::detect(query)) {
        // Its result (what follows the CALL) is whole once the batches have run.
        Result r = in_transactions::run(*this, *batched, params, options);
        auto impl = std::make_unique<Cursor::Impl>();
        impl->run = std::make_unique<Running>();
        impl->run->stream =
            std::make_shared<actors::StreamChannel>(std::max<size_t>(1, r.rows.size()), int64_t{1});
        impl->columns = r.columns;
        impl->run->stream->open(r.columns);
        impl->run->stream->publish(std::move(r.rows));
        impl->run->stream->finish(std::nullopt, r.stats);
        return std::make_unique<Cursor>(std::move(impl));
    }
    auto req = std::make_shared<actors::QueryRequest>();
    req->query = query;
    req->params = params;
    req->client = options.client;
    // Batches in flight between the query's actors also use credit: without a bound, fast
    // shards would fill the query actor's mailbox however slowly the consumer reads.
    int64_t max_batches = 2 * static_cast<int64_t>(shard_count()) + 8;
    req->stream = std::make_shared<actors::StreamChannel>(options.stream_window_rows, max_batches);
    // Counted like execute_async's statements: destroying the Database waits until the query
    // has ended (a destroyed cursor cancels it), so no query actor still reads the engine's
    // shard list while the database takes it down.
    if (!async_begin(*impl_)) throw closed_error();
    Database::Impl* db = impl_.get();
    req->done = [db](actors::OutcomePtr) { async_end(*db); };
    auto impl = std::make_unique<Cursor::Impl>();
    impl->run = launch(*impl_, req, options);
    if (auto err = impl->run->stream->wait_open(impl->columns)) {
        impl->finished = true;
        throw *err;
    }
    return std::make_unique<Cursor>(std::move(impl));
}

}  // namespace lora
