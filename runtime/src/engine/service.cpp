// The database's actor (lora/service.hpp): takes a Statement, runs it through the
// coordinator like execute_async, and answers with its Completion, all as messages.
#include "engine/impl_access.hpp"
#include "lora/actors/protocol.hpp"

#include <caf/all.hpp>

#include <lora/errors.hpp>
#include <lora/service.hpp>

namespace lora {

struct ServiceAccess {
    static Database::Impl& impl(Database& db) { return *db.impl_; }
};

namespace {

CompletionPtr failed(Error e) {
    auto c = std::make_shared<Completion>();
    c->error = std::move(e);
    return c;
}

database_actor::behavior_type front_behavior(database_actor::pointer self, Database::Impl* db,
                                             actors::coordinator_actor coordinator) {
    return {
        [=](const StatementPtr& st) -> caf::typed_response_promise<CompletionPtr> {
            auto rp = self->make_response_promise<CompletionPtr>();
            // Counted like execute_async: destroying the Database waits for the statement.
            if (!async_begin(*db)) {
                rp.deliver(failed(errors::database_closed()));
                return rp;
            }
            auto req = std::make_shared<actors::QueryRequest>();
            req->query = st->query;
            req->params = st->params;
            if (st->timeout.count() > 0) {
                req->stop = std::make_shared<std::atomic<uint8_t>>(actors::kStopNone);
                req->timeout = st->timeout;
            }
            req->done = [db](actors::OutcomePtr) { async_end(*db); };
            self->request(coordinator, caf::infinite, actors::execute_atom::value, std::move(req))
                .then(
                    [rp](const actors::OutcomePtr& o) mutable {
                        rp.deliver(CompletionPtr(std::make_shared<Completion>(completion_of(*o))));
                    },
                    [rp](caf::error& e) mutable {
                        rp.deliver(failed(errors::internal("the database's actor lost its query: " +
                                                           caf::to_string(e))));
                    });
            return rp;
        },
    };
}

}  // namespace

database_actor database_actor_of(Database& db) {
    Database::Impl& impl = ServiceAccess::impl(db);
    auto coordinator = engine_coordinator(impl);
    Database::Impl* raw = &impl;
    return caf::actor_cast<database_actor>(service_front(impl, [&](caf::actor_system& sys) {
        // The pointer goes in a capture: CAF inspects pointer arguments of spawn, and
        // Impl is incomplete here. The coordinator goes as spawn's argument: CAF 0.17
        // dereferences a null argument tuple when a function actor is spawned with none
        // (init_fun_factory.hpp, a UBSan report).
        auto fn = [raw](database_actor::pointer self, const actors::coordinator_actor& coord) {
            return front_behavior(self, raw, coord);
        };
        return caf::actor_cast<caf::actor>(sys.spawn(fn, coordinator));
    }));
}

}  // namespace lora
