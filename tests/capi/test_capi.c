/* Tests of the C API (<lora/lora.h>), written in C and linked with liblora_c.so alone.
 * One program, one case per run: `test_capi <case>` (ctest registers each case as
 * test_capi:<case>). Exit status 1 on any failed check. */
#define _XOPEN_SOURCE 700

#include <lora/lora.h>

#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                              \
        }                                                                            \
    } while (0)

/* Fails the test when `err` is set (printing it), and frees it. */
#define CHECK_NO_ERROR(err)                                                         \
    do {                                                                            \
        if ((err) != NULL) {                                                        \
            fprintf(stderr, "%s:%d: unexpected error %s: %s\n", __FILE__, __LINE__, \
                    lora_error_code(err), lora_error_message(err));                 \
            ++failures;                                                             \
            lora_error_free(err);                                                   \
            (err) = NULL;                                                           \
        }                                                                           \
    } while (0)

/* Checks that `err` is set with this code and class, then frees it. */
#define CHECK_ERROR(err, want_code, want_class)                                                    \
    do {                                                                                           \
        if ((err) == NULL) {                                                                       \
            fprintf(stderr, "%s:%d: expected error %s, got none\n", __FILE__, __LINE__,            \
                    want_code);                                                                    \
            ++failures;                                                                            \
        } else {                                                                                   \
            if (strcmp(lora_error_code(err), want_code) != 0 ||                                    \
                lora_error_class_of(err) != (want_class) || lora_error_message(err)[0] == 0) {     \
                fprintf(stderr, "%s:%d: expected error %s, got %s (%s): %s\n", __FILE__, __LINE__, \
                        want_code, lora_error_code(err), lora_error_class_name(err),               \
                        lora_error_message(err));                                                  \
                ++failures;                                                                        \
            }                                                                                      \
            lora_error_free(err);                                                                  \
            (err) = NULL;                                                                          \
        }                                                                                          \
    } while (0)

static lora_database* open_db(const char* dir) {
    lora_options o;
    lora_options_init(&o);
    o.shards = 2;
    o.threads = 2;
    o.data_dir = dir;
    lora_error* err = NULL;
    lora_database* db = lora_open(&o, &err);
    CHECK_NO_ERROR(err);
    if (db == NULL) {
        fprintf(stderr, "cannot open the database\n");
        exit(1);
    }
    return db;
}

/* Runs a statement that must succeed and returns its result. */
static lora_result* run(lora_database* db, const char* query, const lora_params* params) {
    lora_error* err = NULL;
    lora_result* r = lora_execute(db, query, params, &err);
    if (err != NULL) fprintf(stderr, "query: %s\n", query);
    CHECK_NO_ERROR(err);
    return r;
}

/* The single integer a statement returns, or INT64_MIN. */
static int64_t scalar(lora_database* db, const char* query) {
    lora_result* r = run(db, query, NULL);
    int64_t out = INT64_MIN;
    if (r != NULL && lora_result_row_count(r) == 1 && lora_result_column_count(r) == 1)
        lora_value_int(lora_result_value(r, 0, 0, NULL), &out, NULL);
    lora_result_free(r);
    return out;
}

