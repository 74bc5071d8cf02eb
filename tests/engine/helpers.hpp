// Small helpers shared by the engine test files: opening databases, reading results and
// catching the error a call throws.
#pragma once

#include <lora/lora.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lora::test {

// The lora::Error `f` throws (the test fails when it throws none).
inline Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no lora::Error thrown");
    throw std::logic_error("unreachable");
}

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
    if (!v.is_int())
        throw std::runtime_error("expected an integer from: " + query + ", got " + v.to_string());
    return v.as_int();
}

// A new, empty directory under /tmp named after `tag`.
inline std::string temp_dir(const char* tag) {
    std::string t = std::string("/tmp/lora-") + tag + "-XXXXXX";
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back('\0');
    return mkdtemp(buf.data());
}

// A copy of the directory of an open database is what a kill -9 would leave (per-commit
// sync: every acknowledged commit is on disk).
inline std::string crash_image(const std::string& dir) {
    std::string copy = dir + "-image";
    std::filesystem::remove_all(copy);
    std::filesystem::copy(dir, copy, std::filesystem::copy_options::recursive);
    std::filesystem::remove(copy + "/LOCK");
    return copy;
}

}  // namespace lora::test
