// Step dispatch against a scripted fake engine: results, errors, side effects (graph
// snapshots and stats), procedures, parameters, named graphs; plus filters and report rows.
#include "gherkin.hpp"
#include "runner.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>

using namespace lora::tck;

namespace {

// A tiny in-memory "graph" that answers the runner's snapshot queries, plus scripted
// answers for every other query.
class FakeEngine : public Engine {
public:
    std::vector<TckValue> nodes;  // Node values with ids
    std::vector<TckValue> rels;
    std::map<std::string, std::function<QueryOutcome(const TckMap&)>> script;
    std::vector<std::string> executed;
    std::vector<ProcedureSpec> procedures;

    QueryOutcome execute(const std::string& q, const TckMap& params) override {
        executed.push_back(q);
        if (q == "MATCH (n) RETURN n") return rows_of("n", nodes);
        if (q == "MATCH ()-[r]->() RETURN r") return rows_of("r", rels);
        auto it = script.find(q);
        if (it == script.end()) return error("SyntaxError", "UnexpectedSyntax", Phase::Compile);
        return it->second(params);
    }
    void register_procedure(const ProcedureSpec& spec) override { procedures.push_back(spec); }

    static QueryOutcome rows_of(const std::string& col, const std::vector<TckValue>& vals) {
        QueryOutcome o;
        o.ok = true;
        o.columns = {col};
        for (const auto& v : vals) o.rows.push_back({v});
        return o;
    }
    static QueryOutcome error(std::string type, std::string detail, Phase phase) {
        QueryOutcome o;
        o.error = {std::move(type), std::move(detail), phase, "scripted failure"};
        return o;
    }
    static QueryOutcome result(std::vector<std::string> cols,
                               std::vector<std::vector<std::string>> cells) {
        QueryOutcome o;
        o.ok = true;
        o.columns = std::move(cols);
        for (const auto& r : cells) {
            TckRow row;
            for (const auto& c : r) row.push_back(parse_value(c));
            o.rows.push_back(std::move(row));
        }
        return o;
    }
    void add_node(int64_t id, const std::string& literal) {
        TckValue n = parse_value(literal);
        n.i = id;
        nodes.push_back(n);
    }
};

TestCase one_case(const std::string& body) {
    Feature f = parse_feature("Feature: T\n  Scenario: [1] s\n" + body);
    REQUIRE(f.cases.size() == 1);
    return f.cases[0];
}

std::string q(const std::string& query) {
    return "      \"\"\"\n      " + query + "\n      \"\"\"\n";
}

}  // namespace

TEST_CASE("a passing result scenario runs setup, query and checks", "[tck][runner]") {
    FakeEngine e;
    e.script["CREATE (:A)"] = [&](const TckMap&) {
        e.add_node(1, "(:A)");
        return FakeEngine::result({}, {});
    };
    e.script["MATCH (n) RETURN n.x AS x, n"] = [](const TckMap&) {
        return FakeEngine::result({"x", "n"}, {{"null", "(:A)"}, {"1.5", "(:A {p: [1, 2]})"}});
    };
    TestCase tc =
        one_case("    Given an empty graph\n    And having executed:\n" + q("CREATE (:A)") +
                 "    When executing query:\n" + q("MATCH (n) RETURN n.x AS x, n") +
                 "    Then the result should be, in any order:\n"
                 "      | x    | n                 |\n"
                 "      | 1.5  | (:A {p: [1, 2]})  |\n"
                 "      | null | (:A)              |\n"
                 "    And no side effects\n");
    ScenarioResult r = run_case(tc, e, {});
    INFO(r.message);
    CHECK(r.status == Status::Pass);
    CHECK(r.error_level == -1);
}

