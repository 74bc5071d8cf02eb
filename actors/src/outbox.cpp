// Batching and in-flight accounting for rows and mutations leaving an actor.
#include "outbox.hpp"

#include "lora/actors/codec.hpp"

#include <caf/all.hpp>

namespace lora::actors {

namespace {

// The actor whose outbox this is, as the target of its own deferred source steps.
using resumable_actor =
    caf::typed_actor<caf::reacts_to<resume_atom, QueryRef, exec::ContinuationPtr>>;

// `self->send(dest, xs...)` for an outbox shared by two actor types: the same compile-time
// check that `dest` accepts the message, the same mailbox element (sender: `self`).
template <class Dest, class... Ts>
void tell(caf::local_actor* self, const Dest& dest, Ts&&... xs) {
    using token = caf::detail::type_list<caf::detail::strip_and_convert_t<Ts>...>;
    static_assert(caf::response_type_unbox<caf::signatures_of_t<Dest>, token>::valid,
                  "receiver does not accept given message");
    caf::detail::profiled_send(self, self->ctrl(), dest,
                               caf::make_message_id(caf::message_priority::normal), {},
                               self->context(), std::forward<Ts>(xs)...);
}

}  // namespace

int64_t Outbox::targets(const Key& k) const {
    return k.kind == exec::Dest::Kind::Broadcast ? static_cast<int64_t>(q_->engine->shards.size())
                                                 : 1;
}

void Outbox::announce(int64_t produced) {
    if (at_coordinator_ || produced == 0) return;
    tell(self_, q_->query, progress_atom::value, q_->id, produced, int64_t{0},
         std::vector<int64_t>{});
}

void Outbox::send_row(size_t step, exec::Dest dest, exec::Row&& row) {
    Key k{step, dest.kind, dest.shard};
    auto& buf = rows_[k];
    buf.push_back(std::move(row));
    if (buf.size() >= q_->engine->batch_rows) {
        announce(targets(k));
        send_batch(k, buf);
    }
}

void Outbox::hold_row(size_t step, exec::Row&& row) {
    if (on_hold) on_hold(step, std::move(row));
}

void Outbox::emit_result(exec::Row&& row) {
    if (on_result) on_result(std::move(row));
}

void Outbox::send_mutation(uint32_t shard, const exec::Mutation& m) {
    auto& buf = mutations_[shard];
    buf.push_back(m);
    if (buf.size() >= q_->engine->batch_rows) {
        announce(1);
        send_mutations(shard, buf);
    }
}

void Outbox::defer(exec::ContinuationPtr c) { deferred_.push_back(std::move(c)); }

void Outbox::schedule_deferred() {
    if (deferred_.empty()) return;
    auto me = caf::actor_cast<resumable_actor>(self_);
    for (auto& c : deferred_) {
        if (q_->stream) {
            q_->stream->admit([me, q = q_, c] { caf::anon_send(me, resume_atom::value, q, c); });
        } else {
            tell(self_, me, resume_atom::value, q_, c);
        }
    }
    sent_ += static_cast<int64_t>(deferred_.size());
    deferred_.clear();
}

void Outbox::send_batch(const Key& k, std::vector<exec::Row>& rows) {
    if (rows.empty()) return;
    auto width = static_cast<uint32_t>(q_->plan->slot_count);
    Payload p = encode_rows(q_->id, static_cast<uint32_t>(k.step), width, rows);
    rows.clear();
    const auto& shards = q_->engine->shards;
    switch (k.kind) {
        case exec::Dest::Kind::Shard: tell(self_, shards[k.shard], batch_atom::value, q_, p); break;
        case exec::Dest::Kind::Broadcast:
            for (const auto& s : shards) tell(self_, s, batch_atom::value, q_, p);
            break;
        case exec::Dest::Kind::Coordinator: tell(self_, q_->query, batch_atom::value, q_, p); break;
    }
    sent_ += targets(k);
    if (q_->stream) q_->stream->batches_sent(targets(k));
}

void Outbox::send_mutations(uint32_t shard, std::vector<exec::Mutation>& items) {
    if (items.empty()) return;
    Payload p = encode_mutations(q_->id, items);
    items.clear();
    tell(self_, q_->engine->shards[shard], mutate_atom::value, q_, p);
    sent_ += 1;
}

void Outbox::finish_shard(int64_t consumed, const QueryStats& stats,
                          const std::vector<int64_t>& step_rows) {
    int64_t produced = 0;
    for (auto& [k, rows] : rows_)
        if (!rows.empty()) produced += targets(k);
    for (auto& [s, items] : mutations_)
        if (!items.empty()) produced += 1;
    produced += static_cast<int64_t>(deferred_.size());
    // Announce before sending: the query actor must never see a consumer's report before
    // the report of the batch it consumed.
    auto counters = stats_vector(stats);
    counters.insert(counters.end(), step_rows.begin(), step_rows.end());
    tell(self_, q_->query, progress_atom::value, q_->id, produced, consumed, std::move(counters));
    for (auto& [k, rows] : rows_) send_batch(k, rows);
    for (auto& [s, items] : mutations_) send_mutations(s, items);
    schedule_deferred();
}

int64_t Outbox::flush_coordinator() {
    for (auto& [k, rows] : rows_) send_batch(k, rows);
    for (auto& [s, items] : mutations_) send_mutations(s, items);
    schedule_deferred();
    int64_t n = sent_;
    sent_ = 0;
    return n;
}

}  // namespace lora::actors
