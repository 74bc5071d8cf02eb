/* Uses lora from C: opens a persistent database in a temporary directory, writes with
 * parameters, queries and prints typed values, streams a result, commits a transaction
 * and rolls one back, shows an error, then reopens the database and checks what survived.
 * Exits 1 on any wrong answer (this example is run by tools/check_examples.sh). */
#define _XOPEN_SOURCE 700

#include <lora/lora.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char* what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++failures;
}

/* Prints and frees an unexpected error; returns 1 when there was none. */
static int no_error(lora_error** err) {
    if (*err == NULL) return 1;
    fprintf(stderr, "lora error %s (%s): %s\n", lora_error_code(*err), lora_error_class_name(*err),
            lora_error_message(*err));
    lora_error_free(*err);
    *err = NULL;
    ++failures;
    return 0;
}

/* The one integer a statement returns (-1 when it fails). */
static int64_t count(lora_database* db, const char* query) {
    lora_error* err = NULL;
    lora_result* r = lora_execute(db, query, NULL, &err);
    int64_t n = -1;
    if (no_error(&err)) lora_value_int(lora_result_value(r, 0, 0, NULL), &n, NULL);
    lora_result_free(r);
    return n;
}

static void write_and_read(lora_database* db) {
    lora_error* err = NULL;

    /* Write with parameters: {people: [{id: 0, name: 'person-0'}, ...]}. */
    lora_params* p = lora_params_new();
    lora_params_begin_list(p, "people");
    for (int64_t i = 0; i < 100; ++i) {
        char name[32];
        snprintf(name, sizeof name, "person-%d", (int)i);
        lora_params_begin_map(p, NULL);
        lora_params_int(p, "id", i);
        lora_params_string(p, "name", name);
        lora_params_end(p);
    }
    lora_params_end(p);
    lora_result* r =
        lora_execute(db, "UNWIND $people AS p CREATE (:Person {id: p.id, name: p.name})", p, &err);
    lora_stats stats;
    lora_stats_init(&stats);
    check(no_error(&err) && lora_result_stats(r, &stats, NULL) == LORA_OK &&
              stats.nodes_created == 100,
          "created 100 people");
    lora_result_free(r);
    lora_result_free(lora_execute(
        db, "MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 CREATE (a)-[:KNOWS]->(b)", NULL,
        &err));
    no_error(&err);

    /* Query and read typed values. */
    lora_params_clear(p);
    lora_params_int(p, "id", 41);
    r = lora_execute(db,
                     "MATCH (a:Person {id: $id})-[k:KNOWS]->(b) RETURN b.name AS name, b, "
                     "b.id * 0.5 AS half",
                     p, &err);
    if (no_error(&err) && lora_result_row_count(r) == 1) {
        const char* name = NULL;
        size_t len = 0;
        double half = 0;
        lora_value_string(lora_result_value(r, 0, 0, NULL), &name, &len, NULL);
        const lora_node* b = lora_value_node(lora_result_value(r, 0, 1, NULL), NULL);
        lora_value_float(lora_result_value(r, 0, 2, NULL), &half, NULL);
        printf("     %s = %.*s, labels[0] = %s, half = %g\n", lora_result_column_name(r, 0),
               (int)len, name, lora_node_label_at(b, 0), half);
        check(len == 9 && memcmp(name, "person-42", 9) == 0 && half == 21.0 &&
                  strcmp(lora_node_label_at(b, 0), "Person") == 0,
              "person-41 knows person-42");
        char* json = lora_result_row_json(r, 0, NULL);
        printf("     as JSON: %s\n", json);
        lora_string_free(json);
    } else {
        check(0, "one row for person-41");
    }
    lora_result_free(r);

    /* Stream a result: rows are produced as they are read. */
    lora_params_clear(p);
    lora_params_int(p, "from", 10);
    lora_cursor* c =
        lora_stream(db, "MATCH (p:Person) WHERE p.id >= $from RETURN p.id AS id", p, NULL, &err);
    int64_t rows = 0, sum = 0, id = 0;
    if (no_error(&err)) {
        while (lora_cursor_next(c, &err) == 1) {
            lora_value_int(lora_cursor_value(c, 0, NULL), &id, NULL);
            ++rows;
            sum += id;
        }
        no_error(&err);
    }
    lora_cursor_close(c);
    check(rows == 90 && sum == (10 + 99) * 90 / 2, "streamed ids 10..99");

    /* An explicit transaction that commits, and one that rolls back. */
    lora_transaction* tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(
        tx, "CREATE (:Account {id: 1, balance: 70}), (:Account {id: 2, balance: 30})", NULL, &err));
    check(no_error(&err) && count(db, "MATCH (a:Account) RETURN count(a)") == 0,
          "others do not see an uncommitted transaction");
    check(lora_tx_commit(tx, &err) == LORA_OK && no_error(&err), "committed");
    lora_tx_free(tx);
    tx = lora_begin(db, &err);
    lora_result_free(lora_tx_execute(tx, "CREATE (:Account {id: 3})", NULL, &err));
    lora_tx_rollback(tx, &err);
    lora_tx_free(tx);
    check(no_error(&err) && count(db, "MATCH (a:Account) RETURN count(a)") == 2,
          "the rolled-back account is gone");

    /* Errors carry a code, a class and a message. */
    r = lora_execute(db, "MATCH (n) RETURN m", NULL, &err);
    check(r == NULL && err != NULL &&
              strcmp(lora_error_code(err), "SyntaxError.UndefinedVariable") == 0 &&
              lora_error_class_of(err) == LORA_ERROR_CLASS_SEMANTIC &&
              !lora_error_is_retryable(err),
          "an undefined variable is SyntaxError.UndefinedVariable");
    if (err != NULL) printf("     error %s: %s\n", lora_error_code(err), lora_error_message(err));
    lora_error_free(err);
    lora_params_free(p);
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void) {
    char dir[] = "/tmp/lora-c-api-example-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    int major = 0, minor = 0;
    lora_c_version(&major, &minor, NULL);
    check(major == LORA_C_VERSION_MAJOR && minor >= LORA_C_VERSION_MINOR,
          "the library implements this header's C API version");

    lora_options options;
    lora_options_init(&options);
    options.shards = 2;
    options.data_dir = dir;
    lora_error* err = NULL;
    lora_database* db = lora_open(&options, &err);
    if (no_error(&err)) {
        write_and_read(db);
        lora_close(db); /* syncs the WAL */
    }
    db = lora_open(&options, &err);
    if (no_error(&err)) {
        check(count(db, "MATCH (p:Person) RETURN count(p)") == 100, "100 people after reopen");
        check(count(db, "MATCH (a:Account) RETURN sum(a.balance)") == 100,
              "committed balances after reopen");
        lora_close(db);
    }
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("%s\n", failures == 0 ? "all checks passed" : "checks failed");
    return failures == 0 ? 0 : 1;
}
