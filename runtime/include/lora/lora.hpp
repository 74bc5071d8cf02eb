// The embedding API of lora: open a database, run Cypher, read results.
//
//   auto db = lora::Database::open({.shards = 4});
//   auto r = db->execute("MATCH (n:Person) RETURN n.name AS name", {});
//   for (auto& row : r.rows) std::cout << row[0].to_string() << "\n";
#pragma once

#include <lora/error.hpp>
#include <lora/export.hpp>
#include <lora/value.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace caf {
class actor_system;
}

namespace lora {

struct Options {
    // Number of shards (actors owning a partition each); 0 = hardware threads.
    uint32_t shards = 0;
    // Worker threads of the actor system; 0 = hardware threads.
    uint32_t threads = 0;
    // Rows per batch moved between actors.
    uint32_t batch_rows = 1024;
    // Data directory; empty = in-memory database.
    std::string data_dir;
    // WAL sync mode: "per-commit" (a commit is acknowledged after fdatasync; concurrent
    // commits share one), "interval:<ms>" (acknowledged after the write, synced on a
    // timer) or "none".
    std::string sync = "per-commit";
    // Automatic checkpoint when the WAL grew by this many bytes since the last one (0 = off).
    uint64_t checkpoint_wal_bytes = 256ull << 20;
    // Size of each preallocated WAL segment file.
    uint64_t wal_segment_bytes = 64ull << 20;
    // Rows a source step (scan, UNWIND) produces per actor message before it yields; the
    // rest continues in a later message, so other queries and cancellation get a turn.
    uint32_t chunk_rows = 4096;
    // The directory LOAD CSV reads file:/// URLs from (nothing outside it is readable).
    // Empty: `<data_dir>/import` (created at open), or none for an in-memory database.
    std::string import_dir;
    // Memory all running queries may hold together (lora/memory.hpp: collected lists, rows
    // held for ORDER BY and aggregation, DISTINCT state, collected results, transaction
    // logs); a query that would pass it fails alone with TransientError.
    // MemoryPoolOutOfMemoryError. kMemoryAuto: 70% of the memory the process may use
    // (memory::default_pool_limit); 0: no limit.
    static constexpr uint64_t kMemoryAuto = ~uint64_t{0};
    uint64_t memory_limit = kMemoryAuto;
    // The memory limit of each query unless its QueryOptions::memory_limit says otherwise;
    // 0: none but the pool's.
    uint64_t query_memory_limit = 0;
};

struct Health {
    bool read_only = false;
    std::string reason;  // why it is read-only
};

struct WalStatus {
    bool enabled = false;  // false for an in-memory database
    uint64_t records = 0, bytes = 0, fsyncs = 0, batches = 0;
    uint64_t last_durable_lsn = 0, next_lsn = 0, checkpoint_lsn = 0;
    bool poisoned = false;
    std::string poison_reason;
    // Vector indexes (per shard) built at open: loaded from a checkpoint image and
    // reconciled, or rebuilt from the nodes.
    uint32_t vector_indexes_from_image = 0, vector_indexes_rebuilt = 0;
};

// Multi-version concurrency control: what snapshots run and how many old versions are kept.
struct MvccStatus {
    uint64_t visible_ts = 0;         // snapshots starting now see commits up to this timestamp
    uint64_t running_snapshots = 0;  // statements and transactions reading at a snapshot
    uint64_t versions = 0;           // old versions still needed (all shards), counted after
                                     // dropping those no running snapshot needs
};

// Query memory (lora/memory.hpp): the pool of all queries and what the finished ones held.
struct QueryMemoryStats {
    uint64_t limit = 0;  // the pool's limit (0: none)
    uint64_t used = 0;   // held by the running queries just now (taken in 1 MiB grains)
    uint64_t peak = 0;   // the most held at once since the database opened
    // Queries refused for passing their own limit / the pool's.
    uint64_t query_rejections = 0, pool_rejections = 0;
    // Per query class, [0] reads and [1] writes: finished queries, the sum and the largest of
    // the most memory each held.
    std::array<uint64_t, 2> queries{}, peak_sum{}, peak_max{};
};

// Engine counters for monitoring (lorad's /metrics).
struct EngineStats {
    uint64_t commits = 0;  // write transactions committed since the database opened
    // Commit latency (from the start of the commit to its acknowledgement: prepare, WAL
    // durability, install), as a histogram: counts[i] commits took <= bounds[i] seconds
    // (not cumulative), counts.back() the rest.
    std::vector<double> commit_latency_bounds;
    std::vector<uint64_t> commit_latency_counts;
    double commit_latency_sum = 0;        // seconds
    std::vector<uint64_t> mailbox_depth;  // messages waiting per shard actor, just now
    // Estimated bytes each shard's partition holds (records, lists, indexes, property
    // payloads; allocator slack and old versions not included). 0 if a shard did not answer.
    std::vector<uint64_t> partition_bytes;
    MvccStatus mvcc;
    QueryMemoryStats memory;
};

using Params = Map;

// A procedure callable with CALL name(args) YIELD fields. Types are Cypher type names as
// the TCK writes them: STRING?, INTEGER?, FLOAT?, NUMBER?, BOOLEAN?, ANY?, MAP?, LIST? OF ...
struct ProcedureSignature {
    std::string name;                                          // dotted, e.g. "test.my.proc"
    std::vector<std::pair<std::string, std::string>> inputs;   // (name, type)
    std::vector<std::pair<std::string, std::string>> outputs;  // (name, type)
    // SHOW PROCEDURES: what it does, and its mode (READ, WRITE, SCHEMA or DBMS).
    std::string description = {};
    std::string mode = "READ";
};
// Receives the argument values (in input order) and returns the output rows (in output order).
using ProcedureFn = std::function<std::vector<std::vector<Value>>(const std::vector<Value>& args)>;

struct QueryStats {
    int64_t nodes_created = 0;
    int64_t nodes_deleted = 0;
    int64_t relationships_created = 0;
    int64_t relationships_deleted = 0;
    int64_t properties_set = 0;
    int64_t labels_added = 0;
    int64_t labels_removed = 0;
    bool contains_updates() const {
        return nodes_created || nodes_deleted || relationships_created || relationships_deleted ||
               properties_set || labels_added || labels_removed;
    }
};

struct Result {
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;
    QueryStats stats;
};

class Transaction;

// Stops running queries from any thread. Pass it in QueryOptions::cancel; cancel() makes
// every query running with it fail with TransactionError.Cancelled (a write is rolled
// back) and every later query with it fail at once. Long loops notice within a few
// thousand rows; a query is never half-committed.
class LORA_API CancelToken {
public:
    void cancel();
    bool cancelled() const;

