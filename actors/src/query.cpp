// The query actor: one per query, the coordinator of its dataflow. It plans (through the
// shared plan cache), runs coordinator steps, sends rows to shards, counts the batches in
// flight, releases barriers when nothing is in flight, and answers with the result.
#include "lora/actors/protocol.hpp"
#include "outbox.hpp"

#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/plan/planner.hpp>

#include <lora/wal/fault.hpp>

#include <map>
#include <unordered_set>

namespace lora::actors {

plan::PlanPtr PlanCache::get(const std::string& text) {
    std::lock_guard lock(mu_);
    auto it = map_.find(text);
    return it == map_.end() ? nullptr : it->second;
}

void PlanCache::clear() {
    std::lock_guard lock(mu_);
    map_.clear();
}

void PlanCache::put(const std::string& text, plan::PlanPtr p) {
    std::lock_guard lock(mu_);
    if (map_.size() >= capacity_) map_.clear();
    map_.emplace(text, std::move(p));
}

namespace {

struct QueryState {
    QueryRequestPtr req;
    QueryRef q;
    plan::PlanPtr top;                 // the statement's plan (a UNION has parts)
    std::vector<plan::PlanPtr> parts;  // plans run one after another
    size_t part = 0;
    std::unique_ptr<Outbox> out;
    std::unique_ptr<exec::Executor> ex;
    QueryStats stats;
    Result result;
    int64_t in_flight = 0;
    int fetching = 0;
    std::vector<size_t> barriers;
    size_t next_barrier = 0;
    std::map<size_t, std::vector<exec::Row>> held;
    caf::response_promise rp;
    bool finished = false;
    // Transactions: a query whose plan writes holds the writer gate, and at its end either
    // commits (prepare at every shard, one WAL record, durable, commit at every shard) or,
    // after an error, waits for its batches to drain and aborts at every shard.
    bool writes = false;
    bool gate_held = false;
    bool schema_held = false;  // a schema change: also keeps checkpoints out
    std::function<void(uint64_t, const std::string&)> durable_handler;
    bool waiting_for_gate = false;
    bool rollback_only = false;      // a Rollback request: abort without an error
    std::vector<int64_t> step_rows;  // PROFILE: rows per step, all actors summed
    std::vector<int64_t> step_ns;    // PROFILE: time per step (ns), all actors summed
    // Streaming: result rows go to the channel as they come (after each handler) unless the
    // statement's answer is only known at its end (PROFILE, EXPLAIN, UNION without ALL).
    bool live = false;
    std::vector<exec::Row> pending;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool committing = false;
    std::chrono::steady_clock::time_point commit_started;
    std::optional<Error> failure;
    // An auto-commit statement's snapshot, released when the query ends (an explicit
    // transaction's belongs to the transaction).
    bool own_snapshot = false;
    void end_snapshot() {
        if (own_snapshot && q && q->engine) q->engine->commits.end_snapshot(q->start_ts);
        own_snapshot = false;
    }
    // Query actors are pooled (QueryPool): one runs many requests, one after another. `run`
    // numbers them; continuations and self-addressed messages of an earlier run carry its
    // number (or its query id / stop flag) and are ignored.
    uint64_t run = 0;
    // The commit's visible callback answers this run (on_visible): the actor must not.
    bool answered_elsewhere = false;
    QueryState() = default;
    QueryState(QueryState&&) = default;
    QueryState& operator=(QueryState&&) = default;
    ~QueryState() { end_snapshot(); }
    static inline const char* name = "lora.query";
};

using QueryActor = caf::stateful_actor<QueryState>;

plan::PlanPtr plan_for(EngineShared& eng, const std::string& text) {
    if (auto p = eng.plans.get(text)) return p;
    cypher::Statement st = cypher::parse(text);
    cypher::analyze(st);
    auto p = plan::build_plan(st, text, &eng.procedures, &eng.catalog->indexes());
    if (st.mode == cypher::Statement::Mode::Profile) {
        if (!p->union_parts.empty())
            throw Error(ErrorClass::Semantic, ErrorPhase::Compile, "NotSupported",
                        "UnsupportedFeature", "Not supported yet: PROFILE of a UNION");
        auto copy = std::make_shared<plan::Plan>(plan::clone(*p));
        copy->profile = true;
        p = copy;
    }
    if (st.mode == cypher::Statement::Mode::Explain) {
        auto copy = std::make_shared<plan::Plan>();
        copy->query = p->query;
        copy->explain_only = true;
        copy->columns = {"plan"};
        copy->steps.clear();
        copy->slot_count = 0;
        copy->explain_text = p->explain();
        p = copy;
    }
    eng.plans.put(text, p);
    return p;
}

std::vector<std::string> result_columns(const plan::Plan& p) {
    if (p.profile) return {"step", "operator", "rows", "time_us"};
    return p.columns;
}

void deliver(QueryActor* self, OutcomePtr o) {
    auto& st = self->state;
    if (st.finished || st.answered_elsewhere) return;
    st.finished = true;
    if (st.q) st.q->cancelled.store(true);
    st.end_snapshot();
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
    if (!st.q->engine->query_pool.put(caf::actor_cast<caf::actor>(self))) self->quit();
}

// Clears what the previous request left, for the next one.
void reset_run(QueryActor* self) {
    auto& st = self->state;
    const uint64_t next = st.run + 1;
    st.end_snapshot();
    st = QueryState{};
    st.run = next;
}

void check_done(QueryActor* self);
OutcomePtr success_outcome(QueryActor* self);

void fail(QueryActor* self, const Error& e) {
    auto& st = self->state;
    if (st.finished) return;
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

// Undoes the transaction at every shard, then reports the failure (or, for a Rollback
// request, success).
void abort_all(QueryActor* self) {
    auto& st = self->state;
    const auto& shards = st.q->engine->shards;
    auto pending = std::make_shared<size_t>(shards.size());
    auto done = [self] {
        auto o = std::make_shared<Outcome>();
        if (self->state.failure)
            o->error = *self->state.failure;
        else if (self->state.top)
            o->result.columns = self->state.top->columns;
        o->txn_aborted = self->state.req->txn != 0;
        deliver(self, std::move(o));
    };
    st.committing = true;  // nothing else may start now
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

void succeed(QueryActor* self) {
    auto& st = self->state;
    if (st.top && st.top->profile) {
        // PROFILE answers with the plan: one row per step with the rows that entered it.
        // time_us is the step's own time (not the steps it feeds), summed over all actors.
        Result r;
        r.columns = result_columns(*st.top);
        for (size_t i = 0; i < st.top->steps.size(); ++i)
            r.rows.push_back({Value(static_cast<int64_t>(i)), Value(st.top->steps[i].describe()),
                              Value(i < st.step_rows.size() ? st.step_rows[i] : int64_t{0}),
                              Value(i < st.step_ns.size() ? st.step_ns[i] / 1000 : int64_t{0})});
        auto elapsed = std::chrono::steady_clock::now() - st.started;
        auto ms = std::chrono::duration<double, std::milli>(elapsed);
        r.rows.push_back(
            {Value(int64_t{-1}),
             Value("total: " + std::to_string(st.result.rows.size()) + " result rows in " +
                   std::to_string(ms.count()) + " ms"),
             Value(static_cast<int64_t>(st.result.rows.size())),
             Value(static_cast<int64_t>(
                 std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()))});
        r.stats = st.stats;
        auto o = std::make_shared<Outcome>();
        o->result = std::move(r);
        deliver(self, std::move(o));
        return;
    }
    deliver(self, success_outcome(self));
}

// The answer of a statement that ran to its end (not PROFILE): its rows and counters.
OutcomePtr success_outcome(QueryActor* self) {
    auto& st = self->state;
    auto o = std::make_shared<Outcome>();
    o->result = std::move(st.result);
    o->result.columns = st.top->columns;
    o->result.stats = st.stats;
    if (!st.top->union_parts.empty() && !st.top->union_all) {
        std::unordered_set<exec::Row, ValueEquivHash, ValueEquiv> seen;
        std::vector<exec::Row> rows;
        for (auto& r : o->result.rows)
            if (seen.insert(r).second) rows.push_back(std::move(r));
        o->result.rows = std::move(rows);
    }
    return o;
}

// What runs once a commit is visible (on whichever thread made it so). Usually it tells the
// actor, which answers. An auto-commit statement answered through its `done` callback (the
// embedding API, lorad) is answered right there instead, and the actor goes back to the
// pool: its rows are known, and nothing else is left to do. (A failed commit never gets
// here: the actor aborts it and answers itself.)
std::function<void()> on_visible(QueryActor* self, bool logged) {
    auto& st = self->state;
    caf::actor me = caf::actor_cast<caf::actor>(self);
    const uint64_t run = st.run;
    const bool direct = st.req->done && !st.rp.pending() && !st.q->stream && !st.top->profile &&
                        !st.req->txn && st.req->kind == QueryRequest::Kind::Statement;
    if (!direct) return [me, run, logged] { caf::anon_send(me, visible_atom::value, run, logged); };
    st.answered_elsewhere = true;
    return [o = success_outcome(self), req = st.req, engine = st.q->engine, gate = st.gate_held,
            started = st.commit_started, me, logged] {
        if (logged) engine->record_commit_since(started);
        if (gate) engine->active_writers.fetch_sub(1);
        // Pooled before the answer: once answered, the client may close the database (and
        // with it the pool), and then the actor has to end instead.
        if (!engine->query_pool.put(me)) caf::anon_send_exit(me, caf::exit_reason::user_shutdown);
        req->done(o);
    };
}

template <typename F>
bool guarded(QueryActor* self, F&& f) {
    try {
        f();
        return true;
    } catch (const Error& e) {
        fail(self, e);
    } catch (const std::exception& e) {
        fail(self, Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "Internal",
                         std::string("internal error at coordinator: ") + e.what()));
    }
    return false;
}

void flush(QueryActor* self) {
    auto& st = self->state;
    if (st.out) st.in_flight += st.out->flush_coordinator();
    if (!st.pending.empty()) {
        st.q->stream->publish(std::move(st.pending));
        st.pending = {};
    }
}

// Every node / relationship reachable inside `v` (attached ones too: their data may be stale).
void collect_entities(const Value& v, std::vector<uint64_t>& nodes, std::vector<uint64_t>& rels) {
    switch (v.kind()) {
        case ValueKind::Node: nodes.push_back(v.as_node().id); break;
        case ValueKind::Relationship: rels.push_back(v.as_relationship().id); break;
        case ValueKind::List:
            for (const auto& x : v.as_list()) collect_entities(x, nodes, rels);
            break;
        case ValueKind::Map:
            for (const auto& [k, x] : v.as_map()) collect_entities(x, nodes, rels);
            break;
        case ValueKind::Path:
            for (const auto& n : v.as_path().nodes) nodes.push_back(n.id);
            for (const auto& r : v.as_path().rels) rels.push_back(r.id);
            break;
        default: break;
    }
}

struct Attached {
    std::unordered_map<uint64_t, Node> nodes;
    std::unordered_map<uint64_t, Relationship> rels;
};

Value substitute(const Value& v, const Attached& a) {
    switch (v.kind()) {
        case ValueKind::Node: {
            auto it = a.nodes.find(v.as_node().id);
            return it == a.nodes.end() || !it->second.data ? v : Value(it->second);
        }
        case ValueKind::Relationship: {
            auto it = a.rels.find(v.as_relationship().id);
            return it == a.rels.end() || !it->second.data ? v : Value(it->second);
        }
        case ValueKind::List: {
            List l;
            l.reserve(v.as_list().size());
            for (const auto& x : v.as_list()) l.push_back(substitute(x, a));
            return Value(std::move(l));
        }
        case ValueKind::Map: {
            Map m;
            for (const auto& [k, x] : v.as_map()) m.emplace(k, substitute(x, a));
            return Value(std::move(m));
        }
        case ValueKind::Path: {
            Path p = v.as_path();
            for (auto& n : p.nodes)
                if (auto it = a.nodes.find(n.id); it != a.nodes.end() && it->second.data)
                    n = it->second;
            for (auto& r : p.rels)
                if (auto it = a.rels.find(r.id); it != a.rels.end() && it->second.data)
                    r = it->second;
            return Value(std::move(p));
        }
        default: return v;
    }
}

void start_part(QueryActor* self);
void start_schema(QueryActor* self);
void commit(QueryActor* self);

// Releases an AttachDeep barrier: fetches the data of every bare entity in the held rows
// from the owning shards, then lets the rows continue.
void attach_deep(QueryActor* self, size_t step, std::vector<exec::Row> rows) {
    auto& st = self->state;
    const auto& s = std::get<plan::AttachDeep>(st.q->plan->steps[step].op);
    uint32_t count = static_cast<uint32_t>(st.q->engine->shards.size());
    std::vector<std::vector<uint64_t>> nodes(count), rels(count);
    {
        std::vector<uint64_t> n, r;
        for (const auto& row : rows)
            for (int sl : s.slots) collect_entities(row[static_cast<size_t>(sl)], n, r);
        std::sort(n.begin(), n.end());
        n.erase(std::unique(n.begin(), n.end()), n.end());
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        for (auto id : n) nodes[id % count].push_back(id);
        for (auto id : r) rels[id % count].push_back(id);
    }
    auto shared_rows = std::make_shared<std::vector<exec::Row>>(std::move(rows));
    auto attached = std::make_shared<Attached>();
    auto release = [self, step, shared_rows, attached] {
        auto& st = self->state;
        const auto& s = std::get<plan::AttachDeep>(st.q->plan->steps[step].op);
        guarded(self, [&] {
            for (auto& row : *shared_rows)
                for (int sl : s.slots)
                    row[static_cast<size_t>(sl)] =
                        substitute(row[static_cast<size_t>(sl)], *attached);
            st.ex->run_barrier(step, *shared_rows);
            flush(self);
        });
        check_done(self);
    };
    for (uint32_t i = 0; i < count; ++i) {
        if (nodes[i].empty() && rels[i].empty()) continue;
        ++st.fetching;
        Payload req = encode_fetch_request(nodes[i], rels[i]);
        self->request(st.q->engine->shards[i], caf::infinite, fetch_atom::value, req,
                      st.q->start_ts, st.q->txn)
            .then(
                [self, run = st.run, attached, release](const Payload& reply) {
                    auto& st = self->state;
                    if (st.run != run || st.finished) return;
                    if (st.failure) {
                        --st.fetching;
                        check_done(self);
                        return;
                    }
                    if (!guarded(self, [&] {
                            for (auto& v : decode_values(reply)) {
                                if (v.is_node())
                                    attached->nodes[v.as_node().id] = v.as_node();
                                else if (v.is_relationship())
                                    attached->rels[v.as_relationship().id] = v.as_relationship();
                            }
                        })) {
                        --st.fetching;
                        check_done(self);
                        return;
                    }
                    if (--st.fetching == 0) release();
                },
                [self, run = st.run](caf::error& err) {
                    if (self->state.run != run) return;
                    --self->state.fetching;
                    fail(self, Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError",
                                     "Internal",
                                     "internal: fetching entity data failed: " +
                                         self->system().render(err)));
                    check_done(self);
                });
    }
    if (st.fetching == 0) release();
}

void check_done(QueryActor* self) {
    auto& st = self->state;
    while (!st.finished && !st.committing && st.in_flight == 0 && st.fetching == 0) {
        if (st.failure) {
            abort_all(self);
            return;
        }
        // Stopped from outside: shards may have dropped rows, so never commit or answer
        // as if complete.
        if (uint8_t why = st.q->stop->load()) {
            fail(self, stop_error(why));
            continue;
        }
        if (st.next_barrier < st.barriers.size()) {
            size_t b = st.barriers[st.next_barrier++];
            std::vector<exec::Row> rows = std::move(st.held[b]);
            st.held.erase(b);
            if (st.q->plan->steps[b].kind() == plan::OpKind::AttachDeep) {
                attach_deep(self, b, std::move(rows));
                continue;  // fetching > 0 ends the loop; otherwise it went through already
            }
            guarded(self, [&] {
                st.ex->run_barrier(b, rows);
                flush(self);
            });
            continue;
        }
        if (st.part + 1 < st.parts.size()) {
            ++st.part;
            guarded(self, [&] { start_part(self); });
            continue;
        }
        if (st.writes && !st.req->txn)
            commit(self);
        else
            succeed(self);
    }
}

// Commit: collect the transaction's redo operations from the shards, log them as one WAL
// record, and once it is durable install it at the shards that hold changes of it.
// An auto-commit statement's shards left their logs in the query context (QueryContext::logs);
// an explicit transaction's Commit asks every shard (prepare), since its statements ran in
// other query actors.
void commit(QueryActor* self) {
    auto& st = self->state;
    st.commit_started = std::chrono::steady_clock::now();
    st.committing = true;
    auto engine = st.q->engine;
    const auto& shards = engine->shards;
    uint64_t txn = st.q->txn;
    st.end_snapshot();  // its reads are over: old versions need not wait for it
    // The shards to install at (all of them for an explicit transaction).
    auto targets = std::make_shared<std::vector<caf::actor>>();
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
        bool empty = true;
        for (const auto* p : parts) empty = empty && p->empty();
        if (empty && engine->wal) {
            install(engine->commits.visible(), on_visible(self, false));
            return;
        }
        if (empty || !engine->wal) {
            const uint64_t ts = engine->commits.begin_commit();
            install(ts, [engine, ts, visible = on_visible(self, true)] {
                engine->commits.installed(ts, visible);
            });
            return;
        }
        Payload record = encode_redo(txn, parts);
        // A failed append comes back to the actor, which rolls the transaction back.
        st.durable_handler = [self](uint64_t, const std::string& error) {
            auto& st = self->state;
            st.committing = false;
            st.answered_elsewhere = false;
            st.failure =
                Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "WalFailure",
                      "commit not durable, the transaction was rolled back and the "
                      "database is read-only: " +
                          error);
            abort_all(self);
        };
        // Runs on the WAL's I/O thread, which sends the installs of its whole batch together.
        auto then = [me = caf::actor_cast<caf::actor>(self), txn, engine, targets,
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
        for (size_t i = 0; i < st.q->logs->size(); ++i) {
            if (const exec::TxnLog* log = (*st.q->logs)[i]) {
                targets->push_back(shards[i]);
                parts.push_back(&log->redo);
            }
        }
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
                    if (self->state.run != run || self->state.finished) return;
                    try {
                        (*redo)[i] = decode_redo(p.data(), p.size());
                    } catch (const Error& e) {
                        self->state.committing = false;
                        fail(self, e);
                        return;
                    }
                    if (--*pending == 0) all_prepared();
                },
                [self, run = st.run](caf::error& err) {
                    if (self->state.run != run) return;
                    self->state.committing = false;
                    fail(self, Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError",
                                     "Internal", "prepare failed: " + self->system().render(err)));
                    check_done(self);
                });
    }
    if (shards.empty()) all_prepared();
}

