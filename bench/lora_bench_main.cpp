// lora-bench: command-line front of the benchmarks (writers, writers-compare, vectors). Prints
// figures, one JSON line per run; exits 2 on bad arguments, 1 when a run fails.
#include "lora_bench_vectors.hpp"
#include "lora_bench_writers.hpp"

#include <lora/error.hpp>
#include <lora/value.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

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
std::string prepare_fresh_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        const bool is_db = fs::exists(dir / "MANIFEST", ec);
        if (!is_db && !fs::is_empty(dir, ec))
            return dir.string() + " exists and is not a lora database; refusing to replace it";
        fs::remove_all(dir, ec);
        if (ec) return "cannot remove " + dir.string() + ": " + ec.message();
    }
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    // stdout carries only acks, tables and JSON lines, which scripts parse; the engine's
    // log (recovery notes, warnings) goes to stderr.
    spdlog::set_default_logger(spdlog::stderr_color_mt("lora-bench"));

    if (argc > 1 && argv[1][0] != '-') {
        const std::string sub = argv[1];
        if (sub != "writers" && sub != "writers-compare" && sub != "vectors")
            return usage_error("unknown benchmark '" + sub +
                               "' (known: writers, writers-compare, vectors)");
    }
    CLI::App app{"lora-bench: benchmarks of the lora graph database"};
    app.require_subcommand(1);

    WritersConfig wc;
    bool w_json = false;
    auto* writers = app.add_subcommand(
        "writers", "K threads, each committing auto-commit CREATE transactions");
    writers->add_option("--data", wc.data_dir, "database directory (created if missing)")->required();
    writers->add_option("--writers", wc.writers, "number of writer threads K")
        ->check(CLI::Range(1u, 4096u));
    auto* txns_opt = writers->add_option("--txns", wc.txns, "transactions per writer M")
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    auto* duration_opt =
        writers->add_option("--duration", wc.duration_s, "run for S seconds instead of --txns")
            ->check(CLI::Range(0.001, 86400.0));
    txns_opt->excludes(duration_opt);
    writers->add_option("--shards", wc.shards, "shards of a new database (default: hardware threads)")
        ->check(CLI::Range(1u, 1024u));
    writers->add_option("--sync", wc.sync, "WAL sync mode: per-commit, interval:<ms> or none");
    writers->add_flag("--print-acks", wc.print_acks, "print 'ack W S' after each acknowledged commit");
    writers->add_flag("--json", w_json, "print only the JSON line");
    writers->add_option("--time-limit", wc.time_limit_s,
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
    compare->add_option("--txns", c_txns,
                        "transactions per run, split evenly over the K writers (default 6400)")
        ->check(CLI::Range(uint64_t{64}, uint64_t{1} << 40));
    compare->add_option("--shards", c_shards, "shards (default: hardware threads)")
        ->check(CLI::Range(1u, 1024u));
    compare->add_option("--time-limit", c_limit, "stop each run after S seconds (default 120)")
        ->check(CLI::Range(0.0, 86400.0));
    compare->add_flag("--json", c_json, "print only the JSON lines");

    lora::bench::VectorsConfig vc;
    bool v_json = false;
    auto* vectors = app.add_subcommand(
        "vectors", "per-shard HNSW indexes over random vectors: build time, queries/s, recall@k");
    vectors->add_option("--n", vc.n, "indexed vectors (default 100000)")
        ->check(CLI::Range(size_t{1}, size_t{1} << 32));
    vectors->add_option("--dim", vc.dim, "dimension (default 128)")
        ->check(CLI::Range(1u, static_cast<unsigned>(lora::kMaxVectorDimension)));
    vectors->add_option("--k", vc.k, "neighbours per query (default 10)")->check(CLI::Range(1u, 10000u));
    vectors->add_option("--shards", vc.shards, "indexes over a partition of the ids (default 1)")
        ->check(CLI::Range(1u, 256u));
    vectors->add_option("--queries", vc.queries, "queries (default 1000)")
        ->check(CLI::Range(size_t{1}, size_t{1} << 24));
    vectors->add_option("--similarity", vc.similarity, "cosine (default) or euclidean");
    vectors->add_option("--m", vc.m, "HNSW M (default 16)")->check(CLI::Range(2u, 1024u));
    vectors->add_option("--ef-construction", vc.ef_construction, "HNSW ef_construction (default 200)")
        ->check(CLI::Range(1u, 100000u));
    vectors->add_option("--ef", vc.ef_search,
                        "HNSW ef at query time; a comma list runs one query pass per value (default 64)")
        ->delimiter(',')
        ->check(CLI::Range(1u, 100000u));
    vectors->add_option("--seed", vc.seed, "random data seed (default 1)");
    vectors->add_option("--data", vc.data, "uniform (default) or clustered random vectors");
    vectors->add_flag("--json", v_json, "print only the JSON line");

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
            if (auto problem = prepare_fresh_dir(dir); !problem.empty()) return usage_error(problem);
            WritersConfig cfg;
            cfg.data_dir = dir.string();
            cfg.writers = k;
            cfg.txns = c_txns / k;
            cfg.shards = c_shards;
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
            std::printf("\n%-22s", "per-commit");
            for (const auto& r : results) std::printf("%14s", ("K=" + std::to_string(r.writers)).c_str());
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
            for (const auto& r : results) std::printf("%14llu", static_cast<unsigned long long>(r.txns));
            std::printf("\n");
            for (const auto& r : results)
                if (r.time_limited)
                    std::printf("K=%u stopped at the time limit; its figures cover %llu commits\n",
                                r.writers, static_cast<unsigned long long>(r.txns));
        }
        nlohmann::ordered_json j;
        j["bench"] = "writers-compare";
        j["sync"] = "per-commit";
        j["runs"] = nlohmann::ordered_json::array();
        for (const auto& r : results) j["runs"].push_back(nlohmann::ordered_json::parse(lora::bench::writers_json(r)));
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
