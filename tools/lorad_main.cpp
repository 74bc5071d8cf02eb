// lorad: the lora daemon. Resolves its settings (flag > LORA_* env > TOML file > default),
// opens the database, serves HTTP/JSON and Bolt until SIGTERM/SIGINT, then drains and exits 0.
#include <lora/lora.hpp>
#include <lora/memory.hpp>
#include <lora/net/admin.hpp>
#include <lora/net/bolt/server.hpp>
#include <lora/net/config.hpp>
#include <lora/net/connection_limit.hpp>
#include <lora/net/http_server.hpp>
#include <lora/net/tls.hpp>
#include <lora/net/transactions.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

int main(int argc, char** argv) {
    // Signals are taken synchronously by the main thread; every thread started later
    // inherits this mask, so none of them is interrupted.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app{"lorad: the lora graph database server (HTTP/JSON and Bolt)"};
    std::string config_file;
    app.add_option("--config", config_file, "TOML file with options (keys as the flags below)");
    const std::map<std::string, std::string> help = {
        {"data", "data directory (default ./lora-data)"},
        {"http", "listen address HOST:PORT (default 127.0.0.1:4747; port 0 = any free port)"},
        {"bolt",
         "Bolt listen address HOST:PORT for the Neo4j drivers (default 127.0.0.1:7687; port 0 = "
         "any free port; off = no Bolt)"},
        {"shards", "number of shards (default: hardware threads)"},
        {"sync", "WAL sync mode: per-commit, interval:<ms> or none (default per-commit)"},
        {"auth-token", "require 'Authorization: Bearer <token>' on every route but /health"},
        {"read-token",
         "a second token (with --auth-token) that may only read: writes, schema and admin "
         "changes get Security.Forbidden"},
        {"tls-cert", "PEM certificate chain: serve HTTPS and Bolt over TLS only (with --tls-key)"},
        {"tls-key", "PEM private key of --tls-cert"},
        {"max-connections-per-client",
         "open HTTP and Bolt connections one client address may hold (default 256; 0 = no "
         "limit)"},
        {"max-request-bytes", "largest request body, e.g. 16MiB (default 16MiB)"},
        {"query-timeout-ms",
         "cancel a query running this many ms and answer 504 (default 0 = no limit)"},
        {"memory-limit",
         "memory all running queries may hold together, e.g. 8GiB; a query that would pass it "
         "fails with 503 (default auto = 70% of the memory the process may use; 0 = no limit)"},
        {"query-memory-limit",
         "memory one query may hold, e.g. 1GiB; over it the query fails with 503 (default 0 = "
         "only --memory-limit)"},
        {"log-level", "trace, debug, info, warn, error, critical or off (default info)"},
        {"io-threads", "HTTP I/O threads (default 2)"},
        {"query-threads", "query worker threads (default 8 x hardware threads, at least 32)"},
        {"snapshot-dir",
         "directory the snapshot admin routes read and write (default <data>/snapshots)"},
        {"import-dir",
         "directory LOAD CSV reads file:/// URLs from; nothing outside it is readable (default "
         "<data>/import)"},
        {"shutdown-grace-ms", "on SIGTERM, wait this long for running requests (default 10000)"},
        {"tx-idle-timeout-ms", "roll back an explicit transaction idle this long (default 30000)"},
        {"max-transactions", "most explicit transactions open at once; beyond, 503 (default 1000)"},
    };
    std::map<std::string, std::string> flags;
    std::map<std::string, CLI::Option*> flag_opts;
    for (const auto& key : lora::net::DaemonConfig::keys())
        flag_opts[key] = app.add_option("--" + key, flags[key], help.at(key));
    CLI11_PARSE(app, argc, argv);

    lora::net::DaemonConfig cfg;
    // Built before the database opens, so a bad certificate or key stops the start at once.
    std::shared_ptr<boost::asio::ssl::context> tls;
    try {
        if (config_file.empty())
            if (const char* f = std::getenv("LORA_CONFIG"); f && *f) config_file = f;
        if (!config_file.empty()) cfg.apply_toml_file(config_file);
        cfg.apply_env([](const char* name) { return std::getenv(name); });
        for (const auto& [key, opt] : flag_opts)
            if (opt->count() > 0) cfg.set(key, flags[key], "--" + key);
        cfg.check();
        if (!cfg.tls_cert.empty())
            tls = lora::net::make_server_tls_context(cfg.tls_cert, cfg.tls_key);
    } catch (const lora::Error& e) {
        std::cerr << "lorad: " << e.message() << "\n";
        return 2;
    }

    auto logger = spdlog::stderr_color_mt("lorad");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));

    std::unique_ptr<lora::Database> db;
    try {
        lora::Options opt;
        opt.shards = cfg.shards;
        opt.data_dir = cfg.data_dir;
        opt.sync = cfg.sync;
        opt.import_dir = cfg.import_dir;
        opt.memory_limit = cfg.memory_limit;
        opt.query_memory_limit = cfg.query_memory_limit;
        db = lora::Database::open(opt);
    } catch (const lora::Error& e) {
        // A locked, corrupt or unreadable data directory: say which and stop; never fall
        // back to a database that would silently lose writes.
        spdlog::critical("cannot open the database in {}: {} ({})", cfg.data_dir, e.message(),
                         e.code());
        return 1;
    }
    if (auto h = db->health(); h.read_only) spdlog::warn("the database is read-only: {}", h.reason);

    lora::net::Metrics metrics;
    lora::net::Router router;
    std::optional<lora::net::TransactionRegistry> transactions;
    std::optional<lora::net::HttpServer> server;
    std::optional<lora::net::bolt::Server> bolt;
    try {
        lora::net::TransactionLimits limits;
        limits.idle_timeout = std::chrono::milliseconds(cfg.tx_idle_timeout_ms);
        limits.max_open = cfg.max_transactions;
        transactions.emplace(*db, metrics, limits);
        lora::net::add_standard_routes(router, *db, metrics);
        lora::net::add_transaction_routes(router, *transactions, metrics);
        lora::net::add_admin_routes(router, *db, cfg.effective_snapshot_dir());

        auto limiter = std::make_shared<lora::net::ConnectionLimiter>(
            cfg.max_connections_per_client, &metrics);

        lora::net::ServerOptions so;
        std::tie(so.host, so.port) = lora::net::parse_host_port(cfg.http);
        so.io_threads = cfg.io_threads;
        so.query_threads = cfg.query_threads;
        so.max_request_bytes = cfg.max_request_bytes;
        so.query_timeout = std::chrono::milliseconds(cfg.query_timeout_ms);
        so.auth_token = cfg.auth_token;
        so.read_token = cfg.read_token;
        so.tls = tls;
        so.limiter = limiter;
        server.emplace(so, router, metrics);
        server->start();
        if (cfg.bolt != "off") {
            lora::net::bolt::ServerOptions bo;
            std::tie(bo.host, bo.port) = lora::net::parse_host_port(cfg.bolt);
            bo.auth_token = cfg.auth_token;
            bo.read_token = cfg.read_token;
            bo.tls = tls;
            bo.limiter = limiter;
            bo.metrics = &metrics;
            bo.worker_threads = cfg.query_threads;
            bolt.emplace(bo, *db);
            bolt->start();
        }
    } catch (const lora::Error& e) {
        spdlog::critical("{}", e.message());
        bolt.reset();
        server.reset();
        transactions.reset();
        db.reset();
        return 1;
    }
    std::string host = server->host();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    // Tests and scripts read the bound port from this line when --http asked for port 0.
    std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(server->port()));
    if (bolt) {
        std::string bhost = bolt->host();
        if (bhost.find(':') != std::string::npos) bhost = "[" + bhost + "]";
        std::printf("bolt listening on %s:%u\n", bhost.c_str(),
                    static_cast<unsigned>(bolt->port()));
        spdlog::info("bolt listening on {}:{}", bhost, bolt->port());
    }
    std::fflush(stdout);
    spdlog::info("lorad listening on {}:{} ({} shards, data in {}, sync {}{}{}{})", host,
                 server->port(), db->shard_count(), cfg.data_dir, cfg.sync,
                 cfg.tls_cert.empty() ? "" : ", TLS only",
                 cfg.auth_token.empty() ? "" : ", bearer token required",
                 cfg.read_token.empty() ? "" : ", read-only token accepted");
    {
        const auto mem = db->engine_stats().memory;
        spdlog::info("query memory: {} for all queries together, {} per query",
                     mem.limit ? lora::format_bytes(mem.limit) : std::string("no limit"),
                     cfg.query_memory_limit ? lora::format_bytes(cfg.query_memory_limit)
                                            : std::string("no limit of its own"));
    }

    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("received {}, draining requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    // Both servers drain within the one grace period.
    auto grace_end =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.shutdown_grace_ms);
    bool http_drained = server->stop(std::chrono::milliseconds(cfg.shutdown_grace_ms));
    bool bolt_drained = true;
    if (bolt) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            grace_end - std::chrono::steady_clock::now());
        bolt_drained = bolt->stop(std::max(left, std::chrono::milliseconds(0)));
    }
    if (!http_drained || !bolt_drained) {
        // A query that did not end even when cancelled still uses the database, so it cannot be
        // closed under it. Every acknowledged commit is already in the WAL (synced in
        // per-commit mode), so recovery on the next start loses nothing acknowledged.
        spdlog::error(
            "shutdown grace of {} ms expired with queries still running; exiting "
            "without closing the database (the next start recovers from the WAL)",
            cfg.shutdown_grace_ms);
        spdlog::shutdown();
        std::_Exit(1);
    }
    server.reset();
    bolt.reset();  // closes its connections: their open transactions roll back
    // Before the database closes: an open transaction holds the writer gate, and its
    // uncommitted writes must not outlive the process in any form.
    if (size_t n = transactions->close_all()) spdlog::info("rolled back {} open transaction(s)", n);
    transactions.reset();
    db.reset();  // syncs and closes the WAL, releases <data>/LOCK
    spdlog::info("stopped");
    return 0;
}
