// The HTTP server in-process with test routes (slow, failing handlers), the router, the
// metrics text and the settings layer, each without a lorad child process.
#include "net_support.hpp"

#include <lora/errors.hpp>
#include <lora/net/config.hpp>
#include <lora/net/http_server.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

using lora::test::HttpClient;
using namespace lora::net;
using nlohmann::json;

namespace {

Response text(std::string body) {
    Response r;
    r.content_type = "text/plain";
    r.body = std::move(body);
    return r;
}

Router test_router() {
    Router router;
    router.add({"GET", "/fast", Dispatch::Inline, [](const Request&) { return text("fast"); }});
    router.add({"POST", "/echo", Dispatch::Worker, [](const Request& r) { return text(r.body); }});
    router.add({"GET", "/slow", Dispatch::Worker, [](const Request&) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(300));
                    return text("slow");
                }});
    router.add({"GET", "/transient", Dispatch::Worker, [](const Request&) -> Response {
                    throw lora::errors::conflict("write conflict, retry");
                }});
    router.add({"GET", "/broken", Dispatch::Worker,
                [](const Request&) -> Response { throw std::runtime_error("handler bug"); }});
    router.add({"GET", "/dberror", Dispatch::Inline, [](const Request&) -> Response {
                    throw lora::errors::wal_failure("the WAL failed");
                }});
    return router;
}

}  // namespace

TEST_CASE("router finds routes and tells 404 from 405", "[net]") {
    Router r = test_router();
    auto m = r.find("GET", "/fast");
    REQUIRE(m.route);
    CHECK(m.route->path == "/fast");
    auto wrong = r.find("PUT", "/echo");
    CHECK_FALSE(wrong.route);
    CHECK(wrong.status == 405);
    CHECK(wrong.allow == "POST");
    auto missing = r.find("GET", "/nowhere");
    CHECK_FALSE(missing.route);
    CHECK(missing.status == 404);
}

TEST_CASE("router matches {name} segments and returns their values", "[net]") {
    Router r;
    auto ok = [](const Request&) { return Response{}; };
    r.add({"POST", "/tx", Dispatch::Worker, ok});
    r.add({"POST", "/tx/{id}/query", Dispatch::Worker, ok});
    r.add({"POST", "/tx/{id}/commit", Dispatch::Worker, ok});
    auto m = r.find("POST", "/tx/ab12/query");
    REQUIRE(m.route);
    CHECK(m.route->path == "/tx/{id}/query");
    CHECK(m.params == std::map<std::string, std::string>{{"id", "ab12"}});
    CHECK(r.find("POST", "/tx/ab12/commit").route->path == "/tx/{id}/commit");
    CHECK(r.find("POST", "/tx").route->path == "/tx");
    for (const char* bad :
         {"/tx//query", "/tx/ab12", "/tx/ab12/query/x", "/tx/a/b/query", "/tx/ab12/other"})
        CHECK(r.find("POST", bad).status == 404);
    auto wrong = r.find("GET", "/tx/ab12/query");
    CHECK(wrong.status == 405);
    CHECK(wrong.pattern == "/tx/{id}/query");
}

TEST_CASE("engine error classes map to HTTP statuses", "[net]") {
    using lora::ErrorClass;
    auto err = [](ErrorClass c) {
        return lora::Error(c, lora::ErrorPhase::Runtime, "T", "D", "m");
    };
    CHECK(http_status(err(ErrorClass::Syntax)) == 400);
    CHECK(http_status(err(ErrorClass::Semantic)) == 400);
    CHECK(http_status(err(ErrorClass::Constraint)) == 400);
    CHECK(http_status(err(ErrorClass::Transient)) == 409);
    CHECK(http_status(err(ErrorClass::Database)) == 500);
    auto body = json::parse(engine_error(err(ErrorClass::Transient)).body);
    CHECK(body["error"]["code"] == "T.D");
    CHECK(body["error"]["class"] == "transient");
}

