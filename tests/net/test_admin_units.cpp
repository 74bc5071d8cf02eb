// Units behind the admin routes and `lora --connect`: snapshot path confinement, health and
// read-only answers, the settings for snapshots, and turning lorad's JSON back into values.
#include "net_support.hpp"

#include <lora/errors.hpp>
#include <lora/net/admin.hpp>
#include <lora/net/config.hpp>
#include <lora/net/remote.hpp>

#include <catch2/catch.hpp>

#include <fstream>

#include <lora/net/json_format.hpp>
#include <lora/net/table_format.hpp>

using namespace lora::net;
using lora::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("snapshot paths resolve inside the directory or are refused", "[net][admin]") {
    lora::test::TempDir tmp;
    const fs::path dir = tmp.path / "snaps";
    fs::create_directories(dir / "sub");
    const fs::path base = fs::canonical(dir);
    CHECK(resolve_snapshot_path(dir, "a.snap") == base / "a.snap");
    CHECK(resolve_snapshot_path(dir, "sub/b.snap") == base / "sub" / "b.snap");
    CHECK(resolve_snapshot_path(dir, "./c.snap") == base / "c.snap");
    // The directory need not exist yet (created on the first save).
    CHECK(resolve_snapshot_path(tmp.path / "later", "x").filename() == "x");

    auto refused = [&](const std::string& name, const std::string& why) {
        INFO(name);
        try {
            resolve_snapshot_path(dir, name);
            FAIL("accepted " << name);
        } catch (const lora::Error& e) {
            CHECK(e.detail() == "InvalidPath");
            CHECK(e.message().find(why) != std::string::npos);
        }
    };
    refused("", "empty");
    refused("/etc/passwd", "relative");
    refused("../x", "..");
    refused("sub/../../x", "..");
    refused("sub/..", "..");
    refused(".", "directory itself");
    refused(std::string("a\0b", 3), "NUL");
    fs::create_directory_symlink(tmp.path, dir / "up");
    refused("up/x.snap", "outside");
    fs::create_symlink("/etc/hostname", dir / "host");
    refused("host", "outside");
}

TEST_CASE("health is 503 with the reason when the database is read-only", "[net][admin]") {
    auto ok = health_response(false, "");
    CHECK(ok.status == 200);
    CHECK(json::parse(ok.body) == json{{"status", "ok"}});
    auto ro = health_response(true, "WAL fdatasync failed: EIO");
    CHECK(ro.status == 503);
    CHECK(json::parse(ro.body) ==
          json{{"status", "read-only"}, {"reason", "WAL fdatasync failed: EIO"}});

    lora::Error read_only = lora::errors::read_only("WAL failed");
    CHECK(http_status(read_only) == 503);
    CHECK(engine_error(read_only).status == 503);
    lora::Error other = lora::errors::database("Io", "disk");
    CHECK(http_status(other) == 500);
}

TEST_CASE("snapshot-dir and shutdown-grace-ms settings", "[net][config]") {
    DaemonConfig cfg;
    cfg.set("data", "/var/lib/lora", "test");
    CHECK(cfg.effective_snapshot_dir() == "/var/lib/lora/snapshots");
    cfg.set("snapshot-dir", "/backups", "test");
    CHECK(cfg.effective_snapshot_dir() == "/backups");
    CHECK_THROWS_AS(cfg.set("snapshot-dir", "", "test"), lora::Error);
    cfg.set("shutdown-grace-ms", "250", "test");
    CHECK(cfg.shutdown_grace_ms == 250);
    CHECK_THROWS_AS(cfg.set("shutdown-grace-ms", "soon", "test"), lora::Error);
    cfg.apply_env([](const char* name) -> const char* {
        return std::string(name) == "LORA_SNAPSHOT_DIR" ? "/from-env" : nullptr;
    });
    CHECK(cfg.effective_snapshot_dir() == "/from-env");
}

TEST_CASE("import-dir setting", "[net][config][csv]") {
    DaemonConfig cfg;
    CHECK(cfg.import_dir.empty());  // lorad: <data>/import
    cfg.set("import-dir", "/srv/csv", "test");
    CHECK(cfg.import_dir == "/srv/csv");
    CHECK_THROWS_AS(cfg.set("import-dir", "", "test"), lora::Error);
    cfg.apply_env([](const char* name) -> const char* {
        return std::string(name) == "LORA_IMPORT_DIR" ? "/from-env" : nullptr;
    });
    CHECK(cfg.import_dir == "/from-env");
}

TEST_CASE("transaction settings: idle timeout and cap", "[net][config][tx]") {
    DaemonConfig cfg;
    CHECK(cfg.tx_idle_timeout_ms == 30000);
    CHECK(cfg.max_transactions == 1000);
    cfg.set("tx-idle-timeout-ms", "150", "test");
    CHECK(cfg.tx_idle_timeout_ms == 150);
    CHECK_THROWS_WITH(cfg.set("tx-idle-timeout-ms", "0", "test"), Catch::Contains("at least 1"));
    CHECK_THROWS_WITH(cfg.set("max-transactions", "0", "test"),
                      Catch::Contains("max-transactions"));
    cfg.apply_env([](const char* name) -> const char* {
        std::string n(name);
        return n == "LORA_TX_IDLE_TIMEOUT_MS" ? "900"
               : n == "LORA_MAX_TRANSACTIONS" ? "7"
                                              : nullptr;
    });
    CHECK(cfg.tx_idle_timeout_ms == 900);
    CHECK(cfg.max_transactions == 7);
    TempDir dir;
    auto file = dir.path / "lorad.toml";
    std::ofstream(file) << "tx-idle-timeout-ms = 1234\nmax-transactions = 5\n";
    DaemonConfig from_file;
    from_file.apply_toml_file(file.string());
    CHECK(from_file.tx_idle_timeout_ms == 1234);
    CHECK(from_file.max_transactions == 5);
}

