// lora: the Cypher shell. Runs statements from -e, -f or piped stdin, or interactively (libedit
// line editing and history), against an embedded database or a running lorad (--connect).
#include <lora/cypher/script.hpp>
#include <lora/net/json_format.hpp>
#include <lora/net/table_format.hpp>

#include <lora/lora.hpp>
#include <lora/net/remote.hpp>

#include "history.hpp"

#include <editline/readline.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <cctype>
#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

namespace {

// What the shell talks to: an embedded database or a lorad over HTTP or Bolt, behind one
// shape.
struct Backend {
    std::function<lora::Result(const std::string&, const lora::Params&)> execute;
    std::function<uint64_t()> checkpoint;
};

struct Session {
    Backend backend;
    lora::Params params;
    std::string format = "table";
    bool show_timing = false;
};

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string upper(const std::string& s) {
    std::string u;
    for (char c : s) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

void print_result(const Session& s, const lora::Result& r) {
    if (s.format == "json")
        std::cout << lora::json::result_to_json(r).dump() << "\n";
    else
        std::cout << lora::json::format_table(r);
}

// Runs one statement and prints its result or error; false on error.
bool run_statement(Session& s, const std::string& stmt) {
    auto start = std::chrono::steady_clock::now();
    try {
        lora::Result r;
        if (upper(stmt) == "CHECKPOINT") {
            // The shell's command for Database::checkpoint() (POST /admin/checkpoint over HTTP).
            r.columns = {"checkpoint_lsn"};
            r.rows.push_back({lora::Value(static_cast<int64_t>(s.backend.checkpoint()))});
        } else {
            r = s.backend.execute(stmt, s.params);
        }
        print_result(s, r);
    } catch (const lora::Error& e) {
        if (s.format == "json")
            std::cout << lora::json::error_to_json(e).dump() << "\n";
        else
            std::cerr << "error: " << e.code() << ": " << e.message() << "\n";
        std::cout.flush();
        return false;
    }
    if (s.show_timing) {
        double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        char buf[64];
        std::snprintf(buf, sizeof buf, "(%.3f ms)\n", ms);
        std::cout << buf;
    }
    std::cout.flush();
    return true;
}

// True when `text` ends with a ';' outside strings and comments (only blanks or comments
// after it), i.e. the interactive buffer holds complete statements.
bool ends_statement(const std::string& text) {
    char quote = 0;
    bool line_comment = false, block_comment = false, terminated = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (line_comment) {
            if (c == '\n') line_comment = false;
        } else if (block_comment) {
            if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') {
                block_comment = false;
                ++i;
            }
        } else if (quote) {
            if (c == '\\' && quote != '`')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            line_comment = true;
            ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            block_comment = true;
            ++i;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = c;
            terminated = false;
        } else if (c == ';') {
            terminated = true;
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
            terminated = false;
        }
    }
    return terminated && !quote && !block_comment;
}

constexpr const char* kHelp =
    "Statements end with ';' and may span lines. Commands:\n"
    "  :param NAME JSON   set parameter $NAME (e.g. :param limit 10, :param p {\"a\": [1, 2]})\n"
    "  :param NAME        remove parameter $NAME\n"
    "  :params            list the parameters\n"
    "  :format table|json choose the output format\n"
    "  :help              this text\n"
    "  :quit              leave (so does Ctrl-D)\n"
    "CHECKPOINT;          writes a checkpoint (persistent databases only)\n";

// Handles a ':' command; false when the shell should end.
bool run_command(Session& s, const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == ":quit" || cmd == ":exit" || cmd == ":q") return false;
    if (cmd == ":help" || cmd == ":h") {
        std::cout << kHelp;
    } else if (cmd == ":params") {
        if (s.params.empty()) std::cout << "(no parameters)\n";
        for (const auto& [k, v] : s.params)
            std::cout << k << ": " << lora::json::to_json(v).dump() << "\n";
    } else if (cmd == ":param") {
        std::string name;
        in >> name;
        std::string rest;
        std::getline(in, rest);
        rest = trim(rest);
        if (!name.empty() && name[0] == '$') name.erase(0, 1);
        if (name.empty()) {
            std::cerr << "usage: :param NAME JSON\n";
        } else if (rest.empty()) {
            if (s.params.erase(name))
                std::cout << "removed $" << name << "\n";
            else
                std::cerr << "no parameter $" << name << "\n";
        } else {
            try {
                s.params[name] = lora::json::from_json(nlohmann::json::parse(rest));
                std::cout << "$" << name << " = " << lora::json::to_json(s.params[name]).dump()
                          << "\n";
            } catch (const nlohmann::json::exception& e) {
                std::cerr << ":param " << name << ": invalid JSON: " << e.what() << "\n";
            }
        }
    } else if (cmd == ":format") {
        std::string f;
        in >> f;
        if (f == "table" || f == "json")
            s.format = f;
        else
            std::cerr << "usage: :format table|json\n";
    } else {
        std::cerr << "unknown command " << cmd << " (try :help)\n";
    }
    return true;
}

// libedit decodes what is typed by the locale's character set: under the C locale every
// byte above 0x7F is dropped. Use the user's locale, and UTF-8 when that is not UTF-8.
// Only LC_CTYPE changes, so numbers are still printed the same way.
void use_utf8_input() {
    const char* set = std::setlocale(LC_CTYPE, "");
    std::string name = set ? set : "";
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.find("utf-8") == std::string::npos && name.find("utf8") == std::string::npos)
        std::setlocale(LC_CTYPE, "C.UTF-8");
}