TEST_CASE("HTTP status comes from the error's kind, then its class, never its text", "[net]") {
    namespace errors = lora::errors;
    // Kinds with a status of their own.
    CHECK(http_status(errors::transaction_not_found("ab12")) == 404);
    CHECK(http_status(errors::read_only("WAL fdatasync failed: EIO")) == 503);
    CHECK(http_status(errors::shutting_down()) == 503);
    CHECK(http_status(errors::too_many_transactions(8)) == 503);
    // Kinds that keep their class's status.
    CHECK(http_status(errors::cancelled()) == 409);
    CHECK(http_status(errors::timeout()) == 409);
    CHECK(http_status(errors::conflict("node 1")) == 409);
    CHECK(http_status(errors::transaction_closed()) == 400);
    CHECK(http_status(errors::not_supported("x")) == 400);
    CHECK(http_status(errors::internal("bug")) == 500);
    CHECK(http_status(errors::database_closed()) == 500);
    // A detail that merely reads like a special one gets its class's status: only the
    // factory's code (and the same code decoded from the wire) carries the kind.
    lora::Error look_alike(lora::ErrorClass::Database, lora::ErrorPhase::Runtime, "StorageError",
                           "ReadOnly", "a read-only file");
    CHECK(look_alike.kind() == lora::ErrorKind::Other);
    CHECK(http_status(look_alike) == 500);
    auto body = json::parse(engine_error(errors::read_only("disk")).body);
    CHECK(body["error"]["code"] == "DatabaseError.ReadOnly");
    CHECK(body["error"]["class"] == "database");
}

TEST_CASE("metrics render cumulative histogram buckets", "[net]") {
    Metrics m;
    m.record_request("/q", 200, 0.0001);
    m.record_request("/q", 200, 0.2);
    m.record_request("/q", 500, 100.0);
    CHECK(m.requests("/q", 200) == 2);
    auto t = m.render();
    CHECK(t.find("lora_http_requests_total{route=\"/q\",status=\"500\"} 1") != std::string::npos);
    CHECK(t.find("lora_http_request_duration_seconds_bucket{le=\"0.0005\"} 1") !=
          std::string::npos);
    CHECK(t.find("lora_http_request_duration_seconds_bucket{le=\"0.25\"} 2") != std::string::npos);
    CHECK(t.find("lora_http_request_duration_seconds_bucket{le=\"5\"} 2") != std::string::npos);
    CHECK(t.find("lora_http_request_duration_seconds_bucket{le=\"+Inf\"} 3") != std::string::npos);
    CHECK(process_rss_bytes() > 0);
}

TEST_CASE("settings: flag over environment over file over default", "[net]") {
    lora::test::TempDir dir;
    auto file = (dir.path / "c.toml").string();
    std::ofstream(file) << "shards = 3\nsync = \"interval:50\"\nmax-request-bytes = "
                           "\"2MiB\"\nlog-level = \"warn\"\n";
    DaemonConfig c;
    CHECK(c.data_dir == "./lora-data");
    CHECK(c.http == "127.0.0.1:4747");
    CHECK(c.max_request_bytes == 16u << 20);
    c.apply_toml_file(file);
    CHECK(c.shards == 3);
    CHECK(c.sync == "interval:50");
    CHECK(c.max_request_bytes == 2u << 20);
    std::map<std::string, std::string> env = {{"LORA_SHARDS", "5"}, {"LORA_HTTP", "0.0.0.0:9000"}};
    c.apply_env([&](const char* n) -> const char* {
        auto it = env.find(n);
        return it == env.end() ? nullptr : it->second.c_str();
    });
    CHECK(c.shards == 5);
    CHECK(c.http == "0.0.0.0:9000");
    CHECK(c.log_level == "warn");
    c.set("shards", "7", "--shards");
    CHECK(c.shards == 7);

    CHECK_THROWS_WITH(c.set("shards", "-1", "--shards"), Catch::Contains("--shards"));
    CHECK_THROWS_WITH(c.set("sync", "interval:", "--sync"), Catch::Contains("sync"));
    CHECK_THROWS_WITH(c.set("max-request-bytes", "12 parsecs", "x"), Catch::Contains("unit"));
    CHECK_THROWS_WITH(c.set("bogus", "1", "x"), Catch::Contains("unknown option"));

    std::ofstream(file) << "shards = [1, 2]\n";
    CHECK_THROWS_WITH(DaemonConfig().apply_toml_file(file), Catch::Contains("shards"));
    std::ofstream(file) << "shards = \n";
    CHECK_THROWS_WITH(DaemonConfig().apply_toml_file(file), Catch::Contains("c.toml:1"));
    CHECK_THROWS_AS(DaemonConfig().apply_toml_file((dir.path / "missing.toml").string()),
                    lora::Error);

    CHECK(parse_host_port("[::1]:80") == std::make_pair(std::string("::1"), uint16_t(80)));
    CHECK_THROWS(parse_host_port("host:70000"));
    CHECK(parse_size("64KiB") == 65536);
    CHECK(parse_size("3") == 3);
}

