// Runs every query of the openCypher TCK through parse() + analyze(): compile-time errors
// must come out with the TCK's detail code, every other query must be accepted.
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>

#include <lora/error.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace lora::cypher;

namespace {

struct TckQuery {
    std::string where;  // file:line
    std::string query;
    std::string expected;  // compile-time error detail, empty when the query must pass
};

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> table_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::string t = trim(line);
    size_t i = 1;
    std::string cur;
    for (; i < t.size(); ++i) {
        if (t[i] == '\\' && i + 1 < t.size()) {
            cur += t[i + 1];
            ++i;
        } else if (t[i] == '|') {
            cells.push_back(trim(cur));
            cur.clear();
        } else {
            cur += t[i];
        }
    }
    return cells;
}

void read_feature(const fs::path& file, std::vector<TckQuery>& out) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);

    struct Scenario {
        size_t line = 0;
        bool outline = false;
        std::string query;
        std::string expected;
        std::vector<std::map<std::string, std::string>> examples;
    };
    std::vector<Scenario> scenarios;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string t = trim(lines[i]);
        if (t.rfind("Scenario", 0) == 0) {
            scenarios.push_back(Scenario{i + 1, t.rfind("Scenario Outline", 0) == 0, {}, {}, {}});
        } else if (scenarios.empty()) {
            continue;
        } else if (t.rfind("When executing query:", 0) == 0) {
            ++i;
            while (i < lines.size() && trim(lines[i]) != "\"\"\"") ++i;
            if (i >= lines.size()) break;
            size_t indent = lines[i].find("\"\"\"");
            std::string q;
            for (++i; i < lines.size() && trim(lines[i]) != "\"\"\""; ++i) {
                if (!q.empty()) q += '\n';
                q += lines[i].size() > indent ? lines[i].substr(indent) : trim(lines[i]);
            }
            scenarios.back().query = q;
        } else if (t.find("should be raised at compile time:") != std::string::npos) {
            scenarios.back().expected = trim(t.substr(t.rfind(':') + 1));
        } else if (t.rfind("Examples", 0) == 0) {
            std::vector<std::string> header;
            for (++i; i < lines.size() &&
                      (trim(lines[i]).rfind("|", 0) == 0 || trim(lines[i]).rfind("#", 0) == 0);
                 ++i) {
                if (trim(lines[i]).rfind("#", 0) == 0) continue;  // commented-out row
                auto cells = table_cells(lines[i]);
                if (header.empty()) {
                    header = cells;
                    continue;
                }
                std::map<std::string, std::string> row;
                for (size_t c = 0; c < header.size() && c < cells.size(); ++c)
                    row[header[c]] = cells[c];
                scenarios.back().examples.push_back(std::move(row));
            }
            --i;
        }
    }
    for (const auto& s : scenarios) {
        if (s.query.empty()) continue;
        std::string where = file.parent_path().filename().string() + "/" +
                            file.filename().string() + ":" + std::to_string(s.line);
        if (!s.outline || s.examples.empty()) {
            out.push_back({where, s.query, s.expected});
            continue;
        }
        for (const auto& row : s.examples) {
            std::string q = s.query;
            for (const auto& [k, v] : row) {
                std::string key = "<" + k + ">";
                for (size_t p = q.find(key); p != std::string::npos; p = q.find(key, p + v.size()))
                    q.replace(p, key.size(), v);
            }
            out.push_back({where, q, s.expected});
        }
    }
}

// Errors that need the procedure catalog of the test graph (not known at parse time).
bool needs_procedure_catalog(const TckQuery& q) {
    static const char* kinds[] = {"ProcedureNotFound", "MissingParameter",
                                  "InvalidArgumentPassingMode"};
    for (auto k : kinds)
        if (q.expected == k) return true;
    return q.query.rfind("CALL", 0) == 0 &&
           (q.expected == "InvalidNumberOfArguments" || q.expected == "InvalidArgumentType");
}

}  // namespace

TEST_CASE("TCK queries: compile-time errors and valid queries", "[tck]") {
    const char* env = std::getenv("LORA_TCK_DIR");
    fs::path root = env ? env : "/work/shared/tck/features";
    if (!fs::exists(root)) {
        WARN("TCK features not found at " << root << "; skipping");
        return;
    }
    std::vector<TckQuery> queries;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.path().extension() == ".feature") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) read_feature(f, queries);
    REQUIRE(queries.size() > 1000);

    // Valid queries rejected only because lora::fn lacks a function (e.g. temporal ones)
    // are the function library's gap, reported but kept out of the front end's floor.
    size_t unknown_function = 0;
    size_t valid = 0, valid_ok = 0, errors = 0, errors_ok = 0, skipped = 0;
    std::ostringstream false_positives, misses;
    for (const auto& q : queries) {
        std::string got;
        try {
            analyze(parse(q.query));
        } catch (const lora::Error& e) {
            got = e.detail() + " — " + e.message();
            if (q.expected.empty() && e.detail() == "UnknownFunction") {
                ++unknown_function;
            } else if (q.expected.empty()) {
                false_positives << q.where << ": " << got << "\n  " << q.query << "\n";
            }
        }
        if (q.expected.empty()) {
            ++valid;
            if (got.empty()) ++valid_ok;
        } else if (needs_procedure_catalog(q)) {
            ++skipped;
        } else {
            ++errors;
            if (got.rfind(q.expected + " ", 0) == 0)
                ++errors_ok;
            else
                misses << q.where << ": expected " << q.expected << ", got "
                       << (got.empty() ? "success" : got) << "\n  " << q.query << "\n";
        }
    }
    WARN("valid queries accepted: " << valid_ok << "/" << valid << " (" << unknown_function
                                    << " rejected for a function lora::fn does not have)");
    WARN("compile-time errors matched: " << errors_ok << "/" << errors << " (" << skipped
                                         << " need a procedure catalog)");
    if (!false_positives.str().empty()) WARN("Rejected valid queries:\n" << false_positives.str());
    if (!misses.str().empty()) WARN("Missed or wrong errors:\n" << misses.str());
    CHECK((valid_ok + unknown_function) * 1000 >= valid * 995);
    CHECK(valid_ok * 100 >= valid * 60);
    CHECK(errors_ok * 100 >= errors * 95);
}
