// The WAL actor and wal_append: records go to the io_uring writer's I/O thread, which
// group-commits them. Commits append directly (wal_append, no actor hop); schema changes go
// through the actor.
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace lora::wal {
class Writer;
}  // namespace lora::wal

namespace lora::actors {

struct EngineShared;

// Whoever appends through the WAL actor hears back with this message: tag, lsn, error
// (empty once durable). The query and schema actors accept it.
using durable_listener =
    caf::typed_actor<caf::reacts_to<durable_atom, uint64_t, uint64_t, std::string>>;

// Every message the WAL actor accepts (docs/architecture.md, "Protocol", checks this list).
using wal_actor = caf::typed_actor<
    // Append record (a Redo payload); once durable or failed, the I/O thread sends
    // reply_to (durable_atom, tag, lsn, error). Not a request/reply: the answer comes from
    // the writer's I/O thread, not from the actor.
    caf::reacts_to<append_atom, Payload, durable_listener, uint64_t>>;

// Appends a commit record to the WAL from any thread; `done(lsn, error)` runs on the
// writer's I/O thread once it is durable (per the sync mode) or failed (error not empty), or
// here when the append is refused; it must be quick and may only send messages. Reserves the
// LSN at the commit clock as the writer assigns it. The WAL actor's append message runs it.
void wal_append(const std::shared_ptr<wal::Writer>& writer,
                const std::weak_ptr<EngineShared>& engine, const Payload& record,
                std::function<void(uint64_t, const std::string&)> done);

// Spawns the WAL actor owning `writer`; commit failures turn `engine` read-only.
wal_actor spawn_wal(caf::actor_system& sys, std::shared_ptr<wal::Writer> writer,
                    std::weak_ptr<EngineShared> engine);

}  // namespace lora::actors
