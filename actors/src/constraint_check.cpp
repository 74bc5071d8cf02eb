// The query actor's constraint check (exec/constraints.hpp), before a commit and at the end
// of each writing statement of an explicit transaction: every shard the transaction changed
// checks its changes and names its unique claims (validate_atom); then every shard locks
// the claims homed there and looks them all up at the transaction's snapshot (claim_atom).
// A violation or a held claim fails the transaction; otherwise the commit (or the
// statement's answer) proceeds. Without constraints that happens at once.
#include "query_actor_impl.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"

#include <lora/exec/constraints.hpp>

namespace lora::actors::query_impl {

namespace {

// Ends the check with `e`: the transaction is rolled back everywhere. A claim conflict of
// an auto-commit statement is retried (see retry_statement).
void check_failed(QueryActor self, Error e) {
    auto& st = self->state;
    st.book.committing = false;
    st.retry_conflict = e.kind() == ErrorKind::Conflict;
    st.failure = std::move(e);
    abort_all(self);
}

// A shard's reply: its values, or the error it reported as a map {error, conflict}.
std::optional<Error> reply_error(const std::vector<Value>& values) {
    if (values.size() != 1 || !values[0].is_map()) return std::nullopt;
    const auto& m = values[0].as_map();
    auto e = m.find("error");
    auto c = m.find("conflict");
    if (e == m.end() || !e->second.is_string()) return std::nullopt;
    if (c != m.end() && c->second.is_bool() && c->second.as_bool())
        return errors::conflict(e->second.as_string());
    return errors::constraint_violation(e->second.as_string());
}

struct Gather {
    size_t left = 0;
    std::optional<Error> error;
    std::vector<std::vector<Value>> replies;
};

// Sends `make(i)` to each shard of `targets`, then runs `then` with every reply (in target
// order) or with the first error.
template <typename Make, typename Then>
void ask_all(QueryActor self, const std::vector<size_t>& targets, Make make, Then then) {
    auto& st = self->state;
    const auto& shards = st.q->engine->shards;
    auto g = std::make_shared<Gather>();
    g->left = targets.size();
    g->replies.resize(targets.size());
    auto one = [self, run = st.run, g, then](size_t slot, std::optional<Error> err,
                                             std::vector<Value> values) {
        if (self->state.run != run || self->state.book.finished) return;
        if (!err) err = reply_error(values);
        if (err && !g->error) g->error = std::move(err);
        g->replies[slot] = std::move(values);
        if (--g->left == 0) then(*g);
    };
    for (size_t slot = 0; slot < targets.size(); ++slot) {
        make(shards[targets[slot]])
            .then(
                [one, slot](const Payload& p) {
                    try {
                        one(slot, std::nullopt, decode_values(p));
                    } catch (const Error& e) {
                        one(slot, e, {});
                    }
                },
                [self, one, slot](caf::error& err) {
                    one(slot,
                        errors::internal("constraint check failed: " + self->system().render(err)),
                        {});
                });
    }
    if (targets.empty()) then(*g);
}

using Then = void (*)(QueryActor);

void claim_then(QueryActor self, std::shared_ptr<std::vector<Value>> claims, Then next) {
    auto& st = self->state;
    if (claims->empty()) {
        next(self);
        return;
    }
    std::vector<size_t> all(st.q->engine->shards.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    Payload payload = encode_values(*claims);
    ask_all(
        self, all,
        [self, q = st.q, payload](const shard_actor& s) {
            return self->request(s, caf::infinite, claim_atom::value, q, payload);
        },
        [self, claims, next](Gather& g) {
            if (g.error) return check_failed(self, std::move(*g.error));
            for (size_t i = 0; i < claims->size(); ++i) {
                for (const auto& reply : g.replies) {
                    if (i < reply.size() && reply[i].is_int()) {
                        auto claim = exec::UniqueClaim::from_value((*claims)[i]);
                        return check_failed(
                            self,
                            exec::duplicate_error(static_cast<uint64_t>(reply[i].as_int()), claim));
                    }
                }
            }
            next(self);
        });
}

void check_then(QueryActor self, Then next) {
    auto& st = self->state;
    auto& engine = *st.q->engine;
    if (!engine.catalog->constraints().any()) {
        next(self);
        return;
    }
    st.book.committing = true;  // nothing else may start now
    // The shards the transaction changed: those that left a log (auto-commit), or all.
    std::vector<size_t> targets;
    if (st.q->logs) {
        for_each_commit_target(*st.q->logs,
                               [&](size_t i, const exec::TxnLog&) { targets.push_back(i); });
    } else {
        for (size_t i = 0; i < engine.shards.size(); ++i) targets.push_back(i);
    }
    ask_all(
        self, targets,
        [self, txn = st.q->txn](const shard_actor& s) {
            return self->request(s, caf::infinite, validate_atom::value, txn);
        },
        [self, next](Gather& g) {
            if (g.error) return check_failed(self, std::move(*g.error));
            auto claims = std::make_shared<std::vector<Value>>();
            for (auto& reply : g.replies)
                for (auto& v : reply) claims->push_back(std::move(v));
            claim_then(self, std::move(claims), next);
        });
}

}  // namespace

void commit_checked(QueryActor self) {
    auto& st = self->state;
    st.constraint_epoch = st.q->engine->constraint_epoch.load(std::memory_order_acquire);
    check_then(self, commit);
}

void succeed_checked(QueryActor self) {
    auto& st = self->state;
    if (st.writes && st.req->txn && st.req->kind == QueryRequest::Kind::Statement)
        check_then(self, succeed);
    else
        succeed(self);
}

}  // namespace lora::actors::query_impl
