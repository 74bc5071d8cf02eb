// Step dispatch of the TCK runner and the comparisons behind the result, error and
// side-effect steps (README §3, §5, §6 of the TCK notes).
#include "runner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

namespace lora::tck {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string phase_text(Phase p) { return p == Phase::Compile ? "compile time" : "runtime"; }

std::string describe_error(const ErrorInfo& e) {
    std::string m = e.message;
    if (auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
    return e.type + "." + e.detail + " at " + phase_text(e.phase) + (m.empty() ? "" : ": " + m);
}

std::string format_row(const TckRow& row) {
    std::string out = "|";
    for (const auto& v : row) out += " " + v.to_string() + " |";
    return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (size_t k = 0; k < v.size(); ++k) {
        if (k) out += sep;
        out += v[k];
    }
    return out;
}

bool rows_equal(const TckRow& a, const TckRow& b, bool unordered_lists) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
        if (!tck_equal(a[k], b[k], unordered_lists)) return false;
    return true;
}

bool arg_matches(const TckValue& cell, const TckValue& arg) {
    using K = TckValue::Kind;
    bool cell_num = cell.kind == K::Int || cell.kind == K::Float;
    bool arg_num = arg.kind == K::Int || arg.kind == K::Float;
    if (cell_num && arg_num && cell.kind != arg.kind) {
        double a = cell.kind == K::Int ? static_cast<double>(cell.i) : cell.f;
        double b = arg.kind == K::Int ? static_cast<double>(arg.i) : arg.f;
        return a == b;
    }
    return tck_equal(cell, arg);
}

std::vector<std::pair<std::string, std::string>> parse_params(const std::string& list,
                                                              const std::string& sig) {
    std::vector<std::pair<std::string, std::string>> out;
    if (trim(list).empty()) return out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        auto sep = item.find("::");
        if (sep == std::string::npos)
            throw TckError("procedure signature `" + sig + "`: parameter `" + trim(item) +
                           "` lacks `:: TYPE`");
        out.emplace_back(trim(item.substr(0, sep)), trim(item.substr(sep + 2)));
    }
    return out;
}

// One executable step of a case; throws StepFailure to end the case as failed.
struct StepFailure {
    std::string message;
};

[[noreturn]] void step_fail(std::string message) { throw StepFailure{std::move(message)}; }

}  // namespace

std::vector<TckRow> ProcedureSpec::call(const TckRow& args) const {
    std::vector<TckRow> out;
    for (const auto& row : rows) {
        bool match = args.size() == inputs.size();
        for (size_t k = 0; match && k < inputs.size(); ++k) match = arg_matches(row[k], args[k]);
        if (match) out.emplace_back(row.begin() + static_cast<long>(inputs.size()), row.end());
    }
    return out;
}

ProcedureSpec parse_procedure(const std::string& signature_text,
                              const std::vector<std::vector<std::string>>& table) {
    std::string sig = trim(signature_text);
    if (ends_with(sig, ":") && !ends_with(sig, "::")) sig = trim(sig.substr(0, sig.size() - 1));
    ProcedureSpec spec;
    auto open = sig.find('(');
    auto close = sig.find(')', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos)
        throw TckError("procedure signature `" + sig + "`: expected `name(inputs) :: (outputs)`");
    spec.name = trim(sig.substr(0, open));
    spec.inputs = parse_params(sig.substr(open + 1, close - open - 1), sig);
    std::string rest = trim(sig.substr(close + 1));
    if (!starts_with(rest, "::"))
        throw TckError("procedure signature `" + sig + "`: expected `::` before the outputs");
    rest = trim(rest.substr(2));
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
        throw TckError("procedure signature `" + sig + "`: outputs must be in parentheses");
    spec.outputs = parse_params(rest.substr(1, rest.size() - 2), sig);

    const size_t width = spec.inputs.size() + spec.outputs.size();
    if (table.empty()) throw TckError("procedure " + spec.name + ": missing table");
    const auto& header = table.front();
    if (header.size() != width)
        throw TckError("procedure " + spec.name + ": table has " + std::to_string(header.size()) +
                       " columns, signature has " + std::to_string(width));
    // Columns by name, so a header in another order than the signature still works.
    std::vector<size_t> pos;
    auto find_col = [&](const std::string& name) {
        for (size_t k = 0; k < header.size(); ++k)
            if (header[k] == name) return k;
        throw TckError("procedure " + spec.name + ": table lacks column `" + name + "`");
    };
    for (const auto& p : spec.inputs) pos.push_back(find_col(p.first));
    for (const auto& p : spec.outputs) pos.push_back(find_col(p.first));
    for (size_t r = 1; r < table.size(); ++r) {
        if (table[r].size() != width)
            throw TckError("procedure " + spec.name + ": row " + std::to_string(r) +
                           " has the wrong number of cells");
        TckRow row;
        for (size_t k : pos) row.push_back(parse_value(table[r][k]));
        spec.rows.push_back(std::move(row));
    }
    return spec;
}

