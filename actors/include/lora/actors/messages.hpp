// The types that cross an actor boundary, declared without their definitions so the role
// headers stay light. Data travels as flatbuffer Payloads (codec.hpp: bytes, serializable
// as they are); control as atoms, ids and counters. The rest are pointers to state shared
// inside one process: each says below why it stays a pointer and what a remote deployment
// (a shard in another process, DESIGN.md "Past one machine") would send instead.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace lora {
class Error;
}  // namespace lora

namespace lora::storage {
class Partition;
}  // namespace lora::storage

namespace lora::exec {
struct Continuation;
using ContinuationPtr = std::shared_ptr<Continuation>;
}  // namespace lora::exec

namespace lora::actors {

class Payload;  // codec.hpp: an immutable flatbuffer (local sends share it, remote ones copy)

struct QueryContext;  // query_context.hpp
struct QueryRequest;
struct Outcome;
struct Install;  // install.hpp
struct InstallEntry;

// The running query's context: plan, parameters, snapshot, the query actor, the stop flag,
// the stream credit and the transaction's log slots. It stays a pointer because it is
// created once per query and read by every batch of it (a Payload per batch costs nothing
// extra only while no bytes are copied). Remote: the query id, snapshot and txn go along
// with each batch and the receiving member keeps the plan (sent once as query text and
// parameters, re-planned there: plans are deterministic), the stop flag and credit by id.
using QueryRef = std::shared_ptr<QueryContext>;
// A request from a client of this process (its callbacks and stream channel are local by
// nature). Remote clients reach a member's coordinator, never a shard.
using QueryRequestPtr = std::shared_ptr<QueryRequest>;
// Answers to a local client (rows already decoded). Remote: the rows as a Payload.
using OutcomePtr = std::shared_ptr<Outcome>;
// A failure a shard reports to its query actor. Remote: code, class and message.
using ErrorPtr = std::shared_ptr<Error>;
// Set from outside (cancel, deadline) and polled by long loops at every actor of the query.
// Remote: a cancel message carrying the query id, which sets the member's local flag.
using StopFlag = std::shared_ptr<std::atomic<uint8_t>>;
// Counts the shards that still have to install a commit; the last runs the callback that
// tells the commit clock. Remote: each participant acknowledges (txn, ts) to the
// coordinating member, which counts.
using InstallPtr = std::shared_ptr<Install>;
// A WAL batch's installs at one shard (entries as above). Remote: (txn, ts) pairs.
using InstallBatchPtr = std::shared_ptr<std::vector<InstallEntry>>;
// Code run on a shard's partition (index builds, snapshot loads): local administration only.
// Remote: one message per operation (e.g. "sync indexes") instead of a closure.
using PartitionFn = std::shared_ptr<std::function<void(storage::Partition&)>>;
// A whole partition handed over by a snapshot load, in this process. Remote: the member
// loads its own checkpoint file.
using PartitionPtr = std::shared_ptr<storage::Partition>;

// Why a query was stopped from outside (QueryContext::stop).
enum : uint8_t { kStopNone = 0, kStopCancelled = 1, kStopDeadline = 2, kStopTerminated = 3 };

}  // namespace lora::actors

// CAF 0.17 refuses types it cannot serialize unless allowed here. Payload holds a shared
// buffer (its bytes would serialize; nothing sends it remotely yet); the pointers are
// local-only, see above.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::Payload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRef)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::OutcomePtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::ErrorPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::QueryRequestPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::InstallPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::InstallBatchPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::StopFlag)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::PartitionFn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::exec::ContinuationPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lora::actors::PartitionPtr)
