// lorad end to end: a real child process on a free port, spoken to over real sockets.
#include "net_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <thread>

using lora::test::HttpClient;
using lora::test::Lorad;
using nlohmann::json;

TEST_CASE("lorad answers every route", "[net][lorad]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());

    auto health = c.request("GET", "/health");
    CHECK(health.status == 200);
    CHECK(health.json() == json{{"status", "ok"}});

    auto created =
        c.query({{"query", "CREATE (n:Person {name: $name, age: $age}) RETURN n.name AS name"},
                 {"params", {{"name", "Ada"}, {"age", 36}}}});
    REQUIRE(created.status == 200);
    auto cj = created.json();
    CHECK(cj["columns"] == json::array({"name"}));
    CHECK(cj["rows"] == json::array({json::array({"Ada"})}));
    CHECK(cj["stats"]["nodes_created"] == 1);
    CHECK(cj["stats"]["contains_updates"] == true);

    auto read = c.query({{"query", "MATCH (n:Person) RETURN n.age AS age, n"}});
    REQUIRE(read.status == 200);
    auto rj = read.json();
    CHECK(rj["rows"][0][0] == 36);
    CHECK(rj["rows"][0][1]["labels"] == json::array({"Person"}));
    CHECK(rj["rows"][0][1]["properties"]["name"] == "Ada");
    CHECK(rj["stats"]["contains_updates"] == false);

    // "params": null is the same as no parameters.
    auto nullp = c.query({{"query", "RETURN 1 AS one"}, {"params", nullptr}});
    CHECK(nullp.status == 200);
    CHECK(nullp.json()["rows"] == json::array({json::array({1})}));

    auto plan = c.request("POST", "/explain", json{{"query", "MATCH (n:Person) RETURN n"}}.dump());
    REQUIRE(plan.status == 200);
    auto pj = plan.json();
    REQUIRE(pj["plan"].is_array());
    REQUIRE(!pj["plan"].empty());
    CHECK(pj["plan"][0].get<std::string>().find("Scan") != std::string::npos);

    auto metrics = c.request("GET", "/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(metrics.headers["Content-Type"].rfind("text/plain", 0) == 0);
    const auto& m = metrics.body;
    CHECK(m.find("lora_http_requests_total{route=\"/query\",status=\"200\"} 3") !=
          std::string::npos);
    CHECK(m.find("lora_http_requests_total{route=\"/explain\",status=\"200\"} 1") !=
          std::string::npos);
    CHECK(m.find("lora_queries_total 4") != std::string::npos);
    CHECK(m.find("lora_http_request_duration_seconds_bucket{le=\"+Inf\"} 5") != std::string::npos);
    CHECK(m.find("lora_http_requests_in_flight 1") != std::string::npos);  // this request
    CHECK(m.find("process_resident_memory_bytes ") != std::string::npos);

    auto prof = c.request("POST", "/profile", json{{"query", "MATCH (n:Person) RETURN n"}}.dump());
    REQUIRE(prof.status == 200);
    auto prj = prof.json();
    REQUIRE(prj["profile"].is_array());
    REQUIRE(prj["profile"].size() >= 2);
    CHECK(prj["profile"][0]["operator"].get<std::string>().find("ScanNodes") != std::string::npos);
    // The last row is the total: as many result rows as :Person nodes.
    auto people = c.query({{"query", "MATCH (n:Person) RETURN count(n) AS c"}});
    CHECK(prj["profile"].back()["rows"] == people.json()["rows"][0][0]);
    CHECK(m.find("process_resident_memory_bytes 0\n") == std::string::npos);

    CHECK(d.stop() == 0);
}

TEST_CASE("lorad maps bad requests and failed queries to statuses", "[net][lorad]") {
    Lorad d({"--max-request-bytes", "1KiB"});
    HttpClient c(d.port());

    auto expect_error = [](const lora::test::Reply& r, unsigned status, const std::string& code) {
        INFO("body: " << r.body);
        CHECK(r.status == status);
        auto j = json::parse(r.body, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["error"]["code"] == code);
        CHECK(j["error"]["message"].is_string());
        CHECK(j["error"]["class"].is_string());
    };

    expect_error(c.request("POST", "/query", "{\"query\": "), 400, "Request.InvalidJson");
    expect_error(c.request("POST", "/query", "[1, 2]"), 400, "Request.InvalidField");
    expect_error(c.request("POST", "/query", "{}"), 400, "Request.MissingField");
    expect_error(c.query({{"query", 42}}), 400, "Request.InvalidField");
    expect_error(c.query({{"query", "RETURN 1"}, {"params", json::array({1})}}), 400,
                 "Request.InvalidField");
    expect_error(c.request("POST", "/query", std::string(300, '[') + std::string(300, ']')), 400,
                 "Request.InvalidJson");

    auto syntax = c.query({{"query", "MATCH (n RETURN n"}});
    expect_error(syntax, 400, syntax.json()["error"]["code"].get<std::string>());
    CHECK(syntax.json()["error"]["class"] == "syntax");
    auto semantic = c.query({{"query", "RETURN x"}});
    CHECK(semantic.status == 400);
    CHECK(semantic.json()["error"]["code"] == "SyntaxError.UndefinedVariable");

    expect_error(c.request("GET", "/no/such/route"), 404, "Request.NotFound");
    auto wrong = c.request("GET", "/query");
    expect_error(wrong, 405, "Request.MethodNotAllowed");
    CHECK(wrong.headers["Allow"] == "POST");
    expect_error(c.request("DELETE", "/health"), 405, "Request.MethodNotAllowed");

    // Still the same keep-alive connection: errors do not close it.
    CHECK(c.request("GET", "/health").status == 200);

    // Just under the limit is served; over it is refused before the body is read.
    std::string pad(1024 - 40, ' ');
    std::string small = "{\"query\": \"RETURN 7 AS seven\"" + pad + "}";
    REQUIRE(small.size() <= 1024);
    CHECK(c.request("POST", "/query", small).status == 200);
    auto big = c.request("POST", "/query",
                         "{\"query\": \"RETURN 1\", \"x\": \"" + std::string(4096, 'x') + "\"}");
    expect_error(big, 413, "Request.TooLarge");
    CHECK(big.closed);

    // A body far over the limit sent chunked (no Content-Length) is cut off too.
    HttpClient c2(d.port());
    std::string chunk(2000, 'a');
    char size_hex[16];
    std::snprintf(size_hex, sizeof size_hex, "%zx", chunk.size());
    auto chunked = c2.raw("POST /query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          std::string(size_hex) + "\r\n" + chunk + "\r\n0\r\n\r\n");
    CHECK(chunked.status == 413);

    // Garbage instead of HTTP gets a 400, not a crash.
    HttpClient c3(d.port());
    auto garbage = c3.raw("NOT HTTP AT ALL\r\n\r\n");
    CHECK((garbage.status == 400 || garbage.closed));

    HttpClient c4(d.port());
    CHECK(c4.request("GET", "/health").status == 200);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad requires the bearer token when one is set", "[net][lorad]") {
    Lorad d({"--auth-token", "s3cret"});
    HttpClient c(d.port());
    auto missing = c.query({{"query", "RETURN 1 AS x"}});
    CHECK(missing.status == 401);
    CHECK(missing.json()["error"]["code"] == "Request.Unauthorized");
    CHECK(missing.headers["WWW-Authenticate"] == "Bearer");
    CHECK(c.query({{"query", "RETURN 1 AS x"}}, {{"Authorization", "Bearer wrong!"}}).status ==
          401);
    CHECK(c.query({{"query", "RETURN 1 AS x"}}, {{"Authorization", "s3cret"}}).status == 401);
    CHECK(c.request("GET", "/metrics").status == 401);
    auto ok = c.query({{"query", "RETURN 1 AS x"}}, {{"Authorization", "Bearer s3cret"}});
    CHECK(ok.status == 200);
    CHECK(ok.json()["rows"] == json::array({json::array({1})}));
    CHECK(c.request("GET", "/health").status == 200);  // probes need no token
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad takes flag over environment over config file", "[net][lorad]") {
    lora::test::TempDir dir;
    auto cfg = dir.path / "lorad.toml";
    std::ofstream(cfg) << "auth-token = \"from-file\"\nquery-timeout-ms = 0\nshards = 3\n";
    auto authorized = [](uint16_t port, const std::string& token) {
        HttpClient c(port);
        return c.query({{"query", "RETURN 1 AS x"}}, {{"Authorization", "Bearer " + token}})
                   .status == 200;
    };
    {
        Lorad d({"--config", cfg.string()});
        CHECK(authorized(d.port(), "from-file"));
    }
    {
        Lorad d({"--config", cfg.string()}, {{"LORA_AUTH_TOKEN", "from-env"}});
        CHECK(authorized(d.port(), "from-env"));
        CHECK_FALSE(authorized(d.port(), "from-file"));
    }
    {
        Lorad d({"--config", cfg.string(), "--auth-token", "from-flag"},
                {{"LORA_AUTH_TOKEN", "from-env"}});
        CHECK(authorized(d.port(), "from-flag"));
        CHECK_FALSE(authorized(d.port(), "from-env"));
    }
}

TEST_CASE("lorad refuses bad settings with a message", "[net][lorad]") {
    // Started by hand: a refusing lorad never prints its port.
    auto run = [](std::vector<std::string> args, std::map<std::string, std::string> env) {
        auto r = lora::test::run_process(lora::test::kLorad, std::move(args), {}, env);
        return std::make_pair(r.exit_code, r.err);
    };
    auto [code1, err1] = run({"--http", "127.0.0.1:0", "--shards", "many"}, {});
    CHECK(code1 == 2);
    CHECK(err1.find("shards") != std::string::npos);
    auto [code2, err2] = run({"--http", "127.0.0.1:0"}, {{"LORA_SYNC", "sometimes"}});
    CHECK(code2 == 2);
    CHECK(err2.find("LORA_SYNC") != std::string::npos);
    auto [code3, err3] = run({"--http", "localhost-no-port"}, {});
    CHECK(code3 == 2);
    CHECK(err3.find("HOST:PORT") != std::string::npos);
}

TEST_CASE("lorad serves 32 concurrent clients mixing writes and reads", "[net][lorad]") {
    Lorad d({"--shards", "4"});
    constexpr int kClients = 32;
    constexpr int kWrites = 20;
    std::atomic<int> failures{0};
    std::vector<std::string> first_failure(kClients);
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            try {
                HttpClient c(d.port());
                for (int i = 0; i < kWrites; ++i) {
                    auto w = c.query({{"query", "CREATE (:Item {client: $c, seq: $i})"},
                                      {"params", {{"c", t}, {"i", i}}}});
                    if (w.status != 200 || w.json()["stats"]["nodes_created"] != 1)
                        throw std::runtime_error("write: " + std::to_string(w.status) + " " +
                                                 w.body);
                    auto r = c.query({{"query", "MATCH (n:Item {client: $c}) RETURN count(n) AS n"},
                                      {"params", {{"c", t}}}});
                    // Auto-commit writes are visible to the same client's next read.
                    if (r.status != 200 || r.json()["rows"][0][0] != i + 1)
                        throw std::runtime_error("read: " + std::to_string(r.status) + " " +
                                                 r.body);
                    if (i % 5 == 0 && c.request("GET", "/health").status != 200)
                        throw std::runtime_error("health failed");
                }
            } catch (const std::exception& e) {
                if (failures.fetch_add(1) == 0) first_failure[t] = e.what();
            }
        });
    }
    for (auto& th : threads) th.join();
    std::string why;
    for (const auto& f : first_failure) why += f;
    INFO(why);
    REQUIRE(failures.load() == 0);

    HttpClient c(d.port());
    auto total = c.query(
        {{"query", "MATCH (n:Item) RETURN count(n) AS n, count(DISTINCT n.client) AS clients"}});
    REQUIRE(total.status == 200);
    CHECK(total.json()["rows"][0][0] == kClients * kWrites);
    CHECK(total.json()["rows"][0][1] == kClients);
    auto metrics = c.request("GET", "/metrics").body;
    CHECK(metrics.find("lora_http_requests_total{route=\"/query\",status=\"200\"} " +
                       std::to_string(kClients * kWrites * 2 + 1)) != std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad answers 504 when a query outlives the timeout and keeps serving", "[net][lorad]") {
    Lorad d({"--query-timeout-ms", "1"});
    HttpClient c(d.port());
    auto slow = c.query({{"query", "UNWIND range(1, 500000) AS x RETURN count(x) AS n"}});
    CHECK(slow.status == 504);
    CHECK(slow.json()["error"]["code"] == "Request.Timeout");
    CHECK(c.request("GET", "/health").status == 200);
    auto m = c.request("GET", "/metrics").body;
    CHECK(m.find("lora_query_timeouts_total 1") != std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad answers =~ on a 30 KB string and on a runaway pattern, and stays up",
          "[net][lorad]") {
    // std::regex used to recurse once per character here and kill the daemon (SIGSEGV).
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    auto long_string =
        c.query({{"query", "RETURN reduce(s = '', i IN range(1, 30000) | s + 'a') =~ '.*' AS m"}});
    INFO("body: " << long_string.body);
    REQUIRE(long_string.status == 200);
    CHECK(long_string.json()["rows"] == json::array({json::array({true})}));

    auto runaway = c.query(
        {{"query", "RETURN reduce(s = '', i IN range(1, 40) | s + 'a') + 'b' =~ '(a|aa)+' AS m"}});
    INFO("body: " << runaway.body);
    CHECK(runaway.status == 400);
    CHECK(runaway.json()["error"]["code"] == "ArgumentError.InvalidArgumentValue");
    CHECK(runaway.json()["error"]["message"].get<std::string>().find("match limit") !=
          std::string::npos);

    auto invalid = c.query({{"query", "RETURN 'a' =~ '(' AS m"}});
    CHECK(invalid.status == 400);
    CHECK(invalid.json()["error"]["code"] == "ArgumentError.InvalidArgumentValue");

    CHECK(c.request("GET", "/health").status == 200);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad answers long flat operator chains and keeps serving", "[net][lorad]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    std::string sum = "RETURN 1";
    for (int i = 1; i < 20000; ++i) sum += " + 1";
    auto r = c.query({{"query", sum + " AS s"}});
    INFO("body: " << r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    CHECK(r.json()["rows"] == json::array({json::array({20000})}));
    std::string conj = "RETURN true";
    for (int i = 1; i < 20000; ++i) conj += " AND true";
    auto a = c.query({{"query", conj + " AS s"}});
    REQUIRE(a.status == 200);
    CHECK(a.json()["rows"] == json::array({json::array({true})}));
    // What truly nests past the bound is refused with a syntax error, not a crash.
    std::string nulls = "RETURN 1";
    for (int i = 0; i < 20000; ++i) nulls += " IS NULL";
    auto deep = c.query({{"query", nulls}});
    CHECK(deep.status == 400);
    CHECK(deep.json()["error"]["code"] == "SyntaxError.UnexpectedSyntax");
    auto after = c.query({{"query", "RETURN 1 AS one"}});
    REQUIRE(after.status == 200);
    CHECK(after.json()["rows"] == json::array({json::array({1})}));
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad exits 0 on SIGINT and SIGTERM with idle connections open", "[net][lorad]") {
    for (int sig : {SIGTERM, SIGINT}) {
        Lorad d({});
        HttpClient idle(d.port());
        CHECK(idle.request("GET", "/health").status == 200);
        CHECK(d.stop(sig) == 0);
        INFO(d.stderr_text());
        CHECK(d.stderr_text().find("draining") != std::string::npos);
    }
}

TEST_CASE("lorad loads CSV files from --import-dir only", "[net][lorad][csv]") {
    lora::test::TempDir import;
    std::ofstream(import.path / "people.csv") << "name,age\nAda,36\n\"Bo, Jr\",7\n";
    lora::test::TempDir outside;
    std::ofstream(outside.path / "secret.csv") << "s\n";
    std::filesystem::create_symlink(outside.path / "secret.csv", import.path / "link.csv");
    Lorad d({"--import-dir", import.path.string()});
    HttpClient c(d.port());

    auto loaded = c.query({{"query",
                            "LOAD CSV WITH HEADERS FROM 'file:///people.csv' AS row "
                            "CALL (row) { CREATE (:P {name: row.name, age: toInteger(row.age)}) } "
                            "IN TRANSACTIONS OF 1 ROW"}});
    REQUIRE(loaded.status == 200);
    CHECK(loaded.json()["stats"]["nodes_created"] == 2);
    auto read = c.query({{"query", "MATCH (p:P) RETURN p.name AS n ORDER BY n"}});
    CHECK(read.json()["rows"] == json::array({json::array({"Ada"}), json::array({"Bo, Jr"})}));

    for (const char* url : {"file:///../x.csv", "file:///link.csv"}) {
        auto refused =
            c.query({{"query", std::string("LOAD CSV FROM '") + url + "' AS row RETURN row"}});
        INFO(url << ": " << refused.body);
        CHECK(refused.status == 400);
        CHECK(refused.json()["error"]["code"] == "Request.InvalidPath");
    }
}
