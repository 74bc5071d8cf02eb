// lora-bench: command-line front of the benchmarks (writers, writers-compare, ingest, reads,
// sqlite, writers-vs-sqlite, vectors, csv-import). Prints figures, one JSON line per run; exits 2
// on bad arguments, 1 when a run fails.
#include "lora_bench_bolt.hpp"
#include "lora_bench_csv.hpp"
#include "lora_bench_graph.hpp"
#include "lora_bench_http.hpp"
#include "lora_bench_sqlite.hpp"
#include "lora_bench_vectors.hpp"
#include "lora_bench_writers.hpp"

#include <lora/lora.hpp>

#include <lora/error.hpp>
#include <lora/value.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace fs = std::filesystem;
using lora::bench::WritersConfig;
using lora::bench::WritersResult;

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int usage_error(const std::string& message) {
    std::cerr << "lora-bench: " << message << "\n(see lora-bench --help)\n";
    return kExitUsage;
}

// Emits a run's figures: the table (unless json_only), then the JSON line.
void report(const WritersResult& r, bool json_only) {
    if (!json_only) std::cout << lora::bench::writers_table(r);
    std::cout << lora::bench::writers_json(r) << "\n";
    std::cout.flush();
}

int run_error_status(const WritersResult& r) {
    if (!r.error.empty()) {
        std::cerr << "lora-bench: the run stopped on an error: " << r.error << "\n";
        return kExitFailed;
    }
    if (r.verified == 0) {
        std::cerr << "lora-bench: relationship count does not match the acknowledged commits\n";
        return kExitFailed;
    }
    return 0;
}

// A fresh sub-directory per run; an old one is removed only if it is a lora database (or
// empty), so a mistyped --data never deletes anything else.
// A directory holding only an earlier run's SQLite files (bench.sqlite and its -wal/-shm).
bool is_sqlite_run_dir(const fs::path& dir) {
    std::error_code ec;
    bool any = false;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("bench.sqlite", 0) != 0) return false;
        any = true;
    }
    return any && !ec;
}

std::string prepare_fresh_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        const bool is_run = fs::exists(dir / "MANIFEST", ec) || is_sqlite_run_dir(dir);
        if (!is_run && !fs::is_empty(dir, ec))
            return dir.string() +
                   " exists and is neither a lora database nor an earlier run's "
                   "bench.sqlite; refusing to replace it";
        fs::remove_all(dir, ec);
        if (ec) return "cannot remove " + dir.string() + ": " + ec.message();
    }
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    return {};
}

