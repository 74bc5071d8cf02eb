// lora-bench sqlite: libsqlite3 in WAL mode as the durable-insert baseline for `writers`.
// SQLite allows one writer at a time, so BEGIN IMMEDIATE takes the write lock up front and
// a busy answer is waited out (busy_timeout) or retried, never reported as a failure.
#include "lora_bench_sqlite.hpp"

#include <lora/errors.hpp>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lora::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& message) { throw errors::database("Sqlite", message); }

// A connection closed on scope exit.
struct Conn {
    sqlite3* db = nullptr;
    ~Conn() {
        if (db) sqlite3_close_v2(db);
    }
};

bool is_busy(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Runs `sql` (no results), retrying while the database is busy. Returns the final code.
int exec_retry(sqlite3* db, const char* sql, uint64_t& retries, const std::atomic<bool>& stop) {
    for (;;) {
        int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
        if (!is_busy(rc) || stop.load(std::memory_order_relaxed)) return rc;
        ++retries;
    }
}

void open_conn(Conn& c, const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &c.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        fail("cannot open " + path + ": " + (c.db ? sqlite3_errmsg(c.db) : "out of memory"));
    sqlite3_busy_timeout(c.db, 10000);
}

void exec_or_fail(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string m = err ? err : "unknown error";
        sqlite3_free(err);
        fail("sqlite: " + sql + ": " + m);
    }
}

}  // namespace

WritersResult run_sqlite(const SqliteConfig& config) {
    if (config.synchronous != "FULL" && config.synchronous != "NORMAL" &&
        config.synchronous != "OFF")
        fail("synchronous must be FULL, NORMAL or OFF, got '" + config.synchronous + "'");
    std::error_code ec;
    fs::create_directories(config.data_dir, ec);
    if (ec) fail("cannot create " + config.data_dir + ": " + ec.message());
    const std::string path = (fs::path(config.data_dir) / "bench.sqlite").string();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix, ec);

    WritersResult result;
    result.bench = "sqlite";
    result.writers = config.threads;
    result.sync = "sqlite-wal-" + config.synchronous;
    result.wal_known = false;

    Conn setup;
    open_conn(setup, path);
    exec_or_fail(setup.db, "PRAGMA journal_mode=WAL");
    exec_or_fail(setup.db, "PRAGMA synchronous=" + config.synchronous);
    // Same shape of work as one lora writer transaction's properties: who and which.
    exec_or_fail(setup.db,
                 "CREATE TABLE w (id INTEGER PRIMARY KEY, w INTEGER NOT NULL, s INTEGER NOT NULL)");

    std::vector<WriterOutcome> outcomes(config.threads);
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::string first_error;
    std::optional<Clock::time_point> deadline;
    std::latch go(1);
    std::vector<std::thread> threads;
    // Connections are opened (and statements prepared) before the start signal.
    std::vector<Conn> conns(config.threads);
    std::vector<sqlite3_stmt*> stmts(config.threads, nullptr);
    for (uint32_t t = 0; t < config.threads; ++t) {
        open_conn(conns[t], path);
        exec_or_fail(conns[t].db, "PRAGMA synchronous=" + config.synchronous);
        if (sqlite3_prepare_v2(conns[t].db, "INSERT INTO w (w, s) VALUES (?1, ?2)", -1, &stmts[t],
                               nullptr) != SQLITE_OK)
            fail(std::string("sqlite prepare: ") + sqlite3_errmsg(conns[t].db));
    }
    for (uint32_t t = 0; t < config.threads; ++t) {
        threads.emplace_back([&, t] {
            go.wait();
            sqlite3* db = conns[t].db;
            sqlite3_stmt* st = stmts[t];
            auto error = [&](const std::string& m) {
                std::lock_guard lock(mu);
                if (first_error.empty()) first_error = "thread " + std::to_string(t) + ": " + m;
                stop = true;
            };
            const uint64_t limit = config.duration_s > 0 ? UINT64_MAX : config.txns;
            for (uint64_t s = 0; s < limit; ++s) {
                if (stop.load(std::memory_order_relaxed)) return;
                if (deadline && Clock::now() >= *deadline) {
                    outcomes[t].time_limited = config.duration_s <= 0;
                    return;
                }
                const auto start = Clock::now();
                for (;;) {
                    int rc = exec_retry(db, "BEGIN IMMEDIATE", outcomes[t].retries, stop);
                    if (rc != SQLITE_OK) return error(std::string("BEGIN: ") + sqlite3_errmsg(db));
                    sqlite3_reset(st);
                    sqlite3_bind_int64(st, 1, t);
                    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(s));
                    rc = sqlite3_step(st);
                    if (rc != SQLITE_DONE) {
                        std::string m = sqlite3_errmsg(db);
                        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
                        if (is_busy(rc) && !stop.load()) {
                            ++outcomes[t].retries;
                            continue;
                        }
                        return error("INSERT: " + m);
                    }
                    rc = exec_retry(db, "COMMIT", outcomes[t].retries, stop);
                    if (rc != SQLITE_OK) {
                        std::string m = sqlite3_errmsg(db);
                        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
                        return error("COMMIT: " + m);
                    }
                    break;
                }
                outcomes[t].latency_ns.record(static_cast<uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start)
                        .count()));
                ++outcomes[t].committed;
            }
        });
    }
    const auto start = Clock::now();
    deadline = run_deadline(start, config.duration_s, config.time_limit_s);
    go.count_down();
    for (auto& th : threads) th.join();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto* st : stmts) sqlite3_finalize(st);

    for (const auto& o : outcomes) result.add(o);
    result.error = first_error;

    sqlite3_stmt* count = nullptr;
    if (sqlite3_prepare_v2(setup.db, "SELECT count(*) FROM w", -1, &count, nullptr) == SQLITE_OK &&
        sqlite3_step(count) == SQLITE_ROW)
        result.verified =
            static_cast<uint64_t>(sqlite3_column_int64(count, 0)) == result.txns ? 1 : 0;
    sqlite3_finalize(count);
    return result;
}

}  // namespace lora::bench
