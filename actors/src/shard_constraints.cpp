// The shard's side of constraint enforcement (exec/constraints.hpp): the checks of one
// transaction's changes here, and the locks and lookups of unique claims.
#include "lora/actors/shard_state.hpp"

#include <lora/errors.hpp>

#include "lora/actors/codec.hpp"
#include "lora/actors/query_context.hpp"

#include <lora/exec/constraints.hpp>

#include <lora/storage/catalog.hpp>
#include <lora/storage/versions.hpp>

namespace lora::actors {

namespace {

Payload error_payload(const Error& e) {
    Map m;
    m.emplace("error", Value(e.message()));
    m.emplace("conflict", Value(e.kind() == ErrorKind::Conflict));
    return encode_values({Value(std::move(m))});
}

}  // namespace

Payload ShardState::validate(uint64_t txn) {
    auto it = txns.find(txn);
    if (it == txns.end()) return encode_values({});
    try {
        auto& log = it->second;
        std::vector<Value> out;
        for (const auto& c : exec::constraint_claims(*part, *catalog, log))
            out.push_back(c.to_value());
        // The claims go to their shards next; a failure there ends the transaction.
        log.checked = log.redo.size();
        return encode_values(out);
    } catch (const Error& e) {
        return error_payload(e);
    }
}

Payload ShardState::claim(const QueryContext& q, const Payload& claims) {
    try {
        std::vector<Value> out;
        const storage::Snap snap{q.start_ts, q.txn};
        for (const auto& v : decode_values(claims)) {
            const auto c = exec::UniqueClaim::from_value(v);
            const uint64_t key = c.key();
            if (key % count == index) {
                auto& log = log_of(q.txn);
                // An auto-commit statement commits (and so releases the lock) where it left
                // a log.
                if (q.logs) (*q.logs)[index] = &log;
                locks.claim(key, q.txn, q.start_ts, log, c.describe());
            }
            auto dup = exec::find_duplicate(*part, *catalog, snap, c);
            out.push_back(dup ? Value(static_cast<int64_t>(*dup)) : Value());
        }
        return encode_values(out);
    } catch (const Error& e) {
        return error_payload(e);
    }
}

}  // namespace lora::actors
