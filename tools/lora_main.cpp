// lora: run Cypher against an embedded database, from -e or a script file.
#include "json_format.hpp"

#include <lora/lora.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
    CLI::App app{"lora: run Cypher queries against an embedded lora database"};
    uint32_t shards = 0;
    std::string query, file, format = "table";
    std::vector<std::string> params;
    std::string data, sync = "per-commit";
    app.add_option("--shards", shards, "number of shards (default: hardware threads; an existing database keeps its own)");
    app.add_option("--data", data, "data directory (default: an in-memory database)");
    app.add_option("--sync", sync, "WAL sync mode: per-commit, interval:<ms> or none");
    app.add_option("-e,--execute", query, "statements to run (separated by ';')");
    app.add_option("-f,--file", file, "script file of statements separated by ';'");
    app.add_option("--format", format, "output format: table or json")
        ->check(CLI::IsMember({"table", "json"}));
    app.add_option("-p,--param", params, "parameter NAME=JSON (repeatable)");
    CLI11_PARSE(app, argc, argv);

    std::string script;
    if (!file.empty()) {
        std::ifstream in(file);
        if (!in) {
            std::cerr << "lora: cannot read " << file << "\n";
            return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        script = ss.str();
    } else if (!query.empty()) {
        script = query;
    } else {
        std::cerr << "lora: give a query with -e or a script with -f (see --help)\n";
        return 2;
    }

    lora::Params p;
    for (const auto& kv : params) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
            std::cerr << "lora: --param expects NAME=JSON, got " << kv << "\n";
            return 2;
        }
        try {
            p[kv.substr(0, eq)] = lora::json::from_json(nlohmann::json::parse(kv.substr(eq + 1)));
        } catch (const std::exception& e) {
            std::cerr << "lora: --param " << kv.substr(0, eq) << ": invalid JSON: " << e.what() << "\n";
            return 2;
        }
    }

    std::unique_ptr<lora::Database> db;
    try {
        lora::Options opt;
        opt.shards = shards;
        opt.data_dir = data;
        opt.sync = sync;
        db = lora::Database::open(opt);
    } catch (const lora::Error& e) {
        std::cerr << "lora: " << e.message() << "\n";
        return 1;
    }
    int status = 0;
    for (const auto& stmt : lora::json::split_statements(script)) {
        try {
            std::string upper;
            for (char c : stmt) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (upper == "CHECKPOINT") {
                // The shell's command for lora::Database::checkpoint().
                uint64_t lsn = db->checkpoint();
                lora::Result r;
                r.columns = {"checkpoint_lsn"};
                r.rows.push_back({lora::Value(static_cast<int64_t>(lsn))});
                if (format == "json") std::cout << lora::json::result_to_json(r).dump() << "\n";
                else std::cout << lora::json::format_table(r);
                continue;
            }
            lora::Result r = db->execute(stmt, p);
            if (format == "json") std::cout << lora::json::result_to_json(r).dump() << "\n";
            else std::cout << lora::json::format_table(r);
        } catch (const lora::Error& e) {
            if (format == "json") std::cout << lora::json::error_to_json(e).dump() << "\n";
            else std::cerr << "error: " << e.code() << ": " << e.message() << "\n";
            status = 1;
            break;
        }
    }
    std::cout.flush();
    return status;
}