static const char* const kEffectKeys[] = {"+nodes",  "-nodes",  "+relationships", "-relationships",
                                          "+labels", "-labels", "+properties",    "-properties"};

SideEffects diff_states(const GraphState& before, const GraphState& after) {
    auto count_new = [](const auto& a, const auto& b) {
        // |a \ b| with multiset semantics: std::set_difference handles both.
        std::vector<typename std::decay_t<decltype(a)>::value_type> out;
        std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
        return static_cast<int64_t>(out.size());
    };
    SideEffects e;
    e["+nodes"] = count_new(after.nodes, before.nodes);
    e["-nodes"] = count_new(before.nodes, after.nodes);
    e["+relationships"] = count_new(after.relationships, before.relationships);
    e["-relationships"] = count_new(before.relationships, after.relationships);
    e["+labels"] = count_new(after.labels, before.labels);
    e["-labels"] = count_new(before.labels, after.labels);
    e["+properties"] = count_new(after.properties, before.properties);
    e["-properties"] = count_new(before.properties, after.properties);
    return e;
}

SideEffects effects_from_stats(const EngineStats& s) {
    SideEffects e;
    for (auto k : kEffectKeys) e[k] = 0;
    e["+nodes"] = s.nodes_created;
    e["-nodes"] = s.nodes_deleted;
    e["+relationships"] = s.relationships_created;
    e["-relationships"] = s.relationships_deleted;
    e["+labels"] = s.labels_added;
    e["-labels"] = s.labels_removed;
    e["+properties"] = s.properties_set;
    return e;
}

SideEffects parse_side_effects(const std::vector<std::vector<std::string>>& table) {
    SideEffects e;
    for (auto k : kEffectKeys) e[k] = 0;
    for (const auto& row : table) {
        if (row.size() != 2) throw TckError("side-effect table rows need 2 cells");
        if (!e.count(row[0])) throw TckError("unknown side-effect key `" + row[0] + "`");
        TckValue v = parse_value(row[1]);
        if (v.kind != TckValue::Kind::Int)
            throw TckError("side-effect count `" + row[1] + "` is not an integer");
        e[row[0]] = v.i;
    }
    return e;
}

std::string compare_side_effects(const SideEffects& expected, const SideEffects& actual) {
    std::string out;
    for (auto k : kEffectKeys) {
        auto ie = expected.find(k);
        auto ia = actual.find(k);
        int64_t ev = ie == expected.end() ? 0 : ie->second;
        int64_t av = ia == actual.end() ? 0 : ia->second;
        if (ev == av) continue;
        if (!out.empty()) out += "; ";
        out += std::string(k) + ": expected " + std::to_string(ev) + ", got " + std::to_string(av);
    }
    return out;
}

std::optional<GraphState> snapshot(Engine& engine, std::string* why) {
    GraphState st;
    QueryOutcome nodes = engine.execute("MATCH (n) RETURN n", {});
    if (!nodes.ok) {
        if (why) *why = "MATCH (n) RETURN n failed: " + describe_error(nodes.error);
        return std::nullopt;
    }
    for (const auto& row : nodes.rows) {
        if (row.size() != 1 || row[0].kind != TckValue::Kind::Node) {
            if (why) *why = "MATCH (n) RETURN n returned a non-node";
            return std::nullopt;
        }
        const TckValue& n = row[0];
        st.nodes.insert(n.i);
        st.labels.insert(n.labels.begin(), n.labels.end());
        for (const auto& [k, v] : n.map)
            st.properties.insert("n" + std::to_string(n.i) + "|" + k + "|" + v.to_string());
    }
    QueryOutcome rels = engine.execute("MATCH ()-[r]->() RETURN r", {});
    if (!rels.ok) {
        if (why) *why = "MATCH ()-[r]->() RETURN r failed: " + describe_error(rels.error);
        return std::nullopt;
    }
    for (const auto& row : rels.rows) {
        if (row.size() != 1 || row[0].kind != TckValue::Kind::Rel) {
            if (why) *why = "MATCH ()-[r]->() RETURN r returned a non-relationship";
            return std::nullopt;
        }
        const TckValue& r = row[0];
        st.relationships.insert(r.i);
        for (const auto& [k, v] : r.map)
            st.properties.insert("r" + std::to_string(r.i) + "|" + k + "|" + v.to_string());
    }
    return st;
}

