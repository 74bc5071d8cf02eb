// Data-driven end-to-end suite: runs the cases of tests/engine/cases/*.txt against a fresh
// database with 1 shard and with 4 shards; both must give the expected result.
//
// Case file format (one file holds many cases; `#` starts a comment line):
//   === name [bug]          starts a case; [bug] moves it to the hidden [.bug] test
//   setup: <cypher>         runs before the checked steps, must succeed
//   query: <cypher>         a checked step; the lines below describe what it must give
//   params: <map literal>   parameters (evaluated with RETURN <literal>)
//   columns: a, b           expected column names
//   ordered                 rows must come in the given order (default: any order)
//   row: 1, 'x'             one expected row, the values as Value::to_string() writes them
//   error: Code.Prefix      expected lora::Error, code() starting with this text
//                           (`*.Detail` matches the detail whatever the type)
//   error-pos               the error must carry line and column
//   stats: key=n ...        expected QueryStats; keys not named must be 0
//   file: <name>            a file of the case's import directory (LOAD CSV), its lines
//   | <text>                 below, each starting with `|` (the text after "| " or "|")
// A line starting with whitespace continues the previous `setup:` or `query:` text.
// A checked step without `row:` lines and without `error:` expects no rows.
#include <catch2/catch.hpp>
#include "helpers.hpp"
#include "lora_test_paths.hpp"

#include <lora/lora.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Step {
    std::string query;
    bool checked = false;
    int line = 0;
    std::string params;
    std::optional<std::string> columns;
    bool ordered = false;
    std::vector<std::string> rows;
    std::optional<std::string> error;
    bool error_pos = false;
    std::optional<std::map<std::string, int64_t>> stats;
};

struct Case {
    std::string name;
    std::string file;
    int line = 0;
    bool bug = false;
    std::vector<Step> steps;
    std::vector<std::pair<std::string, std::string>> files;  // import directory: name, text
};

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

std::vector<Case> parse_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::vector<Case> cases;
    std::string raw;
    int lineno = 0;
    auto fail = [&](const std::string& what) {
        throw std::runtime_error(path.filename().string() + ":" + std::to_string(lineno) + ": " +
                                 what);
    };
    auto step = [&]() -> Step& {
        if (cases.empty() || cases.back().steps.empty()) fail("expectation before any query");
        return cases.back().steps.back();
    };
    while (std::getline(in, raw)) {
        ++lineno;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        if (raw[0] == '|') {
            if (cases.empty() || cases.back().files.empty()) fail("'|' line before any file:");
            cases.back().files.back().second +=
                raw.substr(raw.size() > 1 && raw[1] == ' ' ? 2 : 1) + "\n";
            continue;
        }
        if (raw[0] == ' ' || raw[0] == '\t') {
            step().query += "\n" + line;
            continue;
        }
        if (starts_with(line, "===")) {
            Case c;
            c.file = path.filename().string();
            c.line = lineno;
            std::string name = trim(line.substr(3));
            if (name.size() >= 5 && name.substr(name.size() - 5) == "[bug]") {
                c.bug = true;
                name = trim(name.substr(0, name.size() - 5));
            }
            c.name = name;
            cases.push_back(std::move(c));
            continue;
        }
        if (cases.empty()) fail("content before the first === case");
        auto colon = line.find(':');
        std::string key = trim(line.substr(0, colon));
        std::string val = colon == std::string::npos ? "" : trim(line.substr(colon + 1));
        if (key == "file") {
            cases.back().files.emplace_back(val, "");
        } else if (key == "setup" || key == "query") {
            Step s;
            s.query = val;
            s.checked = key == "query";
            s.line = lineno;
            cases.back().steps.push_back(std::move(s));
        } else if (key == "params") {
            step().params = val;
        } else if (key == "columns") {
            step().columns = val;
        } else if (key == "ordered") {
            step().ordered = true;
        } else if (key == "row") {
            step().rows.push_back("[" + val + "]");
        } else if (key == "error") {
            step().error = val;
        } else if (key == "error-pos") {
            step().error_pos = true;
        } else if (key == "stats") {
            std::map<std::string, int64_t> st;
            std::istringstream ss(val);
            std::string kv;
            while (ss >> kv) {
                auto eq = kv.find('=');
                if (eq == std::string::npos) fail("stats entry without '=': " + kv);
                st[kv.substr(0, eq)] = std::stoll(kv.substr(eq + 1));
            }
            step().stats = st;
        } else {
            fail("unknown key '" + key + "'");
        }
    }
    return cases;
}

std::vector<Case> load_cases() {
    std::vector<std::filesystem::path> files;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(LORA_SOURCE_DIR) + "/tests/engine/cases"))
        if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<Case> all;
    for (const auto& f : files) {
        auto cs = parse_file(f);
        all.insert(all.end(), cs.begin(), cs.end());
    }
    return all;
}

