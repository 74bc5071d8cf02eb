// lora_database and lora_transaction: version, options, open and close, statements,
// explicit transactions.
#include "capi.hpp"

#include <algorithm>
#include <cstring>

namespace lora::capi {

namespace {

// The struct `in` points at, as far as its size reaches, over the defaults of `init`.
template <class S>
S sized_copy(const S* in, void (*init)(S*), const char* function, const char* name) {
    S out;
    init(&out);
    if (in == nullptr) return out;
    if (in->size < sizeof(size_t))
        invalid_argument(function, std::string(name) + "->size is " + std::to_string(in->size) +
                                       " (set it with its _init function)");
    std::memcpy(&out, in, std::min(in->size, sizeof(S)));
    out.size = sizeof(S);
    return out;
}

Options options_of(const lora_options* in) {
    lora_options o = sized_copy(in, lora_options_init, "lora_open", "options");
    Options opts;
    opts.shards = o.shards;
    opts.threads = o.threads;
    opts.batch_rows = o.batch_rows;
    opts.chunk_rows = o.chunk_rows;
    if (o.data_dir != nullptr) opts.data_dir = o.data_dir;
    if (o.sync != nullptr) opts.sync = o.sync;
    opts.checkpoint_wal_bytes = o.checkpoint_wal_bytes;
    opts.wal_segment_bytes = o.wal_segment_bytes;
    return opts;
}

}  // namespace

QueryOptions query_options_of(const lora_query_options* in, const char* function) {
    lora_query_options o = sized_copy(in, lora_query_options_init, function, "options");
    QueryOptions opts;
    opts.timeout = std::chrono::milliseconds(o.timeout_ms);
    if (o.window_rows == 0) invalid_argument(function, "options->window_rows is 0");
    opts.stream_window_rows = o.window_rows;
    return opts;
}

lora_result* new_result(Result&& r) { return new lora_result{std::move(r)}; }

void fill_stats(const QueryStats& s, lora_stats* out, const char* function) {
    need(out, function, "stats");
    if (out->size < sizeof(size_t))
        invalid_argument(function, "stats->size is " + std::to_string(out->size) +
                                       " (set it with lora_stats_init)");
    lora_stats full;
    lora_stats_init(&full);
    full.nodes_created = s.nodes_created;
    full.nodes_deleted = s.nodes_deleted;
    full.relationships_created = s.relationships_created;
    full.relationships_deleted = s.relationships_deleted;
    full.properties_set = s.properties_set;
    full.labels_added = s.labels_added;
    full.labels_removed = s.labels_removed;
    size_t size = std::min(out->size, sizeof full);
    full.size = out->size;
    std::memcpy(out, &full, size);
}

}  // namespace lora::capi

using lora::capi::guarded;
using lora::capi::need;

extern "C" {

void lora_c_version(int* major, int* minor, int* patch) noexcept {
    if (major) *major = LORA_C_VERSION_MAJOR;
    if (minor) *minor = LORA_C_VERSION_MINOR;
    if (patch) *patch = LORA_C_VERSION_PATCH;
}

const char* lora_version(void) noexcept { return LORA_VERSION_STRING; }

void lora_options_init(lora_options* o) noexcept {
    if (o == nullptr) return;
    lora::Options defaults;
    *o = lora_options{};
    o->size = sizeof(lora_options);
    o->shards = defaults.shards;
    o->threads = defaults.threads;
    o->batch_rows = defaults.batch_rows;
    o->chunk_rows = defaults.chunk_rows;
    o->checkpoint_wal_bytes = defaults.checkpoint_wal_bytes;
    o->wal_segment_bytes = defaults.wal_segment_bytes;
}

void lora_query_options_init(lora_query_options* o) noexcept {
    if (o == nullptr) return;
    *o = lora_query_options{};
    o->size = sizeof(lora_query_options);
    o->window_rows = lora::QueryOptions{}.stream_window_rows;
}

void lora_stats_init(lora_stats* s) noexcept {
    if (s == nullptr) return;
    *s = lora_stats{};
    s->size = sizeof(lora_stats);
}

lora_database* lora_open(const lora_options* options, lora_error** error) noexcept {
    return guarded(error, "lora_open", static_cast<lora_database*>(nullptr), [&] {
        std::shared_ptr<lora::Database> db = lora::Database::open(lora::capi::options_of(options));
        return new lora_database{std::move(db)};
    });
}

void lora_close(lora_database* db) noexcept {
    // Destroying a Database waits for its statements and syncs its WAL; it does not throw.
    delete db;
}

lora_result* lora_execute(lora_database* db, const char* query, const lora_params* params,
                          lora_error** error) noexcept {
    return lora_execute_with_options(db, query, params, nullptr, error);
}

lora_result* lora_execute_with_options(lora_database* db, const char* query,
                                       const lora_params* params, const lora_query_options* options,
                                       lora_error** error) noexcept {
    const char* fn = "lora_execute";
    return guarded(error, fn, static_cast<lora_result*>(nullptr), [&] {
        auto& d = need(db, fn, "db");
        need(query, fn, "query");
        return lora::capi::new_result(d.db->execute(query, lora::capi::params_of(params, fn),
                                                    lora::capi::query_options_of(options, fn)));
    });
}

lora_transaction* lora_begin(lora_database* db, lora_error** error) noexcept {
    return guarded(error, "lora_begin", static_cast<lora_transaction*>(nullptr), [&] {
        auto& d = need(db, "lora_begin", "db");
        return new lora_transaction{d.db, d.db->begin()};
    });
}

lora_result* lora_tx_execute(lora_transaction* tx, const char* query, const lora_params* params,
                             lora_error** error) noexcept {
    const char* fn = "lora_tx_execute";
    return guarded(error, fn, static_cast<lora_result*>(nullptr), [&] {
        auto& t = need(tx, fn, "tx");
        need(query, fn, "query");
        return lora::capi::new_result(t.tx->execute(query, lora::capi::params_of(params, fn)));
    });
}

lora_status lora_tx_commit(lora_transaction* tx, lora_error** error) noexcept {
    return guarded(error, "lora_tx_commit", LORA_ERROR, [&] {
        need(tx, "lora_tx_commit", "tx").tx->commit();
        return LORA_OK;
    });
}

lora_status lora_tx_rollback(lora_transaction* tx, lora_error** error) noexcept {
    return guarded(error, "lora_tx_rollback", LORA_ERROR, [&] {
        need(tx, "lora_tx_rollback", "tx").tx->rollback();
        return LORA_OK;
    });
}

bool lora_tx_is_open(const lora_transaction* tx) noexcept { return tx && tx->tx->open(); }

void lora_tx_free(lora_transaction* tx) noexcept {
    // Destroying an open lora::Transaction rolls it back and swallows any error.
    delete tx;
}

}  // extern "C"
