// The actor protocol: atoms, the shared per-query context and the messages the shard,
// query and coordinator actors accept. Data travels as flatbuffer Payloads (codec.hpp).
//
//   shard:       (batch_atom, QueryRef, Payload rows)       run rows at a step
//                (mutate_atom, QueryRef, Payload mutations) apply partition changes
//                (fetch_atom, Payload request) -> Payload    attach entity data
//                (stats_atom) -> (uint64 nodes, uint64 rels, uint64 bytes)
//   query:       (start_atom) -> OutcomePtr                   plan and drive one query
//                (batch_atom, QueryRef, Payload rows)         rows for coordinator steps
//                (progress_atom, int64 produced, int64 consumed, std::vector<int64> stats)
//                (error_atom, ErrorPtr)
//   coordinator: (execute_atom, QueryRequestPtr) -> OutcomePtr
#pragma once

#include "lora/actors/codec.hpp"
#include "plan/plan.hpp"

#include <lora/lora.hpp>
#include <lora/storage/catalog.hpp>

#include <caf/all.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lora::actors {

using batch_atom = caf::atom_constant<caf::atom("batch")>;
using mutate_atom = caf::atom_constant<caf::atom("mutate")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using error_atom = caf::atom_constant<caf::atom("error")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;

// Query text -> plan, shared by all query actors. Plans are immutable once built.
class PlanCache {
public:
    explicit PlanCache(size_t capacity = 1024) : capacity_(capacity) {}
    plan::PlanPtr get(const std::string& text);
    void put(const std::string& text, plan::PlanPtr plan);
    void clear();

private:
    std::mutex mu_;
    size_t capacity_;
    std::unordered_map<std::string, plan::PlanPtr> map_;
};

// What every query actor needs to know about the engine.
struct EngineShared {
    std::vector<caf::actor> shards;
    storage::Catalog* catalog = nullptr;
    PlanCache plans;
    uint32_t batch_rows = 1024;
    std::atomic<uint64_t> next_query{1};
    std::atomic<uint32_t> round_robin{0};
    exec::Procedures procedures;
};
using EnginePtr = std::shared_ptr<EngineShared>;

// Shared by the query actor and every shard that works on the query. Immutable except the
// atomics.
struct QueryContext {
    uint64_t id = 0;
    plan::PlanPtr plan;
    Map params;
    caf::actor query;  // the query actor: receives progress, results and errors
    EnginePtr engine;
    std::atomic<bool> cancelled{false};
    std::atomic<uint32_t> round_robin{0};
};
using QueryRef = std::shared_ptr<QueryContext>;

struct Outcome {
    Result result;
    std::optional<Error> error;
};
using OutcomePtr = std::shared_ptr<Outcome>;
using ErrorPtr = std::shared_ptr<Error>;

struct QueryRequest {
    std::string query;
    Map params;
    // Called once with the outcome, from the query actor's thread. Optional: without it
    // the outcome is only the actor reply to (execute_atom, ...).
    std::function<void(OutcomePtr)> done;
};
using QueryRequestPtr = std::shared_ptr<QueryRequest>;

}  // namespace lora::actors

// Local-only message types: pointers to shared immutable state. A remote deployment sends
// the query text and parameters instead and re-plans (plans are deterministic).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::Payload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRef)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::OutcomePtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::ErrorPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRequestPtr)

namespace lora::actors {

// Spawns the shard actor owning partition `index` of `count`.
caf::actor spawn_shard(caf::actor_system& sys, uint32_t index, uint32_t count,
                       storage::Catalog* catalog);
// Spawns one query actor for a request (used by the coordinator).
caf::actor spawn_query(caf::actor_system& sys, EnginePtr engine, QueryRequestPtr request);
// Spawns the coordinator: the entry point for queries.
caf::actor spawn_coordinator(caf::actor_system& sys, EnginePtr engine);

}  // namespace lora::actors