TEST_CASE("result mismatches fail with a useful message", "[tck][runner]") {
    FakeEngine e;
    e.script["RETURN 1 AS a"] = [](const TckMap&) { return FakeEngine::result({"a"}, {{"1"}}); };
    auto run = [&](const std::string& then) {
        return run_case(one_case("    Given any graph\n    When executing query:\n" +
                                 q("RETURN 1 AS a") + then),
                        e, {});
    };
    ScenarioResult r =
        run("    Then the result should be, in any order:\n      | a   |\n      | 1.0 |\n");
    CHECK(r.status == Status::Fail);
    CHECK_THAT(r.message,
               Catch::Contains("missing 1: | 1.0 |") && Catch::Contains("unexpected 1: | 1 |"));

    r = run("    Then the result should be, in any order:\n      | b |\n      | 1 |\n");
    CHECK_THAT(r.message, Catch::Contains("columns differ: expected [b], got [a]"));

    r = run("    Then the result should be empty\n");
    CHECK_THAT(r.message, Catch::Contains("expected an empty result, got 1 rows"));

    r = run("    Then a SyntaxError should be raised at compile time: UndefinedVariable\n");
    CHECK(r.status == Status::Fail);
    CHECK(r.error_level == 0);
    CHECK_THAT(r.message, Catch::Contains("but the query succeeded"));

    r =
        run("    Then the result should be, in order:\n      | a |\n      | 1 |\n    And no side "
            "effects\n");
    CHECK(r.status == Status::Pass);

    r = run("    Then the result should be, in order:\n      | a |\n      | 'x |\n");
    CHECK_THAT(r.message, Catch::Contains("bad expected cell"));
}

TEST_CASE("ordered comparison checks the sequence, unordered the multiset", "[tck][runner]") {
    QueryOutcome out = FakeEngine::result({"v"}, {{"1"}, {"2"}, {"2"}});
    std::vector<std::vector<std::string>> same{{"v"}, {"2"}, {"1"}, {"2"}};
    CHECK(compare_result(same, out, ResultOrder::AnyOrder, false).empty());
    CHECK_THAT(compare_result(same, out, ResultOrder::InOrder, false),
               Catch::Contains("row 0 differs"));
    std::vector<std::vector<std::string>> dup{{"v"}, {"1"}, {"1"}, {"2"}};
    CHECK_FALSE(compare_result(dup, out, ResultOrder::AnyOrder, false).empty());
    std::vector<std::vector<std::string>> fewer{{"v"}, {"1"}, {"2"}};
    CHECK_THAT(compare_result(fewer, out, ResultOrder::InOrder, false),
               Catch::Contains("expected 2 rows, got 3"));

    QueryOutcome lists = FakeEngine::result({"l"}, {{"[1, 2]"}, {"[3]"}});
    std::vector<std::vector<std::string>> swapped{{"l"}, {"[3]"}, {"[2, 1]"}};
    CHECK_FALSE(compare_result(swapped, lists, ResultOrder::AnyOrder, false).empty());
    CHECK(compare_result(swapped, lists, ResultOrder::AnyOrder, true).empty());
    CHECK_FALSE(compare_result(swapped, lists, ResultOrder::InOrder, true).empty());

    // A header with no data rows: the columns must still match and no rows come back.
    QueryOutcome none = FakeEngine::result({"v"}, {});
    CHECK(compare_result({{"v"}}, none, ResultOrder::AnyOrder, false).empty());
}

TEST_CASE("error steps compare type, phase and detail with wildcards", "[tck][runner]") {
    ErrorInfo err{"SyntaxError", "UndefinedVariable", Phase::Compile, "x"};
    CHECK(error_match_level(err, "SyntaxError", "compile time", "UndefinedVariable") == 3);
    CHECK(error_match_level(err, "SyntaxError", "compile time", "VariableTypeConflict") == 2);
    CHECK(error_match_level(err, "SyntaxError", "runtime", "UndefinedVariable") == 0);
    CHECK(error_match_level(err, "TypeError", "compile time", "UndefinedVariable") == 0);
    CHECK(error_match_level(err, "Error", "any time", "*") == 3);
    ErrorInfo rt{"TypeError", "InvalidArgumentValue", Phase::Runtime, ""};
    CHECK(error_match_level(rt, "TypeError", "any time", "*") == 3);

    FakeEngine e;
    e.script["RETURN x"] = [](const TckMap&) {
        return FakeEngine::error("SyntaxError", "UndefinedVariable", Phase::Compile);
    };
    auto run = [&](const std::string& then) {
        return run_case(
            one_case("    Given any graph\n    When executing query:\n" + q("RETURN x") + then), e,
            {});
    };
    ScenarioResult r =
        run("    Then a SyntaxError should be raised at compile time: UndefinedVariable\n");
    CHECK(r.status == Status::Pass);
    CHECK(r.error_level == 3);
    r = run("    Then a SyntaxError should be raised at compile time: VariableAlreadyBound\n");
    CHECK(r.status == Status::Fail);
    CHECK(r.error_level == 2);
    r = run("    Then a TypeError should be raised at runtime: InvalidArgumentType\n");
    CHECK(r.error_level == 1);
    CHECK_THAT(r.message, Catch::Contains("expected TypeError.InvalidArgumentType at runtime, got "
                                          "SyntaxError.UndefinedVariable at compile time"));
    r = run("    Then the result should be, in any order:\n      | x |\n");
    CHECK_THAT(r.message,
               Catch::Contains("expected a result, got error SyntaxError.UndefinedVariable"));
}

