// The schema actor: runs one CREATE/DROP INDEX or CREATE/DROP CONSTRAINT for a query actor.
// It changes the catalog's registries, has every shard build (or drop) its part of the
// index, logs the change in the WAL as a commit record, and only then lets plans use it. A
// new constraint is also checked against the data already there (see create_constraint).
#include "lora/actors/schema.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/query_context.hpp"

#include <caf/all.hpp>

#include "lora/actors/engine_shared.hpp"
#include "lora/actors/wal_actor.hpp"

#include <lora/exec/constraints.hpp>
#include <lora/exec/expr.hpp>
#include <lora/exec/schema.hpp>

#include <lora/storage/partition.hpp>

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
    std::optional<storage::ConstraintDef> constraint;
    // Runs once the change's record is durable and visible (error empty), or failed.
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

// Logs `ops` as one record; `then` gets the WAL's error (empty once durable and visible).
// In memory: at once.
void log_change(SchemaActor self, std::vector<exec::RedoOp> ops,
                std::function<void(const std::string&)> then) {
    auto& st = self->state;
    if (!st.engine->wal) {
        then({});
        return;
    }
    st.on_durable = std::move(then);
    self->send(st.engine->wal, append_atom::value, encode_redo(st.txn, ops),
               caf::actor_cast<durable_listener>(self), st.txn);
}

Value options_of(SchemaActor self, const SchemaCommand& cmd) {
    if (!cmd.options) return {};
    auto& st = self->state;
    exec::Row row;
    exec::EvalEnv env;
    env.params = &st.params;
    env.catalog = st.engine->catalog.get();
    return exec::eval(*cmd.options, row, env);
}

// Names are shared by indexes and constraints (Neo4j's rule).
void check_name_free(SchemaActor self, const std::string& name, bool for_index) {
    const auto& catalog = *self->state.engine->catalog;
    if (for_index && catalog.constraints().find(name))
        throw errors::schema("ConstraintWithNameAlreadyExists",
                             "There already exists a constraint called '" + name + "'.");
    if (!for_index && catalog.indexes().find(name))
        throw errors::schema("IndexWithNameAlreadyExists",
                             "There already exists an index called '" + name + "'.");
}

void create_index(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    auto& registry = st.engine->catalog->indexes();
    storage::IndexDef def = cmd.index;
    exec::check_index_definition(def, options_of(self, cmd));
    if (def.name.empty()) def.name = storage::generated_index_name(def);
    if (!cmd.if_not_exists || !registry.find(def.name)) check_name_free(self, def.name, true);
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
        log_change(self, {std::move(op)}, logged);
    });
}

void drop_index(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    if (auto c = st.engine->catalog->constraints().find(cmd.name); c && c->unique())
        throw errors::schema("DropIndexFailed",
                             "Unable to drop index: Index belongs to constraint: '" + cmd.name +
                                 "' (drop the constraint instead).");
    auto removed = st.engine->catalog->indexes().drop(cmd.name, cmd.if_not_exists);
    if (!removed) {
        answer(self, std::nullopt);  // IF EXISTS and it does not
        return;
    }
    st.def = std::move(removed);
    st.engine->plans.clear();  // no new plan may seek it; running ones fall back to scans
    exec::RedoOp op{exec::RedoOp::Kind::DropIndex, 0, 0, 0, cmd.name, {}};
    log_change(self, {std::move(op)}, [self](const std::string& error) {
        auto& st = self->state;
        if (!error.empty()) {
            st.engine->catalog->indexes().restore(*st.def);
            answer(self, errors::wal_failure("DROP INDEX not durable, it was undone: " + error));
            return;
        }
        sync_shards(self, [self](const std::string&) { answer(self, std::nullopt); });
    });
}

// Logs a new constraint's record so that it orders after every commit that may have missed
// the constraint: holding constraint_mu it bumps the epoch (commits that checked before now
// fail at their timestamp) and takes the record's timestamp (WAL append, or the counter in
// memory), so every commit timestamped before it - those that did not check - is visible
// when on_durable runs (durable_atom, then visible_atom).
void log_new_constraint(SchemaActor self, std::vector<exec::RedoOp> ops,
                        std::function<void(const std::string&)> then) {
    auto& st = self->state;
    auto& eng = *st.engine;
    st.on_durable = std::move(then);
    auto me = caf::actor_cast<schema_actor>(self);
    std::unique_lock guard(eng.constraint_mu);
    eng.constraint_epoch.fetch_add(1, std::memory_order_acq_rel);
    if (!eng.wal_writer) {
        const uint64_t ts = eng.commits.begin_commit();
        guard.unlock();
        eng.commits.installed(ts, [me] { caf::anon_send(me, visible_atom::value); });
        return;
    }
    wal_append(eng.wal_writer, st.engine, encode_redo(st.txn, ops),
               [me, tag = st.txn](uint64_t lsn, const std::string& error) {
                   caf::anon_send(me, durable_atom::value, tag, lsn, error);
               });
}

