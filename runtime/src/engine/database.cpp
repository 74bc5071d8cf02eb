// lora::Database: owns the actor system (or runs in a service's, Database::open(system, ..)),
// the catalog and the shard actors, and for a
// persistent database the data directory (LOCK, MANIFEST), the WAL writer and checkpoints.
// A synchronous execute() spawns a query actor and waits on a future (no blocking actor on
// the path).
#include "engine/impl_access.hpp"
#include "engine/transaction_procedures.hpp"
#include "lora/actors/protocol.hpp"

#include <caf/all.hpp>

#include <lora/errors.hpp>
#include <lora/exec/schema.hpp>
#include <lora/exec/show_library.hpp>

#include <lora/lora.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/checkpoint.hpp>
#include <lora/storage/data_dir.hpp>
#include <lora/storage/versions.hpp>

#include <lora/wal/error.hpp>
#include <lora/wal/reader.hpp>
#include <lora/wal/writer.hpp>
#include <optional>

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <thread>

namespace lora {

namespace {

constexpr uint8_t kCommitRecord = 1;
constexpr uint8_t kSnapshotMarker = 2;  // a snapshot was loaded; replay skips it

wal::SyncMode parse_sync(const std::string& s, std::chrono::milliseconds& interval) {
    if (s.empty() || s == "per-commit") return wal::SyncMode::PerCommit;
    if (s == "none") return wal::SyncMode::None;
    if (s.rfind("interval:", 0) == 0) {
        try {
            long ms = std::stol(s.substr(9));
            if (ms > 0) {
                interval = std::chrono::milliseconds(ms);
                return wal::SyncMode::Interval;
            }
        } catch (const std::exception&) {}
    }
    throw errors::invalid_option("sync mode must be per-commit, interval:<ms> or none, got '" + s +
                                 "'");
}

// LOAD CSV's directory: the configured one, else `<data>/import` (created here), else none.
std::string import_dir_of(const Options& options) {
    if (!options.import_dir.empty() || options.data_dir.empty()) return options.import_dir;
    const auto dir = std::filesystem::path(options.data_dir) / "import";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw errors::database(
            "Io", "cannot create the import directory " + dir.string() + ": " + ec.message());
    return dir.string();
}

// Runs `fn` inside every shard actor (in order) and waits for all of them.
void on_every_partition(const std::vector<actors::shard_actor>& shards,
                        const std::function<void(uint32_t, storage::Partition&)>& fn) {
    std::vector<std::future<void>> done;
    for (uint32_t i = 0; i < shards.size(); ++i) {
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        auto call = std::make_shared<std::function<void(storage::Partition&)>>(
            [p, i, &fn](storage::Partition& part) {
                try {
                    fn(i, part);
                    p->set_value();
                } catch (...) {
                    p->set_exception(std::current_exception());
                }
            });
        caf::anon_send(shards[i], actors::partition_atom::value, actors::PartitionFn(call));
    }
    for (auto& f : done) f.get();
}

// Closes the writer gate for a checkpoint, snapshot or load: new write transactions wait
// (query actors retry), and the constructor waits for the running ones to finish.
struct WriterGate {
    explicit WriterGate(actors::EngineShared& e) : eng(e) {
        eng.checkpointing.store(true);
        while (eng.active_writers.load() > 0)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ~WriterGate() { eng.checkpointing.store(false); }
    WriterGate(const WriterGate&) = delete;
    WriterGate& operator=(const WriterGate&) = delete;
    actors::EngineShared& eng;
};

}  // namespace

struct Database::Impl {
    Options options;
    std::shared_ptr<storage::Catalog> catalog;
    std::unique_ptr<storage::DataDir> dir;
    std::shared_ptr<wal::Writer> writer;
    std::unique_ptr<caf::actor_system_config> cfg;
    std::unique_ptr<caf::actor_system> owned_system;  // null when hosted by a service
    caf::actor_system* system = nullptr;              // the system the actors run in
    // The service-facing actor (service.hpp), spawned on first use.
    std::mutex front_mu;
    caf::actor front;
    actors::EnginePtr engine;
    actors::coordinator_actor coordinator;
    std::mutex checkpoint_mu;  // one checkpoint or snapshot at a time
    // The WAL's size at the last checkpoint: written under checkpoint_mu, read by the
    // automatic checkpoint thread without it.
    std::atomic<uint64_t> wal_bytes_at_checkpoint{0};
    uint32_t vector_from_image = 0, vector_rebuilt = 0;  // at recovery (wal_status)
    // Automatic checkpoints run on this thread when the WAL grows past a size.
    std::thread checkpointer;
    std::mutex auto_mu;
    std::condition_variable auto_cv;
    bool stopping = false;
    // Statements started by execute_async and not yet finished; the destructor waits for
    // them, and refuses new ones from the moment it begins.
    std::atomic<int64_t> async_running{0};
    std::atomic<bool> closing{false};
    std::mutex async_mu;
    std::condition_variable async_cv;