TEST_CASE("http URLs for --connect", "[net][remote]") {
    auto a = parse_http_url("http://127.0.0.1:7000");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 7000);
    auto b = parse_http_url("http://db.example/");
    CHECK(b.host == "db.example");
    CHECK(b.port == 4747);
    auto c = parse_http_url("http://[::1]:9");
    CHECK(c.host == "::1");
    CHECK(c.port == 9);
    auto d = parse_http_url("https://db.example:8443");
    CHECK(d.host == "db.example");
    CHECK(d.port == 8443);
    CHECK_THROWS_AS(parse_http_url("ftp://x:1"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("x:1"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://x:1/query"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://x:99999"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://x:"), lora::Error);
    CHECK_THROWS_AS(parse_http_url("http://:80"), lora::Error);
}

TEST_CASE("lorad's JSON turns back into the values it came from", "[net][remote]") {
    using lora::Value;
    auto node_data = std::make_shared<lora::NodeData>();
    node_data->labels = {"Person"};
    node_data->properties = {{"name", Value("Ada")}, {"born", Value(int64_t(1815))}};
    lora::Node n1{7, node_data};
    lora::Node n2{8, node_data};
    auto rel_data = std::make_shared<lora::RelData>();
    rel_data->type = "KNOWS";
    rel_data->properties = {{"since", Value(1.5)}};
    lora::Relationship r;
    r.id = 3;
    r.start = 7;
    r.end = 8;
    r.data = rel_data;
    lora::Path p{{n1, n2}, {r}};
    lora::Map plain{{"id", Value(int64_t(1))}, {"labels", Value(lora::List{})}};

    lora::Result original;
    original.columns = {"n", "r", "p", "m", "x"};
    original.rows.push_back({Value(n1), Value(r), Value(p), Value(plain), Value(2.0)});
    original.rows.push_back({Value(), Value(lora::List{Value(int64_t(1)), Value("two")}),
                             Value(true), Value(lora::Map{}), Value(int64_t(-4))});
    original.stats.nodes_created = 2;

    json wire = lora::json::result_to_json(original);
    wire["stats"] = {{"nodes_created", 2}};
    lora::Result back = result_from_json(json::parse(wire.dump()));
    CHECK(back.columns == original.columns);
    CHECK(back.stats.nodes_created == 2);
    REQUIRE(back.rows.size() == 2);
    CHECK(back.rows[0][0].kind() == lora::ValueKind::Node);
    CHECK(back.rows[0][1].kind() == lora::ValueKind::Relationship);
    CHECK(back.rows[0][2].kind() == lora::ValueKind::Path);
    CHECK(back.rows[0][3].kind() == lora::ValueKind::Map);  // not quite a node's shape
    CHECK(back.rows[0][4].kind() == lora::ValueKind::Float);
    // Rendered the same way as the original.
    CHECK(lora::json::format_table(back) == lora::json::format_table(original));

    CHECK_THROWS_AS(result_from_json(json{{"rows", json::array()}}), lora::Error);
}

TEST_CASE("lorad's error bodies become lora::Error", "[net][remote]") {
    auto e = error_from_json(400, json::parse(R"({"error": {"code": "SyntaxError.UndefinedVariable",
        "class": "syntax", "message": "x is not defined", "line": 1, "column": 8}})"));
    CHECK(e.code() == "SyntaxError.UndefinedVariable");
    CHECK(e.error_class() == lora::ErrorClass::Syntax);
    CHECK(e.message() == "x is not defined");
    CHECK(e.line() == 1);
    CHECK(e.column() == 8);
    auto t = error_from_json(
        409,
        json{{"error",
              {{"code", "TransientError.Conflict"}, {"class", "transient"}, {"message", "m"}}}});
    CHECK(t.error_class() == lora::ErrorClass::Transient);
    CHECK(t.kind() == lora::ErrorKind::Other);
    // A decoded error has the kind its factory gave it on the server.
    auto gone = error_from_json(
        404,
        json{{"error",
              {{"code", "Request.TransactionNotFound"}, {"class", "request"}, {"message", "m"}}}});
    CHECK(gone.kind() == lora::ErrorKind::TransactionNotFound);
    auto conflict = error_from_json(409, json{{"error",
                                               {{"code", "TransientError.ConflictDetected"},
                                                {"class", "transient"},
                                                {"message", "m"}}}});
    CHECK(conflict.kind() == lora::ErrorKind::Conflict);
    CHECK(conflict.error_class() == lora::ErrorClass::Transient);
    auto odd = error_from_json(502, json::array());
    CHECK(odd.detail() == "BadResponse");
    CHECK(odd.message().find("502") != std::string::npos);
}
