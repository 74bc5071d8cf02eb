// The SQLite yardstick: T threads, each with its own connection, inserting one row per
// durable transaction (WAL journal, synchronous=FULL), measured like `writers`.
#pragma once

#include "lora_bench_writers.hpp"

#include <cstdint>
#include <string>

namespace lora::bench {

struct SqliteConfig {
    std::string data_dir;  // the database file is <data_dir>/bench.sqlite (replaced)
    uint32_t threads = 16;
    uint64_t txns = 0;  // per thread; ignored when duration_s > 0
    double duration_s = 0;
    double time_limit_s = 600;
    std::string synchronous = "FULL";  // PRAGMA synchronous: FULL, NORMAL or OFF
};

// Runs the inserts and counts the rows afterwards (verified = rows == commits). The
// result's bench is "sqlite", sync "sqlite-wal-<synchronous>", shards unknown (0).
// Throws lora::Error when the database cannot be created.
WritersResult run_sqlite(const SqliteConfig& config);

}  // namespace lora::bench