constexpr int kHistoryEntries = 1000;

int interactive(Session& s, const std::string& where) {
    s.show_timing = true;
    use_utf8_input();
    lora::shell::History history(lora::shell::default_history_path(), kHistoryEntries);
    std::cout << "lora shell connected to " << where
              << ". Statements end with ';'. :help for help, :quit to leave.\n";
    std::cout.flush();
    std::string buffer;
    while (true) {
        char* raw = readline(buffer.empty() ? "lora> " : "  ... ");
        if (!raw) {  // Ctrl-D
            std::cout << "\n";
            break;
        }
        std::string line(raw);
        std::free(raw);
        if (buffer.empty()) {
            std::string t = trim(line);
            if (t.empty()) continue;
            if (t[0] == ':') {
                history.add(t);
                if (!run_command(s, t)) break;
                continue;
            }
        }
        buffer += line;
        buffer += '\n';
        if (!ends_statement(buffer)) continue;
        // One history entry per statement, on one line, so recalling it recalls all of it.
        std::string entry = trim(buffer);
        for (char& c : entry)
            if (c == '\n') c = ' ';
        history.add(entry);
        for (const auto& stmt : lora::cypher::split_statements(buffer)) run_statement(s, stmt);
        buffer.clear();
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lora: the Cypher shell, against an embedded database or a running lorad"};
    uint32_t shards = 0;
    std::string query, file, format = "table";
    std::vector<std::string> params;
    std::string data, sync = "per-commit", connect, token, ca_file;
    bool force_interactive = false;
    auto* shards_opt = app.add_option(
        "--shards", shards,
        "number of shards (default: hardware threads; an existing database keeps its own)");
    auto* data_opt =
        app.add_option("--data", data, "data directory (default: an in-memory database)");
    auto* sync_opt =
        app.add_option("--sync", sync, "WAL sync mode: per-commit, interval:<ms> or none");
    auto* connect_opt =
        app.add_option("--connect", connect,
                       "talk to a running lorad at http://HOST:PORT, bolt://HOST:PORT or "
                       "neo4j://HOST:PORT (over TLS: https://, bolt+s://, bolt+ssc://) instead "
                       "of embedding")
            ->excludes(shards_opt)
            ->excludes(data_opt)
            ->excludes(sync_opt);
    app.add_option("--ca-file", ca_file,
                   "PEM file of the CA certificates that sign the server's certificate, for "
                   "https:// and bolt+s:// (default: the system's)")
        ->needs(connect_opt)
        ->check(CLI::ExistingFile);
    app.add_option("--token", token,
                   "auth token for --connect, sent as a bearer token (default: $LORA_AUTH_TOKEN)");
    app.add_option("-e,--execute", query, "statements to run (separated by ';')");
    app.add_option("-f,--file", file, "script file of statements separated by ';'");
    app.add_flag("-i,--interactive", force_interactive,
                 "interactive mode even when stdin is not a terminal");
    app.add_option("--format", format, "output format: table or json")
        ->check(CLI::IsMember({"table", "json"}));
    app.add_option("-p,--param", params, "parameter NAME=JSON (repeatable)");
    std::string log_level = "warn";
    app.add_option(
           "--log-level", log_level,
           "engine log level on stderr: trace, debug, info, warn, error, off (default warn)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    CLI11_PARSE(app, argc, argv);
    // The engine logs through spdlog's default logger; stdout is for results only.
    spdlog::set_default_logger(spdlog::stderr_color_mt("lora"));
    spdlog::set_level(spdlog::level::from_str(log_level));

    std::string script;
    bool is_interactive = false;
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
    } else if (force_interactive || isatty(STDIN_FILENO)) {
        is_interactive = true;
    } else {
        std::stringstream ss;
        ss << std::cin.rdbuf();
        script = ss.str();
    }

    Session s;
    s.format = format;
    for (const auto& kv : params) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
            std::cerr << "lora: --param expects NAME=JSON, got " << kv << "\n";
            return 2;
        }
        try {
            s.params[kv.substr(0, eq)] =
                lora::json::from_json(nlohmann::json::parse(kv.substr(eq + 1)));
        } catch (const std::exception& e) {
            std::cerr << "lora: --param " << kv.substr(0, eq) << ": invalid JSON: " << e.what()
                      << "\n";
            return 2;
        }
    }

    std::unique_ptr<lora::Database> db;
    std::unique_ptr<lora::net::Remote> remote;
    std::string where;
    try {
        if (!connect.empty()) {
            if (token.empty())
                if (const char* t = std::getenv("LORA_AUTH_TOKEN")) token = t;
            remote = lora::net::open_remote(connect, token, ca_file);
            s.backend.execute = [&](const std::string& q, const lora::Params& p) {
                return remote->execute(q, p);
            };
            s.backend.checkpoint = [&] { return remote->checkpoint(); };
            where = connect;
        } else {
            lora::Options opt;
            opt.shards = shards;
            opt.data_dir = data;
            opt.sync = sync;
            db = lora::Database::open(opt);
            s.backend.execute = [&](const std::string& q, const lora::Params& p) {
                return db->execute(q, p);
            };
            s.backend.checkpoint = [&] { return db->checkpoint(); };
            where = data.empty() ? "an in-memory database" : data;
        }
    } catch (const lora::Error& e) {
        std::cerr << "lora: " << e.message() << "\n";
        return 1;
    }

    if (is_interactive) return interactive(s, where);

    for (const auto& stmt : lora::cypher::split_statements(script))
        if (!run_statement(s, stmt)) return 1;
    std::cout.flush();
    return 0;
}
