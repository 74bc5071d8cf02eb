// Step dispatch of the TCK runner against an abstract Engine, result and error comparison,
// side-effect measurement, table-driven procedures, filters and report rows. Plain code:
// tests drive it with a fake Engine; lora_engine.hpp adapts lora::Database.
#pragma once

#include "gherkin.hpp"
#include "tck_value.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lora::tck {

using TckMap = std::map<std::string, TckValue>;
using TckRow = std::vector<TckValue>;

enum class Phase : uint8_t { Compile, Runtime };

struct ErrorInfo {
    std::string type;    // e.g. SyntaxError
    std::string detail;  // e.g. UndefinedVariable
    Phase phase = Phase::Runtime;
    std::string message;
};

// Counters as the engine reports them (lora::QueryStats); used only in --side-effects=stats.
struct EngineStats {
    int64_t nodes_created = 0, nodes_deleted = 0;
    int64_t relationships_created = 0, relationships_deleted = 0;
    int64_t properties_set = 0, labels_added = 0, labels_removed = 0;
};

struct QueryOutcome {
    bool ok = false;
    std::vector<std::string> columns;
    std::vector<TckRow> rows;
    EngineStats stats;
    ErrorInfo error;  // when !ok
};

// A table-driven procedure (README §6).
struct ProcedureSpec {
    std::string name;
    std::vector<std::pair<std::string, std::string>> inputs;   // (name, type)
    std::vector<std::pair<std::string, std::string>> outputs;  // (name, type)
    std::vector<TckRow> rows;  // input cells followed by output cells

    // Output cells of every row whose input cells equal `args`, in table order. null
    // matches null; integers and floats match when numerically equal (an INTEGER passed
    // to FLOAT?/NUMBER? is coerced).
    std::vector<TckRow> call(const TckRow& args) const;
};

// Parses `test.my.proc(in :: INTEGER?) :: (out :: STRING?)` (an optional trailing ':' and
// spaces are ignored) and the step's table (header = inputs then outputs). Throws TckError.
ProcedureSpec parse_procedure(const std::string& signature,
                              const std::vector<std::vector<std::string>>& table);

class Engine {
public:
    virtual ~Engine() = default;
    // Never throws for query errors: they come back as !ok.
    virtual QueryOutcome execute(const std::string& query, const TckMap& params) = 0;
    // Throws (any std::exception) when the procedure cannot be registered.
    virtual void register_procedure(const ProcedureSpec& spec) = 0;
};

// What the graph holds, as the reference runner measures it (README §5).
struct GraphState {
    std::set<int64_t> nodes;
    std::set<int64_t> relationships;
    std::set<std::string> labels;
    std::multiset<std::string> properties;  // "n<id>|key|value" / "r<id>|key|value"
};

// Keys +nodes, -nodes, +relationships, -relationships, +labels, -labels, +properties,
// -properties; all eight are present.
using SideEffects = std::map<std::string, int64_t>;

SideEffects diff_states(const GraphState& before, const GraphState& after);
SideEffects effects_from_stats(const EngineStats& s);
// Expected effects of a `the side effects should be:` table; absent keys are 0.
SideEffects parse_side_effects(const std::vector<std::vector<std::string>>& table);
// Empty when equal, else e.g. "+nodes: expected 1, got 2; -labels: expected 0, got 1".
std::string compare_side_effects(const SideEffects& expected, const SideEffects& actual);

// Reads the graph state with `MATCH (n) RETURN n` and `MATCH ()-[r]->() RETURN r`.
// Returns nullopt and sets *why when the engine cannot answer.
std::optional<GraphState> snapshot(Engine& engine, std::string* why);

enum class ResultOrder { AnyOrder, InOrder };

// Empty when the actual result matches the expected table (header row + data rows).
std::string compare_result(const std::vector<std::vector<std::string>>& expected_table,
                           const QueryOutcome& actual, ResultOrder order, bool unordered_lists);

// Compares an error against `Type`, `phase text` and `Detail` of an error step, honouring
// the wildcards `Error`, `any time` and `*`. Returns the level reached: 0 = mismatch in
// type or phase, 2 = type and phase match, 3 = detail also matches (level 1, "some error
// was raised", is the caller's: the query failed at all).
int error_match_level(const ErrorInfo& actual, const std::string& type, const std::string& phase,
                      const std::string& detail);

enum class Status : uint8_t { Pass, Fail, Skip };
std::string_view status_name(Status s);

struct ScenarioResult {
    Status status = Status::Pass;
    std::string message;
    // For scenarios expecting an error: 1 = some error, 2 = type+phase, 3 = detail; 0 = the
    // query did not fail. -1 when the scenario expects no error (or never got that far).
    int error_level = -1;
};

enum class SideEffectMode : uint8_t { Snapshot, Stats };

struct RunConfig {
    std::string graphs_dir;  // holds <name>/<name>.cypher
    SideEffectMode side_effects = SideEffectMode::Snapshot;
};

// Runs every step of a test case against `engine` (a fresh, empty graph). Never throws.
ScenarioResult run_case(const TestCase& tc, Engine& engine, const RunConfig& config);

// Why a case must be skipped (temporal types, @ignore), or empty to run it.
std::string skip_reason(const std::string& rel_path, const TestCase& tc);

// --filter: a glob (fnmatch, `*` also crosses '/') on the path relative to FEATURES_DIR,
// or a directory prefix, optionally followed by `:LINE` (line of the Scenario keyword) and
// `:LINE:ROW` (0-based example row).
bool filter_matches(const std::string& filter, const std::string& rel_path, int line,
                    std::optional<int> example_row);

// `file<TAB>line<TAB>example_row<TAB>status<TAB>message` with tabs/newlines in the message
// replaced by spaces, no trailing newline.
std::string report_row(const std::string& rel_path, int line, std::optional<int> example_row,
                       Status status, const std::string& message);

// The folder a result is counted under: the first two path components.
std::string folder_of(const std::string& rel_path);

}  // namespace lora::tck