TEST_CASE("side effects follow the TCK's state-diff definitions", "[tck][runner]") {
    GraphState before, after;
    before.nodes = {1, 2};
    before.labels = {"A"};
    before.properties = {"n1|k|1", "n2|k|1"};
    after.nodes = {2, 3, 4};
    after.relationships = {9};
    after.labels = {"A", "B"};
    after.properties = {"n2|k|2", "n3|k|1", "n3|k|1"};
    SideEffects d = diff_states(before, after);
    CHECK(d["+nodes"] == 2);
    CHECK(d["-nodes"] == 1);
    CHECK(d["+relationships"] == 1);
    CHECK(d["-relationships"] == 0);
    CHECK(d["+labels"] == 1);
    CHECK(d["-labels"] == 0);
    CHECK(d["+properties"] == 3);  // multiset: the duplicate triple counts twice
    CHECK(d["-properties"] == 2);

    SideEffects want = parse_side_effects({{"+nodes", "2"}, {"-nodes", "1"}});
    CHECK(want["+labels"] == 0);
    CHECK(compare_side_effects(want, d) ==
          "+relationships: expected 0, got 1; +labels: expected 0, got 1; +properties: expected 0, "
          "got 3; "
          "-properties: expected 0, got 2");
    CHECK_THROWS_AS(parse_side_effects({{"+widgets", "1"}}), TckError);
    CHECK_THROWS_AS(parse_side_effects({{"+nodes", "x"}}), TckError);

    EngineStats s;
    s.nodes_created = 3;
    s.properties_set = 2;
    CHECK(effects_from_stats(s)["+nodes"] == 3);
    CHECK(effects_from_stats(s)["+properties"] == 2);
}

TEST_CASE("side-effect steps measure the graph before and after the query", "[tck][runner]") {
    const std::string query = "MATCH (n) SET n.name = 'new', n:B CREATE ()";
    auto run = [&](const std::string& effects) {
        FakeEngine e;
        e.add_node(1, "(:A {name: 'old'})");
        e.script[query] = [&e](const TckMap&) {
            e.nodes[0] = parse_value("(:A:B {name: 'new'})");
            e.nodes[0].i = 1;
            e.add_node(2, "()");
            return FakeEngine::result({}, {});
        };
        return run_case(one_case("    Given any graph\n    When executing query:\n" + q(query) +
                                 "    Then the result should be empty\n" + effects),
                        e, {});
    };
    ScenarioResult r =
        run("    And the side effects should be:\n      | +nodes | 1 |\n"
            "      | +labels | 1 |\n      | +properties | 1 |\n      | -properties | 1 |\n");
    INFO(r.message);
    CHECK(r.status == Status::Pass);

    r = run("    And no side effects\n");
    CHECK(r.status == Status::Fail);
    CHECK_THAT(r.message, Catch::Contains("side effects differ: +nodes: expected 0, got 1"));
}