void start(QueryActor* self) {
    auto& st = self->state;
    auto& eng = *st.q->engine;
    if (st.req->kind != QueryRequest::Kind::Statement) {
        st.top = std::make_shared<plan::Plan>();
        st.writes = true;
        if (st.req->kind == QueryRequest::Kind::Commit) {
            if (eng.read_only.load()) {
                st.failure =
                    Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "ReadOnly",
                          "the database is read-only; the transaction was rolled back");
                abort_all(self);
                return;
            }
            commit(self);
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
            throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "ReadOnly",
                        "the database is read-only: " + eng.read_only_reason);
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
    st.part = 0;
    start_part(self);
}

// A schema command runs in its own actor and applies at once, also inside an explicit
// transaction (it is not part of it).
void start_schema(QueryActor* self) {
    auto& st = self->state;
    st.committing = true;  // nothing else runs for this statement
    auto actor = spawn_schema_change(self->system(), st.q->engine, st.top, st.q->params, st.q->txn);
    self->request(actor, caf::infinite, start_atom::value)
        .then(
            [self, run = st.run](OutcomePtr o) {
                if (self->state.run == run) deliver(self, std::move(o));
            },
            [self, run = st.run](caf::error& err) {
                if (self->state.run != run) return;
                auto o = std::make_shared<Outcome>();
                o->error = Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError",
                                 "Internal", "schema change failed: " + self->system().render(err));
                deliver(self, std::move(o));
            });
}