static int string_is(const lora_value* v, const char* want, size_t want_len) {
    const char* s = NULL;
    size_t n = 0;
    if (lora_value_string(v, &s, &n, NULL) != LORA_OK) return 0;
    return n == want_len && memcmp(s, want, n) == 0 && s[n] == '\0';
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char tmp_dir[64];

static const char* make_tmp_dir(void) {
    strcpy(tmp_dir, "/tmp/lora-capi-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    return tmp_dir;
}

static void remove_tmp_dir(void) {
    if (tmp_dir[0]) nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- values: every kind through parameters and back ------------------------------------ */

static void test_values(void) {
    lora_database* db = open_db(NULL);
    lora_params* p = lora_params_new();
    static const char utf8[] = "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac\0end";
    const size_t utf8_len = sizeof utf8 - 1; /* with the NUL byte inside */
    const float coords[3] = {0.5f, -1.25f, 3.0f};
    CHECK(lora_params_null(p, "n") == LORA_OK);
    CHECK(lora_params_bool(p, "b", true) == LORA_OK);
    CHECK(lora_params_int(p, "i", INT64_MIN) == LORA_OK);
    CHECK(lora_params_int(p, "j", INT64_MAX) == LORA_OK);
    CHECK(lora_params_float(p, "f", -2.5) == LORA_OK);
    CHECK(lora_params_string_len(p, "s", utf8, utf8_len) == LORA_OK);
    CHECK(lora_params_string(p, "e", "") == LORA_OK);
    CHECK(lora_params_vector(p, "v", coords, 3) == LORA_OK);
    CHECK(lora_params_begin_list(p, "l") == LORA_OK);
    CHECK(lora_params_int(p, NULL, 1) == LORA_OK);
    CHECK(lora_params_string(p, NULL, "two") == LORA_OK);
    CHECK(lora_params_end(p) == LORA_OK);
    CHECK(lora_params_begin_map(p, "m") == LORA_OK);
    CHECK(lora_params_float(p, "x", 0.25) == LORA_OK);
    CHECK(lora_params_bool(p, "y", false) == LORA_OK);
    CHECK(lora_params_end(p) == LORA_OK);

    lora_result* r = run(db,
                         "RETURN $n AS n, $b AS b, $i AS i, $j AS j, $f AS f, $s AS s, $e AS e, "
                         "$v AS v, $l AS l, $m AS m, 1.0 / 0.0 AS inf",
                         p);
    CHECK(r != NULL);
    if (r != NULL) {
        static const char* names[] = {"n", "b", "i", "j", "f", "s", "e", "v", "l", "m", "inf"};
        static const lora_kind kinds[] = {LORA_KIND_NULL,   LORA_KIND_BOOL,   LORA_KIND_INT,
                                          LORA_KIND_INT,    LORA_KIND_FLOAT,  LORA_KIND_STRING,
                                          LORA_KIND_STRING, LORA_KIND_VECTOR, LORA_KIND_LIST,
                                          LORA_KIND_MAP,    LORA_KIND_FLOAT};
        lora_error* err = NULL;
        CHECK(lora_result_row_count(r) == 1);
        CHECK(lora_result_column_count(r) == 11);
        for (size_t c = 0; c < 11; ++c) {
            CHECK(strcmp(lora_result_column_name(r, c), names[c]) == 0);
            CHECK(lora_value_kind(lora_result_value(r, 0, c, NULL)) == kinds[c]);
        }
        CHECK(lora_result_column_name(r, 11) == NULL);
        CHECK(strcmp(lora_kind_name(LORA_KIND_RELATIONSHIP), "RELATIONSHIP") == 0);

        bool b = false;
        CHECK(lora_value_bool(lora_result_value(r, 0, 1, NULL), &b, &err) == LORA_OK && b);
        CHECK_NO_ERROR(err);
        int64_t i = 0;
        CHECK(lora_value_int(lora_result_value(r, 0, 2, NULL), &i, NULL) == LORA_OK &&
              i == INT64_MIN);
        CHECK(lora_value_int(lora_result_value(r, 0, 3, NULL), &i, NULL) == LORA_OK &&
              i == INT64_MAX);
        double f = 0;
        CHECK(lora_value_float(lora_result_value(r, 0, 4, NULL), &f, NULL) == LORA_OK && f == -2.5);
        CHECK(string_is(lora_result_value(r, 0, 5, NULL), utf8, utf8_len));
        CHECK(string_is(lora_result_value(r, 0, 6, NULL), "", 0));
        const float* vc = NULL;
        size_t dim = 0;
        CHECK(lora_value_vector(lora_result_value(r, 0, 7, NULL), &vc, &dim, NULL) == LORA_OK &&
              dim == 3 && vc[0] == 0.5f && vc[1] == -1.25f && vc[2] == 3.0f);

        const lora_value* l = lora_result_value(r, 0, 8, NULL);
        CHECK(lora_value_list_size(l) == 2);
        CHECK(lora_value_int(lora_value_list_at(l, 0, NULL), &i, NULL) == LORA_OK && i == 1);
        CHECK(string_is(lora_value_list_at(l, 1, NULL), "two", 3));
        CHECK(lora_value_list_at(l, 2, &err) == NULL);
        CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

        const lora_map* m = lora_value_map(lora_result_value(r, 0, 9, NULL), &err);
        CHECK_NO_ERROR(err);
        CHECK(lora_map_size(m) == 2);
        const char* key = NULL;
        size_t key_len = 0;
        CHECK(lora_map_key_at(m, 0, &key, &key_len, NULL) == LORA_OK && key_len == 1 &&
              key[0] == 'x');
        CHECK(lora_map_key_at(m, 1, &key, &key_len, NULL) == LORA_OK && key[0] == 'y');
        CHECK(lora_value_float(lora_map_value_at(m, 0, NULL), &f, NULL) == LORA_OK && f == 0.25);
        CHECK(lora_value_bool(lora_map_get(m, "y", NULL), &b, NULL) == LORA_OK && !b);
        CHECK(lora_map_get(m, "z", &err) == NULL && err == NULL);
        CHECK(lora_value_float(lora_result_value(r, 0, 10, NULL), &f, NULL) == LORA_OK &&
              isinf(f) && f > 0);

        char* json = lora_result_row_json(r, 0, &err);
        CHECK_NO_ERROR(err);
        CHECK(json != NULL && strstr(json, "[null,true,-9223372036854775808,") == json);
        CHECK(json != NULL && strstr(json, "[1,\"two\"],{\"x\":0.25,\"y\":false},\"Infinity\"]"));
        lora_string_free(json);
        json = lora_value_json(lora_result_value(r, 0, 7, NULL), &err);
        CHECK_NO_ERROR(err);
        CHECK(json != NULL && strcmp(json, "[0.5,-1.25,3.0]") == 0);
        lora_string_free(json);

        /* A wrong kind is an error naming both kinds. */
        CHECK(lora_value_int(lora_result_value(r, 0, 5, NULL), &i, &err) == LORA_ERROR);
        CHECK(err != NULL && strstr(lora_error_message(err), "STRING") &&
              strstr(lora_error_message(err), "INTEGER"));
        CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    }

    /* Values read from one result go back as parameters of the next, unchanged. */
    lora_params* again = lora_params_new();
    for (size_t c = 0; r != NULL && c < 10; ++c)
        CHECK(lora_params_value(again, lora_result_column_name(r, c),
                                lora_result_value(r, 0, c, NULL)) == LORA_OK);
    lora_result* r2 = run(db,
                          "RETURN $n AS n, $b AS b, $i AS i, $j AS j, $f AS f, $s AS s, $e AS e, "
                          "$v AS v, $l AS l, $m AS m",
                          again);
    if (r != NULL && r2 != NULL) {
        char* a = lora_result_row_json(r2, 0, NULL);
        char* b = lora_value_json(lora_result_value(r, 0, 0, NULL), NULL);
        char* whole = lora_result_row_json(r, 0, NULL);
        /* The first result's row minus its last column ("inf"). */
        CHECK(a != NULL && whole != NULL && strncmp(a, whole, strlen(a) - 1) == 0);
        CHECK(b != NULL && strcmp(b, "null") == 0);
        lora_string_free(a);
        lora_string_free(b);
        lora_string_free(whole);
    }
    lora_result_free(r2);
    lora_result_free(r);
    lora_params_free(again);

    /* Invalid UTF-8 is refused, naming the parameter. */
    lora_error* err = NULL;
    lora_params_clear(p);
    CHECK(lora_params_string(p, "bad", "\xc3\x28") == LORA_ERROR);
    CHECK(lora_params_string(p, "overlong", "\xc0\xaf") == LORA_ERROR);
    CHECK(lora_params_string(p, "surrogate", "\xed\xa0\x80") == LORA_ERROR);
    CHECK(lora_execute(db, "RETURN $bad", p, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_message(err), "'bad' is not valid UTF-8"));
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    /* A vector with a NaN coordinate is lora's own argument error. */
    lora_params_clear(p);
    float nan_coords[2] = {1.0f, NAN};
    CHECK(lora_params_vector(p, "v", nan_coords, 2) == LORA_ERROR);
    CHECK(lora_execute(db, "RETURN $v", p, &err) == NULL);
    CHECK_ERROR(err, "ArgumentError.InvalidArgumentValue", LORA_ERROR_CLASS_SEMANTIC);
    lora_params_free(p);
    lora_close(db);
}

/* ---- nesting: nested lists and maps, and builder mistakes ------------------------------ */

/* Temporal values: their kinds, numbers, zone and JSON text. */
static void test_temporal(void) {
    lora_database* db = open_db(NULL);
    lora_result* r = run(db,
                         "RETURN date('2015-07-21') AS d, "
                         "datetime('2015-07-21T21:40:32.142+02:00[Europe/Stockholm]') AS dt, "
                         "duration('P1M2DT3.5S') AS dur, localtime('12:00') AS lt, 1 AS i",
                         NULL);
    CHECK(r != NULL);
    if (r != NULL) {
        lora_error* err = NULL;
        lora_temporal t;
        CHECK(lora_value_kind(lora_result_value(r, 0, 0, NULL)) == LORA_KIND_DATE);
        CHECK(strcmp(lora_kind_name(LORA_KIND_DATETIME), "ZONED DATETIME") == 0);
        CHECK(lora_value_temporal(lora_result_value(r, 0, 0, NULL), &t, &err) == LORA_OK &&
              t.n[0] == 16637 && strcmp(t.zone, "") == 0);
        CHECK_NO_ERROR(err);
        CHECK(lora_value_kind(lora_result_value(r, 0, 1, NULL)) == LORA_KIND_DATETIME);
        CHECK(lora_value_temporal(lora_result_value(r, 0, 1, NULL), &t, NULL) == LORA_OK &&
              t.n[0] == 1437507632 && t.n[1] == 142000000 && t.n[2] == 7200 &&
              strcmp(t.zone, "Europe/Stockholm") == 0);
        CHECK(lora_value_temporal(lora_result_value(r, 0, 2, NULL), &t, NULL) == LORA_OK &&
              t.n[0] == 1 && t.n[1] == 2 && t.n[2] == 3 && t.n[3] == 500000000);
        CHECK(lora_value_kind(lora_result_value(r, 0, 3, NULL)) == LORA_KIND_LOCAL_TIME);
        char* json = lora_value_json(lora_result_value(r, 0, 1, NULL), NULL);
        CHECK(json != NULL &&
              strcmp(json, "{\"$datetime\":\"2015-07-21T21:40:32.142+02:00[Europe/Stockholm]\"}") ==
                  0);
        lora_string_free(json);
        CHECK(lora_value_temporal(lora_result_value(r, 0, 4, NULL), &t, &err) == LORA_ERROR);
        CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    }
    lora_result_free(r);
    lora_close(db);
}

static void test_nesting(void) {
    lora_database* db = open_db(NULL);
    lora_params* p = lora_params_new();
    /* {rows: [{id: 1, tags: ['a', 'b']}, {id: 2, tags: []}], deep: [[[7]]]} */
    lora_params_begin_list(p, "rows");
    for (int64_t id = 1; id <= 2; ++id) {
        lora_params_begin_map(p, NULL);
        lora_params_int(p, "id", id);
        lora_params_begin_list(p, "tags");
        if (id == 1) {
            lora_params_string(p, NULL, "a");
            lora_params_string(p, NULL, "b");
        }
        lora_params_end(p);
        lora_params_end(p);
    }
    lora_params_end(p);
    lora_params_begin_list(p, "deep");
    lora_params_begin_list(p, NULL);
    lora_params_begin_list(p, NULL);
    lora_params_int(p, NULL, 7);
    lora_params_end(p);
    lora_params_end(p);
    CHECK(lora_params_end(p) == LORA_OK);

    lora_result* r = run(db,
                         "UNWIND $rows AS row RETURN row.id AS id, size(row.tags) AS n, "
                         "$deep[0][0][0] AS seven, row ORDER BY id",
                         p);
    if (r != NULL) {
        CHECK(lora_result_row_count(r) == 2);
        int64_t v = 0;
        CHECK(lora_value_int(lora_result_value(r, 0, 1, NULL), &v, NULL) == LORA_OK && v == 2);
        CHECK(lora_value_int(lora_result_value(r, 1, 1, NULL), &v, NULL) == LORA_OK && v == 0);
        CHECK(lora_value_int(lora_result_value(r, 1, 2, NULL), &v, NULL) == LORA_OK && v == 7);
        const lora_map* row = lora_value_map(lora_result_value(r, 0, 3, NULL), NULL);
        const lora_value* tags = lora_map_get(row, "tags", NULL);
        CHECK(lora_value_kind(tags) == LORA_KIND_LIST && lora_value_list_size(tags) == 2);
        CHECK(string_is(lora_value_list_at(tags, 1, NULL), "b", 1));
        char* json = lora_result_row_json(r, 0, NULL);
        CHECK(json != NULL && strcmp(json, "[1,2,7,{\"id\":1,\"tags\":[\"a\",\"b\"]}]") == 0);
        lora_string_free(json);
    }
    lora_result_free(r);

    /* Builder mistakes: each call fails, and the first mistake is what a statement reports. */
    lora_error* err = NULL;
    lora_params_clear(p);
    CHECK(lora_params_int(p, NULL, 1) == LORA_ERROR); /* no key in a map */
    lora_params_begin_list(p, "l");
    CHECK(lora_params_int(p, "k", 1) == LORA_ERROR); /* a key in a list */
    CHECK(lora_execute(db, "RETURN 1", p, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_message(err), "key is NULL inside a map"));
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

    lora_params_clear(p);
    CHECK(lora_params_end(p) == LORA_ERROR);
    CHECK(lora_execute(db, "RETURN 1", p, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_message(err), "no list or map was begun"));
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

    lora_params_clear(p);
    lora_params_begin_map(p, "open");
    CHECK(lora_execute(db, "RETURN 1", p, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_message(err), "begun and not ended"));
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

    /* Nesting past lora's limit (1000 levels) is refused at the level that passes it. */
    lora_params_clear(p);
    int refused_at = -1;
    for (int level = 1; level <= 1001 && refused_at < 0; ++level)
        if (lora_params_begin_list(p, level == 1 ? "deep" : NULL) != LORA_OK) refused_at = level;
    CHECK(refused_at == 1001);
    lora_params_clear(p);
    CHECK(lora_params_int(p, "fine", 1) == LORA_OK);
    lora_result_free(run(db, "RETURN $fine", p));
    CHECK(lora_params_int(NULL, "x", 1) == LORA_ERROR);
    lora_params_free(p);
    lora_close(db);
}

/* ---- graph: nodes, relationships and paths --------------------------------------------- */

static void test_graph(void) {
    lora_database* db = open_db(NULL);
    lora_result_free(run(db,
                         "CREATE (:Person:Admin {name: 'Ann', age: 30})"
                         "-[:KNOWS {since: 2020}]->(:Person {name: 'Bob'})",
                         NULL));
    lora_result* r = run(db,
                         "MATCH p = (a:Admin)-[k:KNOWS]->(b) RETURN a, k, b, p, id(a) AS aid, "
                         "id(b) AS bid",
                         NULL);
    if (r != NULL && lora_result_row_count(r) == 1) {
        lora_error* err = NULL;
        int64_t aid = -1, bid = -1;
        lora_value_int(lora_result_value(r, 0, 4, NULL), &aid, NULL);
        lora_value_int(lora_result_value(r, 0, 5, NULL), &bid, NULL);

        const lora_node* a = lora_value_node(lora_result_value(r, 0, 0, NULL), &err);
        CHECK_NO_ERROR(err);
        CHECK(lora_node_id(a) == (uint64_t)aid);
        CHECK(lora_node_label_count(a) == 2);
        CHECK(lora_node_label_at(a, 2) == NULL);
        int admin = 0, person = 0;
        for (size_t i = 0; i < lora_node_label_count(a); ++i) {
            admin += strcmp(lora_node_label_at(a, i), "Admin") == 0;
            person += strcmp(lora_node_label_at(a, i), "Person") == 0;
        }
        CHECK(admin == 1 && person == 1);
        const lora_map* props = lora_node_properties(a);
        CHECK(lora_map_size(props) == 2);
        CHECK(string_is(lora_map_get(props, "name", NULL), "Ann", 3));
        int64_t age = 0;
        CHECK(lora_value_int(lora_map_get(props, "age", NULL), &age, NULL) == LORA_OK && age == 30);

        const lora_relationship* k =
            lora_value_relationship(lora_result_value(r, 0, 1, NULL), &err);
        CHECK_NO_ERROR(err);
        CHECK(strcmp(lora_relationship_type(k), "KNOWS") == 0);
        CHECK(lora_relationship_start(k) == (uint64_t)aid);
        CHECK(lora_relationship_end(k) == (uint64_t)bid);
        int64_t since = 0;
        CHECK(lora_value_int(lora_map_get(lora_relationship_properties(k), "since", NULL), &since,
                             NULL) == LORA_OK &&
              since == 2020);

        const lora_path* p = lora_value_path(lora_result_value(r, 0, 3, NULL), &err);
        CHECK_NO_ERROR(err);
        CHECK(lora_path_length(p) == 1);
        CHECK(lora_node_id(lora_path_node_at(p, 0)) == (uint64_t)aid);
        CHECK(lora_node_id(lora_path_node_at(p, 1)) == (uint64_t)bid);
        CHECK(lora_path_node_at(p, 2) == NULL);
        CHECK(lora_relationship_id(lora_path_relationship_at(p, 0)) == lora_relationship_id(k));
        CHECK(lora_path_relationship_at(p, 1) == NULL);
        CHECK(string_is(lora_map_get(lora_node_properties(lora_path_node_at(p, 1)), "name", NULL),
                        "Bob", 3));

        /* A node is not a relationship. */
        CHECK(lora_value_relationship(lora_result_value(r, 0, 0, NULL), &err) == NULL);
        CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

        char* json = lora_value_json(lora_result_value(r, 0, 1, NULL), NULL);
        CHECK(json != NULL && strstr(json, "\"type\":\"KNOWS\"") &&
              strstr(json, "\"properties\":{\"since\":2020}"));
        lora_string_free(json);

        /* Entities go back as parameters: the node, relationship and path read above. */
        lora_params* params = lora_params_new();
        lora_params_value(params, "a", lora_result_value(r, 0, 0, NULL));
        lora_params_value(params, "k", lora_result_value(r, 0, 1, NULL));
        lora_params_value(params, "p", lora_result_value(r, 0, 3, NULL));
        lora_result* back = run(db, "RETURN $a AS a, $k AS k, $p AS p", params);
        if (back != NULL) {
            CHECK(lora_node_id(lora_value_node(lora_result_value(back, 0, 0, NULL), NULL)) ==
                  (uint64_t)aid);
            CHECK(lora_relationship_end(lora_value_relationship(lora_result_value(back, 0, 1, NULL),
                                                                NULL)) == (uint64_t)bid);
            CHECK(lora_path_length(lora_value_path(lora_result_value(back, 0, 2, NULL), NULL)) ==
                  1);
        }
        lora_result_free(back);
        lora_params_free(params);
    } else {
        CHECK(!"one row");
    }
    lora_result_free(r);
    lora_close(db);
}

/* ---- transactions ---------------------------------------------------------------------- */

static void test_transactions(void) {
    lora_database* db = open_db(NULL);
    lora_error* err = NULL;
    lora_transaction* tx = lora_begin(db, &err);
    CHECK_NO_ERROR(err);
    lora_params* p = lora_params_new();
    lora_params_int(p, "x", 30);
    lora_result_free(lora_tx_execute(tx, "CREATE (:Account {id: 1, balance: 100 - $x})", p, &err));
    CHECK_NO_ERROR(err);
    lora_result* inside =
        lora_tx_execute(tx, "MATCH (a:Account) RETURN sum(a.balance)", NULL, &err);
    CHECK_NO_ERROR(err);
    int64_t v = 0;
    CHECK(lora_value_int(lora_result_value(inside, 0, 0, NULL), &v, NULL) == LORA_OK && v == 70);
    lora_result_free(inside);
    CHECK(scalar(db, "MATCH (a:Account) RETURN count(a)") == 0);
    CHECK(lora_tx_is_open(tx));
    CHECK(lora_tx_commit(tx, &err) == LORA_OK);
    CHECK_NO_ERROR(err);
    CHECK(!lora_tx_is_open(tx));
    CHECK(scalar(db, "MATCH (a:Account) RETURN count(a)") == 1);

    /* A closed transaction refuses statements and commits; a rollback does nothing. */
    CHECK(lora_tx_execute(tx, "RETURN 1", NULL, &err) == NULL);
    CHECK_ERROR(err, "TransactionError.Closed", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_tx_commit(tx, &err) == LORA_ERROR);
    CHECK_ERROR(err, "TransactionError.Closed", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_tx_rollback(tx, &err) == LORA_OK);
    CHECK_NO_ERROR(err);
    lora_tx_free(tx);

    /* Rolled back: nothing of it is kept. */
    tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:Account {id: 2})", NULL, &err));
    lora_result_free(
        lora_tx_execute(tx, "MATCH (a:Account {id: 1}) SET a.balance = 0", NULL, &err));
    CHECK_NO_ERROR(err);
    CHECK(lora_tx_rollback(tx, &err) == LORA_OK);
    CHECK_NO_ERROR(err);
    lora_tx_free(tx);
    CHECK(scalar(db, "MATCH (a:Account) RETURN count(a)") == 1);
    CHECK(scalar(db, "MATCH (a:Account) RETURN a.balance") == 70);

    /* Freed while open: rolled back. */
    tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:Account {id: 3})", NULL, &err));
    CHECK_NO_ERROR(err);
    lora_tx_free(tx);
    CHECK(scalar(db, "MATCH (a:Account) RETURN count(a)") == 1);

    /* A syntax error leaves the transaction open; it still commits. */
    tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:Account {id: 4})", NULL, &err));
    CHECK(lora_tx_execute(tx, "RETURN nope", NULL, &err) == NULL);
    CHECK_ERROR(err, "SyntaxError.UndefinedVariable", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_tx_is_open(tx));
    CHECK(lora_tx_commit(tx, &err) == LORA_OK);
    CHECK_NO_ERROR(err);
    lora_tx_free(tx);
    CHECK(scalar(db, "MATCH (a:Account) RETURN count(a)") == 2);

    /* A transaction keeps its database open after lora_close; it closes with the last one. */
    tx = lora_begin(db, &err);
    CHECK_NO_ERROR(err);
    lora_close(db);
    lora_result* r = lora_tx_execute(tx, "MATCH (a:Account) RETURN count(a)", NULL, &err);
    CHECK_NO_ERROR(err);
    CHECK(lora_value_int(lora_result_value(r, 0, 0, NULL), &v, NULL) == LORA_OK && v == 2);
    lora_result_free(r);
    lora_tx_free(tx);
    lora_params_free(p);
}

