// lorad on a real data directory: restarts keep the data, the directory lock keeps a second
// daemon out, and the admin routes (checkpoint, snapshots, WAL status) work and stay confined.
#include "net_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

using lora::test::HttpClient;
using lora::test::Lorad;
using lora::test::TempDir;
using nlohmann::json;

namespace {

using lora::test::kLorad;

json must_query(HttpClient& c, const std::string& q, const json& params = json::object()) {
    auto r = c.query({{"query", q}, {"params", params}});
    INFO(q << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return r.json();
}

lora::test::Reply post(HttpClient& c, const std::string& target, const json& body,
                       const std::map<std::string, std::string>& headers = {}) {
    return c.request("POST", target, body.dump(), headers);
}

}  // namespace

TEST_CASE("lorad keeps its data across SIGTERM and a restart", "[net][lorad][persist]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    {
        Lorad d({"--shards", "2"}, {}, data);
        HttpClient c(d.port());
        must_query(c, "CREATE (:City {name: 'Lyon'})-[:ROAD {km: 465}]->(:City {name: 'Paris'})");
        for (int i = 0; i < 10; ++i) must_query(c, "CREATE (:Item {seq: $i})", {{"i", i}});
        must_query(c, "MATCH (n:Item {seq: 3}) SET n.flag = true");
        CHECK(d.stop() == 0);
        CHECK(d.stderr_text().find("stopped") != std::string::npos);
    }
    CHECK(std::filesystem::exists(std::filesystem::path(data) / "LOCK"));
    Lorad d2({}, {}, data);
    HttpClient c(d2.port());
    auto road = must_query(c, "MATCH (a:City)-[r:ROAD]->(b:City) RETURN a.name, r.km, b.name");
    CHECK(road["rows"] == json::array({json::array({"Lyon", 465, "Paris"})}));
    auto items = must_query(c, "MATCH (n:Item) RETURN count(n), sum(n.seq)");
    CHECK(items["rows"] == json::array({json::array({10, 45})}));
    auto flagged = must_query(c, "MATCH (n:Item) WHERE n.flag RETURN n.seq");
    CHECK(flagged["rows"] == json::array({json::array({3})}));
    // New writes go on from the recovered state.
    must_query(c, "CREATE (:Item {seq: 10})");
    CHECK(must_query(c, "MATCH (n:Item) RETURN count(n)")["rows"][0][0] == 11);
    CHECK(d2.stop() == 0);
}

TEST_CASE("a second lorad on the same data directory exits 1 naming the lock",
          "[net][lorad][persist]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    Lorad first({}, {}, data);
    auto second = lora::test::run_process(kLorad, {"--http", "127.0.0.1:0", "--data", data});
    CHECK(second.exit_code == 1);
    INFO(second.err);
    CHECK(second.err.find("locked") != std::string::npos);
    CHECK(second.err.find(data) != std::string::npos);
    CHECK(second.out.find("listening") == std::string::npos);
    // The first one is unaffected.
    HttpClient c(first.port());
    CHECK(c.request("GET", "/health").status == 200);
    CHECK(first.stop() == 0);
}

TEST_CASE("lorad refuses a corrupt data directory with exit 1", "[net][lorad][persist]") {
    TempDir dir;
    const auto data = dir.path / "db";
    std::filesystem::create_directories(data);
    std::ofstream(data / "MANIFEST") << "this is not a manifest";
    auto r = lora::test::run_process(kLorad, {"--http", "127.0.0.1:0", "--data", data.string()});
    CHECK(r.exit_code == 1);
    INFO(r.err);
    CHECK(r.err.find("cannot open the database") != std::string::npos);
    CHECK(r.err.find("MANIFEST") != std::string::npos);
}