std::map<std::string, int64_t> stats_map(const lora::QueryStats& s) {
    return {{"nodes_created", s.nodes_created},
            {"nodes_deleted", s.nodes_deleted},
            {"relationships_created", s.relationships_created},
            {"relationships_deleted", s.relationships_deleted},
            {"properties_set", s.properties_set},
            {"labels_added", s.labels_added},
            {"labels_removed", s.labels_removed}};
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
}

// Runs one case on a fresh database; returns the problems found (empty = pass).
std::vector<std::string> run_case(const Case& c, uint32_t shards) {
    std::vector<std::string> problems;
    std::string import_dir;
    if (!c.files.empty()) {
        import_dir = lora::test::temp_dir("cases-import");
        for (const auto& [name, text] : c.files) {
            const auto path = std::filesystem::path(import_dir) / name;
            std::filesystem::create_directories(path.parent_path());
            std::ofstream(path, std::ios::binary) << text;
        }
    }
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() {
            if (!dir.empty()) std::filesystem::remove_all(dir);
        }
    } cleanup{import_dir};
    lora::Options o;
    o.shards = shards;
    o.threads = 2;
    o.import_dir = import_dir;
    auto db = lora::Database::open(o);
    for (const Step& s : c.steps) {
        std::string where = "step at line " + std::to_string(s.line) + " (" + s.query + "): ";
        lora::Params params;
        if (!s.params.empty()) {
            try {
                auto p = db->execute("RETURN " + s.params + " AS p");
                params = p.rows.at(0).at(0).as_map();
            } catch (const std::exception& e) {
                problems.push_back(where + "cannot evaluate params: " + e.what());
                return problems;
            }
        }
        lora::Result r;
        try {
            r = db->execute(s.query, params);
        } catch (const lora::Error& e) {
            if (s.checked && s.error) {
                bool match = starts_with(*s.error, "*.") ? e.detail() == s.error->substr(2)
                                                         : starts_with(e.code(), *s.error);
                if (!match)
                    problems.push_back(where + "expected error " + *s.error + ", got " + e.code() +
                                       ": " + e.message());
                if (s.error_pos && (e.line() <= 0 || e.column() <= 0))
                    problems.push_back(where + "error " + e.code() + " has no line/column");
                continue;
            }
            problems.push_back(where + "unexpected error " + e.code() + ": " + e.message());
            return problems;  // later steps depend on this one
        } catch (const std::exception& e) {
            problems.push_back(where + "unexpected exception: " + e.what());
            return problems;
        }
        if (!s.checked) continue;
        if (s.error) {
            problems.push_back(where + "expected error " + *s.error + ", got " +
                               std::to_string(r.rows.size()) + " rows");
            continue;
        }
        if (s.columns) {
            std::string got = join(r.columns, ", ");
            if (got != *s.columns)
                problems.push_back(where + "columns: expected [" + *s.columns + "], got [" + got +
                                   "]");
        }
        std::vector<std::string> got;
        for (const auto& row : r.rows) got.push_back(lora::Value(lora::List(row)).to_string());
        std::vector<std::string> want = s.rows;
        if (!s.ordered) {
            std::sort(got.begin(), got.end());
            std::sort(want.begin(), want.end());
        }
        if (got != want)
            problems.push_back(where + "rows" + (s.ordered ? " (ordered)" : "") +
                               ":\n  expected: " + join(want, " ") +
                               "\n  got:      " + join(got, " "));
        if (s.stats) {
            auto have = stats_map(r.stats);
            for (const auto& [k, v] : have) {
                auto it = s.stats->find(k);
                int64_t expect = it == s.stats->end() ? 0 : it->second;
                if (v != expect)
                    problems.push_back(where + "stats " + k + ": expected " +
                                       std::to_string(expect) + ", got " + std::to_string(v));
            }
            for (const auto& [k, v] : *s.stats)
                if (!have.count(k)) problems.push_back(where + "unknown stats key " + k);
        }
    }
    return problems;
}

void run_all(bool bugs) {
    std::vector<Case> cases;
    REQUIRE_NOTHROW(cases = load_cases());
    // LORA_CASE=<substring> narrows the run while working on one case.
    const char* only = std::getenv("LORA_CASE");
    size_t ran = 0;
    for (const Case& c : cases) {
        if (c.bug != bugs) continue;
        if (only && c.name.find(only) == std::string::npos) continue;
        ++ran;
        for (uint32_t shards : {1u, 4u}) {
            INFO(c.file << ":" << c.line << " case '" << c.name << "' on " << shards
                        << " shard(s)");
            auto problems = run_case(c, shards);
            for (const auto& p : problems) FAIL_CHECK(p);
            if (problems.empty()) SUCCEED();
        }
    }
    if (!bugs && !only) CHECK(ran >= 80);
}

}  // namespace

TEST_CASE("engine cases pass on 1 and 4 shards", "[engine][cases]") { run_all(false); }

TEST_CASE("engine cases that show known engine bugs", "[engine][cases][.bug]") { run_all(true); }