std::string compare_result(const std::vector<std::vector<std::string>>& table,
                           const QueryOutcome& actual, ResultOrder order, bool unordered_lists) {
    if (table.empty()) return "expected-result table has no header row";
    const auto& header = table.front();
    if (header != actual.columns)
        return "columns differ: expected [" + join(header, ", ") + "], got [" +
               join(actual.columns, ", ") + "]";
    std::vector<TckRow> expected;
    for (size_t r = 1; r < table.size(); ++r) {
        TckRow row;
        for (const auto& cell : table[r]) {
            try {
                row.push_back(parse_value(cell));
            } catch (const TckError& e) {
                return std::string("bad expected cell: ") + e.what();
            }
        }
        if (row.size() != header.size())
            return "expected row " + std::to_string(r) + " has " + std::to_string(row.size()) +
                   " cells for " + std::to_string(header.size()) + " columns";
        expected.push_back(std::move(row));
    }
    for (size_t r = 0; r < actual.rows.size(); ++r)
        if (actual.rows[r].size() != header.size())
            return "result row " + std::to_string(r) + " has " +
                   std::to_string(actual.rows[r].size()) + " values for " +
                   std::to_string(header.size()) + " columns";

    if (order == ResultOrder::InOrder) {
        for (size_t r = 0; r < expected.size() && r < actual.rows.size(); ++r)
            if (!rows_equal(expected[r], actual.rows[r], unordered_lists))
                return "row " + std::to_string(r) + " differs: expected " +
                       format_row(expected[r]) + ", got " + format_row(actual.rows[r]);
        if (expected.size() != actual.rows.size())
            return "expected " + std::to_string(expected.size()) + " rows, got " +
                   std::to_string(actual.rows.size());
        return {};
    }
    // Multiset: greedy matching is exact because row equality is an equivalence relation.
    std::vector<bool> used(actual.rows.size(), false);
    std::vector<size_t> missing;
    for (size_t e = 0; e < expected.size(); ++e) {
        bool found = false;
        for (size_t a = 0; a < actual.rows.size(); ++a) {
            if (!used[a] && rows_equal(expected[e], actual.rows[a], unordered_lists)) {
                used[a] = found = true;
                break;
            }
        }
        if (!found) missing.push_back(e);
    }
    std::vector<size_t> extra;
    for (size_t a = 0; a < actual.rows.size(); ++a)
        if (!used[a]) extra.push_back(a);
    if (missing.empty() && extra.empty()) return {};
    std::string out = "expected " + std::to_string(expected.size()) + " rows, got " +
                      std::to_string(actual.rows.size());
    constexpr size_t kShow = 3;
    if (!missing.empty()) {
        out += "; missing " + std::to_string(missing.size()) + ":";
        for (size_t k = 0; k < missing.size() && k < kShow; ++k)
            out += " " + format_row(expected[missing[k]]);
    }
    if (!extra.empty()) {
        out += "; unexpected " + std::to_string(extra.size()) + ":";
        for (size_t k = 0; k < extra.size() && k < kShow; ++k)
            out += " " + format_row(actual.rows[extra[k]]);
    }
    return out;
}

int error_match_level(const ErrorInfo& actual, const std::string& type, const std::string& phase,
                      const std::string& detail) {
    bool type_ok = type == "Error" || type == actual.type;
    bool phase_ok = phase == "any time" || phase == phase_text(actual.phase);
    if (!type_ok || !phase_ok) return 0;
    if (detail != "*" && detail != actual.detail) return 2;
    return 3;
}

std::string_view status_name(Status s) {
    switch (s) {
        case Status::Pass: return "pass";
        case Status::Fail: return "fail";
        case Status::Skip: return "skip";
    }
    return "?";
}

