// What the C API's files share: the structs behind the opaque handles of <lora/lora.h>,
// the casts between the borrowed C types and the C++ values they are, and `guarded`, which
// turns every exception into a lora_error so none crosses the C boundary.
#pragma once

#include <lora/lora.h>
#include <lora/errors.hpp>
#include <lora/lora.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct lora_error {
    lora::Error error;
    std::string code;  // error.code(), kept for lora_error_code's pointer
};

struct lora_database {
    // Shared with the database's transactions and cursors, which keep it open.
    std::shared_ptr<lora::Database> db;
};

struct lora_transaction {
    std::shared_ptr<lora::Database> db;  // declared first: destroyed after the transaction
    std::unique_ptr<lora::Transaction> tx;
};

struct lora_result {
    lora::Result result;
};

struct lora_cursor {
    std::shared_ptr<lora::Database> db;  // declared first: destroyed after the cursor
    std::unique_ptr<lora::Cursor> cursor;
    std::vector<std::string> columns;
    std::vector<std::vector<lora::Value>> chunk;  // rows taken from the engine, not all read
    size_t next = 0;                              // the first row of `chunk` not yet read
    std::optional<size_t> current;                // the row lora_cursor_next moved to
    bool done = false;                            // the engine has no more rows
};

struct lora_params {
    // A list or map begun and not yet ended, and the key it will have in its parent.
    struct Open {
        bool is_map = false;
        std::string key;
        lora::List list;
        lora::Map map;
    };
    lora::Map root;
    std::vector<Open> open;
    std::optional<lora::Error> error;  // the first failed call
};

namespace lora::capi {

// The borrowed C types are the C++ objects themselves, never copied.
inline const lora_value* to_c(const Value& v) { return reinterpret_cast<const lora_value*>(&v); }
inline const lora_map* to_c(const Map& m) { return reinterpret_cast<const lora_map*>(&m); }
inline const lora_node* to_c(const Node& n) { return reinterpret_cast<const lora_node*>(&n); }
inline const lora_relationship* to_c(const Relationship& r) {
    return reinterpret_cast<const lora_relationship*>(&r);
}
inline const lora_path* to_c(const Path& p) { return reinterpret_cast<const lora_path*>(&p); }
inline const Value& of(const lora_value* v) { return *reinterpret_cast<const Value*>(v); }
inline const Map& of(const lora_map* m) { return *reinterpret_cast<const Map*>(m); }
inline const Node& of(const lora_node* n) { return *reinterpret_cast<const Node*>(n); }
inline const Relationship& of(const lora_relationship* r) {
    return *reinterpret_cast<const Relationship*>(r);
}
inline const Path& of(const lora_path* p) { return *reinterpret_cast<const Path*>(p); }

// Stores the exception being handled (inside a catch block) in *error as a new lora_error:
// lora::Error as it is, std::bad_alloc as TransientError.OutOfMemory, anything else as
// DatabaseError.Internal. Never throws; when even the lora_error cannot be allocated,
// *error is a static out-of-memory error that lora_error_free leaves alone.
void report_current_exception(lora_error** error, const char* function) noexcept;

// Runs `body` and returns what it returns; on an exception reports it (naming `function`)
// and returns `failure`.
template <class R, class F>
R guarded(lora_error** error, const char* function, R failure, F&& body) noexcept {
    try {
        return body();
    } catch (...) {
        report_current_exception(error, function);
        return failure;
    }
}

// Throws Request.InvalidArgument "<function>: <what>".
[[noreturn]] void invalid_argument(const char* function, const std::string& what);

// `p` itself, or Request.InvalidArgument "<function>: <name> is NULL".
template <class T>
T& need(T* p, const char* function, const char* name) {
    if (p == nullptr) invalid_argument(function, std::string(name) + " is NULL");
    return *p;
}

// The parameter map a builder holds (an empty map for NULL); throws the builder's first
// error, or Request.InvalidArgument when a list or map of it is not ended.
const Params& params_of(const lora_params* p, const char* function);

// Query options of the C struct (NULL = defaults), reading only the fields its size covers.
QueryOptions query_options_of(const lora_query_options* options, const char* function);

// A new result owned by the caller.
lora_result* new_result(Result&& r);

// The stats struct filled with `s`, as far as its size reaches.
void fill_stats(const QueryStats& s, lora_stats* out, const char* function);

// A row or value as JSON text in a malloc'ed string (freed by lora_string_free).
char* json_of(const Value& v);
char* json_of(const std::vector<Value>& row);

}  // namespace lora::capi