// Checks the data every shard holds at a new snapshot against the new constraint; `then`
// gets the first violation's message (empty when none).
void check_existing_data(SchemaActor self, std::function<void(const std::string&)> then) {
    auto& st = self->state;
    const auto& shards = st.engine->shards;
    struct Pending {
        size_t left;
        uint64_t ts;
        std::vector<exec::ExistingCheck> found;
        std::function<void(const std::string&)> then;
    };
    auto pending = std::make_shared<Pending>(
        Pending{shards.size(), st.engine->commits.begin_snapshot(),
                std::vector<exec::ExistingCheck>(shards.size()), std::move(then)});
    auto finish = [self, pending] {
        self->state.engine->commits.end_snapshot(pending->ts);
        const auto& def = *self->state.constraint;
        std::unordered_map<std::vector<Value>, uint64_t, ValueEquivHash, ValueEquiv> seen;
        for (auto& f : pending->found) {
            if (f.violation) return pending->then(*f.violation);
            for (auto& [tuple, id] : f.tuples) {
                auto [it, fresh] = seen.emplace(tuple, id);
                if (!fresh)
                    return pending->then(exec::both_have(std::min(it->second, id),
                                                         std::max(it->second, id), def, tuple));
            }
        }
        pending->then({});
    };
    if (shards.empty()) return finish();
    for (size_t i = 0; i < shards.size(); ++i) {
        auto fn = std::make_shared<std::function<void(storage::Partition&)>>(
            [catalog = st.engine->catalog, pending, i,
             def = *st.constraint](storage::Partition& p) {
                try {
                    pending->found[i] =
                        exec::check_existing(p, *catalog, storage::Snap{pending->ts, 0}, def);
                } catch (const std::exception& e) {
                    pending->found[i].violation = e.what();
                }
            });
        auto done = [pending, finish] {
            if (--pending->left == 0) finish();
        };
        self->request(shards[i], caf::infinite, partition_atom::value, PartitionFn(fn))
            .then([done](bool) { done(); },
                  [pending, i, done, self](caf::error& err) {
                      pending->found[i].violation = self->system().render(err);
                      done();
                  });
    }
}

// CREATE CONSTRAINT: registered (so commits check it from now on), its index (uniqueness
// and key) built at every shard, logged after every commit that may have missed it, the
// data already there checked at a snapshot that sees all of those; a violation undoes it
// all and names an offending entity.
void create_constraint(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    auto& catalog = *st.engine->catalog;
    storage::ConstraintDef def = cmd.constraint;
    if (def.name.empty()) def.name = storage::generated_constraint_name(def);
    std::optional<storage::IndexDef> index;
    if (def.unique()) {
        index.emplace();
        index->name = def.name;
        index->kind = storage::IndexKind::Range;
        index->label = def.label;
        index->properties = def.properties;
        exec::check_index_definition(*index, options_of(self, cmd));
    }
    if (!catalog.constraints().create(def, cmd.if_not_exists)) {
        answer(self, std::nullopt);  // IF NOT EXISTS and it does
        return;
    }
    try {
        check_name_free(self, def.name, false);
        if (index) {
            for (const auto& d : catalog.indexes().list())
                if (d.same_schema(*index))
                    throw errors::schema("IndexAlreadyExists",
                                         "There already exists an index " + d.schema_text() +
                                             " ('" + d.name +
                                             "'). A constraint cannot be created until the "
                                             "index has been dropped.");
        }
    } catch (const Error&) {
        catalog.constraints().drop(def.name, true);
        throw;
    }
    st.constraint = def;
    std::vector<exec::RedoOp> ops;
    if (index) {
        catalog.indexes().create(*index, false);
        st.def = index;
        ops.push_back({exec::RedoOp::Kind::CreateIndex, 0, 0, 0, index->name, index->to_value()});
    }
    ops.push_back({exec::RedoOp::Kind::CreateConstraint, 0, 0, 0, def.name, def.to_value()});
    // Undoes the registration (and the index), logging the drop when the creation was
    // logged, then answers `e`.
    auto undo = [self](Error e, bool logged) {
        auto& st = self->state;
        auto& catalog = *st.engine->catalog;
        catalog.constraints().drop(st.constraint->name, true);
        std::vector<exec::RedoOp> ops{
            {exec::RedoOp::Kind::DropConstraint, 0, 0, 0, st.constraint->name, {}}};
        if (st.def) {
            catalog.indexes().drop(st.def->name, true);
            ops.push_back({exec::RedoOp::Kind::DropIndex, 0, 0, 0, st.def->name, {}});
        }
        st.engine->plans.clear();
        auto then = [self, e](const std::string&) {
            sync_shards(self, [self, e](const std::string&) { answer(self, e); });
        };
        if (!logged) return then({});
        log_change(self, std::move(ops), then);
    };
    auto checked = [self, undo](const std::string& violation) {
        auto& st = self->state;
        if (!violation.empty()) {
            undo(
                errors::schema("ConstraintCreationFailed",
                               "Unable to create " + st.constraint->describe() + ":\n" + violation),
                true);
            return;
        }
        if (st.def) st.engine->catalog->indexes().set_state(st.def->name, IndexState::Online);
        st.engine->plans.clear();  // plans made before may now seek its index
        answer(self, std::nullopt);
    };
    auto logged = [self, undo, checked](const std::string& error) {
        if (!error.empty()) {
            undo(errors::wal_failure("CREATE CONSTRAINT not durable, it was undone: " + error),
                 false);
            return;
        }
        check_existing_data(self, checked);
    };
    sync_shards(self, [self, undo, logged, ops](const std::string& error) mutable {
        if (!error.empty()) {
            undo(errors::database("IndexBuildFailed", "building the index of constraint '" +
                                                          self->state.constraint->name +
                                                          "' failed: " + error),
                 false);
            return;
        }
        log_new_constraint(self, std::move(ops), logged);
    });
}