TEST_CASE("lorad health, WAL status and WAL metrics", "[net][lorad][admin]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    auto health = c.request("GET", "/health");
    CHECK(health.status == 200);
    CHECK(health.json() == json{{"status", "ok"}});

    auto before = c.request("GET", "/admin/wal/status");
    REQUIRE(before.status == 200);
    auto b = before.json();
    CHECK(b["enabled"] == true);
    CHECK(b["poisoned"] == false);
    for (int i = 0; i < 5; ++i) must_query(c, "CREATE (:W {i: $i})", {{"i", i}});
    must_query(c, "MATCH (n:W) RETURN count(n)");  // a read logs nothing
    auto a = c.request("GET", "/admin/wal/status").json();
    CHECK(a["records"].get<uint64_t>() == b["records"].get<uint64_t>() + 5);
    CHECK(a["bytes"].get<uint64_t>() > b["bytes"].get<uint64_t>());
    CHECK(a["fsyncs"].get<uint64_t>() >= b["fsyncs"].get<uint64_t>() + 1);
    CHECK(a["last_durable_lsn"].get<uint64_t>() >= 5);
    CHECK(a["next_lsn"].get<uint64_t>() == a["last_durable_lsn"].get<uint64_t>() + 1);

    auto m = c.request("GET", "/metrics").body;
    CHECK(m.find("lora_wal_records_total " + std::to_string(a["records"].get<uint64_t>())) !=
          std::string::npos);
    CHECK(m.find("lora_wal_bytes_total " + std::to_string(a["bytes"].get<uint64_t>())) !=
          std::string::npos);
    CHECK(m.find("# TYPE lora_wal_fsyncs_total counter") != std::string::npos);
    CHECK(m.find("lora_wal_poisoned 0") != std::string::npos);
    // Engine metrics: the five commits, their latency histogram, both shards' mailboxes.
    CHECK(m.find("lora_commits_total 5\n") != std::string::npos);
    CHECK(m.find("lora_commit_duration_seconds_bucket{le=\"+Inf\"} 5\n") != std::string::npos);
    CHECK(m.find("lora_commit_duration_seconds_count 5\n") != std::string::npos);
    CHECK(m.find("lora_shard_mailbox_depth{shard=\"0\"} ") != std::string::npos);
    CHECK(m.find("lora_shard_mailbox_depth{shard=\"1\"} ") != std::string::npos);
    CHECK(m.find("lora_shard_mailbox_depth{shard=\"2\"}") == std::string::npos);
    CHECK(m.find("lora_mvcc_running_snapshots 0\n") != std::string::npos);
    CHECK(m.find("process_resident_memory_bytes ") != std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad checkpoint route, then a restart recovers from it",
          "[net][lorad][admin][persist]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    uint64_t lsn = 0;
    {
        Lorad d({"--shards", "3"}, {}, data);
        HttpClient c(d.port());
        for (int i = 0; i < 6; ++i) must_query(c, "CREATE (:Before {i: $i})", {{"i", i}});
        auto cp = post(c, "/admin/checkpoint", json::object());
        INFO(cp.body);
        REQUIRE(cp.status == 200);
        lsn = cp.json()["checkpoint_lsn"].get<uint64_t>();
        CHECK(lsn >= 6);
        CHECK(c.request("GET", "/admin/wal/status").json()["checkpoint_lsn"] == lsn);
        // Writes after the checkpoint come back from the WAL tail.
        must_query(c, "CREATE (:After {i: 1})");
        must_query(c, "MATCH (n:Before {i: 0}) DELETE n");
        CHECK(d.stop() == 0);
    }
    CHECK(std::filesystem::exists(std::filesystem::path(data) / "checkpoints"));
    Lorad d({}, {}, data);
    HttpClient c(d.port());
    CHECK(must_query(c, "MATCH (n:Before) RETURN count(n), min(n.i)")["rows"] ==
          json::array({json::array({5, 1})}));
    CHECK(must_query(c, "MATCH (n:After) RETURN n.i")["rows"] == json::array({json::array({1})}));
    CHECK(c.request("GET", "/admin/wal/status").json()["checkpoint_lsn"].get<uint64_t>() >= lsn);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad snapshot save and load stay inside the snapshot directory",
          "[net][lorad][admin]") {
    TempDir dir;
    const auto snaps = dir.path / "snaps";
    const auto outside = dir.path / "outside";
    std::filesystem::create_directories(outside);
    Lorad d({"--snapshot-dir", snaps.string(), "--auth-token", "tok"});
    HttpClient c(d.port());
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer tok"}};
    auto q = [&](const std::string& text) {
        auto r = c.query({{"query", text}}, auth);
        INFO(text << " -> " << r.body);
        REQUIRE(r.status == 200);
        return r.json();
    };

    // Admin routes take the token like the rest.
    CHECK(post(c, "/admin/checkpoint", json::object()).status == 401);
    CHECK(post(c, "/admin/snapshot/save", {{"path", "a.snap"}}).status == 401);
    CHECK(c.request("GET", "/admin/wal/status").status == 401);

    q("CREATE (:Snap {v: 1}), (:Snap {v: 2})");
    auto saved = post(c, "/admin/snapshot/save", {{"path", "a.snap"}}, auth);
    INFO(saved.body);
    REQUIRE(saved.status == 200);
    CHECK(saved.json()["path"] == "a.snap");
    CHECK(saved.json()["bytes"].get<uint64_t>() > 0);
    CHECK(std::filesystem::is_regular_file(snaps / "a.snap"));
    CHECK(post(c, "/admin/snapshot/save", {{"path", "nested/b.snap"}}, auth).status == 200);
    CHECK(std::filesystem::is_regular_file(snaps / "nested" / "b.snap"));

    q("CREATE (:Snap {v: 3})");
    CHECK(q("MATCH (n:Snap) RETURN count(n)")["rows"][0][0] == 3);
    auto loaded = post(c, "/admin/snapshot/load", {{"path", "a.snap"}}, auth);
    INFO(loaded.body);
    REQUIRE(loaded.status == 200);
    CHECK(q("MATCH (n:Snap) RETURN count(n)")["rows"][0][0] == 2);

    auto expect_400 = [&](const std::string& target, const json& body, const std::string& code) {
        auto r = post(c, target, body, auth);
        INFO(target << " " << body.dump() << " -> " << r.body);
        CHECK(r.status == 400);
        CHECK(r.json()["error"]["code"] == code);
    };
    std::filesystem::create_directory_symlink(outside, snaps / "escape");
    for (const char* target : {"/admin/snapshot/save", "/admin/snapshot/load"}) {
        expect_400(target, {{"path", "../x.snap"}}, "Request.InvalidPath");
        expect_400(target, {{"path", "ok/../../x.snap"}}, "Request.InvalidPath");
        expect_400(target, {{"path", (outside / "x.snap").string()}}, "Request.InvalidPath");
        expect_400(target, {{"path", "escape/x.snap"}}, "Request.InvalidPath");
        expect_400(target, {{"path", ""}}, "Request.InvalidPath");
        expect_400(target, {{"path", "."}}, "Request.InvalidPath");
        expect_400(target, {{"path", 7}}, "Request.InvalidField");
        expect_400(target, {{"file", "a.snap"}}, "Request.MissingField");
        auto bad_json = c.request("POST", target, "{\"path\": ", auth);
        CHECK(bad_json.status == 400);
    }
    CHECK(std::filesystem::is_empty(outside));

    auto missing = post(c, "/admin/snapshot/load", {{"path", "nope.snap"}}, auth);
    CHECK(missing.status == 404);
    CHECK(missing.json()["error"]["code"] == "Request.SnapshotNotFound");

    // A damaged file is refused and changes nothing.
    std::ofstream(snaps / "junk.snap") << "not a snapshot at all, just some bytes";
    auto junk = post(c, "/admin/snapshot/load", {{"path", "junk.snap"}}, auth);
    INFO(junk.body);
    CHECK(junk.status >= 400);
    CHECK(junk.json()["error"]["message"].get<std::string>().find("junk.snap") !=
          std::string::npos);
    CHECK(q("MATCH (n:Snap) RETURN count(n)")["rows"][0][0] == 2);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad's default snapshot directory is <data>/snapshots", "[net][lorad][admin]") {
    TempDir dir;
    const auto data = dir.path / "db";
    Lorad d({}, {}, data.string());
    HttpClient c(d.port());
    must_query(c, "CREATE (:X)");
    CHECK(post(c, "/admin/snapshot/save", {{"path", "s1"}}).status == 200);
    CHECK(std::filesystem::is_regular_file(data / "snapshots" / "s1"));
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad turns read-only after a WAL failure: health 503, writes 503, reads 200",
          "[net][lorad][persist]") {
    // The second WAL write fails with EIO (the engine's built-in fault point).
    Lorad d({"--shards", "2"}, {{"LORA_FAULT", "wal_write_eio@2"}});
    HttpClient c(d.port());
    must_query(c, "CREATE (:Kept {v: 1})");
    auto failed = c.query({{"query", "CREATE (:Lost {v: 2})"}});
    INFO(failed.body);
    CHECK(failed.status >= 500);

    auto health = c.request("GET", "/health");
    CHECK(health.status == 503);
    CHECK(health.json()["status"] == "read-only");
    CHECK(health.json()["reason"].get<std::string>().size() > 0);

    auto write = c.query({{"query", "CREATE (:Never)"}});
    INFO(write.body);
    CHECK(write.status == 503);
    CHECK(write.json()["error"]["code"] == "DatabaseError.ReadOnly");
    CHECK(must_query(c, "MATCH (n) RETURN labels(n)[0] AS l")["rows"] ==
          json::array({json::array({"Kept"})}));

    auto wal = c.request("GET", "/admin/wal/status").json();
    CHECK(wal["poisoned"] == true);
    CHECK(wal["poison_reason"].is_string());
    CHECK(c.request("GET", "/metrics").body.find("lora_wal_poisoned 1") != std::string::npos);
    CHECK(d.stop() == 0);
}

namespace {

// Polls /metrics until a query is executing (bounded); false if none started.
bool wait_for_running_query(uint16_t port) {
    HttpClient probe(port);
    for (int i = 0; i < 2000; ++i) {
        if (probe.request("GET", "/metrics").body.find("lora_queries_running 1") !=
            std::string::npos)
            return true;
        usleep(5000);
    }
    return false;
}

}  // namespace

TEST_CASE("SIGTERM lets an in-flight query finish and answers it", "[net][lorad][persist]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    // A grace no build runs out of (a sanitizer build runs the query ten times slower).
    Lorad d({"--shards", "2", "--shutdown-grace-ms", "600000"}, {}, data);
    lora::test::Reply reply;
    std::thread client([&] {
        HttpClient c(d.port());
        reply = c.query(
            {{"query",
              "UNWIND range(1, 1500000) AS x WITH count(x) AS n CREATE (:Done {n: n}) RETURN n"}});
    });
    REQUIRE(wait_for_running_query(d.port()));
    int code = d.stop(SIGTERM, std::chrono::seconds(600));
    client.join();
    CHECK(code == 0);
    INFO(reply.body);
    CHECK(reply.status == 200);
    // The write it made is in the data directory.
    Lorad again({}, {}, data);
    HttpClient c(again.port());
    CHECK(must_query(c, "MATCH (d:Done) RETURN d.n")["rows"] ==
          json::array({json::array({1500000})}));
    CHECK(again.stop() == 0);
}

TEST_CASE("SIGTERM past the shutdown grace cancels running queries and says so",
          "[net][lorad][persist]") {
    Lorad d({"--shutdown-grace-ms", "1"});
    std::thread client([&] {
        try {
            HttpClient c(d.port());
            // Many rows from small lists: the query checks its cancel token between batches
            // (one range of 20,000,000 would be a single uncancellable function call).
            c.query(
                {{"query",
                  "UNWIND range(1, 5000) AS a UNWIND range(1, 4000) AS b RETURN count(*) AS n"}});
        } catch (const std::exception&) {
            // The connection dies with the process.
        }
    });
    REQUIRE(wait_for_running_query(d.port()));
    int code = d.stop();
    client.join();
    // The query is cancelled, so the server drains and closes the database cleanly.
    CHECK(code == 0);
    INFO(d.stderr_text());
    CHECK(d.stderr_text().find("grace of 1 ms expired; cancelling 1 running") != std::string::npos);
}

TEST_CASE("POST /query does not hold a query thread while its commit waits for the fsync",
          "[net][lorad][persist]") {
    // One query thread: were /query run on it blocking, every commit would wait for the one
    // before it and each would have a fsync of its own. Queries started asynchronously are all
    // in flight at once and share fsyncs (group commit).
    Lorad d({"--shards", "2", "--sync", "per-commit", "--query-threads", "1"});
    HttpClient admin(d.port());
    auto b = admin.request("GET", "/admin/wal/status").json();
    constexpr int kClients = 24, kWrites = 15;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            try {
                HttpClient c(d.port());
                for (int i = 0; i < kWrites; ++i) {
                    auto r = c.query({{"query", "CREATE (:G {c: $c, i: $i})"},
                                      {"params", {{"c", t}, {"i", i}}}});
                    if (r.status != 200) ++failures;
                }
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    auto a = admin.request("GET", "/admin/wal/status").json();
    const uint64_t records = a["records"].get<uint64_t>() - b["records"].get<uint64_t>();
    const uint64_t fsyncs = a["fsyncs"].get<uint64_t>() - b["fsyncs"].get<uint64_t>();
    INFO("records " << records << " fsyncs " << fsyncs);
    CHECK(records == kClients * kWrites);
    CHECK(fsyncs < records);
    auto n = admin.query({{"query", "MATCH (g:G) RETURN count(g)"}});
    REQUIRE(n.status == 200);
    CHECK(n.json()["rows"][0][0] == kClients * kWrites);
}
