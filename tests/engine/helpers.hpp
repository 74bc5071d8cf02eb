// Small helpers shared by the engine test files: opening databases and reading results.
#pragma once

#include <lora/lora.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace lora::test {

inline std::unique_ptr<Database> open_db(uint32_t shards, uint32_t threads = 2) {
    Options o;
    o.shards = shards;
    o.threads = threads;
    return Database::open(o);
}

// The single value of a one-row, one-column result (throws if the shape differs).
inline Value scalar(Database& db, const std::string& query, const Params& params = {}) {
    Result r = db.execute(query, params);
    if (r.rows.size() != 1 || r.rows[0].size() != 1)
        throw std::runtime_error("expected one value from: " + query + " (got " +
                                 std::to_string(r.rows.size()) + " rows)");
    return r.rows[0][0];
}

inline int64_t scalar_int(Database& db, const std::string& query, const Params& params = {}) {
    Value v = scalar(db, query, params);
    if (!v.is_int()) throw std::runtime_error("expected an integer from: " + query + ", got " + v.to_string());
    return v.as_int();
}

}  // namespace lora::test
