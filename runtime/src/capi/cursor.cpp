// lora_cursor: a result read row by row or chunk by chunk while its query runs.
#include "capi.hpp"

namespace lora::capi {

namespace {

// Makes sure `c.chunk` has an unread row, taking chunks from the engine as needed; false
// once the result is complete. Throws the query's error.
bool fill(lora_cursor& c) {
    while (c.next >= c.chunk.size()) {
        c.current.reset();
        if (c.done) return false;
        c.next = 0;
        c.chunk.clear();
        try {
            if (!c.cursor->next(c.chunk)) c.done = true;
        } catch (...) {
            c.done = true;
            c.chunk.clear();
            throw;
        }
    }
    return true;
}

const std::vector<Value>& current_row(const lora_cursor* c, const char* function) {
    const lora_cursor& cur = need(c, function, "cursor");
    if (!cur.current) invalid_argument(function, "the cursor is not on a row");
    return cur.chunk[*cur.current];
}

}  // namespace

}  // namespace lora::capi

using lora::capi::current_row;
using lora::capi::fill;
using lora::capi::guarded;
using lora::capi::need;

extern "C" {

lora_cursor* lora_stream(lora_database* db, const char* query, const lora_params* params,
                         const lora_query_options* options, lora_error** error) noexcept {
    const char* fn = "lora_stream";
    return guarded(error, fn, static_cast<lora_cursor*>(nullptr), [&] {
        auto& d = need(db, fn, "db");
        need(query, fn, "query");
        auto c = std::make_unique<lora_cursor>();
        c->db = d.db;
        c->cursor = d.db->stream(query, lora::capi::params_of(params, fn),
                                 lora::capi::query_options_of(options, fn));
        c->columns = c->cursor->columns();
        return c.release();
    });
}

size_t lora_cursor_column_count(const lora_cursor* c) noexcept { return c ? c->columns.size() : 0; }

const char* lora_cursor_column_name(const lora_cursor* c, size_t column) noexcept {
    if (c == nullptr || column >= c->columns.size()) return nullptr;
    return c->columns[column].c_str();
}

int lora_cursor_next(lora_cursor* c, lora_error** error) noexcept {
    return guarded(error, "lora_cursor_next", -1, [&] {
        auto& cur = need(c, "lora_cursor_next", "cursor");
        cur.current.reset();
        if (!fill(cur)) return 0;
        cur.current = cur.next++;
        return 1;
    });
}

const lora_value* lora_cursor_value(const lora_cursor* c, size_t column,
                                    lora_error** error) noexcept {
    const char* fn = "lora_cursor_value";
    return guarded(error, fn, static_cast<const lora_value*>(nullptr), [&] {
        const auto& row = current_row(c, fn);
        if (column >= row.size())
            lora::capi::invalid_argument(
                fn, "column " + std::to_string(column) + " of " + std::to_string(row.size()));
        return lora::capi::to_c(row[column]);
    });
}

char* lora_cursor_row_json(const lora_cursor* c, lora_error** error) noexcept {
    const char* fn = "lora_cursor_row_json";
    return guarded(error, fn, static_cast<char*>(nullptr),
                   [&] { return lora::capi::json_of(current_row(c, fn)); });
}

int lora_cursor_next_chunk(lora_cursor* c, lora_result** chunk, lora_error** error) noexcept {
    const char* fn = "lora_cursor_next_chunk";
    if (chunk) *chunk = nullptr;
    return guarded(error, fn, -1, [&] {
        auto& cur = need(c, fn, "cursor");
        need(chunk, fn, "chunk");
        cur.current.reset();
        if (!fill(cur)) return 0;
        lora::Result r;
        r.columns = cur.columns;
        if (cur.next == 0) {
            r.rows = std::move(cur.chunk);
        } else {
            r.rows.assign(std::make_move_iterator(cur.chunk.begin() + cur.next),
                          std::make_move_iterator(cur.chunk.end()));
        }
        cur.chunk.clear();
        cur.next = 0;
        *chunk = lora::capi::new_result(std::move(r));
        return 1;
    });
}

lora_status lora_cursor_stats(const lora_cursor* c, lora_stats* stats,
                              lora_error** error) noexcept {
    const char* fn = "lora_cursor_stats";
    return guarded(error, fn, LORA_ERROR, [&] {
        const auto& cur = need(c, fn, "cursor");
        if (!cur.done || cur.next < cur.chunk.size())
            lora::capi::invalid_argument(fn, "the query has not finished (read it to the end)");
        lora::capi::fill_stats(cur.cursor->stats(), stats, fn);
        return LORA_OK;
    });
}

void lora_cursor_cancel(lora_cursor* c) noexcept {
    if (c == nullptr) return;
    try {
        c->cursor->cancel();
    } catch (...) {
        // Cancelling only sends a stop to the query's actors; nothing to report.
    }
}

void lora_cursor_close(lora_cursor* c) noexcept {
    // Destroying an unfinished lora::Cursor cancels its query.
    delete c;
}

}  // extern "C"