TEST_CASE("server: worker routes, error mapping, query deadline and keep-alive", "[net]") {
    Router router = test_router();
    Metrics metrics;
    ServerOptions o;
    o.port = 0;
    o.query_threads = 2;
    o.query_timeout = std::chrono::milliseconds(100);
    o.max_request_bytes = 4096;
    HttpServer server(o, router, metrics);
    server.start();
    REQUIRE(server.port() != 0);
    HttpClient c(server.port());

    CHECK(c.request("GET", "/fast").body == "fast");
    auto echo = c.request("POST", "/echo", "hello");
    CHECK(echo.status == 200);
    CHECK(echo.body == "hello");
    CHECK(c.request("GET", "/fast?x=1").status == 200);  // the query string is not the path

    auto interim = c.raw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        "Content-Length: 5\r\n\r\n");
    CHECK(interim.status == 100);
    auto continued = c.raw("abcde");
    CHECK(continued.status == 200);
    CHECK(continued.body == "abcde");

    auto timed_out = c.request("GET", "/slow");
    CHECK(timed_out.status == 504);
    CHECK_FALSE(timed_out.closed);
    // The late result of /slow must not be taken for the answer to the next request.
    auto next = c.request("POST", "/echo", "after");
    CHECK(next.body == "after");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CHECK(c.request("POST", "/echo", "later").body == "later");

    CHECK(c.request("GET", "/transient").status == 409);
    auto broken = c.request("GET", "/broken");
    CHECK(broken.status == 500);
    CHECK(json::parse(broken.body)["error"]["message"] == "internal error: handler bug");
    CHECK(c.request("GET", "/dberror").status == 500);
    CHECK(metrics.requests("/slow", 504) == 1);
    CHECK(server.stop(std::chrono::seconds(5)));
}

TEST_CASE("server drops a client that never finishes its headers", "[net]") {
    Router router = test_router();
    Metrics metrics;
    ServerOptions o;
    o.port = 0;
    o.header_timeout = std::chrono::milliseconds(200);
    HttpServer server(o, router, metrics);
    server.start();
    HttpClient slow(server.port());
    auto r = slow.raw("GET /fast HTTP/1.1\r\nHost: x\r\n");  // no blank line: headers never end
    CHECK(r.closed);
    CHECK(r.status == 0);
    HttpClient ok(server.port());
    CHECK(ok.request("GET", "/fast").status == 200);
    CHECK(server.stop(std::chrono::seconds(5)));
}

TEST_CASE("server stop waits for a running request", "[net]") {
    Router router = test_router();
    Metrics metrics;
    ServerOptions o;
    o.port = 0;
    HttpServer server(o, router, metrics);
    server.start();
    lora::test::Reply reply;
    std::thread t([&] {
        HttpClient c(server.port());
        reply = c.request("GET", "/slow");
    });
    while (metrics.in_flight() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(server.stop(std::chrono::seconds(10)));
    t.join();
    CHECK(reply.status == 200);
    CHECK(reply.body == "slow");
    CHECK(reply.closed);  // draining answers with Connection: close
}
