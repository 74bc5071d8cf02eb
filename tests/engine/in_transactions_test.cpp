// CALL { ... } IN TRANSACTIONS and LOAD CSV through every entry of the embedding API:
// execute, execute_async, stream, explicit transactions; a persistent database's default
// import directory; batches durable across a reopen; a file far larger than a batch.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>

namespace {

using lora::test::scalar_int;
namespace fs = std::filesystem;

void write_people(const std::string& path, int n) {
    std::ofstream out(path);
    out << "id,name\n";
    for (int i = 1; i <= n; ++i) out << i << ",\"p " << i << "\"\n";
}

const char* kImport =
    "LOAD CSV WITH HEADERS FROM 'file:///people.csv' AS row "
    "CALL (row) { CREATE (:P {id: toInteger(row.id), name: row.name}) } "
    "IN TRANSACTIONS OF 1000 ROWS";

}  // namespace

TEST_CASE("a persistent database reads LOAD CSV files from <data>/import", "[engine][csv]") {
    const std::string dir = lora::test::temp_dir("csv-default");
    {
        lora::Options o;
        o.data_dir = dir;
        o.shards = 4;
        o.threads = 2;
        auto db = lora::Database::open(o);
        REQUIRE(fs::is_directory(dir + "/import"));
        write_people(dir + "/import/people.csv", 25000);
        auto r = db->execute(kImport);
        CHECK(r.columns.empty());
        CHECK(r.rows.empty());
        CHECK(r.stats.nodes_created == 25000);
        CHECK(scalar_int(*db, "MATCH (p:P) RETURN count(p)") == 25000);
        CHECK(scalar_int(*db, "MATCH (p:P) RETURN sum(p.id)") == int64_t{25000} * 25001 / 2);
    }
    {
        // Every batch was committed on its own and is there after a reopen.
        lora::Options o;
        o.data_dir = dir;
        auto db = lora::Database::open(o);
        CHECK(scalar_int(*db, "MATCH (p:P) RETURN count(p)") == 25000);
    }
    fs::remove_all(dir);
}

TEST_CASE("IN TRANSACTIONS through execute_async, stream and explicit transactions",
          "[engine][csv]") {
    const std::string import = lora::test::temp_dir("csv-api");
    write_people(import + "/people.csv", 3000);
    for (uint32_t shards : {1u, 4u}) {
        lora::Options o;
        o.shards = shards;
        o.threads = 2;
        o.import_dir = import;
        auto db = lora::Database::open(o);

        std::promise<lora::Completion> done;
        db->execute_async(kImport, {}, [&](lora::Completion&& c) { done.set_value(std::move(c)); });
        auto c = done.get_future().get();
        REQUIRE_FALSE(c.error.has_value());
        CHECK(c.result.stats.nodes_created == 3000);

        auto cursor = db->stream(
            "UNWIND range(1, 10) AS i CALL (i) { MATCH (p:P {id: i}) SET p.seen = true "
            "RETURN p.name AS name } IN TRANSACTIONS OF 3 ROWS RETURN count(name) AS n");
        std::vector<std::vector<lora::Value>> rows;
        REQUIRE(cursor->next(rows));
        REQUIRE(rows.size() == 1);
        CHECK(rows[0][0].as_int() == 10);
        CHECK_FALSE(cursor->next(rows));
        CHECK(cursor->stats().properties_set == 10);

        auto tx = db->begin();
        try {
            tx->execute("UNWIND [1] AS i CALL (i) { CREATE (:Q) } IN TRANSACTIONS");
            FAIL("IN TRANSACTIONS ran inside an explicit transaction");
        } catch (const lora::Error& e) {
            CHECK(e.code() == "TransactionError.ImplicitTransactionRequired");
        }
        CHECK(scalar_int(*db, "MATCH (q:Q) RETURN count(q)") == 0);
    }
    fs::remove_all(import);
}

TEST_CASE("imported nodes can be updated in batches", "[engine][csv]") {
    for (uint32_t shards : {1u, 4u}) {
        auto db = lora::test::open_db(shards);
        db->execute("UNWIND range(1, 50) AS i CREATE (:N {i: i})");
        auto r = db->execute(
            "MATCH (n:N) CALL (n) { SET n.double = n.i * 2 } IN TRANSACTIONS OF 7 ROWS");
        CHECK(r.stats.properties_set == 50);
        CHECK(scalar_int(*db, "MATCH (n:N) WHERE n.double = n.i * 2 RETURN count(n)") == 50);
    }
}

TEST_CASE("an in-memory database without an import directory refuses LOAD CSV", "[engine][csv]") {
    auto db = lora::test::open_db(1);
    try {
        db->execute("LOAD CSV FROM 'file:///a.csv' AS row RETURN row");
        FAIL("LOAD CSV ran without an import directory");
    } catch (const lora::Error& e) {
        CHECK(e.code() == "Request.InvalidPath");
        CHECK_THAT(e.message(), Catch::Contains("import directory"));
    }
}