// Prints a reads run (its table unless --json, then its JSON line); kExitFailed when a kind
// of query failed.
int report_reads(const lora::bench::ReadsResult& rr, bool json) {
    if (!json) std::cout << lora::bench::reads_table(rr);
    std::cout << lora::bench::reads_json(rr) << "\n";
    for (const auto& k : rr.kinds)
        if (!k.error.empty()) {
            std::cerr << "lora-bench: " << k.kind << " failed: " << k.error << "\n";
            return kExitFailed;
        }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // stdout carries only acks, tables and JSON lines, which scripts parse; the engine's
    // log (recovery notes, warnings) goes to stderr.
    spdlog::set_default_logger(spdlog::stderr_color_mt("lora-bench"));

    if (argc > 1 && argv[1][0] != '-') {
        const std::string sub = argv[1];
        if (sub != "writers" && sub != "writers-compare" && sub != "ingest" && sub != "reads" &&
            sub != "sqlite" && sub != "writers-vs-sqlite" && sub != "vectors" &&
            sub != "csv-import")
            return usage_error("unknown benchmark '" + sub +
                               "' (known: writers, writers-compare, ingest, reads, sqlite, "
                               "writers-vs-sqlite, vectors, csv-import)");
    }
    // How the embedded writers of writers / writers-compare / writers-vs-sqlite run.
    auto add_engine_options = [](CLI::App* sub, uint32_t& engine_threads, std::string& api) {
        sub->add_option("--engine-threads", engine_threads,
                        "the engine's worker threads (lora::Options::threads; default: cores)")
            ->check(CLI::Range(1u, 256u));
        sub->add_option("--api", api,
                        "embedded writers: blocking (default; a thread per writer calling "
                        "Database::execute) or async (each writer a chain of "
                        "Database::execute_async calls; no thread per writer)")
            ->check(CLI::IsMember({"blocking", "async"}));
    };
    CLI::App app{"lora-bench: benchmarks of the lora graph database"};
    app.require_subcommand(1);

    WritersConfig wc;
    bool w_json = false;
    auto* writers =
        app.add_subcommand("writers", "K threads, each committing auto-commit CREATE transactions");
    std::string w_via = "embedded", w_url, w_token;
    writers->add_option("--data", wc.data_dir,
                        "database directory (created if missing; embedded only)");
    writers->add_option("--via", w_via, "embedded (default: lora in this process), http or bolt")
        ->check(CLI::IsMember({"embedded", "http", "bolt"}));
    writers->add_option("--url", w_url,
                        "with --via http or bolt: the lorad, as http://HOST:PORT or "
                        "bolt://HOST:PORT");
    writers->add_option("--auth-token", w_token,
                        "with --via http or bolt: the server's auth token");
    writers->add_option("--writers", wc.writers, "number of writer threads K")
        ->check(CLI::Range(1u, 4096u));
    auto* txns_opt = writers->add_option("--txns", wc.txns, "transactions per writer M")
                         ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    auto* duration_opt =
        writers->add_option("--duration", wc.duration_s, "run for S seconds instead of --txns")
            ->check(CLI::Range(0.001, 86400.0));
    txns_opt->excludes(duration_opt);
    writers
        ->add_option("--shards", wc.shards,
                     "shards of a new database (default: hardware threads); with --via http or "
                     "bolt only a label for the report: the server's shard count")
        ->check(CLI::Range(1u, 1024u));
    add_engine_options(writers, wc.engine_threads, wc.api);
    auto* sync_opt = writers->add_option(
        "--sync", wc.sync,
        "WAL sync mode: per-commit, interval:<ms> or none; with --via http or bolt only a "
        "label for the report: the mode the server runs with");
    writers->add_flag("--print-acks", wc.print_acks,
                      "print 'ack W S' after each acknowledged commit");
    writers->add_flag("--json", w_json, "print only the JSON line");
    writers
        ->add_option("--time-limit", wc.time_limit_s,
                     "stop a --txns run after S seconds (default 600; 0 = no limit)")
        ->check(CLI::Range(0.0, 86400.0));
    writers->add_flag("--verify", wc.verify, "count the relationships afterwards");
    wc.time_limit_s = 600;

    std::string c_data;
    uint64_t c_txns = 6400;
    uint32_t c_shards = 0;
    double c_limit = 120;
    bool c_json = false;
    auto* compare = app.add_subcommand(
        "writers-compare", "writers with K = 1, 8, 64 in per-commit mode, side by side");
    compare->add_option("--data", c_data, "parent directory; each run gets a fresh k<K> inside")
        ->required();
    compare
        ->add_option("--txns", c_txns,
                     "transactions per run, split evenly over the K writers (default 6400)")
        ->check(CLI::Range(uint64_t{64}, uint64_t{1} << 40));
    compare->add_option("--shards", c_shards, "shards (default: hardware threads)")
        ->check(CLI::Range(1u, 1024u));
    uint32_t c_engine_threads = 0;
    std::string c_api = "blocking";
    add_engine_options(compare, c_engine_threads, c_api);
    compare->add_option("--time-limit", c_limit, "stop each run after S seconds (default 120)")
        ->check(CLI::Range(0.0, 86400.0));
    compare->add_flag("--json", c_json, "print only the JSON lines");

    lora::bench::GraphConfig gc;
    lora::bench::ReadsConfig rc;
    bool g_json = false;
    auto add_graph_options = [&](CLI::App* sub) {
        sub->add_option("--nodes", gc.nodes, "Person nodes N")
            ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
        sub->add_option("--rels-per-node", gc.rels_per_node, "KNOWS relationships per node R")
            ->check(CLI::Range(0u, 10000u));
        sub->add_option("--batch", gc.batch, "rows per UNWIND statement (default 10000)")
            ->check(CLI::Range(1u, 10000000u));
        sub->add_option("--shards", gc.shards, "shards (default: hardware threads)")
            ->check(CLI::Range(1u, 1024u));
        sub->add_option("--data", gc.data_dir,
                        "database directory (default: in memory); must be new or empty");
        sub->add_option("--sync", gc.sync, "WAL sync mode with --data (default per-commit)");
        sub->add_option(
               "--match", gc.match,
               "relationship endpoints: auto (default), property ({id: r.a}), id (id(a) = r.a) "
               "or node (node-reference parameters)")
            ->check(CLI::IsMember({"auto", "property", "id", "node"}));
        sub->add_option("--seed", gc.seed, "generator seed");
        sub->add_option("--time-limit", gc.time_limit_s,
                        "stop the ingest after S seconds (default 0 = none)")
            ->check(CLI::Range(0.0, 86400.0));
        sub->add_flag("--json", g_json, "print only the JSON line");
    };
    auto* ingest =
        app.add_subcommand("ingest", "batched UNWIND ... CREATE of a Person/KNOWS graph");
    add_graph_options(ingest);
    auto* reads = app.add_subcommand(
        "reads", "point / 1-hop / 2-hop / aggregate reads on a Person/KNOWS graph");
    add_graph_options(reads);
    reads->add_option("--seconds", rc.seconds, "seconds per read kind (default 3)")
        ->check(CLI::Range(0.001, 86400.0));
    reads->add_option("--threads", rc.threads, "reader threads (default 1)")
        ->check(CLI::Range(1u, 4096u));
    reads
        ->add_option("--kinds", rc.kinds,
                     "read kinds to run (default: point 1hop 2hop agg; also: shortest shortest3)")
        ->check(CLI::IsMember({"point", "1hop", "2hop", "agg", "shortest", "shortest3"}));
    reads->add_option("--max-queries", rc.max_queries,
                      "stop each kind after this many queries per thread (default: no limit)");
    std::string r_via = "embedded", r_url, r_token;
    reads
        ->add_option("--via", r_via,
                     "embedded (default: load the graph here), http or bolt: read the graph of a "
                     "running lorad (loaded with `ingest --data DIR` and the same --nodes and "
                     "--seed, then lorad --data DIR), one connection per thread")
        ->check(CLI::IsMember({"embedded", "http", "bolt"}));
    reads->add_option("--url", r_url,
                      "with --via http or bolt: http://HOST:PORT or bolt://HOST:PORT");
    reads->add_option("--auth-token", r_token, "with --via http or bolt: the server's auth token");

    lora::bench::SqliteConfig sc;
    bool s_json = false;
    auto* sqlite = app.add_subcommand(
        "sqlite", "SQLite (WAL, synchronous=FULL): T threads inserting one row per transaction");
    sqlite
        ->add_option("--data", sc.data_dir,
                     "directory of the database file bench.sqlite (replaced)")
        ->required();
    sqlite->add_option("--threads", sc.threads, "threads, one connection each (default 16)")
        ->check(CLI::Range(1u, 4096u));
    auto* s_txns = sqlite->add_option("--txns", sc.txns, "transactions per thread")
                       ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    auto* s_dur = sqlite->add_option("--duration", sc.duration_s, "run for S seconds instead")
                      ->check(CLI::Range(0.001, 86400.0));
    s_txns->excludes(s_dur);
    sqlite->add_option("--synchronous", sc.synchronous, "PRAGMA synchronous (default FULL)")
        ->check(CLI::IsMember({"FULL", "NORMAL", "OFF"}));
    sqlite
        ->add_option("--time-limit", sc.time_limit_s,
                     "stop a --txns run after S seconds (default 600)")
        ->check(CLI::Range(0.0, 86400.0));
    sqlite->add_flag("--json", s_json, "print only the JSON line");

    std::string vs_data;
    uint64_t vs_txns = 12800;
    uint32_t vs_writers = 64, vs_threads = 16, vs_shards = 0;
    double vs_limit = 120;
    bool vs_json = false;
    auto* vs = app.add_subcommand(
        "writers-vs-sqlite",
        "lora writers (per-commit) and SQLite (WAL, synchronous=FULL) one after the other");
    vs->add_option("--data", vs_data, "parent directory; runs use fresh lora/ and sqlite/ inside")
        ->required();
    vs->add_option("--txns", vs_txns, "commits per run, split over the writers (default 12800)")
        ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 40));
    vs->add_option("--writers", vs_writers, "lora writer threads (default 64)")
        ->check(CLI::Range(1u, 4096u));
    vs->add_option("--sqlite-threads", vs_threads, "SQLite threads (default 16)")
        ->check(CLI::Range(1u, 4096u));
    vs->add_option("--shards", vs_shards, "lora shards (default: hardware threads)")
        ->check(CLI::Range(1u, 1024u));
    uint32_t vs_engine_threads = 0;
    std::string vs_api = "blocking";
    add_engine_options(vs, vs_engine_threads, vs_api);
    vs->add_option("--time-limit", vs_limit, "stop each run after S seconds (default 120)")
        ->check(CLI::Range(0.0, 86400.0));
    vs->add_flag("--json", vs_json, "print only the JSON lines");
    lora::bench::VectorsConfig vc;
    bool v_json = false;
    auto* vectors = app.add_subcommand(
        "vectors", "per-shard HNSW indexes over random vectors: build time, queries/s, recall@k");
    vectors->add_option("--n", vc.n, "indexed vectors (default 100000)")
        ->check(CLI::Range(size_t{1}, size_t{1} << 32));
    vectors->add_option("--dim", vc.dim, "dimension (default 128)")
        ->check(CLI::Range(1u, static_cast<unsigned>(lora::kMaxVectorDimension)));
    vectors->add_option("--k", vc.k, "neighbours per query (default 10)")
        ->check(CLI::Range(1u, 10000u));
    vectors->add_option("--shards", vc.shards, "indexes over a partition of the ids (default 1)")
        ->check(CLI::Range(1u, 256u));
    vectors->add_option("--queries", vc.queries, "queries (default 1000)")
        ->check(CLI::Range(size_t{1}, size_t{1} << 24));
    vectors->add_option("--similarity", vc.similarity, "cosine (default) or euclidean");
    vectors->add_option("--m", vc.m, "HNSW M (default: the index's, " + std::to_string(vc.m) + ")")
        ->check(CLI::Range(2u, 1024u));
    vectors
        ->add_option("--ef-construction", vc.ef_construction,
                     "HNSW ef_construction (default: the index's, " +
                         std::to_string(vc.ef_construction) + ")")
        ->check(CLI::Range(1u, 100000u));
    vectors
        ->add_option("--ef", vc.ef_search,
                     "HNSW ef at query time; a comma list runs one query pass per value (default: "
                     "the index's, " +
                         std::to_string(vc.ef_search.front()) + ")")
        ->delimiter(',')
        ->check(CLI::Range(1u, 100000u));
    vectors->add_option("--seed", vc.seed, "random data seed (default 1)");
    vectors->add_option("--data", vc.data, "uniform (default) or clustered random vectors");
    vectors->add_flag("--json", v_json, "print only the JSON line");
    vectors->add_flag(
        "--engine", vc.engine,
        "through a Database: CREATE VECTOR INDEX and CALL db.index.vector.queryNodes");
    vectors->add_option("--clients", vc.clients, "engine: concurrent query threads (default 1)")
        ->check(CLI::Range(1u, 256u));

    lora::bench::CsvImportConfig cc;
    auto* csv = app.add_subcommand(
        "csv-import",
        "writes an N-line CSV into a running lorad's import directory and loads it with LOAD "
        "CSV ... CALL { CREATE ... } IN TRANSACTIONS");
    csv->add_option("--url", cc.url, "the lorad, http://HOST:PORT")->required();
    csv->add_option("--auth-token", cc.auth_token, "the server's auth token");
    csv->add_option("--import-dir", cc.import_dir, "lorad's import directory")->required();
    csv->add_option("--lorad-pid", cc.lorad_pid, "lorad's process id, for its peak memory");
    csv->add_option("--lines", cc.lines, "data lines (default 1000000)")
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    csv->add_option("--batch", cc.batch, "IN TRANSACTIONS OF n ROWS (default 10000)")
        ->check(CLI::Range(1u, 100000000u));
    csv->add_flag("--gzip", cc.gzip, "write and load a .csv.gz");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return usage_error(e.what());
    }

    try {
        if (csv->parsed()) {
            auto r = lora::bench::run_csv_import(cc);
            std::cout << lora::bench::csv_import_json(cc, r) << "\n";
            return r.rows == cc.lines ? 0 : kExitFailed;
        }
        if (reads->parsed() && r_via != "embedded") {
            if (r_url.empty()) return usage_error("reads --via " + r_via + " needs --url");
            if (!gc.data_dir.empty())
                return usage_error("--data is for the embedded mode; a lorad owns its data");
            std::function<lora::bench::ReadStatement()> connect;
            try {
                if (r_via == "http") {
                    lora::bench::parse_http_url(r_url);
                    connect = [&] { return lora::bench::http_reader(r_url, r_token); };
                } else {
                    lora::bench::bolt_target(r_url);
                    connect = [&] { return lora::bench::bolt_reader(r_url, r_token); };
                }
            } catch (const lora::Error& e) {
                return usage_error(e.message());
            }
            lora::bench::ReadsResult rr;
            rr.via = r_via;
            rr.ingest.nodes = gc.nodes;
            rr.ingest.rels = gc.nodes * gc.rels_per_node;
            rr.threads = rc.threads;
            rr.kinds = lora::bench::run_reads(connect, gc.nodes, rc, gc.seed);
            return report_reads(rr, g_json);
        }
        if (!r_url.empty() || !r_token.empty())
            return usage_error("--url and --auth-token need --via http or bolt");
        if (ingest->parsed() || reads->parsed()) {
            if (auto problem = lora::bench::check_sync_mode(gc.sync); !problem.empty())
                return usage_error(problem);
            if (!gc.data_dir.empty()) {
                std::error_code ec;
                if (fs::exists(gc.data_dir, ec) && !fs::is_empty(gc.data_dir, ec))
                    return usage_error("--data " + gc.data_dir +
                                       " is not empty; the graph benchmarks need a new database");
            }
            auto db = lora::bench::open_graph_db(gc);
            if (!g_json)
                std::cerr << "lora-bench: loading " << gc.nodes << " nodes x " << gc.rels_per_node
                          << " rels ...\n";
            lora::bench::IngestResult ir = lora::bench::run_ingest(*db, gc);
            const bool counts_ok = ir.nodes_counted == ir.nodes && ir.rels_counted == ir.rels &&
                                   (ir.time_limited || (ir.nodes == gc.nodes &&
                                                        ir.rels == gc.nodes * gc.rels_per_node));
            if (ingest->parsed()) {
                if (!g_json) std::cout << lora::bench::ingest_table(ir);
                std::cout << lora::bench::ingest_json(ir) << "\n";
            } else {
                lora::bench::ReadsResult rr;
                rr.ingest = ir;
                rr.threads = rc.threads;
                rr.kinds = lora::bench::run_reads(*db, ir.nodes, rc, gc.seed);
                if (int failed = report_reads(rr, g_json); failed != 0) return failed;
            }
            if (!counts_ok) {
                std::cerr << "lora-bench: the graph has " << ir.nodes_counted << " nodes and "
                          << ir.rels_counted << " relationships, expected " << ir.nodes << " and "
                          << ir.rels << "\n";
                return kExitFailed;
            }
            return 0;
        }
        if (sqlite->parsed()) {
            if (sc.txns == 0 && sc.duration_s <= 0)
                return usage_error("sqlite needs --txns M or --duration S");
            WritersResult r = lora::bench::run_sqlite(sc);
            report(r, s_json);
            return run_error_status(r);
        }
        if (vs->parsed()) {
            for (const char* sub : {"lora", "sqlite"})
                if (auto problem = prepare_fresh_dir(fs::path(vs_data) / sub); !problem.empty())
                    return usage_error(problem);
            WritersConfig cfg;
            cfg.data_dir = (fs::path(vs_data) / "lora").string();
            cfg.writers = vs_writers;
            cfg.txns = std::max<uint64_t>(1, vs_txns / vs_writers);
            cfg.shards = vs_shards;
            cfg.engine_threads = vs_engine_threads;
            cfg.api = vs_api;
            cfg.sync = "per-commit";
            cfg.time_limit_s = vs_limit;
            cfg.verify = true;
            if (!vs_json) std::cerr << "lora-bench: running lora writers ...\n";
            WritersResult lr = lora::bench::run_writers(cfg);
            report(lr, vs_json);
            if (int status = run_error_status(lr)) return status;
            lora::bench::SqliteConfig scfg;
            scfg.data_dir = (fs::path(vs_data) / "sqlite").string();
            scfg.threads = vs_threads;
            scfg.txns = std::max<uint64_t>(1, vs_txns / vs_threads);
            scfg.time_limit_s = vs_limit;
            if (!vs_json) std::cerr << "lora-bench: running sqlite ...\n";
            WritersResult sr = lora::bench::run_sqlite(scfg);
            report(sr, vs_json);
            if (int status = run_error_status(sr)) return status;
            const double ratio =
                sr.commits_per_s() > 0 ? lr.commits_per_s() / sr.commits_per_s() : 0;
            if (!vs_json)
                std::printf(
                    "\nlora %u writers (per-commit, %u shards, api %s): %.1f commits/s; sqlite %u "
                    "threads (WAL, synchronous=FULL): %.1f commits/s; ratio %.2fx\n",
                    lr.writers, lr.shards, lr.api.c_str(), lr.commits_per_s(), sr.writers,
                    sr.commits_per_s(), ratio);
            nlohmann::ordered_json j;
            j["bench"] = "writers-vs-sqlite";
            j["lora"] = nlohmann::ordered_json::parse(lora::bench::writers_json(lr));
            j["sqlite"] = nlohmann::ordered_json::parse(lora::bench::writers_json(sr));
            j["ratio"] = std::round(ratio * 100) / 100;
            std::cout << j.dump() << "\n";
            return 0;
        }
        if (vectors->parsed()) {
            for (const auto& r : lora::bench::run_vectors(vc)) {
                if (!v_json) std::cout << lora::bench::vectors_table(r);
                std::cout << lora::bench::vectors_json(r) << "\n";
            }
            return 0;
        }
        if (writers->parsed()) {
            if (wc.txns == 0 && wc.duration_s <= 0)
                return usage_error("writers needs --txns M or --duration S");
            if (w_via == "http" || w_via == "bolt") {
                const std::string scheme = w_via + "://HOST:PORT";
                if (w_url.empty())
                    return usage_error("writers --via " + w_via + " needs --url " + scheme);
                if (!wc.data_dir.empty())
                    return usage_error(
                        "--data is for the embedded mode; a lorad owns its data directory");
                if (wc.print_acks) return usage_error("--print-acks is for the embedded mode");
                if (wc.api != "blocking") return usage_error("--api is for the embedded mode");
                if (sync_opt->count() == 0)
                    wc.sync = "unknown";
                else if (auto problem = lora::bench::check_sync_mode(wc.sync); !problem.empty())
                    return usage_error(problem);
                try {
                    if (w_via == "http")
                        lora::bench::parse_http_url(w_url);
                    else
                        lora::bench::bolt_target(w_url);
                } catch (const lora::Error& e) {
                    return usage_error(e.message());
                }
                WritersResult r = w_via == "http"
                                      ? lora::bench::run_writers_http(wc, w_url, w_token)
                                      : lora::bench::run_writers_bolt(wc, w_url, w_token);
                report(r, w_json);
                return run_error_status(r);
            }
            if (!w_url.empty() || !w_token.empty())
                return usage_error("--url and --auth-token need --via http or bolt");
            if (wc.data_dir.empty())
                return usage_error("writers needs --data DIR (or --via http --url ...)");
            if (auto problem = lora::bench::check_sync_mode(wc.sync); !problem.empty())
                return usage_error(problem);
            WritersResult r = lora::bench::run_writers(wc);
            report(r, w_json);
            return run_error_status(r);
        }

        // writers-compare
        const uint32_t ks[] = {1, 8, 64};
        std::vector<WritersResult> results;
        for (uint32_t k : ks) {
            const fs::path dir = fs::path(c_data) / ("k" + std::to_string(k));
            if (auto problem = prepare_fresh_dir(dir); !problem.empty())
                return usage_error(problem);
            WritersConfig cfg;
            cfg.data_dir = dir.string();
            cfg.writers = k;
            cfg.txns = c_txns / k;
            cfg.shards = c_shards;
            cfg.engine_threads = c_engine_threads;
            cfg.api = c_api;
            cfg.sync = "per-commit";
            cfg.time_limit_s = c_limit;
            cfg.verify = true;
            if (!c_json) std::cerr << "lora-bench: running K = " << k << " ...\n";
            results.push_back(lora::bench::run_writers(cfg));
            std::cout << lora::bench::writers_json(results.back()) << "\n";
            std::cout.flush();
            if (int status = run_error_status(results.back())) return status;
        }
        if (!c_json) {
            std::printf("\n%-22s", ("per-commit, " + c_api).c_str());
            for (const auto& r : results)
                std::printf("%14s", ("K=" + std::to_string(r.writers)).c_str());
            std::printf("\n%-22s", "commits/s");
            for (const auto& r : results) std::printf("%14.1f", r.commits_per_s());
            std::printf("\n%-22s", "p50 latency (us)");
            for (const auto& r : results)
                std::printf("%14.1f", static_cast<double>(r.latency_ns.percentile(50)) / 1000.0);
            std::printf("\n%-22s", "p99 latency (us)");
            for (const auto& r : results)
                std::printf("%14.1f", static_cast<double>(r.latency_ns.percentile(99)) / 1000.0);
            std::printf("\n%-22s", "commits per fsync");
            for (const auto& r : results) std::printf("%14.2f", r.commits_per_fsync());
            std::printf("\n%-22s", "commits");
            for (const auto& r : results)
                std::printf("%14llu", static_cast<unsigned long long>(r.txns));
            std::printf("\n");
            for (const auto& r : results)
                if (r.time_limited)
                    std::printf("K=%u stopped at the time limit; its figures cover %llu commits\n",
                                r.writers, static_cast<unsigned long long>(r.txns));
        }
        nlohmann::ordered_json j;
        j["bench"] = "writers-compare";
        j["sync"] = "per-commit";
        j["api"] = c_api;
        j["runs"] = nlohmann::ordered_json::array();
        for (const auto& r : results)
            j["runs"].push_back(nlohmann::ordered_json::parse(lora::bench::writers_json(r)));
        std::cout << j.dump() << "\n";
        return 0;
    } catch (const lora::Error& e) {
        std::cerr << "lora-bench: " << e.code() << ": " << e.message() << "\n";
        return kExitFailed;
    } catch (const std::exception& e) {
        std::cerr << "lora-bench: " << e.what() << "\n";
        return kExitFailed;
    }
}
