// The commit path of the query actor: an auto-commit statement's WAL record (appended
// directly, no actor hop), the install at its shards once durable, the answer once visible;
// an explicit transaction's COMMIT (prepare at every shard first); and aborts.
#include "query_actor_impl.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/wal_actor.hpp"

#include <lora/wal/fault.hpp>

namespace lora::actors::query_impl {

// Undoes the transaction at every shard, then reports the failure (or, for a Rollback
// request, success).
void abort_all(QueryActor self) {
    auto& st = self->state;
    const auto& shards = st.q->engine->shards;
    auto pending = std::make_shared<size_t>(shards.size());
    auto done = [self] {
        if (retry_statement(self)) return;
        auto o = std::make_shared<Outcome>();
        if (self->state.failure)
            o->error = *self->state.failure;
        else if (self->state.top)
            o->result.columns = self->state.top->columns;
        o->txn_aborted = self->state.req->txn != 0;
        deliver(self, std::move(o));
    };
    st.book.committing = true;  // nothing else may start now
    const uint64_t run = st.run;
    for (const auto& s : shards) {
        self->request(s, caf::infinite, abort_atom::value, st.q->txn)
            .then(
                [self, run, pending, done](bool) {
                    if (self->state.run == run && --*pending == 0) done();
                },
                [self, run, pending, done](caf::error&) {
                    if (self->state.run == run && --*pending == 0) done();
                });
    }
    if (shards.empty()) done();
}

// What runs once a commit is visible (on whichever thread made it so). Usually it tells the
// actor, which answers. An auto-commit statement answered through its `done` callback (the
// embedding API, lorad) is answered right there instead, and the actor goes back to the
// pool: its rows are known, and nothing else is left to do. (A failed commit never gets
// here: the actor aborts it and answers itself.)
std::function<void()> on_visible(QueryActor self, bool logged) {
    auto& st = self->state;
    query_actor me = caf::actor_cast<query_actor>(self);
    const uint64_t run = st.run;
    const AnswerRoute route{static_cast<bool>(st.req->done),
                            st.rp.pending(),
                            st.q->stream != nullptr,
                            st.top->profile,
                            st.req->txn != 0,
                            st.req->kind == QueryRequest::Kind::Statement};
    if (!route.direct())
        return [me, run, logged] { caf::anon_send(me, visible_atom::value, run, logged); };
    st.answered_elsewhere = true;
    return [o = success_outcome(self), req = st.req, engine = st.q->engine, gate = st.gate_held,
            started = st.commit_started, me, logged,
            running = st.running ? st.running->id : uint64_t{0}] {
        if (logged) engine->record_commit_since(started);
        if (running) engine->running.remove(running);
        if (gate) engine->active_writers.fetch_sub(1);
        // Pooled before the answer: once answered, the client may close the database (and
        // with it the pool), and then the actor has to end instead.
        if (!engine->query_pool.put(me)) caf::anon_send_exit(me, caf::exit_reason::user_shutdown);
        req->done(o);
    };
}

namespace {

// Whether no constraint was created since the commit's check began (with constraint_mu
// held, see EngineShared). Otherwise the transaction fails with a retryable conflict: the
// new constraint was not checked against it.
bool epoch_unchanged(QueryActor self, std::unique_lock<std::mutex>& guard) {
    auto& st = self->state;
    if (st.q->engine->constraint_epoch.load(std::memory_order_acquire) == st.constraint_epoch)
        return true;
    guard.unlock();
    st.book.committing = false;
    st.retry_conflict = true;
    st.failure = errors::conflict(
        "a constraint was created while this transaction committed; retry the transaction");
    abort_all(self);
    return false;
}

}  // namespace

// Commit: collect the transaction's redo operations from the shards, log them as one WAL
// record, and once it is durable install it at the shards that hold changes of it.
// An auto-commit statement's shards left their logs in the query context (QueryContext::logs);
// an explicit transaction's Commit asks every shard (prepare), since its statements ran in
// other query actors.
void commit(QueryActor self) {
    auto& st = self->state;
    st.commit_started = std::chrono::steady_clock::now();
    st.book.committing = true;
    auto engine = st.q->engine;
    const auto& shards = engine->shards;
    uint64_t txn = st.q->txn;
    st.end_snapshot();  // its reads are over: old versions need not wait for it
    // The shards to install at (all of them for an explicit transaction).
    auto targets = std::make_shared<std::vector<shard_actor>>();
    // Installs the commit at `ts` at the target shards (one-way, from any thread); the last
    // shard runs `all`.
    auto install = [targets, txn](uint64_t ts, std::function<void()> all) {
        if (targets->empty()) {
            all();
            return;
        }
        auto in = std::make_shared<Install>(targets->size(), std::move(all));
        for (const auto& s : *targets) caf::anon_send(s, commit_atom::value, txn, ts, in);
    };
    // Durable: install the versions at the target shards, and answer once the commit is
    // visible (every commit before it is installed too), so whatever the client runs next
    // sees it. With a WAL the timestamp is the record's LSN (reserved by the WAL actor); the
    // WAL's I/O thread starts the install itself. A commit that changed nothing writes no
    // record: it stamps the visible timestamp (its kept versions, if any, equal the present
    // state) and waits for nobody.
    auto log_and_finish = [self, engine, txn, install,
                           targets](std::span<const std::vector<exec::RedoOp>* const> parts) {
        auto& st = self->state;
        const CommitPath path = commit_path(parts, static_cast<bool>(engine->wal));
        if (path == CommitPath::Visible) {
            install(engine->commits.visible(), on_visible(self, false));
            return;
        }
        std::unique_lock guard(engine->constraint_mu, std::defer_lock);
        if (path == CommitPath::Counter) {
            guard.lock();
            if (!epoch_unchanged(self, guard)) return;
            const uint64_t ts = engine->commits.begin_commit();
            guard.unlock();
            install(ts, [engine, ts, visible = on_visible(self, true)] {
                engine->commits.installed(ts, visible);
            });
            return;
        }
        Payload record = encode_redo(txn, parts);
        guard.lock();  // held until the record has its LSN
        if (!epoch_unchanged(self, guard)) return;
        // A failed append comes back to the actor, which rolls the transaction back.
        st.durable_handler = [self](uint64_t, const std::string& error) {
            auto& st = self->state;
            st.book.committing = false;
            st.answered_elsewhere = false;
            st.failure = errors::wal_failure(
                "commit not durable, the transaction was rolled back and the "
                "database is read-only: " +
                error);
            abort_all(self);
        };
        // Runs on the WAL's I/O thread, which sends the installs of its whole batch together.
        auto then = [me = caf::actor_cast<query_actor>(self), txn, engine, targets,
                     visible = on_visible(self, true)](uint64_t lsn, const std::string& error) {
            if (!error.empty()) {
                caf::anon_send(me, durable_atom::value, txn, lsn, error);
                return;
            }
            if (lora::fault::hit("commit_crash_before_install")) lora::fault::crash();
            engine->wal_installs.add(*targets, txn, lsn, [engine, lsn, visible] {
                engine->commits.installed(lsn, visible);
            });
        };
        wal_append(engine->wal_writer, engine, record, std::move(then));
    };
    if (st.q->logs) {
        std::vector<const std::vector<exec::RedoOp>*> parts;
        for_each_commit_target(*st.q->logs, [&](size_t i, const exec::TxnLog& log) {
            targets->push_back(shards[i]);
            parts.push_back(&log.redo);
        });
        log_and_finish(parts);
        return;
    }
    targets->assign(shards.begin(), shards.end());
    auto redo = std::make_shared<std::vector<std::vector<exec::RedoOp>>>(shards.size());
    auto pending = std::make_shared<size_t>(shards.size());
    auto all_prepared = [redo, log_and_finish] {
        std::vector<const std::vector<exec::RedoOp>*> parts;
        for (const auto& p : *redo) parts.push_back(&p);
        log_and_finish(parts);
    };
    for (size_t i = 0; i < shards.size(); ++i) {
        self->request(shards[i], caf::infinite, prepare_atom::value, txn)
            .then(
                [self, run = st.run, redo, pending, i, all_prepared](const Payload& p) {
                    if (self->state.run != run || self->state.book.finished) return;
                    try {
                        (*redo)[i] = decode_redo(p.data(), p.size());
                    } catch (const Error& e) {
                        self->state.book.committing = false;
                        fail(self, e);
                        return;
                    }
                    if (--*pending == 0) all_prepared();
                },
                [self, run = st.run](caf::error& err) {
                    if (self->state.run != run) return;
                    self->state.book.committing = false;
                    fail(self, errors::internal("prepare failed: " + self->system().render(err)));
                    check_done(self);
                });
    }
    if (shards.empty()) all_prepared();
}

}  // namespace lora::actors::query_impl