namespace {

class CaseRun {
public:
    CaseRun(const TestCase& tc, Engine& engine, const RunConfig& config)
        : tc_(tc), engine_(engine), config_(config) {}

    ScenarioResult run() {
        ScenarioResult res;
        for (const auto& step : tc_.steps) {
            try {
                do_step(step);
            } catch (const StepFailure& f) {
                res.status = Status::Fail;
                res.message = "line " + std::to_string(step.line) + ": " + f.message;
                break;
            } catch (const std::exception& e) {
                res.status = Status::Fail;
                res.message = "line " + std::to_string(step.line) + ": " + e.what();
                break;
            }
        }
        res.error_level = error_level_;
        return res;
    }

private:
    const TestCase& tc_;
    Engine& engine_;
    const RunConfig& config_;
    TckMap params_;
    std::optional<QueryOutcome> last_;
    std::optional<GraphState> before_;
    std::string before_why_;
    int error_level_ = -1;

    const std::string& doc(const Step& s) {
        if (!s.doc_string) step_fail("step `" + s.text + "` needs a doc string");
        return *s.doc_string;
    }

    void setup_query(const std::string& q, const std::string& what) {
        QueryOutcome o = engine_.execute(q, params_);
        if (!o.ok) step_fail(what + " failed: " + describe_error(o.error));
    }

    const QueryOutcome& last() {
        if (!last_) step_fail("no query was executed before this step");
        return *last_;
    }

    SideEffects measured_effects() {
        if (config_.side_effects == SideEffectMode::Stats) return effects_from_stats(last().stats);
        if (!before_) step_fail("cannot measure side effects: " + before_why_);
        std::string why;
        auto after = snapshot(engine_, &why);
        if (!after) step_fail("cannot measure side effects: " + why);
        return diff_states(*before_, *after);
    }

    void check_result(const Step& s, ResultOrder order, bool unordered_lists) {
        const QueryOutcome& o = last();
        if (!o.ok) step_fail("expected a result, got error " + describe_error(o.error));
        std::string diff = compare_result(s.table, o, order, unordered_lists);
        if (!diff.empty()) step_fail(diff);
    }

    void do_step(const Step& s) {
        static const std::regex kGraph("^the (.*) graph$");
        static const std::regex kError("^an? (.+) should be raised at (.+): (.+)$");
        const std::string& t = s.text;
        std::smatch m;
        if (t == "an empty graph" || t == "any graph") return;
        if (t == "having executed:") return setup_query(doc(s), "setup query");
        if (t == "parameters are:") {
            for (const auto& row : s.table) {
                if (row.size() != 2) step_fail("parameter rows need 2 cells");
                params_[row[0]] = parse_value(row[1]);
            }
            return;
        }
        if (starts_with(t, "there exists a procedure ") && ends_with(t, ":")) {
            ProcedureSpec spec = parse_procedure(
                t.substr(std::string_view("there exists a procedure ").size()), s.table);
            try {
                engine_.register_procedure(spec);
            } catch (const std::exception& e) {
                step_fail("cannot register procedure " + spec.name + ": " + e.what());
            }
            return;
        }
        if (t == "executing query:") {
            if (config_.side_effects == SideEffectMode::Snapshot) {
                before_ = snapshot(engine_, &before_why_);
            }
            last_ = engine_.execute(doc(s), params_);
            return;
        }
        if (t == "executing control query:") {
            last_ = engine_.execute(doc(s), params_);
            return;
        }
        if (t == "the result should be, in any order:")
            return check_result(s, ResultOrder::AnyOrder, false);
        if (t == "the result should be, in order:")
            return check_result(s, ResultOrder::InOrder, false);
        if (t == "the result should be (ignoring element order for lists):" ||
            t == "the result should be, in any order (ignoring element order for lists):")
            return check_result(s, ResultOrder::AnyOrder, true);
        if (t == "the result should be, in order (ignoring element order for lists):")
            return check_result(s, ResultOrder::InOrder, true);
        if (t == "the result should be empty") {
            const QueryOutcome& o = last();
            if (!o.ok) step_fail("expected an empty result, got error " + describe_error(o.error));
            if (!o.rows.empty())
                step_fail("expected an empty result, got " + std::to_string(o.rows.size()) +
                          " rows; first: " + format_row(o.rows.front()));
            if (!o.columns.empty())
                step_fail("expected no columns, got [" + join(o.columns, ", ") + "]");
            return;
        }
        if (std::regex_match(t, m, kError)) return check_error(m[1], m[2], m[3]);
        if (t == "no side effects" || t == "the side effects should be:") {
            SideEffects expected = parse_side_effects(s.table);
            std::string diff = compare_side_effects(expected, measured_effects());
            if (!diff.empty()) step_fail("side effects differ: " + diff);
            return;
        }
        if (std::regex_match(t, m, kGraph)) return load_graph(m[1]);
        step_fail("unsupported step `" + s.keyword + " " + t + "`");
    }

