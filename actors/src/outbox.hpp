// Outbox: collects the rows and mutations a handler produces, batches them per
// destination and sends them, keeping the query's in-flight count exact (see
// docs/architecture.md, "Knowing when a query is done").
#pragma once

#include "lora/actors/query_context.hpp"
#include "lora/actors/query_state.hpp"

#include <caf/fwd.hpp>

#include <map>
#include <vector>

namespace lora::actors {

class Outbox : public exec::Runtime {
public:
    // `self` sends (a shard or the query actor: both accept resume_atom, which the outbox
    // sends to `self`); `q` is the query; `at_coordinator` when `self` is the query actor.
    Outbox(caf::local_actor* self, const QueryRef& q, bool at_coordinator)
        : self_(self), q_(q), at_coordinator_(at_coordinator) {}

    void send_row(size_t step, exec::Dest dest, exec::Row&& row) override;
    void hold_row(size_t step, exec::Row&& row) override;
    void emit_result(exec::Row&& row) override;
    void send_mutation(uint32_t shard, const exec::Mutation& m) override;
    // Kept until finish_shard / flush_coordinator, which count it as in flight and
    // schedule it (right away, or parked until a streaming query has credit).
    void defer(exec::ContinuationPtr c) override;

    // Shard side: sends everything buffered, announcing it (with `consumed` input batches
    // and the stats delta) to the query actor first. Returns nothing; resets the buffers.
    void finish_shard(int64_t consumed, const QueryStats& stats,
                      const std::vector<int64_t>& step_rows = {});
    // Coordinator side: sends everything buffered; returns how many batches were sent.
    int64_t flush_coordinator();

    // Coordinator hooks.
    std::function<void(size_t, exec::Row&&)> on_hold;
    std::function<void(exec::Row&&)> on_result;

private:
    struct Key {
        size_t step;
        exec::Dest::Kind kind;
        uint32_t shard;
        bool operator<(const Key& o) const {
            return std::tie(step, kind, shard) < std::tie(o.step, o.kind, o.shard);
        }
    };
    // Sends one full buffer right away (announcing it first when at a shard).
    void send_batch(const Key& k, std::vector<exec::Row>& rows);
    void send_mutations(uint32_t shard, std::vector<exec::Mutation>& items);
    int64_t targets(const Key& k) const;
    void announce(int64_t produced);

    caf::local_actor* self_;
    const QueryRef& q_;
    bool at_coordinator_;
    std::map<Key, std::vector<exec::Row>> rows_;
    std::map<uint32_t, std::vector<exec::Mutation>> mutations_;
    int64_t sent_ = 0;
    std::vector<exec::ContinuationPtr> deferred_;
    void schedule_deferred();
};

}  // namespace lora::actors