    ~Impl() {
        closing.store(true);
        {
            std::unique_lock lock(async_mu);
            async_cv.wait(lock, [&] { return async_running.load() == 0; });
        }
        if (checkpointer.joinable()) {
            {
                std::lock_guard lock(auto_mu);
                stopping = true;
            }
            auto_cv.notify_all();
            checkpointer.join();
        }
        if (system) stop_actors();
        if (writer) writer->close();
    }

    // Ends the database's actors. An owned system is joined; in a service's system the
    // actors are monitored and waited for, since the system lives on.
    void stop_actors() {
        std::vector<caf::actor> ours;
        for (auto& q : engine->query_pool.close()) ours.push_back(caf::actor_cast<caf::actor>(q));
        for (auto& s : engine->shards) ours.push_back(caf::actor_cast<caf::actor>(s));
        ours.push_back(caf::actor_cast<caf::actor>(coordinator));
        if (engine->wal) ours.push_back(caf::actor_cast<caf::actor>(engine->wal));
        {
            std::lock_guard lock(front_mu);
            if (front) ours.push_back(front);
            front = nullptr;
        }
        engine->shards.clear();
        engine->wal = nullptr;
        engine->wal_writer = nullptr;
        coordinator = nullptr;
        if (owned_system) {
            for (auto& a : ours) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
            owned_system.reset();  // joins the scheduler threads
        } else {
            caf::scoped_actor self{*system};
            for (auto& a : ours) {
                self->monitor(a);
                caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
            }
            size_t downs = 0;
            self->receive_for(downs, ours.size())([](const caf::down_msg&) {});
        }
        system = nullptr;
    }