    void check_error(const std::string& type, const std::string& phase, const std::string& detail) {
        const QueryOutcome& o = last();
        std::string expected = type + "." + detail + " at " + phase;
        if (o.ok) {
            error_level_ = 0;
            step_fail("expected " + expected + ", but the query succeeded with " +
                      std::to_string(o.rows.size()) + " rows");
        }
        int level = error_match_level(o.error, type, phase, detail);
        error_level_ = std::max(level, 1);
        if (level < 3)
            step_fail("expected " + expected + ", got " + describe_error(o.error) + " (level " +
                      std::to_string(error_level_) + ")");
        // The reference runner also checks that a failed query left the graph untouched.
        // Only when both states can be read: measuring is not what this step tests.
        if (config_.side_effects == SideEffectMode::Snapshot && before_) {
            std::string why;
            if (auto after = snapshot(engine_, &why)) {
                std::string diff =
                    compare_side_effects(parse_side_effects({}), diff_states(*before_, *after));
                if (!diff.empty()) step_fail("the failed query had side effects: " + diff);
            }
        }
    }

    void load_graph(const std::string& name) {
        std::string path = config_.graphs_dir + "/" + name + "/" + name + ".cypher";
        std::ifstream in(path, std::ios::binary);
        if (!in) step_fail("named graph `" + name + "`: cannot read " + path);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string q = trim(ss.str());
        // The files end each statement with ';' which a single-statement API rejects.
        if (ends_with(q, ";")) q = trim(q.substr(0, q.size() - 1));
        setup_query(q, "loading graph " + name);
    }
};

}  // namespace

ScenarioResult run_case(const TestCase& tc, Engine& engine, const RunConfig& config) {
    try {
        return CaseRun(tc, engine, config).run();
    } catch (const std::exception& e) {
        return {Status::Fail, std::string("runner error: ") + e.what(), -1};
    }
}

std::string skip_reason(const std::string& rel_path, const TestCase& tc) {
    if (tc.has_tag("@ignore")) return "tagged @ignore";
    return {};
}

bool filter_matches(const std::string& filter, const std::string& rel_path, int line,
                    std::optional<int> example_row) {
    std::string glob = filter;
    std::vector<int> nums;
    auto all_digits = [](std::string_view s) {
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    while (nums.size() < 2) {
        auto colon = glob.rfind(':');
        if (colon == std::string::npos || !all_digits(std::string_view(glob).substr(colon + 1)))
            break;
        nums.insert(nums.begin(), std::stoi(glob.substr(colon + 1)));
        glob.resize(colon);
    }
    if (!glob.empty()) {
        std::string dir = glob;
        while (!dir.empty() && dir.back() == '/') dir.pop_back();
        bool path_ok = fnmatch(glob.c_str(), rel_path.c_str(), 0) == 0 ||
                       fnmatch((dir + "/*").c_str(), rel_path.c_str(), 0) == 0;
        if (!path_ok) return false;
    }
    if (nums.size() >= 1 && nums[0] != line) return false;
    if (nums.size() >= 2 && (!example_row || *example_row != nums[1])) return false;
    return true;
}

std::string report_row(const std::string& rel_path, int line, std::optional<int> example_row,
                       Status status, const std::string& message) {
    std::string msg = message;
    for (char& c : msg)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return rel_path + "\t" + std::to_string(line) + "\t" +
           (example_row ? std::to_string(*example_row) : std::string()) + "\t" +
           std::string(status_name(status)) + "\t" + msg;
}

std::string folder_of(const std::string& rel_path) {
    auto first = rel_path.find('/');
    if (first == std::string::npos) return ".";
    auto second = rel_path.find('/', first + 1);
    if (second == std::string::npos) return rel_path.substr(0, first);
    return rel_path.substr(0, second);
}

}  // namespace lora::tck
