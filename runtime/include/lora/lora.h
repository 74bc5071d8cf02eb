/* The C API of lora (liblora_c.so): open a database, run Cypher with parameters, read
 * typed results, stream them, run explicit transactions. Pure C (C99 and later, and C++);
 * the base other languages bind to.
 *
 *   lora_error* err = NULL;
 *   lora_database* db = lora_open(NULL, &err);                  (in memory, defaults)
 *   lora_params* p = lora_params_new();
 *   lora_params_string(p, "name", "Ann");
 *   lora_result_free(lora_execute(db, "CREATE (:Person {name: $name})", p, &err));
 *   lora_result* r = lora_execute(db, "MATCH (p:Person) RETURN p.name", NULL, &err);
 *   const char* s; size_t n;
 *   lora_value_string(lora_result_value(r, 0, 0, &err), &s, &n, &err);
 *   lora_result_free(r); lora_params_free(p); lora_close(db);
 *
 * ABI. Symbols are versioned (node LORA_C_1) and the library's soname carries
 * LORA_C_VERSION_MAJOR: a release only adds functions, enum values at the end and fields at
 * the end of the structs that start with `size`, until the major version changes. Set
 * `size` with the *_init function (it is sizeof the struct this header declares); the
 * library reads only the fields that size covers, so a program built against an older
 * header keeps working.
 *
 * Errors. A function that can fail takes `lora_error** error` last. On failure it returns
 * NULL (functions returning a pointer), LORA_ERROR (functions returning lora_status) or -1
 * (lora_cursor_next, lora_cursor_next_chunk), and, when `error` is not NULL, stores a new
 * error in *error, which the caller frees with lora_error_free. On success *error is left
 * untouched. Pass NULL to ignore the error. A NULL handle or another bad argument is an
 * error with code "Request.InvalidArgument" (class semantic), never a crash. No C++
 * exception ever leaves the library; an allocation failure is "TransientError.OutOfMemory".
 *
 * Ownership. What a lora_*_new, lora_open, lora_execute*, lora_tx_execute, lora_begin,
 * lora_stream, lora_cursor_next_chunk or *_json function returns belongs to the caller,
 * who frees it with the matching lora_*_free / lora_close / lora_cursor_close /
 * lora_string_free (each accepts NULL). Everything else returned as a pointer is borrowed:
 *   - values, maps, nodes, relationships, paths and their strings point into the
 *     lora_result they came from and live until that result is freed;
 *   - values of a cursor's current row (lora_cursor_value) live until the next
 *     lora_cursor_next / lora_cursor_next_chunk or lora_cursor_close on that cursor;
 *   - column names live as long as their result or cursor;
 *   - an error's strings live as long as the error.
 * Strings are UTF-8, given as pointer and length, and are also NUL-terminated (a string
 * value may contain NUL bytes: use the length). Parameters are copied when a statement
 * starts: a lora_params may be freed or changed once lora_execute (etc.) returned.
 * A transaction or cursor keeps its database open: lora_close on a database with a
 * transaction or cursor still open only drops the caller's handle, and the database
 * closes (its lock released, its WAL synced) when the last of them is freed.
 *
 * Threads. A lora_database may be used by any number of threads at once (lora_execute,
 * lora_stream and lora_begin are thread-safe). A lora_result, lora_params (once built) and
 * lora_error are immutable and may be read by several threads at once. A lora_transaction
 * or lora_cursor is used by one thread at a time, except lora_cursor_cancel, which any
 * thread may call while another reads the cursor. lora_close, and every *_free, must not
 * race with other uses of the same handle. */
#ifndef LORA_LORA_H
#define LORA_LORA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LORA_C_VERSION_MAJOR 1
#define LORA_C_VERSION_MINOR 1
#define LORA_C_VERSION_PATCH 0

#if defined(__GNUC__) || defined(__clang__)
#define LORA_C_API __attribute__((visibility("default")))
#else
#define LORA_C_API
#endif

