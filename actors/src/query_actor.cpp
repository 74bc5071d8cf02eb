// The query actor: one per query, the coordinator of its dataflow. It plans (through the
// shared plan cache), runs coordinator steps, sends rows to shards, counts the batches in
// flight, releases barriers when nothing is in flight, and answers with the result. The
// commit path is in commit.cpp, AttachDeep in attach_deep.cpp.
#include "query_actor_impl.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/plan_cache.hpp"
#include "lora/actors/schema.hpp"

#include <array>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>

namespace lora::actors::query_impl {

std::vector<std::string> result_columns(const plan::Plan& p) {
    if (p.profile) return {"step", "operator", "rows", "time_us"};
    return p.columns;
}

void deliver(QueryActor self, OutcomePtr o) {
    auto& st = self->state;
    if (st.book.finished || st.answered_elsewhere) return;
    st.book.finished = true;
    if (st.q) st.q->cancelled.store(true);
    if (st.q && st.q->memory) {
        if (st.req && st.req->kind == QueryRequest::Kind::Statement)
            st.q->engine->record_query_memory(st.writes, st.q->memory->peak());
        st.q->memory->finish();
    }
    st.end_snapshot();
    st.end_running();
    if (st.q && st.q->stream) {
        auto& ch = *st.q->stream;
        if (!o->error) {
            if (!st.live) ch.open(o->result.columns);
            ch.publish(std::move(o->result.rows));
        }
        ch.finish(o->error, o->result.stats);
    }
    if (st.gate_held) {
        if (st.schema_held) st.q->engine->active_schema.fetch_sub(1);
        st.schema_held = false;
        st.q->engine->active_writers.fetch_sub(1);
        st.gate_held = false;
    }
    if (st.req->done) st.req->done(o);
    if (st.rp.pending()) st.rp.deliver(o);
    // Back to the pool (the next request resets the state: this handler's callers still
    // look at it), or end when the pool is full or the engine is shutting down.
    if (!st.q->engine->query_pool.put(caf::actor_cast<query_actor>(self))) self->quit();
}

// Clears what the previous request left, for the next one.
void reset_run(QueryActor self) {
    auto& st = self->state;
    const uint64_t next = st.run + 1;
    st.end_snapshot();
    st.release_memory();
    st = QueryState{};
    st.run = next;
}

void start_schema(QueryActor self);

namespace {

// "the rows held at Sort", ... per operator, made once and never destroyed (a query actor
// may still hold rows while the process exits).
std::string_view held_what(plan::OpKind k) {
    static const auto* names = [] {
        auto* n = new std::array<std::string, std::variant_size_v<plan::Operator>>();
        for (size_t i = 0; i < n->size(); ++i)
            (*n)[i] =
                std::string("the rows held at ") + plan::op_name(static_cast<plan::OpKind>(i));
        return n;
    }();
    return (*names)[static_cast<size_t>(k)];
}

}  // namespace

void hold(QueryActor self, size_t step, exec::Row&& row) {
    auto& st = self->state;
    const uint64_t bytes = memory::row_footprint(row);
    st.held_memory.grow(bytes, held_what(st.q->plan->steps[step].kind()));
    st.held_bytes[step] += bytes;
    st.book.held[step].push_back(std::move(row));
}

void fail(QueryActor self, const Error& e) {
    auto& st = self->state;
    if (st.book.finished) return;
    if (st.writes && !st.failure) {
        // Let every batch of the query drain, then undo its changes (check_done).
        st.failure = e;
        if (st.q) st.q->cancelled.store(true);
        return;
    }
    auto o = std::make_shared<Outcome>();
    o->error = e;
    deliver(self, std::move(o));
}

void succeed(QueryActor self) {
    auto& st = self->state;
    if (st.top && st.top->profile) {
        // PROFILE answers with the plan: one row per step with the rows that entered it.
        // time_us is the step's own time (not the steps it feeds), summed over all actors.
        Result r;
        r.columns = result_columns(*st.top);
        for (size_t i = 0; i < st.top->steps.size(); ++i)
            r.rows.push_back(
                {Value(static_cast<int64_t>(i)), Value(st.top->steps[i].describe()),
                 Value(i < st.book.step_rows.size() ? st.book.step_rows[i] : int64_t{0}),
                 Value(i < st.book.step_ns.size() ? st.book.step_ns[i] / 1000 : int64_t{0})});
        auto elapsed = std::chrono::steady_clock::now() - st.started;
        auto ms = std::chrono::duration<double, std::milli>(elapsed);
        r.rows.push_back(
            {Value(int64_t{-1}),
             Value("total: " + std::to_string(st.result.rows.size()) + " result rows in " +
                   std::to_string(ms.count()) + " ms"),
             Value(static_cast<int64_t>(st.result.rows.size())),
             Value(static_cast<int64_t>(
                 std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()))});
        r.stats = st.book.stats;
        auto o = std::make_shared<Outcome>();
        o->result = std::move(r);
        deliver(self, std::move(o));
        return;
    }
    deliver(self, success_outcome(self));
}

// The answer of a statement that ran to its end (not PROFILE): its rows and counters.
OutcomePtr success_outcome(QueryActor self) {
    auto& st = self->state;
    auto o = std::make_shared<Outcome>();
    o->result = std::move(st.result);
    o->result.columns = st.top->columns;
    o->result.stats = st.book.stats;
    if (!st.top->union_parts.empty() && !st.top->union_all) {
        std::unordered_set<exec::Row, ValueEquivHash, ValueEquiv> seen;
        std::vector<exec::Row> rows;
        for (auto& r : o->result.rows)
            if (seen.insert(r).second) rows.push_back(std::move(r));
        o->result.rows = std::move(rows);
    }
    return o;
}

void flush(QueryActor self) {
    auto& st = self->state;
    if (st.out) st.book.in_flight += st.out->flush_coordinator();
    if (!st.pending.empty()) {
        st.published = true;
        st.q->stream->publish(std::move(st.pending));
        st.pending = {};
    }
}

void check_done(QueryActor self) {
    auto& st = self->state;
    for (;;) {
        // The stop flag is read only when a decision is due (as before the split).
        const uint8_t stop = st.book.waiting() ? uint8_t{kStopNone} : st.q->stop->load();
        switch (st.book.next(st.failure.has_value(), stop, st.writes && !st.req->txn)) {
            case NextStep::Wait: return;
            case NextStep::Abort: abort_all(self); return;
            case NextStep::Stop: fail(self, stop_error(stop, st.q->txn)); continue;
            case NextStep::Barrier: {
                auto taken = st.book.take_barrier();
                const size_t b = taken.first;
                std::vector<exec::Row> rows = std::move(taken.second);
                if (st.q->plan->steps[b].kind() == plan::OpKind::AttachDeep) {
                    attach_deep(self, b, std::move(rows));
                    continue;  // fetching > 0 ends the loop; otherwise it went through already
                }
                guarded(self, [&] {
                    st.ex->run_barrier(b, rows);
                    flush(self);
                });
                rows = {};
                st.held_memory.shrink(std::exchange(st.held_bytes[b], 0));
                continue;
            }
            case NextStep::NextPart:
                ++st.book.part;
                guarded(self, [&] { start_part(self); });
                continue;
            case NextStep::Commit: commit_checked(self); continue;
            case NextStep::Succeed: succeed_checked(self); continue;
        }
    }
}

void start(QueryActor self) {
    auto& st = self->state;
    auto& eng = *st.q->engine;
    if (st.req->kind != QueryRequest::Kind::Statement) {
        st.top = std::make_shared<plan::Plan>();
        st.writes = true;
        if (st.req->kind == QueryRequest::Kind::Commit) {
            if (eng.read_only.load()) {
                st.failure = errors::read_only("the transaction was rolled back");
                abort_all(self);
                return;
            }
            commit_checked(self);
        } else {
            st.rollback_only = true;
            abort_all(self);
        }
        st.waiting_for_gate = true;  // nothing else to start
        return;
    }
    st.top = plan_for(eng, st.req->query);
    const auto& plan = *st.top;
    if (plan.explain_only) {
        std::string line;
        for (char c : plan.explain_text) {
            if (c == '\n') {
                st.result.rows.push_back({Value(line)});
                line.clear();
            } else {
                line += c;
            }
        }
        if (!line.empty()) st.result.rows.push_back({Value(line)});
        succeed(self);
        return;
    }
    if (st.req->read_only)
        if (const char* what = plan::changes_state(plan))
            throw errors::forbidden("the statement " + std::string(what) +
                                    ", and this client may only read (a read-only credential)");
    st.writes = plan.writes;
    if (st.writes && !st.req->txn)
        st.q->logs = std::make_shared<std::vector<exec::TxnLog*>>(eng.shards.size(), nullptr);
    if (st.q->stream) {
        st.live = !plan.profile && (plan.union_parts.empty() || plan.union_all);
        if (st.live) st.q->stream->open(result_columns(plan));
    }
    // In an explicit transaction the Transaction holds the writer gate and commits. Schema
    // commands hold it too, so a checkpoint never sees one half done.
    if ((st.writes || plan.schema) && !st.gate_held && !st.req->txn) {
        if (eng.read_only.load()) {
            std::lock_guard lock(eng.read_only_mu);
            throw errors::read_only(eng.read_only_reason);
        }
        eng.active_writers.fetch_add(1);
        if (plan.schema) eng.active_schema.fetch_add(1);
        if (eng.checkpointing.load() || (plan.schema && eng.schema_frozen.load())) {
            // A snapshot load (or, for a schema change, a checkpoint) is running: try again in
            // a moment.
            eng.active_writers.fetch_sub(1);
            if (plan.schema) eng.active_schema.fetch_sub(1);
            self->delayed_send(self, std::chrono::milliseconds(1), retry_atom::value, st.run);
            st.waiting_for_gate = true;
            return;
        }
        st.gate_held = true;
        st.schema_held = plan.schema != nullptr;
    }
    if (plan.schema) {
        start_schema(self);
        return;
    }
    if (plan.union_parts.empty())
        st.parts = {st.top};
    else
        st.parts.assign(plan.union_parts.begin(), plan.union_parts.end());
    st.book.part = 0;
    st.book.part_count = st.parts.size();
    start_part(self);
}

// A schema command runs in its own actor and applies at once, also inside an explicit
// transaction (it is not part of it).
void start_schema(QueryActor self) {
    auto& st = self->state;
    st.book.committing = true;  // nothing else runs for this statement
    auto actor = spawn_schema_change(self->system(), st.q->engine, st.top, st.q->params, st.q->txn);
    self->request(actor, caf::infinite, start_atom::value)
        .then(
            [self, run = st.run](OutcomePtr o) {
                if (self->state.run == run) deliver(self, std::move(o));
            },
            [self, run = st.run](caf::error& err) {
                if (self->state.run != run) return;
                auto o = std::make_shared<Outcome>();
                o->error = errors::internal("schema change failed: " + self->system().render(err));
                deliver(self, std::move(o));
            });
}

// Starts running st.parts[st.book.part] with a fresh query context (its own id and plan).
void start_part(QueryActor self) {
    auto& st = self->state;
    if (st.book.part > 0) {
        auto q = std::make_shared<QueryContext>();
        q->id = st.q->engine->next_query.fetch_add(1);
        q->txn = st.q->txn;
        q->start_ts = st.q->start_ts;
        q->clock_nanos = st.q->clock_nanos;
        q->params = st.q->params;
        q->query = st.q->query;
        q->engine = st.q->engine;
        q->round_robin.store(st.q->round_robin.load());
        q->stop = st.q->stop;
        q->stream = st.q->stream;
        q->logs = st.q->logs;
        q->memory = st.q->memory;
        st.q = std::move(q);
    }
    st.q->plan = st.parts[st.book.part];
    auto& eng = *st.q->engine;
    const auto& plan = *st.q->plan;
    std::vector<size_t> barriers;
    for (size_t i = 0; i < plan.steps.size(); ++i)
        if (plan.steps[i].barrier) barriers.push_back(i);
    st.book.begin_part(std::move(barriers));
    st.out = std::make_unique<Outbox>(self, st.q, true);
    st.out->on_hold = [self](size_t step, exec::Row&& row) { hold(self, step, std::move(row)); };
    st.out->on_result = [self](exec::Row&& row) {
        auto& st = self->state;
        if (st.top->columns.empty()) return;
        // Live rows leave at each flush, within the stream's window; a collected result
        // stays until the answer.
        if (!st.live) st.result_memory.grow(memory::row_footprint(row), "the collected result");
        if (st.live)
            st.pending.push_back(std::move(row));
        else
            st.result.rows.push_back(std::move(row));
    };
    exec::ExecEnv env;
    env.plan = st.q->plan.get();
    env.params = &st.q->params;
    env.clock_nanos = st.q->clock_nanos;
    env.part = nullptr;
    env.catalog = eng.catalog.get();
    env.shard_count = static_cast<uint32_t>(eng.shards.size());
    env.here = -1;
    env.round_robin = &st.q->round_robin;
    env.runtime = st.out.get();
    env.stats = &st.book.stats;
    env.chunk_rows = eng.chunk_rows;
    env.import_dir = &eng.import_dir;
    env.cancelled = st.q->stop.get();
    env.memory = st.q->memory.get();
    if (plan.profile) {
        st.book.step_rows.assign(plan.steps.size(), 0);
        st.book.step_ns.assign(plan.steps.size(), 0);
        env.step_rows = &st.book.step_rows;
        env.step_ns = &st.book.step_ns;
    }
    st.ex = std::make_unique<exec::Executor>(env);
    exec::Row row(static_cast<size_t>(plan.slot_count));
    st.ex->push(0, row);
    flush(self);
}

// Sets up the state for one request (the actor's current run).
void begin_run(QueryActor self, const EnginePtr& engine, QueryRequestPtr req) {
    auto& st = self->state;
    st.req = std::move(req);
    st.q = std::make_shared<QueryContext>();
    st.q->id = engine->next_query.fetch_add(1);
    st.q->txn = st.req->txn ? st.req->txn : st.q->id;
    if (st.req->txn) {
        st.q->start_ts = st.req->start_ts;
    } else {
        st.q->start_ts = engine->commits.begin_snapshot();
        st.own_snapshot = true;
    }
    st.q->clock_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    st.q->params = std::move(st.req->params);  // the request is this run's alone
    st.q->query = caf::actor_cast<query_actor>(self);
    st.q->stop = st.req->stop ? st.req->stop : std::make_shared<std::atomic<uint8_t>>(kStopNone);
    st.q->stream = st.req->stream;
    st.q->round_robin.store(engine->round_robin.fetch_add(1));
    st.q->engine = engine;
    st.q->memory = std::make_shared<QueryMemory>(
        engine->memory.get(),
        st.req->memory_limit ? st.req->memory_limit : engine->query_memory_limit);
    st.held_memory = MemoryLease(st.q->memory.get());
    st.result_memory = MemoryLease(st.q->memory.get());
}

// An auto-commit statement joins the running transactions while it runs (an explicit
// transaction's statements are registered by the transaction, see Transaction::execute).
void register_running(QueryActor self, const EnginePtr& engine) {
    auto& st = self->state;
    if (st.req->txn || st.req->kind != QueryRequest::Kind::Statement) return;
    st.running = engine->running.add(st.q->id, false, st.q->start_ts, std::move(st.req->client));
    std::lock_guard lock(st.running->mu);
    auto& s = st.running->statement;
    s.request = st.req;
    s.query_id = st.q->id;
    s.started = st.running->started;
    s.actor = caf::actor_cast<query_actor>(self);
    s.stop = st.q->stop;
    s.stream = st.q->stream;
}

bool retry_statement(QueryActor self) {
    // Pauses before the attempts: 1, 2, 4, ... 64 ms, then 64 ms (about 1.5 s in all).
    constexpr int kMaxRetries = 30;
    auto& st = self->state;
    if (!st.retry_conflict || !st.req || st.req->txn || st.published ||
        st.req->kind != QueryRequest::Kind::Statement || st.retries >= kMaxRetries ||
        st.q->stop->load() != kStopNone)
        return false;
    // What the next attempt keeps: the request (its parameters back in it), the answer
    // owed, the writer gate, the stop flag (and with it a pending deadline), the start.
    auto req = st.req;
    req->params = std::move(st.q->params);
    if (!req->stop) req->stop = st.q->stop;
    auto rp = st.rp;
    auto running = std::move(st.running);
    const bool gate = st.gate_held, schema = st.schema_held;
    const auto started = st.started;
    const int retries = st.retries + 1;
    reset_run(self);
    st.req = std::move(req);
    st.rp = std::move(rp);
    st.running = std::move(running);
    st.gate_held = gate;
    st.schema_held = schema;
    st.started = started;
    st.retries = retries;
    st.restart_pending = true;
    const auto pause = std::chrono::milliseconds(1 << std::min(retries - 1, 6));
    self->delayed_send(self, pause, retry_atom::value, st.run);
    return true;
}

query_actor::behavior_type query_behavior(QueryActor self, EnginePtr engine) {
    return {
        [=](start_atom, QueryRequestPtr req) -> caf::typed_response_promise<OutcomePtr> {
            auto& st = self->state;
            reset_run(self);
            begin_run(self, engine, std::move(req));
            register_running(self, engine);
            st.rp = self->make_response_promise<OutcomePtr>();
            auto rp = st.rp;
            if (st.req->timeout.count() > 0)
                self->delayed_send(self, st.req->timeout, cancel_atom::value,
                                   uint8_t{kStopDeadline}, st.q->stop);
            guarded(self, [&] { start(self); });
            if (!st.waiting_for_gate) check_done(self);
            return rp;
        },
        [=](visible_atom, uint64_t run, bool logged) {
            auto& st = self->state;
            if (st.run != run || st.book.finished) return;
            if (logged) st.q->engine->record_commit_since(st.commit_started);
            succeed(self);
        },
        [=](retry_atom, uint64_t run) {
            auto& st = self->state;
            if (st.run != run || st.book.finished) return;
            if (st.restart_pending) {
                // A statement retried after a conflict: a fresh snapshot now, after the pause.
                st.restart_pending = false;
                begin_run(self, engine, st.req);
            }
            st.waiting_for_gate = false;
            guarded(self, [&] { start(self); });
            if (!st.waiting_for_gate) check_done(self);
        },
        [=](durable_atom, uint64_t txn, uint64_t lsn, const std::string& error) {
            auto& st = self->state;
            if (!st.q || st.q->txn != txn || st.book.finished || !st.durable_handler) return;
            auto handler = std::move(st.durable_handler);
            st.durable_handler = nullptr;
            handler(lsn, error);
        },
        [=](batch_atom, const QueryRef& q, const Payload& p) {
            auto& st = self->state;
            if (q->stream) q->stream->batch_taken();
            if (!st.q || st.q->stop != q->stop || st.book.finished) return;
            if (!st.failure)
                guarded(self, [&] {
                    st.ex->reset_budget();
                    auto d = decode_rows(p);
                    const auto& step = st.q->plan->steps.at(d.step);
                    for (auto& row : d.rows) {
                        if (step.barrier)
                            hold(self, d.step, std::move(row));
                        else
                            st.ex->run_here(d.step, row);
                    }
                    flush(self);
                });
            st.book.in_flight -= 1;
            check_done(self);
        },
        [=](progress_atom, uint64_t id, int64_t produced, int64_t consumed,
            const std::vector<int64_t>& stats) {
            auto& st = self->state;
            if (!st.q || st.q->id != id) return;
            st.book.on_progress(produced, consumed, stats);
            check_done(self);
        },
        [=](resume_atom, const QueryRef& q, const exec::ContinuationPtr& c) {
            auto& st = self->state;
            if (!st.q || st.q->stop != q->stop || st.book.finished) return;
            if (!st.failure)
                guarded(self, [&] {
                    st.ex->resume(*c);
                    flush(self);
                });
            st.book.in_flight -= 1;
            check_done(self);
        },
        [=](cancel_atom, uint8_t why, const StopFlag& flag) {
            auto& st = self->state;
            if (!st.q || st.q->stop != flag || st.book.finished) return;
            uint8_t none = kStopNone;
            st.q->stop->compare_exchange_strong(none, why);
            if (st.q->stream) st.q->stream->release_all();
            fail(self, stop_error(st.q->stop->load(), st.q->txn));
            check_done(self);
        },
        [=](error_atom, uint64_t id, const ErrorPtr& e) {
            if (!self->state.q || self->state.q->id != id) return;
            fail(self, *e);
            check_done(self);
        },
    };
}

query_actor spawn_query(caf::actor_system& sys, EnginePtr engine) {
    return sys.spawn(query_behavior, std::move(engine));
}

}  // namespace lora::actors::query_impl

namespace lora::actors {

Error stop_error(uint8_t reason, uint64_t txn) {
    switch (reason) {
        case kStopDeadline: return errors::timeout();
        case kStopTerminated: return errors::terminated(transaction_id_text(txn));
        default: return errors::cancelled();
    }
}

void stop_query(const query_actor& query, const StopFlag& stop,
                const std::shared_ptr<StreamChannel>& stream, uint8_t reason) {
    uint8_t none = kStopNone;
    if (stop) stop->compare_exchange_strong(none, reason);
    if (query && stop) caf::anon_send(query, cancel_atom::value, reason, stop);
    if (stream) stream->release_all();
}

}  // namespace lora::actors
