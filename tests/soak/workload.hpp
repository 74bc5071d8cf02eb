// The soak's workload: what runs against the database between two kills. The same threads
// run in an embedded child process (sessions on a lora::Database) and in the soak driver
// against lorad (sessions over HTTP), reporting what was acknowledged to an Events sink.
#pragma once

#include <lora/lora.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace soak {

// Shards of the soak's database (a snapshot loads only into as many).
constexpr uint32_t kShards = 4;
// The bank: kAccounts accounts of kOpening each; transfers move money between two of them in
// an explicit transaction, so every read must see kAccounts * kOpening in all.
constexpr int64_t kAccounts = 20;
constexpr int64_t kOpening = 1000;
constexpr int64_t kTotal = kAccounts * kOpening;
// Writers per cycle; writer k of cycle c is number c * kWriterStride + k. The last writer
// creates kBatch pairs per statement (spread over the shards), the others one.
constexpr int64_t kWriters = 4;
constexpr int64_t kWriterStride = 10;
constexpr int64_t kBatch = 8;
inline int64_t writer_id(int64_t cycle, int64_t k) { return cycle * kWriterStride + k; }
inline int64_t writer_batch(int64_t w) { return w % kWriterStride == kWriters - 1 ? kBatch : 1; }
// The snapshot file the workload saves (relative to the data directory's snapshots/).
inline const std::string kSnapshotName = "soak.snap";

using IntParams = std::vector<std::pair<std::string, int64_t>>;

// The connection was lost (lorad was killed): the statement's outcome is unknown and the
// thread stops.
struct Lost {};

// One thread's way to the database. Errors from the database are lora::Error.
class Session {
public:
    virtual ~Session() = default;
    // An auto-commit statement; returns the first row's integers (empty without a row).
    virtual std::vector<int64_t> run(const std::string& query, const IntParams& params = {}) = 0;
    virtual void begin() = 0;
    virtual std::vector<int64_t> tx_run(const std::string& query, const IntParams& params = {}) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;  // never throws
    virtual void checkpoint() = 0;
    virtual void snapshot_save() = 0;  // kSnapshotName
};

// Sessions on an embedded database; `data_dir` is where its snapshots go.
std::unique_ptr<Session> embedded_session(lora::Database& db, const std::string& data_dir);
// Sessions over HTTP to lorad on 127.0.0.1:`port`; throws Lost once lorad is gone.
std::unique_ptr<Session> http_session(uint16_t port);

// What the workload reports as it goes.
enum class Counter { Transfer, Conflict, Read, Checkpoint, IndexChange, SnapshotSave, Count };
class Events {
public:
    virtual ~Events() = default;
    // Writer `w`'s pairs 0 .. `last_pair` are acknowledged (committed and durable).
    virtual void ack(int64_t w, int64_t last_pair) = 0;
    virtual void count(Counter c) = 0;
    // An invariant broken while running, or an error the workload did not expect.
    virtual void failure(const std::string& what) = 0;
};

// Runs the workload of `cycle` on sessions from `connect` until `stop` (never, in a child
// that is killed): the cycle's writers, two bank tellers, two balance readers (one reading
// twice in a transaction) and an admin thread (checkpoints, index creation and removal,
// snapshot saves). Returns when every thread has ended.
void run_workload(int64_t cycle, uint64_t seed,
                  const std::function<std::unique_ptr<Session>()>& connect, Events& events,
                  const std::atomic<bool>& stop);

}  // namespace soak