/* ---- stream: many rows through a cursor ------------------------------------------------ */

static void test_stream(void) {
    lora_database* db = open_db(NULL);
    lora_error* err = NULL;
    lora_query_options qo;
    lora_query_options_init(&qo);
    qo.window_rows = 256;
    lora_params* p = lora_params_new();
    lora_params_int(p, "n", 100000);
    lora_cursor* c = lora_stream(db, "UNWIND range(1, $n) AS i RETURN i, i % 7 AS m", p, &qo, &err);
    CHECK_NO_ERROR(err);
    CHECK(lora_cursor_column_count(c) == 2);
    CHECK(strcmp(lora_cursor_column_name(c, 1), "m") == 0);
    CHECK(lora_cursor_column_name(c, 2) == NULL);
    CHECK(lora_cursor_value(c, 0, &err) == NULL); /* not on a row yet */
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    lora_stats st;
    lora_stats_init(&st);
    CHECK(lora_cursor_stats(c, &st, &err) == LORA_ERROR); /* not finished */
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);

    int64_t rows = 0, sum = 0, i = 0;
    /* The first 1000 rows one by one, the rest in chunks. */
    while (rows < 1000 && lora_cursor_next(c, &err) == 1) {
        ++rows;
        CHECK(lora_value_int(lora_cursor_value(c, 0, NULL), &i, NULL) == LORA_OK);
        sum += i;
    }
    char* json = lora_cursor_row_json(c, &err);
    CHECK(json != NULL && strcmp(json, "[1000,6]") == 0);
    lora_string_free(json);
    lora_result* chunk = NULL;
    int got, chunks = 0;
    while ((got = lora_cursor_next_chunk(c, &chunk, &err)) == 1) {
        ++chunks;
        CHECK(lora_result_column_count(chunk) == 2);
        for (size_t r = 0; r < lora_result_row_count(chunk); ++r) {
            CHECK(lora_value_int(lora_result_value(chunk, r, 0, NULL), &i, NULL) == LORA_OK);
            sum += i;
            ++rows;
        }
        lora_result_free(chunk);
    }
    CHECK(got == 0 && chunk == NULL);
    CHECK_NO_ERROR(err);
    CHECK(rows == 100000);
    CHECK(sum == (int64_t)100000 * 100001 / 2);
    CHECK(chunks > 1);
    CHECK(lora_cursor_next(c, &err) == 0); /* stays at the end */
    CHECK(lora_cursor_stats(c, &st, &err) == LORA_OK);
    CHECK_NO_ERROR(err);
    lora_cursor_close(c);

    /* A streamed write commits when the end is reached. */
    c = lora_stream(db, "UNWIND range(1, 5000) AS i CREATE (:S {i: i}) RETURN i", NULL, NULL, &err);
    CHECK_NO_ERROR(err);
    rows = 0;
    while (lora_cursor_next(c, &err) == 1) ++rows;
    CHECK_NO_ERROR(err);
    CHECK(rows == 5000);
    lora_stats_init(&st);
    CHECK(lora_cursor_stats(c, &st, NULL) == LORA_OK && st.nodes_created == 5000);
    lora_cursor_close(c);
    CHECK(scalar(db, "MATCH (s:S) RETURN count(s)") == 5000);
    lora_params_free(p);
    lora_close(db);
}