    // Recovery: the newest checkpoint, then every committed WAL record after it.
    std::vector<std::shared_ptr<storage::Partition>> recover(uint32_t requested_shards) {
        dir = storage::DataDir::open(options.data_dir, requested_shards);
        const auto& m = dir->manifest();
        std::vector<std::shared_ptr<storage::Partition>> parts;
        std::vector<storage::Partition*> raw;
        for (uint32_t i = 0; i < m.shard_count; ++i) {
            parts.push_back(std::make_shared<storage::Partition>(i, m.shard_count, *catalog));
            raw.push_back(parts.back().get());
        }
        uint64_t ckpt = storage::load_checkpoint(*dir, *catalog, raw);
        std::chrono::milliseconds interval{10};
        wal::WriterOptions wo;
        wo.db_id = m.db_id;
        wo.sync_mode = parse_sync(options.sync, interval);
        wo.sync_interval = interval;
        wo.first_lsn = ckpt + 1;
        if (options.wal_segment_bytes) wo.segment_bytes = options.wal_segment_bytes;
        try {
            wal::Recovery rec = wal::open_for_recovery(dir->wal_dir(), m.db_id);
            if (rec.tail_cut())
                spdlog::warn("WAL: cut a torn tail of {} at offset {} ({})",
                             rec.tail_cut()->path.string(), rec.tail_cut()->offset,
                             rec.tail_cut()->reason);
            uint64_t replayed = 0;
            if (!rec.empty() && rec.last_lsn() > ckpt) {
                rec.for_each(std::max(ckpt + 1, rec.first_lsn()), [&](const wal::Record& r) {
                    if (r.type != kCommitRecord) return;
                    auto ops = actors::decode_redo(
                        reinterpret_cast<const uint8_t*>(r.payload.data()), r.payload.size());
                    exec::replay(ops, raw, *catalog);
                    ++replayed;
                });
                if (rec.first_lsn() > ckpt + 1)
                    throw errors::database("MissingSegment",
                                           "WAL records " + std::to_string(ckpt + 1) + ".." +
                                               std::to_string(rec.first_lsn() - 1) +
                                               " are missing from " + dir->wal_dir().string());
            }
            if (replayed) spdlog::info("recovered {} commits from the WAL", replayed);
            for (auto* p : raw) {
                p->sync_indexes();
                vector_from_image += p->vector_build_stats().from_image;
                vector_rebuilt += p->vector_build_stats().rebuilt;
            }
            writer = wal::Writer::open(rec, wo);
        } catch (const wal::WalError& e) {
            throw errors::database("WalError", e.what());
        }
        return parts;
    }

    // Online: the checkpoint is the database as of a snapshot (an LSN: commit timestamps are
    // their WAL records' LSNs), taken while writers go on; only schema changes wait.
    uint64_t checkpoint() {
        if (!dir)
            throw errors::database("NotPersistent",
                                   "CHECKPOINT needs a database with a data directory");
        std::lock_guard one(checkpoint_mu);
        auto& eng = *engine;
        eng.schema_frozen.store(true);
        struct Thaw {
            actors::EngineShared& e;
            ~Thaw() { e.schema_frozen.store(false); }
        } thaw{eng};
        while (eng.active_schema.load() > 0)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        const uint64_t snap = eng.commits.begin_snapshot();
        struct End {
            actors::EngineShared& e;
            uint64_t ts;
            ~End() { e.commits.end_snapshot(ts); }
        } end{eng, snap};
        return checkpoint_locked(snap);
    }

    // Caller holds checkpoint_mu and either keeps schema changes out (snap = the snapshot to
    // write) or holds the writer gate (no snap: the present state, all of it committed).
    uint64_t checkpoint_locked(std::optional<uint64_t> snap = std::nullopt) {
        auto& eng = *engine;
        try {
            writer->flush();
        } catch (const wal::WalError& e) {
            throw errors::database("WalError", e.what());
        }
        // Every commit up to the snapshot's timestamp is durable and in the snapshot; every
        // later one is replayed from the WAL.
        uint64_t lsn = snap ? *snap : writer->next_lsn() - 1;
        const storage::Snap view = snap ? storage::Snap{*snap, 0} : storage::Snap{};
        const auto& id = dir->manifest().db_id;
        std::vector<std::vector<std::byte>> shards(eng.shards.size()), vectors(eng.shards.size());
        on_every_partition(eng.shards, [&](uint32_t i, storage::Partition& p) {
            shards[i] = storage::encode_partition(p, id, lsn, view);
            // The indexes as they are now, not at the snapshot: recovery reconciles them.
            vectors[i] = storage::encode_vector_images(p, id, lsn);
        });
        auto cat = storage::encode_catalog(*catalog, id, lsn);
        if (lsn > dir->manifest().checkpoint_lsn)
            storage::write_checkpoint(*dir, lsn, cat, shards, vectors);
        wal::truncate_before(dir->wal_dir(), lsn + 1);
        wal_bytes_at_checkpoint = writer->stats().bytes;
        return lsn;
    }