// Starts running st.parts[st.part] with a fresh query context (its own id and plan).
void start_part(QueryActor* self) {
    auto& st = self->state;
    if (st.part > 0) {
        auto q = std::make_shared<QueryContext>();
        q->id = st.q->engine->next_query.fetch_add(1);
        q->txn = st.q->txn;
        q->start_ts = st.q->start_ts;
        q->params = st.q->params;
        q->query = st.q->query;
        q->engine = st.q->engine;
        q->round_robin.store(st.q->round_robin.load());
        q->stop = st.q->stop;
        q->stream = st.q->stream;
        q->logs = st.q->logs;
        st.q = std::move(q);
    }
    st.q->plan = st.parts[st.part];
    auto& eng = *st.q->engine;
    const auto& plan = *st.q->plan;
    st.barriers.clear();
    st.next_barrier = 0;
    st.held.clear();
    for (size_t i = 0; i < plan.steps.size(); ++i)
        if (plan.steps[i].barrier) st.barriers.push_back(i);
    st.out = std::make_unique<Outbox>(self, st.q, true);
    st.out->on_hold = [self](size_t step, exec::Row&& row) {
        self->state.held[step].push_back(std::move(row));
    };
    st.out->on_result = [self](exec::Row&& row) {
        auto& st = self->state;
        if (st.top->columns.empty()) return;
        if (st.live)
            st.pending.push_back(std::move(row));
        else
            st.result.rows.push_back(std::move(row));
    };
    exec::ExecEnv env;
    env.plan = st.q->plan.get();
    env.params = &st.q->params;
    env.part = nullptr;
    env.catalog = eng.catalog;
    env.shard_count = static_cast<uint32_t>(eng.shards.size());
    env.here = -1;
    env.round_robin = &st.q->round_robin;
    env.runtime = st.out.get();
    env.stats = &st.stats;
    env.chunk_rows = eng.chunk_rows;
    env.cancelled = st.q->stop.get();
    if (plan.profile) {
        st.step_rows.assign(plan.steps.size(), 0);
        st.step_ns.assign(plan.steps.size(), 0);
        env.step_rows = &st.step_rows;
        env.step_ns = &st.step_ns;
    }
    st.ex = std::make_unique<exec::Executor>(env);
    exec::Row row(static_cast<size_t>(plan.slot_count));
    st.ex->push(0, row);
    flush(self);
}