#ifdef __cplusplus
#define LORA_C_NOEXCEPT noexcept
extern "C" {
#else
#define LORA_C_NOEXCEPT
#endif

/* ---- Handles (opaque) ------------------------------------------------------------------ */

typedef struct lora_database lora_database;       /* an open database */
typedef struct lora_transaction lora_transaction; /* an explicit transaction */
typedef struct lora_result lora_result;           /* columns and rows of a statement */
typedef struct lora_cursor lora_cursor;           /* a result read while its query runs */
typedef struct lora_params lora_params;           /* a parameter map under construction */
typedef struct lora_error lora_error;             /* code, class and message of a failure */
typedef struct lora_value lora_value;             /* a value (borrowed, read-only) */
typedef struct lora_map lora_map;                 /* a map: a map value, or properties */
typedef struct lora_node lora_node;
typedef struct lora_relationship lora_relationship;
typedef struct lora_path lora_path;

typedef enum lora_status { LORA_OK = 0, LORA_ERROR = -1 } lora_status;

/* ---- Version --------------------------------------------------------------------------- */

/* The C API version the library implements (compare with the LORA_C_VERSION_* macros the
 * program was built with: the same major, a minor at least as high). */
LORA_C_API void lora_c_version(int* major, int* minor, int* patch) LORA_C_NOEXCEPT;
/* lora's own version, e.g. "0.1.0" (static string). */
LORA_C_API const char* lora_version(void) LORA_C_NOEXCEPT;

/* ---- Errors ---------------------------------------------------------------------------- */

/* What to do about an error: fix the query (syntax, semantic), fix the data (constraint),
 * retry the whole transaction (transient), or report a fault of the database (database). */
typedef enum lora_error_class {
    LORA_ERROR_CLASS_SYNTAX = 0,
    LORA_ERROR_CLASS_SEMANTIC = 1,
    LORA_ERROR_CLASS_CONSTRAINT = 2,
    LORA_ERROR_CLASS_TRANSIENT = 3,
    LORA_ERROR_CLASS_DATABASE = 4
} lora_error_class;

/* "<Type>.<Detail>", e.g. "SyntaxError.UndefinedVariable", "TransactionError.Closed". */
LORA_C_API const char* lora_error_code(const lora_error* e) LORA_C_NOEXCEPT;
LORA_C_API lora_error_class lora_error_class_of(const lora_error* e) LORA_C_NOEXCEPT;
/* "syntax", "semantic", "constraint", "transient" or "database". */
LORA_C_API const char* lora_error_class_name(const lora_error* e) LORA_C_NOEXCEPT;
LORA_C_API const char* lora_error_message(const lora_error* e) LORA_C_NOEXCEPT;
/* True for class transient: nothing was kept; running the transaction again may succeed. */
LORA_C_API bool lora_error_is_retryable(const lora_error* e) LORA_C_NOEXCEPT;
/* Position of a syntax error in the query (1-based), 0 when unknown. */
LORA_C_API int lora_error_line(const lora_error* e) LORA_C_NOEXCEPT;
LORA_C_API int lora_error_column(const lora_error* e) LORA_C_NOEXCEPT;
LORA_C_API void lora_error_free(lora_error* e) LORA_C_NOEXCEPT;

/* ---- Opening and closing --------------------------------------------------------------- */

typedef struct lora_options {
    size_t size;          /* sizeof(lora_options); set by lora_options_init */
    uint32_t shards;      /* shards (actors owning a partition each); 0 = hardware threads */
    uint32_t threads;     /* worker threads; 0 = hardware threads */
    const char* data_dir; /* data directory; NULL or "" = in-memory database */
    const char* sync;     /* WAL sync: "per-commit" (NULL), "interval:<ms>" or "none" */
    uint32_t batch_rows;  /* rows per batch moved between actors */
    uint32_t chunk_rows;  /* rows a scan or UNWIND produces per step before yielding */
    uint64_t checkpoint_wal_bytes; /* automatic checkpoint after this much WAL; 0 = off */
    uint64_t wal_segment_bytes;    /* size of each preallocated WAL segment file */
} lora_options;

/* Fills `options` with the defaults (in memory, per-commit sync) and sets its size. */
LORA_C_API void lora_options_init(lora_options* options) LORA_C_NOEXCEPT;

/* Opens (or creates) a database; `options` NULL means the defaults. The strings of
 * `options` are copied. A data directory another process holds, or one that is corrupt,
 * is an error. */
LORA_C_API lora_database* lora_open(const lora_options* options,
                                    lora_error** error) LORA_C_NOEXCEPT;
/* Drops the handle; the database closes once no transaction or cursor of it is open
 * (statements still running on other threads must have returned). */
LORA_C_API void lora_close(lora_database* db) LORA_C_NOEXCEPT;

/* ---- Parameters ------------------------------------------------------------------------ */

/* A builder of the parameter map. Each lora_params_* call adds one value: to the map
 * itself, or to the list or map most recently begun and not yet ended. In a map `key`
 * names the entry (a key given twice keeps the last value); in a list `key` must be NULL.
 * lora_params_begin_list / lora_params_begin_map add a container and make it the current
 * one until the matching lora_params_end.
 *
 *   lora_params_int(p, "id", 1);                      {id: 1,
 *   lora_params_begin_list(p, "tags");                 tags: [
 *   lora_params_string(p, NULL, "a");                    'a',
 *   lora_params_begin_map(p, NULL);                      {x: 2.5}]}
 *   lora_params_float(p, "x", 2.5);
 *   lora_params_end(p); lora_params_end(p);
 *
 * A call that fails (NULL key in a map, key in a list, invalid UTF-8, an end without a
 * begin, nesting deeper than lora allows) returns LORA_ERROR and changes nothing; the
 * builder remembers the first such error, and a statement given the builder fails with it.
 * So does a statement given a builder with a list or map not yet ended. */
LORA_C_API lora_params* lora_params_new(void) LORA_C_NOEXCEPT;
LORA_C_API void lora_params_free(lora_params* p) LORA_C_NOEXCEPT;
/* Empties the builder (and forgets its error) for reuse. */
LORA_C_API void lora_params_clear(lora_params* p) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_null(lora_params* p, const char* key) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_bool(lora_params* p, const char* key,
                                        bool value) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_int(lora_params* p, const char* key,
                                       int64_t value) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_float(lora_params* p, const char* key,
                                         double value) LORA_C_NOEXCEPT;
/* A NUL-terminated UTF-8 string. */
LORA_C_API lora_status lora_params_string(lora_params* p, const char* key,
                                          const char* value) LORA_C_NOEXCEPT;
/* `len` bytes of UTF-8 (NUL bytes allowed). */
LORA_C_API lora_status lora_params_string_len(lora_params* p, const char* key, const char* value,
                                              size_t len) LORA_C_NOEXCEPT;
/* A VECTOR of `dim` float32 coordinates (1..4096, all finite). */
LORA_C_API lora_status lora_params_vector(lora_params* p, const char* key, const float* coords,
                                          size_t dim) LORA_C_NOEXCEPT;
/* A copy of any value read from a result or cursor (nodes, relationships and paths too). */
LORA_C_API lora_status lora_params_value(lora_params* p, const char* key,
                                         const lora_value* value) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_begin_list(lora_params* p, const char* key) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_begin_map(lora_params* p, const char* key) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_params_end(lora_params* p) LORA_C_NOEXCEPT;

/* ---- Statements ------------------------------------------------------------------------ */

typedef struct lora_query_options {
    size_t size;         /* sizeof(lora_query_options); set by lora_query_options_init */
    uint64_t timeout_ms; /* fail with TransactionError.Timeout after this long; 0 = none */
    size_t window_rows;  /* streams: rows buffered ahead of a slow reader (default 4096) */
} lora_query_options;

LORA_C_API void lora_query_options_init(lora_query_options* options) LORA_C_NOEXCEPT;

/* Runs one statement as an auto-commit transaction and returns its whole result. `params`
 * may be NULL. A failed statement keeps nothing. Thread-safe. */
LORA_C_API lora_result* lora_execute(lora_database* db, const char* query,
                                     const lora_params* params, lora_error** error) LORA_C_NOEXCEPT;
/* The same with options (NULL = defaults). */
LORA_C_API lora_result* lora_execute_with_options(lora_database* db, const char* query,
                                                  const lora_params* params,
                                                  const lora_query_options* options,
                                                  lora_error** error) LORA_C_NOEXCEPT;

/* ---- Results --------------------------------------------------------------------------- */

typedef struct lora_stats {
    size_t size; /* sizeof(lora_stats), set by the caller (lora_stats_init) */
    int64_t nodes_created;
    int64_t nodes_deleted;
    int64_t relationships_created;
    int64_t relationships_deleted;
    int64_t properties_set;
    int64_t labels_added;
    int64_t labels_removed;
} lora_stats;

LORA_C_API void lora_stats_init(lora_stats* stats) LORA_C_NOEXCEPT;

LORA_C_API size_t lora_result_column_count(const lora_result* r) LORA_C_NOEXCEPT;
/* NULL when `column` is out of range. */
LORA_C_API const char* lora_result_column_name(const lora_result* r, size_t column) LORA_C_NOEXCEPT;
LORA_C_API size_t lora_result_row_count(const lora_result* r) LORA_C_NOEXCEPT;
LORA_C_API const lora_value* lora_result_value(const lora_result* r, size_t row, size_t column,
                                               lora_error** error) LORA_C_NOEXCEPT;
/* The statement's counters (for a chunk of a cursor: zero). */
LORA_C_API lora_status lora_result_stats(const lora_result* r, lora_stats* stats,
                                         lora_error** error) LORA_C_NOEXCEPT;
/* One row as a JSON array (encoded as lorad encodes values); free with lora_string_free. */
LORA_C_API char* lora_result_row_json(const lora_result* r, size_t row,
                                      lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API void lora_result_free(lora_result* r) LORA_C_NOEXCEPT;

/* ---- Values ---------------------------------------------------------------------------- */

typedef enum lora_kind {
    LORA_KIND_NULL = 0,
    LORA_KIND_BOOL = 1,
    LORA_KIND_INT = 2,
    LORA_KIND_FLOAT = 3,
    LORA_KIND_STRING = 4,
    LORA_KIND_LIST = 5,
    LORA_KIND_MAP = 6,
    LORA_KIND_NODE = 7,
    LORA_KIND_RELATIONSHIP = 8,
    LORA_KIND_PATH = 9,
    LORA_KIND_VECTOR = 10,
    LORA_KIND_DATE = 11,
    LORA_KIND_LOCAL_TIME = 12,
    LORA_KIND_TIME = 13,
    LORA_KIND_LOCAL_DATETIME = 14,
    LORA_KIND_DATETIME = 15,
    LORA_KIND_DURATION = 16
} lora_kind;

/* The kind of a value (LORA_KIND_NULL for a NULL pointer). */
LORA_C_API lora_kind lora_value_kind(const lora_value* v) LORA_C_NOEXCEPT;
/* "NULL", "BOOLEAN", "INTEGER", "FLOAT", "STRING", "LIST", "MAP", "NODE", ...,
 * "DATE", "LOCAL TIME", "ZONED TIME", "LOCAL DATETIME", "ZONED DATETIME", "DURATION" */
LORA_C_API const char* lora_kind_name(lora_kind kind) LORA_C_NOEXCEPT;

/* The typed accessors fail (with an error naming both kinds) when the value is of another
 * kind: check lora_value_kind first, or handle the error. */
LORA_C_API lora_status lora_value_bool(const lora_value* v, bool* out,
                                       lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_value_int(const lora_value* v, int64_t* out,
                                      lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_value_float(const lora_value* v, double* out,
                                        lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_value_string(const lora_value* v, const char** data, size_t* len,
                                         lora_error** error) LORA_C_NOEXCEPT;
/* A VECTOR's float32 coordinates. */
LORA_C_API lora_status lora_value_vector(const lora_value* v, const float** coords, size_t* dim,
                                         lora_error** error) LORA_C_NOEXCEPT;
/* A temporal value's numbers (since C API 1.1):
 *   DATE            n[0] days since 1970-01-01
 *   LOCAL TIME      n[0] nanoseconds since midnight
 *   ZONED TIME      n[0] nanoseconds since midnight (local), n[1] offset in seconds east of UTC
 *   LOCAL DATETIME  n[0] seconds since 1970-01-01T00:00 (wall clock), n[1] nanoseconds
 *   ZONED DATETIME  n[0] seconds since the UTC epoch, n[1] nanoseconds, n[2] offset in
 *                   seconds, and zone: the IANA zone name, "" for a fixed offset
 *   DURATION        n[0] months, n[1] days, n[2] seconds, n[3] nanoseconds (0..999999999)
 * Unused numbers are 0; zone is "" but for a ZONED DATETIME in a named zone and lives as
 * long as the value. lora_value_json gives the ISO-8601 text ({"$date": "2015-07-21"}). */
typedef struct lora_temporal {
    int64_t n[4];
    const char* zone;
} lora_temporal;
LORA_C_API lora_status lora_value_temporal(const lora_value* v, lora_temporal* out,
                                           lora_error** error) LORA_C_NOEXCEPT;
/* The number of elements of a list (0 for any other kind). */
LORA_C_API size_t lora_value_list_size(const lora_value* v) LORA_C_NOEXCEPT;
LORA_C_API const lora_value* lora_value_list_at(const lora_value* v, size_t index,
                                                lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API const lora_map* lora_value_map(const lora_value* v, lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API const lora_node* lora_value_node(const lora_value* v,
                                            lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API const lora_relationship* lora_value_relationship(const lora_value* v,
                                                            lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API const lora_path* lora_value_path(const lora_value* v,
                                            lora_error** error) LORA_C_NOEXCEPT;
/* The value as JSON (as lorad encodes it); free with lora_string_free. */
LORA_C_API char* lora_value_json(const lora_value* v, lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API void lora_string_free(char* s) LORA_C_NOEXCEPT;

/* Maps keep their keys in sorted (byte) order; index i walks them in that order. Reaching
 * entry i costs O(i), so read a map front to back or by key. */
LORA_C_API size_t lora_map_size(const lora_map* m) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_map_key_at(const lora_map* m, size_t index, const char** key,
                                       size_t* len, lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API const lora_value* lora_map_value_at(const lora_map* m, size_t index,
                                               lora_error** error) LORA_C_NOEXCEPT;
/* The value under a NUL-terminated key; NULL without an error when there is none. */
LORA_C_API const lora_value* lora_map_get(const lora_map* m, const char* key,
                                          lora_error** error) LORA_C_NOEXCEPT;

LORA_C_API uint64_t lora_node_id(const lora_node* n) LORA_C_NOEXCEPT;
LORA_C_API size_t lora_node_label_count(const lora_node* n) LORA_C_NOEXCEPT;
/* NULL when `index` is out of range. */
LORA_C_API const char* lora_node_label_at(const lora_node* n, size_t index) LORA_C_NOEXCEPT;
LORA_C_API const lora_map* lora_node_properties(const lora_node* n) LORA_C_NOEXCEPT;

LORA_C_API uint64_t lora_relationship_id(const lora_relationship* r) LORA_C_NOEXCEPT;
LORA_C_API const char* lora_relationship_type(const lora_relationship* r) LORA_C_NOEXCEPT;
LORA_C_API uint64_t lora_relationship_start(const lora_relationship* r) LORA_C_NOEXCEPT;
LORA_C_API uint64_t lora_relationship_end(const lora_relationship* r) LORA_C_NOEXCEPT;
LORA_C_API const lora_map* lora_relationship_properties(const lora_relationship* r) LORA_C_NOEXCEPT;

/* A path of n relationships has n + 1 nodes; relationship i joins node i and node i + 1
 * (in either direction: compare its start and end). Out-of-range indexes give NULL. */
LORA_C_API size_t lora_path_length(const lora_path* p) LORA_C_NOEXCEPT;
LORA_C_API const lora_node* lora_path_node_at(const lora_path* p, size_t index) LORA_C_NOEXCEPT;
LORA_C_API const lora_relationship* lora_path_relationship_at(const lora_path* p,
                                                              size_t index) LORA_C_NOEXCEPT;

/* ---- Explicit transactions ------------------------------------------------------------- */

/* Starts a transaction: its statements read the database as of now plus their own writes,
 * and nothing of it is kept until lora_tx_commit. While it is open, checkpoints wait. */
LORA_C_API lora_transaction* lora_begin(lora_database* db, lora_error** error) LORA_C_NOEXCEPT;
/* An error in a statement that writes rolls the whole transaction back and closes it. A
 * statement or commit on a closed transaction fails with TransactionError.Closed; a
 * rollback of a closed transaction does nothing. */
LORA_C_API lora_result* lora_tx_execute(lora_transaction* tx, const char* query,
                                        const lora_params* params,
                                        lora_error** error) LORA_C_NOEXCEPT;
/* Makes the transaction durable (per the sync mode); it is closed afterwards, also when the
 * commit failed (then nothing of it was kept). */
LORA_C_API lora_status lora_tx_commit(lora_transaction* tx, lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API lora_status lora_tx_rollback(lora_transaction* tx, lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API bool lora_tx_is_open(const lora_transaction* tx) LORA_C_NOEXCEPT;
/* Rolls the transaction back if it is still open, and frees it. */
LORA_C_API void lora_tx_free(lora_transaction* tx) LORA_C_NOEXCEPT;

/* ---- Streaming cursors ----------------------------------------------------------------- */

/* Runs one auto-commit statement and streams its result: rows are produced only as fast as
 * they are read. Errors found before the first row (syntax, semantics) fail here; later
 * ones come from lora_cursor_next. `params` and `options` may be NULL. Thread-safe. */
LORA_C_API lora_cursor* lora_stream(lora_database* db, const char* query, const lora_params* params,
                                    const lora_query_options* options,
                                    lora_error** error) LORA_C_NOEXCEPT;
LORA_C_API size_t lora_cursor_column_count(const lora_cursor* c) LORA_C_NOEXCEPT;
LORA_C_API const char* lora_cursor_column_name(const lora_cursor* c, size_t column) LORA_C_NOEXCEPT;
/* Moves to the next row: 1 when there is one, 0 at the end of the result, -1 on an error
 * (the query failed or was cancelled; a write was rolled back). A write is committed when
 * 0 is returned. */
LORA_C_API int lora_cursor_next(lora_cursor* c, lora_error** error) LORA_C_NOEXCEPT;
/* A value of the current row. */
LORA_C_API const lora_value* lora_cursor_value(const lora_cursor* c, size_t column,
                                               lora_error** error) LORA_C_NOEXCEPT;
/* The current row as a JSON array; free with lora_string_free. */
LORA_C_API char* lora_cursor_row_json(const lora_cursor* c, lora_error** error) LORA_C_NOEXCEPT;
/* The next rows as a result of their own (*chunk, owned by the caller, with the cursor's
 * columns; rows not yet read by lora_cursor_next come first): 1 with a chunk, 0 at the end
 * (*chunk NULL), -1 on an error (*chunk NULL). */
LORA_C_API int lora_cursor_next_chunk(lora_cursor* c, lora_result** chunk,
                                      lora_error** error) LORA_C_NOEXCEPT;
/* Counters of the finished query (after lora_cursor_next returned 0). */
LORA_C_API lora_status lora_cursor_stats(const lora_cursor* c, lora_stats* stats,
                                         lora_error** error) LORA_C_NOEXCEPT;
/* Cancels the query from any thread; reading then fails with TransactionError.Cancelled. */
LORA_C_API void lora_cursor_cancel(lora_cursor* c) LORA_C_NOEXCEPT;
/* Frees the cursor; an unfinished query is cancelled (its writes rolled back). */
LORA_C_API void lora_cursor_close(lora_cursor* c) LORA_C_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* LORA_LORA_H */