    void auto_checkpoint_loop() {
        std::unique_lock lock(auto_mu);
        while (!stopping) {
            auto_cv.wait_for(lock, std::chrono::milliseconds(200));
            if (stopping) break;
            if (!writer || options.checkpoint_wal_bytes == 0) continue;
            if (writer->stats().bytes - wal_bytes_at_checkpoint < options.checkpoint_wal_bytes)
                continue;
            lock.unlock();
            try {
                checkpoint();
            } catch (const std::exception& e) {
                spdlog::error("automatic checkpoint failed: {}", e.what());
            }
            lock.lock();
        }
    }
};

namespace {

std::unique_ptr<Database::Impl> open_impl(const Options& options, caf::actor_system* hosted);

}  // namespace

std::unique_ptr<Database> Database::open(const Options& options) {
    return std::unique_ptr<Database>(new Database(open_impl(options, nullptr)));
}

std::unique_ptr<Database> Database::open(caf::actor_system& system, const Options& options) {
    return std::unique_ptr<Database>(new Database(open_impl(options, &system)));
}

namespace {

// Messages an actor handles before its thread turns to other jobs (see below).
constexpr size_t kMaxThroughput = 64;

std::unique_ptr<Database::Impl> open_impl(const Options& options, caf::actor_system* hosted) {
    auto impl = std::make_unique<Database::Impl>();
    impl->options = options;
    uint32_t hw = std::max(1u, std::thread::hardware_concurrency());
    if (options.shards > 4096)
        throw errors::invalid_option("shards must be between 1 and 4096, got " +
                                     std::to_string(options.shards));
    impl->catalog = std::make_shared<storage::Catalog>();
    std::vector<std::shared_ptr<storage::Partition>> parts;
    if (!options.data_dir.empty()) {
        parts = impl->recover(options.shards);
    } else {
        uint32_t n = options.shards ? options.shards : hw;
        for (uint32_t i = 0; i < n; ++i)
            parts.push_back(std::make_shared<storage::Partition>(i, n, *impl->catalog));
    }
    if (hosted) {
        impl->system = hosted;
    } else {
        impl->cfg = std::make_unique<caf::actor_system_config>();
        impl->cfg->set("scheduler.max-threads",
                       static_cast<size_t>(options.threads ? options.threads : hw));
        impl->cfg->set("logger.verbosity", caf::atom("quiet"));
        // CAF's idle workers spin briefly, then (by default) poll 500 times with 50 us
        // sleeps before waiting on their condition variable; every message hop of a quiet
        // query then waits out such a sleep. Going straight from spinning to the condition
        // variable (woken on enqueue) cut one writer's commit from 490 to 307 us at p50
        // (per-commit; 2,005 -> 3,126 commits/s) with 64 writers unchanged, and idle
        // workers burn less CPU.
        impl->cfg->set("work-stealing.moderate-poll-attempts", size_t{0});
        // CAF 0.17 lets an actor handle every message in its mailbox before its thread takes
        // another job (max-throughput is unbounded): a long query, whose actors keep sending
        // themselves work, then held both threads of a 2-core machine and no other query ran
        // at all, not even the SHOW TRANSACTIONS / TERMINATE TRANSACTION meant to stop it.
        // Bounded, an actor yields its thread after this many messages.
        impl->cfg->set("scheduler.max-throughput", size_t{kMaxThroughput});
        impl->owned_system = std::make_unique<caf::actor_system>(*impl->cfg);
        impl->system = impl->owned_system.get();
    }
    impl->engine = std::make_shared<actors::EngineShared>();
    impl->engine->catalog = impl->catalog;
    impl->engine->batch_rows = std::max(1u, options.batch_rows);
    exec::register_index_procedures(impl->engine->procedures, *impl->catalog);
    exec::register_constraint_procedures(impl->engine->procedures, *impl->catalog);
    register_transaction_procedures(*impl->system, impl->engine);
    exec::register_library_procedures(impl->engine->procedures);
    impl->engine->chunk_rows = options.chunk_rows;
    impl->engine->import_dir = import_dir_of(options);
    impl->engine->memory = std::make_shared<MemoryPool>(options.memory_limit == Options::kMemoryAuto
                                                            ? memory::default_pool_limit()
                                                            : options.memory_limit);
    impl->engine->query_memory_limit = options.query_memory_limit;
    for (auto& p : parts)
        impl->engine->shards.push_back(
            actors::spawn_shard(*impl->system, p, impl->catalog.get(), &impl->engine->commits));
    if (impl->writer) {
        // Commit timestamps are LSNs: everything recovered is committed and visible.
        impl->engine->commits.start_at(impl->writer->next_lsn() - 1);
        impl->engine->wal = actors::spawn_wal(*impl->system, impl->writer, impl->engine);
        impl->engine->wal_writer = impl->writer;
        impl->wal_bytes_at_checkpoint = impl->writer->stats().bytes;
        impl->checkpointer = std::thread([raw = impl.get()] { raw->auto_checkpoint_loop(); });
    }
    impl->coordinator = actors::spawn_coordinator(*impl->system, impl->engine);
    return impl;
}

}  // namespace

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

uint32_t Database::shard_count() const {
    return static_cast<uint32_t>(impl_->engine->shards.size());
}

namespace {

// Runs a request of an explicit transaction (a statement, commit or rollback) on a pooled
// query actor and waits for its outcome. Auto-commit statements go through execute_async.
actors::OutcomePtr run_request(Database::Impl& impl, actors::QueryRequestPtr req);
// The same for a commit or rollback, marked as running in the transaction's entry among
// the running transactions, so TERMINATE TRANSACTION does not roll it back at the same
// time. Null when the transaction was terminated first (`rolled_back`: its termination
// rolled it back already).
actors::OutcomePtr run_end_request(Database::Impl& impl, const actors::QueryRequestPtr& req,
                                   bool& rolled_back);

}  // namespace

// impl_access.hpp: what streaming.cpp and service.cpp use of Impl.
caf::actor_system& engine_system(Database::Impl& impl) { return *impl.system; }
actors::coordinator_actor engine_coordinator(Database::Impl& impl) { return impl.coordinator; }
caf::actor service_front(Database::Impl& impl,
                         const std::function<caf::actor(caf::actor_system&)>& spawn) {
    std::lock_guard lock(impl.front_mu);
    if (!impl.front) impl.front = spawn(*impl.system);
    return impl.front;
}
actors::EnginePtr engine_of(Database::Impl& impl) { return impl.engine; }

bool async_begin(Database::Impl& impl) {
    impl.async_running.fetch_add(1);
    if (!impl.closing.load()) return true;
    async_end(impl);
    return false;
}

void async_end(Database::Impl& impl) {
    if (impl.async_running.fetch_sub(1) == 1 && impl.closing.load()) {
        std::lock_guard lock(impl.async_mu);
        impl.async_cv.notify_all();
    }
}

Result Database::execute(const std::string& query, const Params& params) {
    return execute(query, params, QueryOptions{});
}

std::unique_ptr<Transaction> Database::begin(const ClientInfo& client) {
    auto& eng = *impl_->engine;
    // Hold the writer gate for the transaction's life, so checkpoints never see half of it.
    for (;;) {
        eng.active_writers.fetch_add(1);
        if (!eng.checkpointing.load()) break;
        eng.active_writers.fetch_sub(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    uint64_t id = eng.next_query.fetch_add(1);
    // Its snapshot: every statement reads the database as of this moment, plus its own writes.
    const uint64_t start_ts = eng.commits.begin_snapshot();
    // The running transactions hold the snapshot and gate until it ends (end_transaction).
    eng.running.add(id, true, start_ts, client);
    return std::unique_ptr<Transaction>(new Transaction(impl_.get(), id, start_ts));
}

Transaction::~Transaction() {
    if (open_) {
        try {
            rollback();
        } catch (...) {}
    }
}

void Transaction::finish() {
    if (!open_) return;
    open_ = false;
    db_->engine->end_transaction(id_);
}

Result Transaction::execute(const std::string& query, const Params& params) {
    return execute(query, params, QueryOptions{});
}

void Transaction::commit() {
    if (!open_) throw errors::transaction_closed();
    auto req = std::make_shared<actors::QueryRequest>();
    req->kind = actors::QueryRequest::Kind::Commit;
    req->txn = id_;
    bool rolled_back = false;
    actors::OutcomePtr o = run_end_request(*db_, req, rolled_back);
    if (!o) end_terminated(rolled_back);
    finish();
    if (o->error) throw *o->error;
}

void Transaction::rollback() {
    if (!open_) return;
    auto req = std::make_shared<actors::QueryRequest>();
    req->kind = actors::QueryRequest::Kind::Rollback;
    req->txn = id_;
    bool rolled_back = false;
    actors::OutcomePtr o = run_end_request(*db_, req, rolled_back);
    // Terminated first: rolled back by its termination, or now.
    if (!o && !rolled_back) o = run_request(*db_, req);
    finish();
    if (!o) return;
    if (o->error) throw *o->error;
}

void Transaction::end_terminated(bool rolled_back) {
    if (open_ && !rolled_back) {
        auto req = std::make_shared<actors::QueryRequest>();
        req->kind = actors::QueryRequest::Kind::Rollback;
        req->txn = id_;
        run_request(*db_, req);
    }
    finish();
    throw errors::terminated(actors::transaction_id_text(id_));
}

namespace {

actors::OutcomePtr run_request(Database::Impl& impl, actors::QueryRequestPtr req) {
    auto promise = std::make_shared<std::promise<actors::OutcomePtr>>();
    auto future = promise->get_future();
    req->done = [promise](actors::OutcomePtr o) { promise->set_value(std::move(o)); };
    auto q = actors::acquire_query(*impl.system, impl.engine);
    caf::anon_send(q, actors::start_atom::value, req);
    return future.get();
}

actors::OutcomePtr run_end_request(Database::Impl& impl, const actors::QueryRequestPtr& req,
                                   bool& rolled_back) {
    // Gone from the running transactions: its termination rolled it back and ended it.
    rolled_back = true;
    auto t = impl.engine->running.find(req->txn);
    if (!t) return nullptr;
    {
        std::lock_guard lock(t->mu);
        if (t->terminated) {
            rolled_back = t->rolled_back;
            return nullptr;
        }
        t->statement.request = req;
    }
    actors::OutcomePtr o = run_request(impl, req);
    std::lock_guard lock(t->mu);
    t->statement = {};
    return o;
}

}  // namespace

void Database::register_procedure(ProcedureSignature signature, ProcedureFn fn) {
    impl_->engine->procedures.put(std::move(signature), std::move(fn));
    impl_->engine->plans.clear();  // plans hold resolved procedures
}

uint64_t Database::checkpoint() { return impl_->checkpoint(); }

Health Database::health() const {
    Health h;
    auto& eng = *impl_->engine;
    if (eng.read_only.load()) {
        std::lock_guard lock(eng.read_only_mu);
        h.read_only = true;
        h.reason = eng.read_only_reason;
    }
    return h;
}

uint64_t Database::visible_timestamp() const { return impl_->engine->commits.visible(); }

bool Database::wait_visible(uint64_t ts, std::chrono::milliseconds timeout) const {
    // Commits become visible within a WAL sync, so a short sleep between looks is enough
    // (and callers rarely wait at all: a bookmark is taken after its commit was visible).
    const auto until = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(100);
    while (impl_->engine->commits.visible() < ts) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
    }
    return true;
}

MvccStatus Database::mvcc_status() const {
    MvccStatus s;
    auto& eng = *impl_->engine;
    s.visible_ts = eng.commits.visible();
    s.running_snapshots = eng.commits.running_snapshots();
    std::atomic<uint64_t> versions{0};
    const uint64_t horizon = eng.commits.horizon();
    on_every_partition(eng.shards, [&](uint32_t, storage::Partition& part) {
        part.versions().collect(horizon);
        versions += part.versions().version_count();
    });
    s.versions = versions.load();
    return s;
}

EngineStats Database::engine_stats() const {
    EngineStats s;
    auto& eng = *impl_->engine;
    s.commits = eng.commits_total.load();
    for (uint64_t b : actors::EngineShared::kCommitBucketsUs)
        s.commit_latency_bounds.push_back(b / 1e6);
    for (const auto& c : eng.commit_buckets) s.commit_latency_counts.push_back(c.load());
    s.commit_latency_sum = eng.commit_us_sum.load() / 1e6;
    // Each shard measures its own mailbox when it gets to the request; a shard too busy to
    // answer within a second is reported with what is known: at least one message waiting.
    caf::scoped_actor self{*impl_->system};
    for (const auto& shard : eng.shards) {
        uint64_t depth = 1, bytes = 0;
        self->request(shard, std::chrono::seconds(1), actors::stats_atom::value)
            .receive([&](uint64_t, uint64_t, uint64_t b, uint64_t d) { depth = d, bytes = b; },
                     [&](caf::error&) {});
        s.mailbox_depth.push_back(depth);
        s.partition_bytes.push_back(bytes);
    }
    s.mvcc = mvcc_status();
    const MemoryPool& pool = *eng.memory;
    s.memory.limit = pool.limit();
    s.memory.used = pool.used();
    s.memory.peak = pool.peak();
    s.memory.query_rejections = pool.query_rejections();
    s.memory.pool_rejections = pool.pool_rejections();
    for (size_t c = 0; c < 2; ++c) {
        s.memory.queries[c] = eng.memory_queries[c].load();
        s.memory.peak_sum[c] = eng.memory_peak_sum[c].load();
        s.memory.peak_max[c] = eng.memory_peak_max[c].load();
    }
    return s;
}

WalStatus Database::wal_status() const {
    WalStatus s;
    if (!impl_->writer) return s;
    auto st = impl_->writer->stats();
    s.enabled = true;
    s.records = st.records;
    s.bytes = st.bytes;
    s.fsyncs = st.fsyncs;
    s.batches = st.batches;
    s.last_durable_lsn = st.last_durable_lsn;
    s.next_lsn = impl_->writer->next_lsn();
    s.checkpoint_lsn = impl_->dir->manifest().checkpoint_lsn;
    s.vector_indexes_from_image = impl_->vector_from_image;
    s.vector_indexes_rebuilt = impl_->vector_rebuilt;
    s.poisoned = impl_->writer->poisoned();
    s.poison_reason = impl_->writer->poison_reason();
    return s;
}

void Database::snapshot_save(const std::string& path) {
    auto& impl = *impl_;
    std::lock_guard one(impl.checkpoint_mu);
    auto& eng = *impl.engine;
    WriterGate gate(eng);
    wal::DbId id = impl.dir ? impl.dir->manifest().db_id : wal::DbId::random();
    uint64_t lsn = impl.writer ? impl.writer->next_lsn() - 1 : 0;
    // Each shard's partition is encoded inside its own actor (readers keep running there);
    // the file is then written from private copies on this thread.
    std::vector<const storage::Partition*> raw(eng.shards.size());
    std::vector<std::vector<std::byte>> blobs(eng.shards.size());
    on_every_partition(eng.shards, [&](uint32_t i, storage::Partition& p) {
        blobs[i] = storage::encode_partition(p, id, lsn);
    });
    // Decode into private copies so the file is written without touching live partitions.
    storage::Catalog cat_copy;
    for (auto kind : {storage::Catalog::Kind::Label, storage::Catalog::Kind::Type,
                      storage::Catalog::Kind::Key}) {
        auto names = impl.catalog->names(kind);
        for (uint32_t i = 0; i < names.size(); ++i) cat_copy.restore(kind, i, names[i]);
    }
    cat_copy.indexes().restore_all(impl.catalog->indexes().list());
    cat_copy.constraints().restore_all(impl.catalog->constraints().list());
    std::vector<std::unique_ptr<storage::Partition>> owned;
    for (uint32_t i = 0; i < blobs.size(); ++i) {
        owned.push_back(
            std::make_unique<storage::Partition>(i, static_cast<uint32_t>(blobs.size()), cat_copy));
        storage::decode_partition(blobs[i], *owned.back(), id, lsn);
        raw[i] = owned.back().get();
    }
    storage::save_snapshot(path, cat_copy, raw, id, lsn);
}

void Database::snapshot_load(const std::string& path) {
    auto& impl = *impl_;
    std::lock_guard one(impl.checkpoint_mu);
    auto& eng = *impl.engine;
    WriterGate gate(eng);
    const uint32_t n = static_cast<uint32_t>(eng.shards.size());
    // Load into private partitions first: a bad file leaves the database as it was.
    storage::Catalog file_cat;
    std::vector<std::unique_ptr<storage::Partition>> loaded;
    std::vector<storage::Partition*> loaded_raw;
    for (uint32_t i = 0; i < n; ++i) {
        loaded.push_back(std::make_unique<storage::Partition>(i, n, file_cat));
        loaded_raw.push_back(loaded.back().get());
    }
    storage::load_snapshot(path, file_cat, loaded_raw);
    // Re-key names into this database's catalog, keeping every id.
    using CK = storage::Catalog::Kind;
    auto& cat = *impl.catalog;
    std::vector<std::shared_ptr<storage::Partition>> fresh;
    std::vector<storage::Partition*> fresh_raw;
    for (uint32_t i = 0; i < n; ++i) {
        fresh.push_back(std::make_shared<storage::Partition>(i, n, cat));
        fresh_raw.push_back(fresh.back().get());
        auto& src = *loaded[i];
        auto& dst = *fresh.back();
        src.for_each_node([&](uint64_t id) {
            dst.restore_node(id);
            for (uint32_t l : src.labels(id))
                dst.add_label(id, cat.intern(CK::Label, file_cat.name(CK::Label, l)));
            for (const auto& p : src.node_properties(id))
                dst.set_node_property(id, cat.intern(CK::Key, file_cat.name(CK::Key, p.key)),
                                      p.value);
        });
        src.for_each_relationship([&](uint64_t rel) {
            auto info = src.relationship(rel);
            dst.restore_relationship(rel, info->start,
                                     cat.intern(CK::Type, file_cat.name(CK::Type, info->type)),
                                     info->end);
            for (const auto& p : src.rel_properties(rel))
                dst.set_rel_property(rel, cat.intern(CK::Key, file_cat.name(CK::Key, p.key)),
                                     p.value);
        });
    }
    storage::rebuild_in_edges(fresh_raw);
    // The snapshot's index and constraint definitions replace the database's.
    cat.indexes().restore_all(file_cat.indexes().list());
    cat.constraints().restore_all(file_cat.constraints().list());
    for (auto* p : fresh_raw) p->sync_indexes();
    eng.plans.clear();
    std::vector<std::future<void>> swapped;
    for (uint32_t i = 0; i < n; ++i) {
        auto p = std::make_shared<std::promise<void>>();
        swapped.push_back(p->get_future());
        auto part = fresh[i];
        auto call = std::make_shared<std::function<void(storage::Partition&)>>(
            [p](storage::Partition&) { p->set_value(); });
        caf::anon_send(eng.shards[i], actors::replace_atom::value, part, actors::PartitionFn(call));
    }
    for (auto& f : swapped) f.get();
    // Make the load durable: a checkpoint of the new contents supersedes the older log. A
    // marker record first moves the log past the last checkpoint, so the checkpoint is
    // written even when nothing was committed since the previous one.
    if (impl.dir) {
        try {
            impl.writer->append_wait(kSnapshotMarker, {});
        } catch (const wal::WalError& e) {
            throw errors::database("WalError", e.what());
        }
        impl.checkpoint_locked();
    }
}

}  // namespace lora
