// Installing a durable commit at its shards: one-way commit_atom messages, counted by an
// Install so the query actor gets one message back instead of a reply per shard.
#pragma once

#include "lora/actors/shard.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace lora::actors {

// A commit being installed at its shards: the last shard to install it runs `installed`
// (which tells the commit clock).
struct Install {
    explicit Install(size_t shards, std::function<void()> done)
        : left(shards), installed(std::move(done)) {}
    std::atomic<size_t> left;
    std::function<void()> installed;
};

// A shard's installs of one WAL batch, sent as one (commit_atom, InstallBatchPtr) message:
// a batch of 20 commits is then one message per shard instead of 20.
struct InstallEntry {
    uint64_t txn;
    uint64_t ts;
    InstallPtr install;
};

// Installs queued by the WAL's I/O thread while it runs one batch's durable callbacks, sent
// when the batch ends (wal::Writer::on_batch_end). Only that thread touches it.
class InstallOutbox {
public:
    // Queues the install of `txn` at `ts` at every shard of `targets`; the last shard to
    // install runs `all` (at once when `targets` is empty).
    void add(const std::vector<shard_actor>& targets, uint64_t txn, uint64_t ts,
             std::function<void()> all);
    // Sends what was queued, one message per shard, in commit order.
    void flush();

private:
    std::vector<std::pair<shard_actor, InstallBatchPtr>> per_shard_;
};

}  // namespace lora::actors