// Sets up the state for one request (the actor's current run).
void begin_run(QueryActor* self, const EnginePtr& engine, QueryRequestPtr req) {
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
    st.q->params = std::move(st.req->params);  // the request is this run's alone
    st.q->query = caf::actor_cast<caf::actor>(self);
    st.q->stop = st.req->stop ? st.req->stop : std::make_shared<std::atomic<uint8_t>>(kStopNone);
    st.q->stream = st.req->stream;
    st.q->round_robin.store(engine->round_robin.fetch_add(1));
    st.q->engine = engine;
}

caf::behavior query_actor(QueryActor* self, EnginePtr engine) {
    return {
        [=](start_atom, QueryRequestPtr req) -> caf::result<OutcomePtr> {
            auto& st = self->state;
            reset_run(self);
            begin_run(self, engine, std::move(req));
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
            if (st.run != run || st.finished) return;
            if (logged) st.q->engine->record_commit_since(st.commit_started);
            succeed(self);
        },
        [=](retry_atom, uint64_t run) {
            auto& st = self->state;
            if (st.run != run || st.finished) return;
            st.waiting_for_gate = false;
            guarded(self, [&] { start(self); });
            if (!st.waiting_for_gate) check_done(self);
        },
        [=](durable_atom, uint64_t txn, uint64_t lsn, const std::string& error) {
            auto& st = self->state;
            if (!st.q || st.q->txn != txn || st.finished || !st.durable_handler) return;
            auto handler = std::move(st.durable_handler);
            st.durable_handler = nullptr;
            handler(lsn, error);
        },
        [=](batch_atom, const QueryRef& q, const Payload& p) {
            auto& st = self->state;
            if (q->stream) q->stream->batch_taken();
            if (!st.q || st.q->stop != q->stop || st.finished) return;
            if (!st.failure)
                guarded(self, [&] {
                    st.ex->reset_budget();
                    auto d = decode_rows(p);
                    const auto& step = st.q->plan->steps.at(d.step);
                    for (auto& row : d.rows) {
                        if (step.barrier)
                            st.held[d.step].push_back(std::move(row));
                        else
                            st.ex->run_here(d.step, row);
                    }
                    flush(self);
                });
            st.in_flight -= 1;
            check_done(self);
        },
        [=](progress_atom, uint64_t id, int64_t produced, int64_t consumed,
            const std::vector<int64_t>& stats) {
            auto& st = self->state;
            if (!st.q || st.q->id != id) return;
            st.in_flight += produced - consumed;
            add_stats(st.stats, stats);
            // PROFILE: the 7 counters are followed by rows, then times, per step.
            size_t n = st.step_rows.size();
            if (n && stats.size() == 7 + 2 * n) {
                for (size_t i = 0; i < n; ++i) {
                    st.step_rows[i] += stats[7 + i];
                    st.step_ns[i] += stats[7 + n + i];
                }
            }
            check_done(self);
        },
        [=](resume_atom, const QueryRef& q, const exec::ContinuationPtr& c) {
            auto& st = self->state;
            if (!st.q || st.q->stop != q->stop || st.finished) return;
            if (!st.failure)
                guarded(self, [&] {
                    st.ex->resume(*c);
                    flush(self);
                });
            st.in_flight -= 1;
            check_done(self);
        },
        [=](cancel_atom, uint8_t why, const StopFlag& flag) {
            auto& st = self->state;
            if (!st.q || st.q->stop != flag || st.finished) return;
            uint8_t none = kStopNone;
            st.q->stop->compare_exchange_strong(none, why);
            if (st.q->stream) st.q->stream->release_all();
            fail(self, stop_error(st.q->stop->load()));
            check_done(self);
        },
        [=](error_atom, uint64_t id, const ErrorPtr& e) {
            if (!self->state.q || self->state.q->id != id) return;
            fail(self, *e);
            check_done(self);
        },
    };
}

