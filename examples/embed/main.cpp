// Embeds lora in a program: opens a persistent database in a temporary directory, writes,
// queries with parameters, streams a result, runs explicit transactions (one committed,
// one rolled back), then reopens the database and checks that what was committed
// survived. Exits 1 on any wrong answer (this example is run by tools/check_examples.sh).
#include <lora/lora.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
    if (!ok) ++failures;
}

int64_t count(lora::Database& db, const std::string& query, const lora::Params& params = {}) {
    lora::Result r = db.execute(query, params);
    return r.rows.size() == 1 && r.rows[0].size() == 1 && r.rows[0][0].is_int()
               ? r.rows[0][0].as_int()
               : -1;
}

void write_and_read(lora::Database& db) {
    // Write with parameters: 100 people, each KNOWS the next.
    lora::List people;
    for (int64_t i = 0; i < 100; ++i) {
        people.emplace_back(lora::Map{{"id", lora::Value(i)},
                                      {"name", lora::Value("person-" + std::to_string(i))}});
    }
    lora::Result created =
        db.execute("UNWIND $people AS p CREATE (:Person {id: p.id, name: p.name})",
                   {{"people", lora::Value(people)}});
    check(created.stats.nodes_created == 100, "created 100 nodes");
    db.execute(
        "MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 CREATE (a)-[:KNOWS {since: "
        "a.id}]->(b)");

    // Query with parameters.
    lora::Result r = db.execute(
        "MATCH (a:Person {id: $id})-[k:KNOWS]->(b) RETURN b.name AS name, k.since AS since",
        {{"id", lora::Value(int64_t{41})}});
    check(r.columns == std::vector<std::string>{"name", "since"}, "columns are name, since");
    check(r.rows.size() == 1 && r.rows[0][0].is_string() &&
              r.rows[0][0].as_string() == "person-42" && r.rows[0][1] == lora::Value(int64_t{41}),
          "person-41 knows person-42 since 41");

    // Stream a result in chunks.
    auto cursor = db.stream("MATCH (p:Person) WHERE p.id >= $from RETURN p.id AS id",
                            {{"from", lora::Value(int64_t{10})}});
    std::vector<std::vector<lora::Value>> chunk;
    int64_t rows = 0, sum = 0;
    while (cursor->next(chunk)) {
        for (const auto& row : chunk) {
            ++rows;
            sum += row[0].as_int();
        }
    }
    check(rows == 90 && sum == (10 + 99) * 90 / 2, "streamed ids 10..99");

    // An explicit transaction that commits: its statements see their own writes.
    auto tx = db.begin();
    tx->execute("CREATE (:Account {id: 1, balance: 100}), (:Account {id: 2, balance: 0})");
    tx->execute("MATCH (a:Account {id: 1}) SET a.balance = a.balance - $x",
                {{"x", lora::Value(30)}});
    tx->execute("MATCH (a:Account {id: 2}) SET a.balance = a.balance + $x",
                {{"x", lora::Value(30)}});
    lora::Result inside = tx->execute("MATCH (a:Account) RETURN sum(a.balance) AS total");
    check(inside.rows.size() == 1 && inside.rows[0][0] == lora::Value(int64_t{100}),
          "the transaction sees its own writes");
    check(count(db, "MATCH (a:Account) RETURN count(a)") == 0,
          "others do not see an uncommitted transaction");
    tx->commit();
    check(!tx->open(), "committed transaction is closed");

    // One that rolls back leaves nothing behind.
    auto rb = db.begin();
    rb->execute("MATCH (a:Account {id: 1}) SET a.balance = 0");
    rb->execute("CREATE (:Account {id: 3, balance: 999})");
    rb->rollback();
    check(count(db, "MATCH (a:Account) RETURN count(a)") == 2, "rollback removed account 3");

    // Errors are lora::Error with a code.
    try {
        db.execute("MATCH (n) RETURN m");
        check(false, "an undefined variable fails");
    } catch (const lora::Error& e) {
        check(e.code() == "SyntaxError.UndefinedVariable", "error code " + e.code());
    }
}

void check_after_reopen(lora::Database& db) {
    check(count(db, "MATCH (p:Person) RETURN count(p)") == 100, "100 people after reopen");
    check(count(db, "MATCH (:Person)-[k:KNOWS]->(:Person) RETURN count(k)") == 99,
          "99 KNOWS after reopen");
    lora::Result r = db.execute("MATCH (a:Account) RETURN a.id, a.balance ORDER BY a.id");
    check(r.rows.size() == 2 && r.rows[0][1] == lora::Value(int64_t{70}) &&
              r.rows[1][1] == lora::Value(int64_t{30}),
          "committed balances 70 and 30 after reopen");
}

}  // namespace

int main() {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("lora-embed-example-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    try {
        {
            auto db = lora::Database::open({.shards = 2, .data_dir = dir.string()});
            write_and_read(*db);
        }  // closing the database syncs its WAL
        {
            auto db = lora::Database::open({.shards = 2, .data_dir = dir.string()});
            check_after_reopen(*db);
        }
    } catch (const lora::Error& e) {
        std::cerr << "lora error " << e.code() << ": " << e.message() << "\n";
        ++failures;
    }
    fs::remove_all(dir);
    std::cout << (failures == 0 ? "all checks passed\n" : "checks failed\n");
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
