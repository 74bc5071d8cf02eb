// Tests of lora-bench's runs: argument validation of the CLI, a tiny ingest + reads with
// exact counts, writers over HTTP against a real lorad, and a tiny SQLite run.
#include "lora_bench_bolt.hpp"
#include "lora_bench_graph.hpp"
#include "lora_bench_http.hpp"
#include "lora_bench_sqlite.hpp"
#include "lora_bench_writers.hpp"
#include "net/net_support.hpp"

#include <lora/lora.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace lora::bench;
using lora::test::Lorad;
using lora::test::run_process;
using lora::test::TempDir;

namespace {

const std::string kBench = lora::test::build_dir() + "/bench/lora-bench";

// The last line of the output: the JSON summary.
nlohmann::json last_json_line(const std::string& out) {
    std::istringstream in(out);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty() && line[0] == '{') last = line;
    return nlohmann::json::parse(last);
}

}  // namespace

TEST_CASE("lora-bench refuses bad arguments with exit 2 and a message", "[bench]") {
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"frobnicate"}, "unknown benchmark 'frobnicate'"},
        {{"writers", "--txns", "5"}, "--data"},
        {{"writers", "--via", "http", "--txns", "5"}, "--url"},
        {{"writers", "--via", "http", "--url", "https://127.0.0.1:1", "--txns", "5"}, "https"},
        {{"writers", "--via", "bolt", "--txns", "5"}, "--url bolt://"},
        {{"writers", "--via", "bolt", "--url", "http://127.0.0.1:1", "--txns", "5"}, "bolt://"},
        {{"writers", "--via", "bolt", "--url", "bolt://127.0.0.1:0", "--txns", "5"}, "bad port"},
        {{"writers", "--via", "http", "--url", "http://127.0.0.1:99999", "--txns", "5"},
         "bad port"},
        {{"writers", "--via", "carrier-pigeon", "--txns", "5"}, "--via"},
        {{"writers", "--url", "http://127.0.0.1:1", "--data", "/tmp/x", "--txns", "5"},
         "--via http"},
        {{"writers", "--data", "/tmp/x", "--txns", "5", "--api", "telepathic"}, "--api"},
        {{"writers", "--via", "http", "--url", "http://127.0.0.1:1", "--txns", "5", "--api",
          "async"},
         "--api is for the embedded mode"},
        {{"ingest", "--nodes", "0"}, "--nodes"},
        {{"ingest", "--nodes", "10", "--match", "telepathy"}, "--match"},
        {{"ingest", "--nodes", "10", "--data", "/tmp/x", "--sync", "sometimes"}, "--sync"},
        {{"reads", "--nodes", "10", "--kinds", "3hop"}, "--kinds"},
        {{"reads", "--nodes", "10", "--threads", "0"}, "--threads"},
        {{"reads", "--via", "bolt", "--nodes", "10"}, "--url"},
        {{"reads", "--via", "bolt", "--url", "http://127.0.0.1:1", "--nodes", "10"}, "bolt://"},
        {{"reads", "--url", "bolt://127.0.0.1:1", "--nodes", "10"}, "--via"},
        {{"sqlite", "--txns", "5"}, "--data"},
        {{"sqlite", "--data", "/tmp/x"}, "--txns M or --duration S"},
        {{"sqlite", "--data", "/tmp/x", "--txns", "5", "--synchronous", "MAYBE"}, "--synchronous"},
    };
    for (const auto& c : cases) {
        auto r = run_process(kBench, c.args);
        INFO("args: " << nlohmann::json(c.args).dump() << "\nstderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(c.says) != std::string::npos);
    }
}