TEST_CASE("parameters reach every later query", "[tck][runner]") {
    FakeEngine e;
    TckMap seen;
    e.script["RETURN $p AS p"] = [&](const TckMap& params) {
        seen = params;
        return FakeEngine::result({"p"}, {{"[1, 'a']"}});
    };
    ScenarioResult r = run_case(
        one_case("    Given any graph\n    And parameters are:\n"
                 "      | p | [1, 'a'] |\n      | q | {k: null} |\n"
                 "    When executing query:\n" +
                 q("RETURN $p AS p") +
                 "    Then the result should be, in any order:\n      | p |\n      | [1, 'a'] |\n"),
        e, {});
    INFO(r.message);
    CHECK(r.status == Status::Pass);
    REQUIRE(seen.size() == 2);
    CHECK(tck_equal(seen.at("q"), parse_value("{k: null}")));
}

TEST_CASE("procedures parse from signature and table and answer by matching inputs",
          "[tck][runner]") {
    ProcedureSpec p = parse_procedure(
        "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: "
        "INTEGER?) :",
        {{"name", "id", "city", "country_code"},
         {"'Andres'", "1", "'Malmö'", "46"},
         {"'Tobias'", "1", "'Malmö'", "46"},
         {"'Andres'", "1", "'Berlin'", "49"},
         {"null", "null", "'Nowhere'", "null"}});
    CHECK(p.name == "test.my.proc");
    REQUIRE(p.inputs.size() == 2);
    CHECK(p.inputs[1] == std::pair<std::string, std::string>{"id", "INTEGER?"});
    CHECK(p.outputs[0].first == "city");
    auto rows = p.call({parse_value("'Andres'"), parse_value("1")});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0][0].s == "Malmö");
    CHECK(rows[1][1].i == 49);
    CHECK(p.call({parse_value("null"), parse_value("null")}).size() == 1);
    CHECK(p.call({parse_value("'Andres'"), parse_value("2")}).empty());

    ProcedureSpec f = parse_procedure("test.my.proc(in :: FLOAT?) :: (out :: STRING?):",
                                      {{"in", "out"}, {"42.0", "'x'"}});
    CHECK(f.call({parse_value("42")}).size() == 1);  // INTEGER coerced to FLOAT
    CHECK(f.call({parse_value("42.5")}).empty());

    ProcedureSpec none = parse_procedure("test.doNothing() :: ():", {{}});
    CHECK(none.inputs.empty());
    CHECK(none.outputs.empty());
    CHECK(none.call({}).empty());

    CHECK_THROWS_AS(parse_procedure("test.p(in :: INTEGER?) :: (out :: STRING?):", {{"in"}}),
                    TckError);
    CHECK_THROWS_AS(parse_procedure("test.p(in INTEGER?) :: ():", {{"in"}}), TckError);

    FakeEngine e;
    e.script["CALL test.labels()"] = [](const TckMap&) {
        return FakeEngine::result({"label"}, {{"'A'"}});
    };
    ScenarioResult r = run_case(
        one_case("    Given an empty graph\n"
                 "    And there exists a procedure test.labels() :: (label :: STRING?):\n"
                 "      | label |\n      | 'A' |\n"
                 "    When executing query:\n" +
                 q("CALL test.labels()") +
                 "    Then the result should be, in order:\n      | label |\n      | 'A' |\n"),
        e, {});
    CHECK(r.status == Status::Pass);
    REQUIRE(e.procedures.size() == 1);
    CHECK(e.procedures[0].rows.size() == 1);
}

