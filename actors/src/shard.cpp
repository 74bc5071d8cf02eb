// The shard actor: sole owner of one partition. Runs plan steps on the row batches sent to
// it, applies mutations other shards ask for, and attaches entity data on request.
#include "lora/actors/shard.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/install.hpp"
#include "lora/actors/query_context.hpp"
#include "lora/actors/shard_state.hpp"
#include "outbox.hpp"

#include <caf/all.hpp>

#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

#include <spdlog/spdlog.h>

namespace lora::actors {

namespace {

using ShardActor = shard_actor::stateful_pointer<ShardState>;

// Drops the versions no running snapshot needs; while some remain (a snapshot or an open
// transaction still needs them) it looks again a little later.
void collect_versions(ShardActor self) {
    if (self->state.collect())
        self->delayed_send(self, std::chrono::milliseconds(50), collect_atom::value);
}

exec::ExecEnv make_env(ShardActor self, const QueryRef& q, Outbox& out, QueryStats& stats) {
    auto& st = self->state;
    exec::ExecEnv env;
    env.plan = q->plan.get();
    env.params = &q->params;
    env.clock_nanos = q->clock_nanos;
    env.part = st.part.get();
    env.catalog = st.catalog;
    env.shard_count = st.count;
    env.here = static_cast<int32_t>(st.index);
    env.round_robin = &q->round_robin;
    env.runtime = &out;
    env.stats = &stats;
    env.log = q->plan->writes ? &st.log_of(q->txn) : nullptr;
    // Map nodes keep their address until erased (at commit / abort), after the query ends.
    if (env.log && q->logs) (*q->logs)[st.index] = env.log;
    env.locks = &st.locks;
    env.txn = q->txn;
    env.start_ts = q->start_ts;
    env.chunk_rows = q->engine->chunk_rows;
    env.cancelled = q->stop.get();
    env.memory = q->memory.get();
    return env;
}

void report_error(ShardActor self, const QueryRef& q, Error e) {
    if (!q->cancelled.exchange(true))
        self->send(q->query, error_atom::value, q->id, std::make_shared<Error>(std::move(e)));
}

template <typename F>
void guarded(ShardActor self, const QueryRef& q, F&& f) {
    if (q->cancelled.load(std::memory_order_relaxed) || q->stop->load(std::memory_order_relaxed))
        return;
    memory::Scope scope(q->memory.get());
    try {
        f();
    } catch (const Error& e) {
        report_error(self, q, e);
    } catch (const std::bad_alloc&) {
        report_error(self, q,
                     errors::out_of_memory("at shard " + std::to_string(self->state.index)));
    } catch (const std::exception& e) {
        report_error(self, q, errors::internal(std::string("at shard: ") + e.what()));
    }
}

// Runs `f` with an executor for `q` and reports what it produced (one input consumed). For
// PROFILE the report carries rows and time per step after the counters.
template <typename F>
void run_profiled(ShardActor self, const QueryRef& q, F&& f) {
    Outbox out(self, q, false);
    QueryStats stats;
    std::vector<int64_t> step_rows, step_ns;
    guarded(self, q, [&] {
        auto env = make_env(self, q, out, stats);
        if (q->plan->profile) {
            step_rows.assign(q->plan->steps.size(), 0);
            step_ns.assign(q->plan->steps.size(), 0);
            env.step_rows = &step_rows;
            env.step_ns = &step_ns;
        }
        exec::Executor ex(env);
        f(ex);
    });
    step_rows.insert(step_rows.end(), step_ns.begin(), step_ns.end());
    out.finish_shard(1, stats, step_rows);
}

shard_actor::behavior_type shard_behavior(ShardActor self, PartitionPtr part,
                                          storage::Catalog* catalog, const CommitClock* clock) {
    auto& st = self->state;
    st.clock = clock;
    st.index = part->shard_index();
    st.count = part->shard_count();
    st.catalog = catalog;
    st.part = std::move(part);
    return {
        [=](prepare_atom, uint64_t txn) -> Payload {
            return encode_redo(txn, self->state.redo_of(txn));
        },
        [=](validate_atom, uint64_t txn) -> Payload { return self->state.validate(txn); },
        [=](claim_atom, const QueryRef& q, const Payload& claims) -> Payload {
            return self->state.claim(*q, claims);
        },
        [=](commit_atom, uint64_t txn, uint64_t commit_ts, const InstallPtr& install) {
            self->state.install(txn, commit_ts, install);
            collect_versions(self);
        },
        [=](commit_atom, const InstallBatchPtr& batch) {
            for (const auto& e : *batch) self->state.install(e.txn, e.ts, e.install);
            collect_versions(self);
        },
        [=](abort_atom, uint64_t txn) {
            self->state.abort(txn);
            return true;
        },
        [=](replace_atom, const PartitionPtr& part, const PartitionFn& done) {
            // Snapshot load: the whole partition is replaced (no transaction is running).
            self->state.replace(part);
            (*done)(*part);
            return true;
        },
        [=](collect_atom) {
            self->state.collect_scheduled = false;
            collect_versions(self);
        },
        [=](partition_atom, const PartitionFn& fn) {
            (*fn)(*self->state.part);
            return true;
        },
        [=](batch_atom, const QueryRef& q, const Payload& p) {
            if (q->stream) q->stream->batch_taken();
            run_profiled(self, q, [&](exec::Executor& ex) {
                auto d = decode_rows(p);
                ex.run_batch(d.step, d.rows);
            });
        },
        [=](resume_atom, const QueryRef& q, const exec::ContinuationPtr& c) {
            run_profiled(self, q, [&](exec::Executor& ex) { ex.resume(*c); });
        },
        [=](mutate_atom, const QueryRef& q, const Payload& p) {
            Outbox out(self, q, false);
            QueryStats stats;
            guarded(self, q, [&] {
                exec::Executor ex(make_env(self, q, out, stats));
                ex.apply_all(decode_mutations(p));
            });
            out.finish_shard(1, stats);
        },
        [=](fetch_atom, const Payload& p, uint64_t ts, uint64_t txn) -> Payload {
            const storage::View part(*self->state.part, storage::Snap{ts, txn});
            std::vector<uint64_t> nodes, rels;
            decode_fetch_request(p, nodes, rels);
            std::vector<Value> out;
            out.reserve(nodes.size() + rels.size());
            for (uint64_t id : nodes) out.emplace_back(Node{id, part.node_data(id)});
            for (uint64_t id : rels) {
                Relationship r;
                r.id = id;
                if (auto info = part.relationship(id)) {
                    r.start = info->start;
                    r.end = info->end;
                    r.type_id = info->type;
                    r.data = part.rel_data(id);
                }
                out.emplace_back(std::move(r));
            }
            return encode_values(out);
        },
        [=](stats_atom) {
            auto& part = *self->state.part;
            return caf::result<uint64_t, uint64_t, uint64_t, uint64_t>(
                static_cast<uint64_t>(part.node_count()),
                static_cast<uint64_t>(part.relationship_count()),
                static_cast<uint64_t>(part.memory_bytes()),
                static_cast<uint64_t>(self->mailbox().size()));
        },
    };
}

}  // namespace

shard_actor spawn_shard(caf::actor_system& sys, PartitionPtr partition, storage::Catalog* catalog,
                        const CommitClock* clock) {
    return sys.spawn(shard_behavior, std::move(partition), catalog, clock);
}

}  // namespace lora::actors