TEST_CASE("parse_http_url takes http://HOST:PORT only", "[bench]") {
    auto t = parse_http_url("http://127.0.0.1:4747/");
    CHECK(t.host == "127.0.0.1");
    CHECK(t.port == 4747);
    CHECK(parse_http_url("http://localhost:80").host == "localhost");
    CHECK_THROWS_AS(parse_http_url("http://127.0.0.1"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://127.0.0.1:0"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://127.0.0.1:47x"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://127.0.0.1:4747/query"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("127.0.0.1:4747"), lora::Error);
}

TEST_CASE("ingest builds exactly N nodes and N*R relationships; reads answer", "[bench]") {
    for (const std::string match : {"auto", "property", "id", "node"}) {
        DYNAMIC_SECTION("match " << match) {
            GraphConfig g;
            g.nodes = 300;
            g.rels_per_node = 3;
            g.batch = 64;  // several batches, the last one partial
            g.shards = 2;
            g.match = match;
            auto db = open_graph_db(g);
            IngestResult ir = run_ingest(*db, g);
            CHECK(ir.nodes == 300);
            CHECK(ir.rels == 900);
            CHECK(ir.nodes_counted == 300);
            CHECK(ir.rels_counted == 900);
            CHECK(ir.shards == 2);
            CHECK(ir.sync == "in-memory");
            CHECK(ir.match != "auto");
            // Every node has exactly R outgoing KNOWS and ids 0..N-1 are all there.
            auto r = db->execute(
                "MATCH (p:Person) OPTIONAL MATCH (p)-[k:KNOWS]->() WITH p, count(k) AS c "
                "RETURN min(c), max(c), min(p.id), max(p.id), count(DISTINCT p.id)");
            REQUIRE(r.rows.size() == 1);
            CHECK(r.rows[0][0].as_int() == 3);
            CHECK(r.rows[0][1].as_int() == 3);
            CHECK(r.rows[0][2].as_int() == 0);
            CHECK(r.rows[0][3].as_int() == 299);
            CHECK(r.rows[0][4].as_int() == 300);

            auto json = nlohmann::json::parse(ingest_json(ir));
            CHECK(json["bench"] == "ingest");
            CHECK(json["nodes"] == 300);
            CHECK(json["rels"] == 900);
            CHECK(json.contains("bytes_per_node"));
            CHECK(json["peak_rss"].get<uint64_t>() > 0);

            ReadsConfig rc;
            rc.seconds = 30;
            rc.max_queries = 5;
            auto kinds = run_reads(*db, ir.nodes, rc, g.seed);
            REQUIRE(kinds.size() == 4);
            for (const auto& k : kinds) {
                INFO(k.kind << ": " << k.error);
                CHECK(k.error.empty());
                CHECK(k.queries == 5);
                CHECK(k.latency_ns.count() == 5);
            }
            // 1-hop from any node counts its R outgoing relationships.
            CHECK(kinds[1].rows_checksum == 5 * 3);
            CHECK(kinds[2].rows_checksum == 5 * 9);
        }
    }
}

TEST_CASE("the two ingests of one seed build the same graph", "[bench]") {
    auto fingerprint = [](uint64_t seed) {
        GraphConfig g;
        g.nodes = 50;
        g.rels_per_node = 2;
        g.shards = 1;
        g.seed = seed;
        auto db = open_graph_db(g);
        run_ingest(*db, g);
        auto r = db->execute(
            "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN sum(a.id * 1000 + b.id + k.since), "
            "sum(a.age)");
        return std::make_pair(r.rows[0][0].as_int(), r.rows[0][1].as_int());
    };
    CHECK(fingerprint(7) == fingerprint(7));
    CHECK(fingerprint(7) != fingerprint(8));
}

TEST_CASE("lora-bench ingest and reads print a table and a JSON line", "[bench]") {
    auto r =
        run_process(kBench, {"reads", "--nodes", "120", "--rels-per-node", "2", "--shards", "2",
                             "--batch", "50", "--seconds", "0.2", "--kinds", "point", "2hop"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("queries/s") != std::string::npos);
    auto j = last_json_line(r.out);
    CHECK(j["bench"] == "reads");
    CHECK(j["nodes"] == 120);
    CHECK(j["rels"] == 240);
    CHECK(j["shards"] == 2);
    CHECK(j["sync"] == "in-memory");
    REQUIRE(j["kinds"].size() == 2);
    CHECK(j["kinds"][1]["kind"] == "2hop");
    CHECK(j["kinds"][1]["queries"].get<uint64_t>() > 0);

    TempDir dir;
    auto data = (dir.path / "db").string();
    auto i = run_process(kBench, {"ingest", "--nodes", "100", "--rels-per-node", "1", "--data",
                                  data, "--sync", "none", "--json"});
    INFO(i.err);
    REQUIRE(i.exit_code == 0);
    auto ij = last_json_line(i.out);
    CHECK(ij["sync"] == "none");
    CHECK(ij["nodes_counted"] == 100);
    CHECK(ij["rels_counted"] == 100);
    // A database that is not empty is refused: the counts would be wrong.
    auto again = run_process(kBench, {"ingest", "--nodes", "10", "--data", data});
    CHECK(again.exit_code == 2);
    CHECK(again.err.find("not empty") != std::string::npos);
}

TEST_CASE("embedded writers commit every transaction, blocking and async", "[bench]") {
    for (const char* api : {"blocking", "async"}) {
        TempDir dir;
        WritersConfig wc;
        wc.data_dir = (dir.path / "db").string();
        wc.writers = 8;
        wc.txns = 25;
        wc.shards = 2;
        wc.api = api;
        wc.verify = true;
        WritersResult r = run_writers(wc);
        INFO(api << ": " << r.error);
        CHECK(r.error.empty());
        CHECK(r.txns == 200);
        CHECK(r.verified == 1);
        CHECK(r.latency_ns.count() == 200);
        CHECK(r.wal_records == 200);
        CHECK(r.fsyncs > 0);
        CHECK(r.fsyncs <= 200);
        auto j = nlohmann::json::parse(writers_json(r));
        CHECK(j["api"] == api);
        CHECK(j["sync"] == "per-commit");
    }
    // --duration with async writers: every writer stops at the deadline.
    TempDir dir;
    auto p =
        run_process(kBench, {"writers", "--data", (dir.path / "db").string(), "--writers", "16",
                             "--duration", "0.3", "--api", "async", "--verify", "--json"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    auto j = last_json_line(p.out);
    CHECK(j["api"] == "async");
    CHECK(j["verified"] == true);
    CHECK(j["txns"].get<uint64_t>() > 0);
}

TEST_CASE("writers --via http commits through a real lorad", "[bench][net]") {
    Lorad server({"--sync", "per-commit", "--shards", "2"});
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port());

    WritersConfig wc;
    wc.writers = 4;
    wc.txns = 25;
    wc.verify = true;
    wc.sync = "per-commit";
    wc.shards = 2;
    WritersResult r = run_writers_http(wc, url, "");
    INFO(r.error << "\n" << server.stderr_text());
    CHECK(r.error.empty());
    CHECK(r.via == "http");
    CHECK(r.txns == 100);
    CHECK(r.verified == 1);
    CHECK(r.latency_ns.count() == 100);
    // The WAL figures come from GET /admin/wal/status: one record per commit.
    CHECK(r.wal_known);
    CHECK(r.wal_records == 100);
    CHECK(r.fsyncs > 0);
    CHECK(r.fsyncs <= 100);

    // The CLI path, with --duration, and the server's count grows by what it reports.
    auto p = run_process(kBench, {"writers", "--via", "http", "--url", url, "--writers", "2",
                                  "--duration", "0.3", "--verify", "--json"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    auto j = last_json_line(p.out);
    CHECK(j["via"] == "http");
    CHECK(j["sync"] == "unknown");
    CHECK(j["shards"].is_null());
    CHECK(j["verified"] == true);
    CHECK(j["txns"].get<uint64_t>() > 0);
}

TEST_CASE("writers --via bolt commits through a real lorad", "[bench][net]") {
    Lorad server({"--sync", "per-commit", "--shards", "2", "--auth-token", "tok"});
    const std::string url = "bolt://127.0.0.1:" + std::to_string(server.bolt_port());

    WritersConfig wc;
    wc.writers = 4;
    wc.txns = 25;
    wc.verify = true;
    WritersResult r = run_writers_bolt(wc, url, "tok");
    INFO(r.error << "\n" << server.stderr_text());
    CHECK(r.error.empty());
    CHECK(r.via == "bolt");
    CHECK(r.txns == 100);
    CHECK(r.verified == 1);
    CHECK(r.latency_ns.count() == 100);
    CHECK_FALSE(r.wal_known);

    auto p = run_process(kBench, {"writers", "--via", "bolt", "--url", url, "--auth-token", "tok",
                                  "--writers", "2", "--duration", "0.3", "--verify", "--json"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    auto j = last_json_line(p.out);
    CHECK(j["via"] == "bolt");
    CHECK(j["verified"] == true);
    CHECK(j["txns"].get<uint64_t>() > 0);
    // A wrong token is refused before any writer starts.
    CHECK_THROWS_AS(run_writers_bolt(wc, url, "wrong"), lora::Error);
}

TEST_CASE("reads --via http and bolt read a running lorad's graph", "[bench][net]") {
    Lorad server({"--shards", "2"});
    const std::string http = "http://127.0.0.1:" + std::to_string(server.port());
    const std::string bolt = "bolt://127.0.0.1:" + std::to_string(server.bolt_port());
    // A ring: Person i KNOWS Person (i + 1) % 50, so every 1-hop count is 1.
    auto load = bolt_reader(bolt, "");
    load("UNWIND range(0, 49) AS i CREATE (:Person {id: i, name: 'p' + toString(i)})", {});
    load("MATCH (a:Person), (b:Person) WHERE b.id = (a.id + 1) % 50 CREATE (a)-[:KNOWS]->(b)", {});
    ReadsConfig rc;
    rc.threads = 2;
    rc.max_queries = 20;
    rc.seconds = 60;
    rc.kinds = {"point", "1hop"};
    for (const auto& [via, url] : {std::pair{"http", http}, std::pair{"bolt", bolt}}) {
        INFO(via);
        auto connect = [&, via = std::string(via), url = url] {
            return via == "http" ? http_reader(url, "") : bolt_reader(url, "");
        };
        auto kinds = run_reads(connect, 50, rc, 7);
        REQUIRE(kinds.size() == 2);
        for (const auto& k : kinds) {
            INFO(k.kind << ": " << k.error);
            CHECK(k.error.empty());
            CHECK(k.queries == 40);
        }
        CHECK(kinds[1].rows_checksum == 40);
    }
    auto p = run_process(kBench, {"reads", "--via", "bolt", "--url", bolt, "--nodes", "50",
                                  "--kinds", "point", "--max-queries", "5", "--json"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    auto j = last_json_line(p.out);
    CHECK(j["via"] == "bolt");
    CHECK(j["kinds"][0]["queries"] == 5);
    CHECK(j.count("ingest") == 0);
    // A lorad that is not there: the run reports it and exits 1.
    auto down = run_process(kBench, {"reads", "--via", "http", "--url", "http://127.0.0.1:1",
                                     "--nodes", "50", "--kinds", "point", "--json"});
    CHECK(down.exit_code == 1);
}

TEST_CASE("writers --via http reports a server that is not there", "[bench][net]") {
    // A port nobody listens on: bind one, learn its number, close it.
    uint16_t port;
    {
        Lorad probe({});
        port = probe.port();
        probe.stop();
    }
    auto p = run_process(kBench, {"writers", "--via", "http", "--url",
                                  "http://127.0.0.1:" + std::to_string(port), "--txns", "1"});
    CHECK(p.exit_code == 1);
    CHECK(p.err.find("cannot connect") != std::string::npos);
}

TEST_CASE("sqlite inserts one row per durable transaction from every thread", "[bench]") {
    TempDir dir;
    SqliteConfig sc;
    sc.data_dir = (dir.path / "sq").string();
    sc.threads = 4;
    sc.txns = 20;
    WritersResult r = run_sqlite(sc);
    INFO(r.error);
    CHECK(r.error.empty());
    CHECK(r.bench == "sqlite");
    CHECK(r.txns == 80);
    CHECK(r.verified == 1);
    CHECK(r.sync == "sqlite-wal-FULL");
    auto j = nlohmann::json::parse(writers_json(r));
    CHECK(j["bench"] == "sqlite");
    CHECK(j["fsyncs"].is_null());
    CHECK(std::filesystem::exists(dir.path / "sq" / "bench.sqlite"));

    // A second run replaces the file rather than adding to it.
    WritersResult again = run_sqlite(sc);
    CHECK(again.txns == 80);
    CHECK(again.verified == 1);
}

TEST_CASE("writers-vs-sqlite can be run again in the same directory, and guards others",
          "[bench]") {
    TempDir dir;
    const std::string data = (dir.path / "vs").string();
    for (int run = 0; run < 2; ++run) {
        auto p =
            run_process(kBench, {"writers-vs-sqlite", "--data", data, "--txns", "64", "--writers",
                                 "4", "--sqlite-threads", "2", "--api", "async", "--json"});
        INFO("run " << run << ": " << p.err);
        REQUIRE(p.exit_code == 0);
        auto j = last_json_line(p.out);
        CHECK(j["bench"] == "writers-vs-sqlite");
        CHECK(j["lora"]["api"] == "async");
        CHECK(j["lora"]["verified"] == true);
        CHECK(j["sqlite"]["verified"] == true);
        CHECK(j["ratio"].get<double>() > 0);
    }
    // A sqlite/ folder holding anything else is not ours to delete.
    {
        std::ofstream other(dir.path / "vs" / "sqlite" / "notes.txt");
        other << "keep me";
    }
    auto p = run_process(kBench, {"writers-vs-sqlite", "--data", data, "--txns", "64"});
    CHECK(p.exit_code == 2);
    CHECK(p.err.find("refusing to replace") != std::string::npos);
    CHECK(std::filesystem::exists(dir.path / "vs" / "sqlite" / "notes.txt"));
}
