// The WAL actor and wal_append: records are handed to the io_uring writer's I/O thread, which
// group-commits them. Commits append directly (wal_append); schema changes send the actor
// (append_atom, record, reply_to, tag) and get (durable_atom, tag, lsn, error) from the I/O
// thread. After each batch the I/O thread sends the batch's installs (InstallOutbox). A
// failed write or sync poisons the log and turns the database read-only.
#include "lora/actors/wal_actor.hpp"

#include "lora/actors/codec.hpp"
#include "lora/actors/engine_shared.hpp"

#include <caf/all.hpp>

#include <lora/wal/writer.hpp>

#include <lora/wal/error.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lora::actors {

namespace {

struct WalState {
    std::shared_ptr<wal::Writer> writer;
    std::weak_ptr<EngineShared> engine;
    static inline const char* name = "lora.wal";
};

constexpr uint8_t kCommitRecord = 1;

using WalActor = wal_actor::stateful_pointer<WalState>;

}  // namespace

void wal_append(const std::shared_ptr<wal::Writer>& writer,
                const std::weak_ptr<EngineShared>& weak_engine, const Payload& record,
                std::function<void(uint64_t, const std::string&)> done) {
    auto bytes = std::span<const std::byte>(reinterpret_cast<const std::byte*>(record.data()),
                                            record.size());
    auto callback = [done, weak_engine, writer](uint64_t lsn, std::error_code ec) {
        std::string error;
        if (ec) {
            error = writer->poison_reason();
            if (error.empty()) error = ec.message();
            if (auto e = weak_engine.lock()) {
                e->set_read_only("WAL failure: " + error);
                if (lsn != 0) e->commits.abandon(lsn);
            }
        }
        done(lsn, error);
    };
    // The record's LSN becomes the commit's timestamp. It is reserved as the writer assigns
    // it, before the record can be written (the durable answer may come before append()
    // returns), so no snapshot can start past it until the commit is installed everywhere.
    auto engine = weak_engine.lock();
    try {
        if (engine)
            writer->append(kCommitRecord, bytes, std::move(callback),
                           [&engine](uint64_t lsn) { engine->commits.reserve(lsn); });
        else
            writer->append(kCommitRecord, bytes, std::move(callback));
    } catch (const std::exception& e) {
        done(uint64_t{0}, std::string("WAL append failed: ") + e.what());
    }
}

namespace {

wal_actor::behavior_type wal_behavior(WalActor self, std::shared_ptr<wal::Writer> writer,
                                      std::weak_ptr<EngineShared> engine) {
    self->state.writer = std::move(writer);
    self->state.engine = std::move(engine);
    return {
        [=](append_atom, const Payload& record, const durable_listener& reply_to, uint64_t tag) {
            wal_append(self->state.writer, self->state.engine, record,
                       [reply_to, tag](uint64_t lsn, const std::string& error) {
                           caf::anon_send(reply_to, durable_atom::value, tag, lsn, error);
                       });
        },
    };
}

}  // namespace

void InstallOutbox::add(const std::vector<shard_actor>& targets, uint64_t txn, uint64_t ts,
                        std::function<void()> all) {
    if (targets.empty()) {
        all();
        return;
    }
    auto in = std::make_shared<Install>(targets.size(), std::move(all));
    for (const auto& t : targets) {
        auto it = std::find_if(per_shard_.begin(), per_shard_.end(),
                               [&](const auto& e) { return e.first == t; });
        if (it == per_shard_.end()) {
            per_shard_.emplace_back(t, std::make_shared<std::vector<InstallEntry>>());
            it = per_shard_.end() - 1;
        }
        it->second->push_back(InstallEntry{txn, ts, in});
    }
}

void InstallOutbox::flush() {
    for (auto& [shard, batch] : per_shard_) {
        if (batch->empty()) continue;
        caf::anon_send(shard, commit_atom::value, std::move(batch));
        batch = std::make_shared<std::vector<InstallEntry>>();
    }
}

wal_actor spawn_wal(caf::actor_system& sys, std::shared_ptr<wal::Writer> writer,
                    std::weak_ptr<EngineShared> engine) {
    // The durable callbacks of a batch queue their installs; they leave as one message per
    // shard when the batch's callbacks are done.
    writer->on_batch_end([engine] {
        if (auto e = engine.lock()) e->wal_installs.flush();
    });
    return sys.spawn(wal_behavior, std::move(writer), std::move(engine));
}

}  // namespace lora::actors
