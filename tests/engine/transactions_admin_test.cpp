// SHOW TRANSACTIONS and TERMINATE TRANSACTION across threads: a running auto-commit statement
// and an explicit transaction (running a statement, or idle holding write locks) are listed
// with who runs them, and terminating them rolls them back and fails their client with
// TransactionError.Terminated.
#include <catch2/catch.hpp>
#include "helpers.hpp"

#include <lora/lora.hpp>

#include <chrono>
#include <future>
#include <string>
#include <thread>

using lora::ClientInfo;
using lora::Database;
using lora::Error;
using lora::Params;
using lora::Value;
using lora::test::open_db;
using lora::test::scalar_int;

namespace {

// Never ends by itself (it is stopped from outside); its loop checks its stop flag.
const std::string kSlow =
    "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a WHERE a < 0 RETURN "
    "count(*) AS slow";

// The id of the transaction whose current query starts with `prefix`, waiting up to 20 s.
std::string wait_for_query(Database& db, const std::string& prefix) {
    for (int i = 0; i < 2000; ++i) {
        auto r = db.execute(
            "SHOW TRANSACTIONS YIELD transactionId, currentQuery WHERE currentQuery STARTS WITH "
            "$p RETURN transactionId",
            Params{{"p", Value(prefix)}});
        if (!r.rows.empty()) return r.rows[0][0].as_string();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("no running transaction runs " << prefix);
    return {};
}

std::string terminate(Database& db, const std::string& id) {
    auto r = db.execute("TERMINATE TRANSACTION $id YIELD message", Params{{"id", Value(id)}});
    REQUIRE(r.rows.size() == 1);
    return r.rows[0][0].as_string();
}

// The statement running in `f` fails with TransactionError.Terminated naming transaction `id`.
void expect_terminated(std::future<lora::Result>& f, const std::string& id) {
    try {
        f.get();
        FAIL("the statement should have been terminated");
    } catch (const Error& e) {
        CHECK(e.code() == "TransactionError.Terminated");
        CHECK(std::string(e.what()).find(id) != std::string::npos);
    }
}

int64_t listed(Database& db, const std::string& id) {
    return scalar_int(db, "SHOW TRANSACTIONS YIELD transactionId WHERE transactionId = '" + id +
                              "' RETURN count(*)");
}

}  // namespace

TEST_CASE("TERMINATE TRANSACTION stops a running auto-commit statement", "[engine][admin]") {
    auto db = open_db(4);
    lora::QueryOptions o;
    o.client = ClientInfo{"http", "http-3", "127.0.0.1:40000", "ann", {}};
    auto slow = std::async(std::launch::async, [&] { return db->execute(kSlow, {}, o); });
    const std::string id = wait_for_query(*db, "UNWIND range(1, 100000)");
    auto who = db->execute(
        "SHOW TRANSACTIONS $id YIELD username, connectionId, clientAddress, protocol, status",
        Params{{"id", Value(id)}});
    REQUIRE(who.rows.size() == 1);
    CHECK(who.rows[0] == std::vector<Value>{Value("ann"), Value("http-3"), Value("127.0.0.1:40000"),
                                            Value("http"), Value("Running")});
    CHECK(terminate(*db, id) == "Transaction terminated.");
    expect_terminated(slow, id);
    CHECK(listed(*db, id) == 0);
    CHECK(terminate(*db, id) == "Transaction not found.");
}

TEST_CASE("TERMINATE TRANSACTION rolls back a running write", "[engine][admin]") {
    auto db = open_db(4);
    auto slow = std::async(std::launch::async, [&] {
        return db->execute(
            "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b CREATE (:Late {a: a})");
    });
    const std::string id = wait_for_query(*db, "UNWIND range(1, 100000) AS a UNWIND");
    CHECK(terminate(*db, id) == "Transaction terminated.");
    CHECK_THROWS_AS(slow.get(), Error);
    CHECK(scalar_int(*db, "MATCH (n:Late) RETURN count(n)") == 0);
}

TEST_CASE("an idle explicit transaction is listed, and terminating it frees its locks",
          "[engine][admin]") {
    auto db = open_db(4);
    db->execute("CREATE (:Account {id: 1, balance: 10})");
    auto tx = db->begin(ClientInfo{"bolt", "bolt-9", "127.0.0.1:50000", "bob",
                                   lora::Map{{"app", Value("ledger")}}});
    tx->execute("MATCH (a:Account {id: 1}) SET a.balance = 0");
    const std::string id = "lora-transaction-" + std::to_string(tx->id());
    auto r = db->execute("SHOW TRANSACTIONS $id YIELD currentQuery, username, metaData, status",
                         Params{{"id", Value(id)}});
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0][0] == Value(""));  // between statements
    CHECK(r.rows[0][1] == Value("bob"));
    CHECK(r.rows[0][2] == Value(lora::Map{{"app", Value("ledger")}}));

    // Its write lock makes a competing write fail with a conflict until it is terminated.
    CHECK_THROWS_AS(db->execute("MATCH (a:Account {id: 1}) SET a.balance = 5"), Error);
    CHECK(terminate(*db, id) == "Transaction terminated.");
    bool written = false;
    for (int i = 0; i < 500 && !written; ++i) {
        try {
            db->execute("MATCH (a:Account {id: 1}) SET a.balance = 5");
            written = true;
        } catch (const Error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    CHECK(written);
    CHECK(listed(*db, id) == 0);

    // Its client learns at its next statement; the change it made is gone.
    try {
        tx->execute("RETURN 1");
        FAIL("the transaction should have been terminated");
    } catch (const Error& e) {
        CHECK(e.code() == "TransactionError.Terminated");
    }
    CHECK_FALSE(tx->open());
    CHECK_NOTHROW(tx->rollback());
    CHECK(scalar_int(*db, "MATCH (a:Account {id: 1}) RETURN a.balance") == 5);
    // Its writer gate was given back: a checkpoint-free database still takes new transactions.
    auto next = db->begin();
    next->execute("MATCH (a:Account {id: 1}) SET a.balance = 6");
    next->commit();
    CHECK(scalar_int(*db, "MATCH (a:Account {id: 1}) RETURN a.balance") == 6);
}

TEST_CASE("terminating an explicit transaction's running statement ends the transaction",
          "[engine][admin]") {
    auto db = open_db(2);
    auto tx = db->begin();
    tx->execute("CREATE (:Draft)");
    auto slow = std::async(std::launch::async, [&] { return tx->execute(kSlow); });
    const std::string id = wait_for_query(*db, "UNWIND range(1, 100000)");
    CHECK(id == "lora-transaction-" + std::to_string(tx->id()));
    CHECK(terminate(*db, id) == "Transaction terminated.");
    expect_terminated(slow, id);
    CHECK_FALSE(tx->open());
    CHECK_THROWS_AS(tx->commit(), Error);
    CHECK(scalar_int(*db, "MATCH (n:Draft) RETURN count(n)") == 0);
    CHECK(listed(*db, id) == 0);
}

TEST_CASE("a commit after TERMINATE fails and keeps nothing", "[engine][admin]") {
    auto db = open_db(2);
    auto tx = db->begin();
    tx->execute("CREATE (:Kept)");
    const std::string id = "lora-transaction-" + std::to_string(tx->id());
    CHECK(terminate(*db, id) == "Transaction terminated.");
    try {
        tx->commit();
        FAIL("the commit should have failed");
    } catch (const Error& e) {
        CHECK(e.code() == "TransactionError.Terminated");
    }
    CHECK(scalar_int(*db, "MATCH (n:Kept) RETURN count(n)") == 0);
}