    // Engine side: `hook` runs once on cancel() (at once when already cancelled).
    uint64_t on_cancel(std::function<void()> hook);
    void remove(uint64_t id);

private:
    mutable std::mutex mu_;
    bool cancelled_ = false;
    uint64_t next_ = 1;
    std::map<uint64_t, std::function<void()>> hooks_;
};

// Who runs a statement or transaction, as SHOW TRANSACTIONS shows it. All optional: an
// embedding caller may leave it empty; lorad fills it for its HTTP and Bolt clients.
struct ClientInfo {
    std::string protocol;       // "bolt", "http" (empty: embedded)
    std::string connection_id;  // e.g. "bolt-12"
    std::string address;        // the client's address, e.g. "127.0.0.1:53422"
    std::string user;           // the principal it authenticated as
    Map metadata;               // the transaction's metadata (Bolt's tx_metadata)
};

struct QueryOptions {
    // Fail with TransactionError.Timeout (writes rolled back) after this long; 0 = no limit.
    std::chrono::milliseconds timeout{0};
    std::shared_ptr<CancelToken> cancel;  // optional
    // Streams: result rows buffered ahead of a slow consumer before the query's sources
    // pause (its credit).
    size_t stream_window_rows = 4096;
    // Auto-commit statements: who runs it (SHOW TRANSACTIONS).
    ClientInfo client;
    // The most memory the query may hold (bytes, lora/memory.hpp); over it the query fails
    // with TransientError.MemoryPoolOutOfMemoryError. 0: Options::query_memory_limit.
    uint64_t memory_limit = 0;
    // Read-only access: a statement that would change state (an update clause, a schema
    // command, a procedure of mode WRITE or SCHEMA, TERMINATE TRANSACTION) fails with
    // Security.Forbidden before it runs; reads run as usual.
    bool read_only = false;
};

// How a statement started with Database::execute_async ended: `error` when it failed
// (nothing of it was kept), else its `result`.
struct Completion {
    std::optional<Error> error;
    Result result;
};
using CompletionFn = std::function<void(Completion&&)>;

// The result of Database::stream, read while the query runs. Rows are produced only as
// fast as next() takes them: memory stays bounded by the window, except for what a
// barrier (ORDER BY, aggregation, DISTINCT over everything) must hold by nature.
// Destroying an unfinished cursor cancels its query (rolling back its writes).
class LORA_API Cursor {
public:
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    const std::vector<std::string>& columns() const;
    // Replaces `rows` with the next rows (a chunk); false once the result is complete.
    // Throws lora::Error when the query fails, also after rows were returned.
    bool next(std::vector<std::vector<Value>>& rows);
    // next() without the wait, for consumers on an event loop: Rows when `rows` holds the
    // next rows, Done once the result is complete, Pending when neither is there yet; `wake`
    // then runs once, on an engine thread, when poll() has something to say (it must be
    // quick and must not block). Throws like next().
    enum class Poll { Rows, Done, Pending };
    Poll poll(std::vector<std::vector<Value>>& rows, std::function<void()> wake);
    // Counters of a finished query (after next() returned false).
    QueryStats stats() const;
    // Cancels the query (from any thread); next() then throws TransactionError.Cancelled.
    void cancel();