caf::behavior coordinator_actor(caf::event_based_actor* self, EnginePtr engine) {
    return {
        [=](execute_atom, const QueryRequestPtr& req) {
            auto q = acquire_query(self->system(), engine);
            return self->delegate(q, start_atom::value, req);
        },
    };
}

}  // namespace

Error stop_error(uint8_t reason) {
    if (reason == kStopDeadline)
        return Error(ErrorClass::Transient, ErrorPhase::Runtime, "TransactionError", "Timeout",
                     "the query ran past its time limit and was cancelled (its writes, if any, "
                     "were rolled back)");
    return Error(ErrorClass::Transient, ErrorPhase::Runtime, "TransactionError", "Cancelled",
                 "the query was cancelled (its writes, if any, were rolled back)");
}

void stop_query(const caf::actor& query, const StopFlag& stop,
                const std::shared_ptr<StreamChannel>& stream, uint8_t reason) {
    uint8_t none = kStopNone;
    if (stop) stop->compare_exchange_strong(none, reason);
    if (query && stop) caf::anon_send(query, cancel_atom::value, reason, stop);
    if (stream) stream->release_all();
}

caf::actor acquire_query(caf::actor_system& sys, const EnginePtr& engine) {
    if (auto a = engine->query_pool.take()) return a;
    return sys.spawn(query_actor, engine);
}

caf::actor QueryPool::take() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return nullptr;
    caf::actor a = std::move(idle_.back());
    idle_.pop_back();
    return a;
}

bool QueryPool::put(caf::actor a) {
    std::lock_guard lock(mu_);
    if (closed_ || idle_.size() >= capacity_) return false;
    idle_.push_back(std::move(a));
    return true;
}

void QueryPool::close() {
    std::vector<caf::actor> idle;
    {
        std::lock_guard lock(mu_);
        closed_ = true;
        idle.swap(idle_);
    }
    for (auto& a : idle) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

caf::actor spawn_coordinator(caf::actor_system& sys, EnginePtr engine) {
    return sys.spawn(coordinator_actor, std::move(engine));
}

}  // namespace lora::actors
