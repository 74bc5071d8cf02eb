// lora inside a service's own CAF actor system: the service opens the database in its
// system (Database::open(system, options)) and its actors send statements to the
// database's actor and get the outcome back as the reply, with no blocking call:
//
//   caf::actor_system system{cfg};
//   lora::Options options;
//   options.shards = 4;
//   auto db = lora::Database::open(system, options);
//   auto dba = lora::database_actor_of(*db);
//   // in a service actor:
//   self->request(dba, caf::infinite, lora::statement("RETURN $x AS x", {{"x", lora::Value(1)}}))
//       .then([](const lora::CompletionPtr& c) { /* c->error or c->result */ });
//
// Messages hold shared pointers to immutable values, so nothing is copied between actors
// of the one process; the types are local-only (CAF_ALLOW_UNSAFE_MESSAGE_TYPE).
#pragma once

#include <lora/export.hpp>
#include <lora/lora.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace lora {

// One auto-commit statement for the database actor.
struct Statement {
    std::string query;
    Params params;
    // Fail with TransactionError.Timeout (writes rolled back) after this long; 0 = no limit.
    std::chrono::milliseconds timeout{0};
};
using StatementPtr = std::shared_ptr<const Statement>;
// How it ended: Completion::error, or Completion::result (lora.hpp).
using CompletionPtr = std::shared_ptr<const Completion>;

// The database as an actor: each statement is answered by its completion. A statement that
// writes is answered once it has committed (and is durable as the sync mode says). Any
// number may be in flight at once, from any actors.
using database_actor = caf::typed_actor<caf::replies_to<StatementPtr>::with<CompletionPtr>>;

inline StatementPtr statement(std::string query, Params params = {},
                              std::chrono::milliseconds timeout = {}) {
    return std::make_shared<const Statement>(
        Statement{std::move(query), std::move(params), timeout});
}

// The database's actor, spawned (once) in the system the database runs in: a service's
// system for Database::open(system, ...), else the database's own. Valid until the
// Database is destroyed; statements sent after that are answered with DatabaseError.Closed
// or not at all (the actor is gone: the request fails with CAF's error).
LORA_API database_actor database_actor_of(Database& db);

}  // namespace lora

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::StatementPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::CompletionPtr)