    struct LORA_LOCAL Impl;
    explicit Cursor(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

class LORA_API Database {
public:
    // Opens (or creates) a database and starts its actor system. Throws lora::Error.
    static std::unique_ptr<Database> open(const Options& options = {});
    // The same inside a service's own CAF actor system: the coordinator, shards, WAL and
    // query actors are spawned in `system` (which must outlive the Database, and whose
    // configuration decides the threads: Options::threads is not used). The service's
    // actors reach the database by messages (lora/service.hpp); blocking calls such as
    // execute() must not be made from inside one of the system's actors. Destroying the
    // Database ends its actors and waits for them; the system goes on.
    static std::unique_ptr<Database> open(caf::actor_system& system, const Options& options = {});
    ~Database();

    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs one Cypher statement as an auto-commit transaction. Thread-safe: any number of
    // threads may call it at once. Throws lora::Error.
    Result execute(const std::string& query, const Params& params = {});
    // The same with a time limit and/or a cancel token.
    Result execute(const std::string& query, const Params& params, const QueryOptions& options);
    // Starts one auto-commit statement and returns at once; `done` is called exactly once
    // when it has finished (a write: committed, and durable as the sync mode says) or
    // failed. Many statements can be in flight without a thread each, which is how a
    // service on an event loop or an actor system keeps a database busy. `done` runs on
    // one of the engine's threads: it must be quick and must not block (no blocking
    // execute(), no waiting for another statement), but it may start further statements
    // with execute_async. An exception thrown by `done` is logged and dropped. Destroying
    // the Database waits for statements already started; one started while it is being
    // destroyed (from a `done`) fails with DatabaseError.Closed.
    void execute_async(std::string query, Params params, CompletionFn done,
                       const QueryOptions& options = {});
    // Runs one auto-commit statement and streams its result. Throws lora::Error for errors
    // found before the result starts (syntax, semantics, read-only database); later errors
    // come from Cursor::next. Destroy (or finish) cursors before their Database: its
    // destructor waits for their queries to end.
    std::unique_ptr<Cursor> stream(const std::string& query, const Params& params = {},
                                   const QueryOptions& options = {});

    uint32_t shard_count() const;

    // Starts an explicit transaction: its statements see their own writes, and nothing of
    // it is logged or kept until commit(). Statements of one transaction must not run
    // concurrently. While a transaction is open, checkpoints wait for it. `client` is what
    // SHOW TRANSACTIONS shows of who runs it.
    std::unique_ptr<Transaction> begin(const ClientInfo& client = {});

    // Writes a checkpoint (every shard's partition, the catalog, then the manifest) and
    // deletes the WAL segments it covers; returns its LSN. Waits for running write
    // transactions; new ones wait for it; reads go on. Throws for an in-memory database.
    uint64_t checkpoint();
    // Saves the whole database to one file (atomically: tmp, fsync, rename).
    void snapshot_save(const std::string& path);
    // Replaces the whole database with a snapshot file (checked first: a bad file changes
    // nothing); for a persistent database a checkpoint makes the load durable.
    void snapshot_load(const std::string& path);
    Health health() const;
    // The commit clock's visible timestamp: statements starting now see every commit up to
    // it. A commit is acknowledged only once it is visible, so the value read right after an
    // acknowledged commit (execute(), a cursor's end, Transaction::commit(), a Completion)
    // names a state that includes that commit: a bookmark for causal consistency.
    uint64_t visible_timestamp() const;
    // Waits until the visible timestamp reaches `ts` (true) or `timeout` passed (false).
    bool wait_visible(uint64_t ts, std::chrono::milliseconds timeout) const;
    WalStatus wal_status() const;
    MvccStatus mvcc_status() const;
    EngineStats engine_stats() const;

    // Registers (or replaces) a procedure for CALL. Thread-safe.
    void register_procedure(ProcedureSignature signature, ProcedureFn fn);

    struct LORA_LOCAL Impl;

private:
    friend struct ServiceAccess;  // service.cpp: the database's actor
    explicit Database(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// An explicit transaction (Database::begin). Destroying an open transaction rolls it back.
class LORA_API Transaction {
public:
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Runs a statement inside the transaction. An error in a statement that writes rolls
    // the whole transaction back (it is then closed), and so does TERMINATE TRANSACTION
    // (the running or next statement, or commit, throws TransactionError.Terminated).
    // Throws lora::Error.
    Result execute(const std::string& query, const Params& params = {});
    // The same with a time limit and/or a cancel token; a statement they stop fails with
    // TransactionError.Timeout / Cancelled like any other failed statement.
    Result execute(const std::string& query, const Params& params, const QueryOptions& options);
    // Makes the transaction durable (one WAL record, acknowledged per the sync mode).
    void commit();
    void rollback();
    bool open() const { return open_; }
    uint64_t id() const { return id_; }

private:
    friend class Database;
    Transaction(Database::Impl* db, uint64_t id, uint64_t start_ts)
        : db_(db), id_(id), start_ts_(start_ts) {}
    void finish();
    // Terminated meanwhile: rolls back what is left and throws TransactionError.Terminated.
    [[noreturn]] void end_terminated(bool rolled_back);
    Database::Impl* db_;
    uint64_t id_;
    uint64_t start_ts_;
    bool open_ = true;
};

}  // namespace lora