void drop_constraint(SchemaActor self, const SchemaCommand& cmd) {
    auto& st = self->state;
    auto& catalog = *st.engine->catalog;
    auto removed = catalog.constraints().drop(cmd.name, cmd.if_not_exists);
    if (!removed) {
        answer(self, std::nullopt);  // IF EXISTS and it does not
        return;
    }
    st.constraint = removed;
    std::vector<exec::RedoOp> ops{{exec::RedoOp::Kind::DropConstraint, 0, 0, 0, cmd.name, {}}};
    if (removed->unique()) {
        st.def = catalog.indexes().drop(cmd.name, true);
        if (st.def) ops.push_back({exec::RedoOp::Kind::DropIndex, 0, 0, 0, cmd.name, {}});
    }
    st.engine->plans.clear();  // no new plan may seek its index
    log_change(self, std::move(ops), [self](const std::string& error) {
        auto& st = self->state;
        if (!error.empty()) {
            st.engine->catalog->constraints().restore(*st.constraint);
            if (st.def) st.engine->catalog->indexes().restore(*st.def);
            answer(self,
                   errors::wal_failure("DROP CONSTRAINT not durable, it was undone: " + error));
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
                switch (cmd.kind) {
                    case SchemaCommand::Kind::CreateIndex: create_index(self, cmd); break;
                    case SchemaCommand::Kind::DropIndex: drop_index(self, cmd); break;
                    case SchemaCommand::Kind::CreateConstraint: create_constraint(self, cmd); break;
                    case SchemaCommand::Kind::DropConstraint: drop_constraint(self, cmd); break;
                }
            } catch (const Error& e) {
                answer(self, e);
            } catch (const std::exception& e) {
                answer(self, errors::internal(std::string("schema change failed: ") + e.what()));
            }
            return rp;
        },
        [=](durable_atom, uint64_t, uint64_t lsn, const std::string& error) {
            // The record's LSN was reserved as a commit timestamp: release it (a failed
            // write was released already), so snapshots move past it, and go on once every
            // commit before it is visible too.
            if (error.empty() && lsn != 0) {
                self->state.engine->commits.installed(lsn,
                                                      [me = caf::actor_cast<schema_actor>(self)] {
                                                          caf::anon_send(me, visible_atom::value);
                                                      });
                return;
            }
            auto handler = std::move(self->state.on_durable);
            self->state.on_durable = nullptr;
            if (handler) handler(error);
        },
        [=](visible_atom) {
            auto handler = std::move(self->state.on_durable);
            self->state.on_durable = nullptr;
            if (handler) handler({});
        },
    };
}

}  // namespace

schema_actor spawn_schema_change(caf::actor_system& sys, EnginePtr engine, plan::PlanPtr plan,
                                 Map params, uint64_t txn) {
    return sys.spawn(schema_behavior, std::move(engine), std::move(plan), std::move(params), txn);
}

}  // namespace lora::actors