/* ---- abandon: a cursor closed midway, and one cancelled from another thread ------------ */

static void* cancel_later(void* cursor) {
    lora_cursor_cancel((lora_cursor*)cursor);
    return NULL;
}

static void test_abandon(void) {
    const char* dir = make_tmp_dir();
    lora_database* db = open_db(dir);
    lora_error* err = NULL;
    lora_query_options qo;
    lora_query_options_init(&qo);
    qo.window_rows = 64;
    lora_cursor* c = lora_stream(db, "UNWIND range(1, 200000) AS i CREATE (:T {i: i}) RETURN i",
                                 NULL, &qo, &err);
    CHECK_NO_ERROR(err);
    int64_t rows = 0;
    while (rows < 100 && lora_cursor_next(c, &err) == 1) ++rows;
    CHECK_NO_ERROR(err);
    CHECK(rows == 100);
    lora_cursor_close(c); /* cancels the query: its writes are rolled back */
    CHECK(scalar(db, "MATCH (t:T) RETURN count(t)") == 0);

    /* Cancelled from another thread while this one reads. */
    c = lora_stream(db, "UNWIND range(1, 2000000) AS i RETURN i", NULL, &qo, &err);
    CHECK_NO_ERROR(err);
    CHECK(lora_cursor_next(c, &err) == 1);
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, c);
    pthread_join(t, NULL);
    int got;
    rows = 0;
    while ((got = lora_cursor_next(c, &err)) == 1) ++rows;
    CHECK(got == -1);
    CHECK(rows < 2000000);
    CHECK(err != NULL && lora_error_is_retryable(err));
    CHECK_ERROR(err, "TransactionError.Cancelled", LORA_ERROR_CLASS_TRANSIENT);
    lora_cursor_close(c);

    /* An abandoned cursor still open at lora_close: the database closes with it. */
    c = lora_stream(db, "UNWIND range(1, 200000) AS i CREATE (:T {i: i}) RETURN i", NULL, &qo,
                    &err);
    CHECK_NO_ERROR(err);
    CHECK(lora_cursor_next(c, &err) == 1);
    lora_close(db);
    lora_cursor_close(c);

    /* Reopened: nothing of the abandoned writes was kept. */
    db = open_db(dir);
    CHECK(scalar(db, "MATCH (t:T) RETURN count(t)") == 0);
    lora_close(db);
    remove_tmp_dir();
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_errors(void) {
    lora_database* db = open_db(NULL);
    lora_error* err = NULL;

    /* Semantic analysis: an undefined variable (the TCK's code, class semantic). */
    CHECK(lora_execute(db, "MATCH (n) RETURN m", NULL, &err) == NULL);
    CHECK(err != NULL && !lora_error_is_retryable(err) &&
          strcmp(lora_error_class_name(err), "semantic") == 0);
    CHECK_ERROR(err, "SyntaxError.UndefinedVariable", LORA_ERROR_CLASS_SEMANTIC);

    /* A parse error, with its position. */
    CHECK(lora_execute(db, "RETURN 1 +", NULL, &err) == NULL);
    CHECK(err != NULL && lora_error_class_of(err) == LORA_ERROR_CLASS_SYNTAX &&
          lora_error_line(err) == 1 && lora_error_column(err) > 0);
    lora_error_free(err);
    err = NULL;

    /* Found while running: a type error on data. */
    CHECK(lora_execute(db, "UNWIND [1, 'x'] AS v RETURN v * 2", NULL, &err) == NULL);
    CHECK(err != NULL && lora_error_class_of(err) == LORA_ERROR_CLASS_SEMANTIC &&
          strncmp(lora_error_code(err), "TypeError.", 10) == 0);
    lora_error_free(err);
    err = NULL;

    /* A missing parameter. */
    CHECK(lora_execute(db, "RETURN $missing", NULL, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_code(err), "ParameterMissing") != NULL);
    lora_error_free(err);
    err = NULL;

    /* A time limit: transient, so retryable. */
    lora_query_options qo;
    lora_query_options_init(&qo);
    qo.timeout_ms = 50;
    CHECK(lora_execute_with_options(db,
                                    "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b "
                                    "RETURN count(*)",
                                    NULL, &qo, &err) == NULL);
    CHECK(err != NULL && lora_error_is_retryable(err));
    CHECK_ERROR(err, "TransactionError.Timeout", LORA_ERROR_CLASS_TRANSIENT);

    /* NULL handles and other bad arguments are errors naming the function and argument. */
    CHECK(lora_execute(NULL, "RETURN 1", NULL, &err) == NULL);
    CHECK(err != NULL && strcmp(lora_error_message(err), "lora_execute: db is NULL") == 0);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_execute(db, NULL, NULL, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_begin(NULL, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_tx_execute(NULL, "RETURN 1", NULL, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_tx_commit(NULL, &err) == LORA_ERROR);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_stream(NULL, "RETURN 1", NULL, NULL, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_cursor_next(NULL, &err) == -1);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_result_value(NULL, 0, 0, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_value_json(NULL, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    lora_result* one = run(db, "RETURN 1 AS x", NULL);
    CHECK(lora_result_value(one, 1, 0, &err) == NULL);
    CHECK(err != NULL && strstr(lora_error_message(err), "row 1 of 1"));
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    CHECK(lora_result_value(one, 0, 1, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    lora_stats bad_stats = {0};
    CHECK(lora_result_stats(one, &bad_stats, &err) == LORA_ERROR);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    lora_result_free(one);
    lora_options bad;
    lora_options_init(&bad);
    bad.size = 0;
    CHECK(lora_open(&bad, &err) == NULL);
    CHECK_ERROR(err, "Request.InvalidArgument", LORA_ERROR_CLASS_SEMANTIC);
    lora_options_init(&bad);
    bad.data_dir = "/dev/null/db"; /* below a file: cannot be created */
    CHECK(lora_open(&bad, &err) == NULL);
    CHECK(err != NULL && lora_error_class_of(err) == LORA_ERROR_CLASS_DATABASE);
    lora_error_free(err);
    err = NULL;

    /* Errors ignored by passing NULL, and NULLs everywhere that frees or reads. */
    CHECK(lora_execute(db, "RETURN m", NULL, NULL) == NULL);
    lora_error_free(NULL);
    lora_result_free(NULL);
    lora_cursor_close(NULL);
    lora_tx_free(NULL);
    lora_params_free(NULL);
    lora_string_free(NULL);
    lora_close(NULL);
    CHECK(lora_value_kind(NULL) == LORA_KIND_NULL);
    CHECK(lora_result_row_count(NULL) == 0);
    CHECK(strcmp(lora_error_code(NULL), "") == 0);

    /* The version. */
    int major = -1, minor = -1, patch = -1;
    lora_c_version(&major, &minor, &patch);
    CHECK(major == LORA_C_VERSION_MAJOR && minor == LORA_C_VERSION_MINOR && patch >= 0);
    CHECK(strlen(lora_version()) > 0);
    lora_close(db);
}

/* ---- threads: many threads on one database handle -------------------------------------- */

enum { kThreads = 16, kPerThread = 40 };

typedef struct {
    lora_database* db;
    int64_t thread;
    int failed;
} worker_arg;

static void* worker(void* raw) {
    worker_arg* w = (worker_arg*)raw;
    lora_params* p = lora_params_new();
    for (int64_t i = 0; i < kPerThread; ++i) {
        lora_params_clear(p);
        lora_params_int(p, "t", w->thread);
        lora_params_int(p, "i", i);
        lora_error* err = NULL;
        lora_result* r = lora_execute(
            w->db, "CREATE (c:C {t: $t, i: $i}) RETURN c.t * 1000 + c.i AS k", p, &err);
        int64_t k = -1;
        if (r == NULL || lora_value_int(lora_result_value(r, 0, 0, NULL), &k, NULL) != LORA_OK ||
            k != w->thread * 1000 + i) {
            fprintf(stderr, "thread %d statement %d: %s\n", (int)w->thread, (int)i,
                    err ? lora_error_message(err) : "wrong answer");
            w->failed = 1;
        }
        lora_error_free(err);
        lora_result_free(r);
    }
    lora_params_free(p);
    return NULL;
}

static void test_threads(void) {
    lora_database* db = open_db(NULL);
    pthread_t threads[kThreads];
    worker_arg args[kThreads];
    for (int t = 0; t < kThreads; ++t) {
        args[t].db = db;
        args[t].thread = t;
        args[t].failed = 0;
        CHECK(pthread_create(&threads[t], NULL, worker, &args[t]) == 0);
    }
    for (int t = 0; t < kThreads; ++t) {
        pthread_join(threads[t], NULL);
        CHECK(!args[t].failed);
    }
    CHECK(scalar(db, "MATCH (c:C) RETURN count(c)") == kThreads * kPerThread);
    CHECK(scalar(db, "MATCH (c:C) RETURN count(DISTINCT c.t * 1000 + c.i)") ==
          kThreads * kPerThread);
    lora_close(db);
}

/* ---- persistence: committed data survives a reopen ------------------------------------- */

static void test_persistence(void) {
    const char* dir = make_tmp_dir();
    lora_database* db = open_db(dir);
    lora_error* err = NULL;
    lora_params* p = lora_params_new();
    lora_params_begin_list(p, "names");
    lora_params_string(p, NULL, "Ann");
    lora_params_string(p, NULL, "Bob");
    lora_params_end(p);
    lora_result_free(run(db, "UNWIND $names AS n CREATE (:P {name: n})", p));
    lora_transaction* tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:P {name: 'Cy'})", NULL, &err));
    CHECK(lora_tx_commit(tx, &err) == LORA_OK);
    lora_tx_free(tx);
    tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:P {name: 'Dropped'})", NULL, &err));
    lora_tx_free(tx);
    CHECK_NO_ERROR(err);

    /* A second open of the same directory is refused while the first holds it. */
    lora_options o;
    lora_options_init(&o);
    o.data_dir = dir;
    CHECK(lora_open(&o, &err) == NULL);
    CHECK(err != NULL && lora_error_class_of(err) == LORA_ERROR_CLASS_DATABASE);
    lora_error_free(err);
    err = NULL;
    lora_close(db);

    db = open_db(dir);
    lora_result* r = run(db, "MATCH (p:P) RETURN p.name ORDER BY p.name", NULL);
    CHECK(r != NULL && lora_result_row_count(r) == 3);
    if (r != NULL && lora_result_row_count(r) == 3) {
        CHECK(string_is(lora_result_value(r, 0, 0, NULL), "Ann", 3));
        CHECK(string_is(lora_result_value(r, 2, 0, NULL), "Cy", 2));
    }
    lora_result_free(r);
    lora_params_free(p);
    lora_close(db);
    remove_tmp_dir();
}

int main(int argc, char** argv) {
    static const struct {
        const char* name;
        void (*run)(void);
    } cases[] = {{"values", test_values},
                 {"temporal", test_temporal},
                 {"nesting", test_nesting},
                 {"graph", test_graph},
                 {"transactions", test_transactions},
                 {"stream", test_stream},
                 {"abandon", test_abandon},
                 {"errors", test_errors},
                 {"threads", test_threads},
                 {"persistence", test_persistence}};
    const size_t n = sizeof cases / sizeof cases[0];
    int ran = 0;
    for (size_t i = 0; i < n; ++i) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) continue;
        cases[i].run();
        ++ran;
    }
    if (ran == 0) {
        fprintf(stderr, "test_capi: no case '%s'\n", argc > 1 ? argv[1] : "");
        return 1;
    }
    if (failures) fprintf(stderr, "test_capi: %d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
