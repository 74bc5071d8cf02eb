// The schema actor: runs one CREATE INDEX / DROP INDEX for a query actor. It changes the
// catalog's index registry, has every shard build (or drop) its part of the index, logs the
// change in the WAL as a one-operation commit record, and only then lets plans use it.
#include "lora/actors/schema.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/query_context.hpp"

#include <caf/all.hpp>

#include <lora/exec/expr.hpp>
#include <lora/exec/schema.hpp>

namespace lora::actors {

namespace {

using plan::SchemaCommand;
using storage::IndexState;

struct SchemaState {
    EnginePtr engine;
    plan::PlanPtr plan;
    Map params;
    uint64_t txn = 0;
    caf::typed_response_promise<OutcomePtr> rp;
    std::optional<storage::IndexDef> def;  // created, or dropped
    std::function<void(const std::string&)> on_durable;
    static inline const char* name = "lora.schema";
};

using SchemaActor = schema_actor::stateful_pointer<SchemaState>;

void answer(SchemaActor self, std::optional<Error> error) {
    auto o = std::make_shared<Outcome>();
    if (error) o->error = std::move(*error);
    self->state.rp.deliver(std::move(o));
    self->quit();
}

// Every shard brings its indexes in line with the registry; `then` runs once all have,
// with the first failure's message (empty when none failed).
void sync_shards(SchemaActor self, std::function<void(const std::string&)> then) {
    const auto& shards = self->state.engine->shards;
    struct Pending {
        size_t left;
        std::string error;
        std::function<void(const std::string&)> then;
    };
    auto pending = std::make_shared<Pending>(Pending{shards.size(), {}, std::move(then)});
    if (shards.empty()) {
        pending->then({});
        return;
    }
    for (const auto& s : shards) {
        auto failure = std::make_shared<std::string>();
        auto fn = std::make_shared<std::function<void(storage::Partition&)>>(
            [failure](storage::Partition& p) {
                try {
                    p.sync_indexes();
                } catch (const std::exception& e) {
                    *failure = e.what();
                }
            });
        auto done = [pending, failure](const std::string& err) {
            if (pending->error.empty()) pending->error = !failure->empty() ? *failure : err;
            if (--pending->left == 0) pending->then(pending->error);
        };
        self->request(s, caf::infinite, partition_atom::value, PartitionFn(fn))
            .then([done](bool) { done({}); },
                  [self, done](caf::error& err) { done(self->system().render(err)); });
    }
}

// Logs `op`; `then` gets the WAL's error (empty once durable). In-memory: at once.
void log_change(SchemaActor self, exec::RedoOp op, std::function<void(const std::string&)> then) {
    auto& st = self->state;
    if (!st.engine->wal) {
        then({});
        return;
    }
    st.on_durable = std::move(then);
    self->send(st.engine->wal, append_atom::value, encode_redo(st.txn, {std::move(op)}),
               caf::actor_cast<durable_listener>(self), st.txn);
}

void create_index(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    auto& registry = st.engine->catalog->indexes();
    storage::IndexDef def = cmd.index;
    Value options;
    if (cmd.options) {
        exec::Row row;
        exec::EvalEnv env;
        env.params = &st.params;
        env.catalog = st.engine->catalog.get();
        options = exec::eval(*cmd.options, row, env);
    }
    exec::check_index_definition(def, options);
    if (!registry.create(def, cmd.if_not_exists)) {
        answer(self, std::nullopt);  // IF NOT EXISTS and it does
        return;
    }
    st.def = def;
    auto undo = [self](Error e) {
        auto& st = self->state;
        st.engine->catalog->indexes().drop(st.def->name, true);
        sync_shards(self, [self, e](const std::string&) { answer(self, e); });
    };
    auto logged = [self, undo](const std::string& error) {
        auto& st = self->state;
        if (!error.empty()) {
            undo(errors::wal_failure("CREATE INDEX not durable, it was undone: " + error));
            return;
        }
        st.engine->catalog->indexes().set_state(st.def->name, IndexState::Online);
        st.engine->plans.clear();  // plans made before may now seek
        answer(self, std::nullopt);
    };
    exec::RedoOp op{exec::RedoOp::Kind::CreateIndex, 0, 0, 0, def.name, def.to_value()};
    sync_shards(self, [self, undo, logged, op](const std::string& error) mutable {
        if (!error.empty()) {
            undo(errors::database("IndexBuildFailed", "building index '" + self->state.def->name +
                                                          "' failed: " + error));
            return;
        }
        log_change(self, std::move(op), logged);
    });
}

void drop_index(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    auto removed = st.engine->catalog->indexes().drop(cmd.name, cmd.if_not_exists);
    if (!removed) {
        answer(self, std::nullopt);  // IF EXISTS and it does not
        return;
    }
    st.def = std::move(removed);
    st.engine->plans.clear();  // no new plan may seek it; running ones fall back to scans
    exec::RedoOp op{exec::RedoOp::Kind::DropIndex, 0, 0, 0, cmd.name, {}};
    log_change(self, std::move(op), [self](const std::string& error) {
        auto& st = self->state;
        if (!error.empty()) {
            st.engine->catalog->indexes().restore(*st.def);
            answer(self, errors::wal_failure("DROP INDEX not durable, it was undone: " + error));
            return;
        }
        sync_shards(self, [self](const std::string&) { answer(self, std::nullopt); });
    });
}

schema_actor::behavior_type schema_behavior(SchemaActor self, EnginePtr engine, plan::PlanPtr plan,
                                            Map params, uint64_t txn) {
    auto& st = self->state;
    st.engine = std::move(engine);
    st.plan = std::move(plan);
    st.params = std::move(params);
    st.txn = txn;
    return {
        [=](start_atom) -> caf::typed_response_promise<OutcomePtr> {
            auto& st = self->state;
            st.rp = self->make_response_promise<OutcomePtr>();
            auto rp = st.rp;
            try {
                if (st.engine->read_only.load()) {
                    std::lock_guard lock(st.engine->read_only_mu);
                    throw errors::read_only(st.engine->read_only_reason);
                }
                const auto& cmd = *st.plan->schema;
                if (cmd.kind == SchemaCommand::Kind::CreateIndex)
                    create_index(self, cmd);
                else
                    drop_index(self, cmd);
            } catch (const Error& e) {
                answer(self, e);
            } catch (const std::exception& e) {
                answer(self, errors::internal(std::string("schema change failed: ") + e.what()));
            }
            return rp;
        },
        [=](durable_atom, uint64_t, uint64_t lsn, const std::string& error) {
            // The WAL actor reserved the record's LSN as a commit timestamp: release it (a
            // failed write was released by the WAL actor), so snapshots move past it.
            if (error.empty() && lsn != 0) self->state.engine->commits.installed(lsn, [] {});
            auto handler = std::move(self->state.on_durable);
            self->state.on_durable = nullptr;
            if (handler) handler(error);
        },
    };
}

}  // namespace

schema_actor spawn_schema_change(caf::actor_system& sys, EnginePtr engine, plan::PlanPtr plan,
                                 Map params, uint64_t txn) {
    return sys.spawn(schema_behavior, std::move(engine), std::move(plan), std::move(params), txn);
}

}  // namespace lora::actors