TEST_CASE("named graphs load from the graphs folder without the final semicolon", "[tck][runner]") {
    auto dir =
        std::filesystem::temp_directory_path() / ("lora_tck_graphs_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "tiny");
    std::ofstream(dir / "tiny" / "tiny.cypher") << "CREATE (:X {name: 'a'});\n";
    FakeEngine e;
    bool loaded = false;
    e.script["CREATE (:X {name: 'a'})"] = [&](const TckMap&) {
        loaded = true;
        return FakeEngine::result({}, {});
    };
    e.script["RETURN 1 AS one"] = [](const TckMap&) {
        return FakeEngine::result({"one"}, {{"1"}});
    };
    RunConfig cfg;
    cfg.graphs_dir = dir.string();
    std::string rest = "    When executing query:\n" + q("RETURN 1 AS one") +
                       "    Then the result should be, in any order:\n      | one |\n      | 1 |\n";
    ScenarioResult r = run_case(one_case("    Given the tiny graph\n" + rest), e, cfg);
    INFO(r.message);
    CHECK(r.status == Status::Pass);
    CHECK(loaded);
    r = run_case(one_case("    Given the missing graph\n" + rest), e, cfg);
    CHECK(r.status == Status::Fail);
    CHECK_THAT(r.message, Catch::Contains("named graph `missing`"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("setup failures, unknown steps and control queries", "[tck][runner]") {
    FakeEngine e;
    e.script["CREATE ()"] = [](const TckMap&) { return FakeEngine::result({}, {}); };
    e.script["MATCH (n) RETURN count(n) AS c"] = [](const TckMap&) {
        return FakeEngine::result({"c"}, {{"0"}});
    };
    ScenarioResult r = run_case(one_case("    Given any graph\n    And having executed:\n" +
                                         q("BROKEN") + "    When executing query:\n" +
                                         q("CREATE ()") + "    Then the result should be empty\n"),
                                e, {});
    CHECK(r.status == Status::Fail);
    CHECK_THAT(r.message,
               Catch::Contains("line 4: setup query failed: SyntaxError.UnexpectedSyntax"));

    r = run_case(one_case("    Given a graph of unicorns\n"), e, {});
    CHECK_THAT(r.message, Catch::Contains("unsupported step `Given a graph of unicorns`"));

    r = run_case(
        one_case("    Given any graph\n    When executing query:\n" + q("CREATE ()") +
                 "    Then the result should be empty\n    And no side effects\n"
                 "    When executing control query:\n" +
                 q("MATCH (n) RETURN count(n) AS c") +
                 "    Then the result should be, in any order:\n      | c |\n      | 0 |\n"),
        e, {});
    INFO(r.message);
    CHECK(r.status == Status::Pass);
}

TEST_CASE("skip reasons: only @ignore skips, temporal scenarios run", "[tck][runner]") {
    TestCase tc = one_case("    Given any graph\n    When executing query:\n" +
                           q("RETURN date.truncate('week', x) AS d"));
    CHECK(skip_reason("clauses/with-orderBy/WithOrderBy1.feature", tc).empty());
    CHECK(skip_reason("expressions/temporal/Temporal1.feature", tc).empty());
    tc.tags.push_back("@ignore");
    CHECK(skip_reason("clauses/return/Return1.feature", tc) == "tagged @ignore");
}

TEST_CASE("filters match paths, folders, lines and example rows", "[tck][runner]") {
    const std::string f = "clauses/match/Match1.feature";
    CHECK(filter_matches("clauses/match/*", f, 10, std::nullopt));
    CHECK(filter_matches("clauses/match", f, 10, std::nullopt));
    CHECK(filter_matches("clauses/", f, 10, std::nullopt));
    CHECK(filter_matches("*Match1*", f, 10, std::nullopt));
    CHECK_FALSE(filter_matches("clauses/merge/*", f, 10, std::nullopt));
    CHECK_FALSE(filter_matches("clauses/mat", f, 10, std::nullopt));
    CHECK(filter_matches(f + ":10", f, 10, std::nullopt));
    CHECK_FALSE(filter_matches(f + ":11", f, 10, std::nullopt));
    CHECK(filter_matches(f + ":10:2", f, 10, 2));
    CHECK_FALSE(filter_matches(f + ":10:2", f, 10, 3));
    CHECK_FALSE(filter_matches(f + ":10:2", f, 10, std::nullopt));
}

TEST_CASE("report rows are tab separated with a one-line message", "[tck][runner]") {
    CHECK(report_row("a/b/C.feature", 12, std::nullopt, Status::Pass, "") ==
          "a/b/C.feature\t12\t\tpass\t");
    CHECK(report_row("a/b/C.feature", 12, 0, Status::Fail, "x\ty\nz\r") ==
          "a/b/C.feature\t12\t0\tfail\tx y z ");
    CHECK(report_row("t.feature", 3, 7, Status::Skip, "why") == "t.feature\t3\t7\tskip\twhy");
    CHECK(folder_of("clauses/match/Match1.feature") == "clauses/match");
    CHECK(folder_of("top/One.feature") == "top");
    CHECK(folder_of("One.feature") == ".");
}
