// Gherkin parsing of the TCK subset: outlines, CRLF, comments in Examples, doc strings,
// escapes; and, when the TCK data is present, the scenario list against scenarios.tsv.
#include "gherkin.hpp"
#include "lora_test_paths.hpp"
#include "runner.hpp"
#include "tck_value.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

using namespace lora::tck;
namespace fs = std::filesystem;

TEST_CASE("scenarios with doc strings and tables parse", "[tck][gherkin]") {
    const char* text = R"(#
# license header
#encoding: utf-8

Feature: Match1 - Match nodes

  Scenario: [1] Match non-existent nodes returns empty
    Given an empty graph
    And having executed:
      """
      CREATE (:A {name: 'x'})
        # not a comment inside a doc string
      """
    When executing query:
      """
      MATCH (n)
      RETURN n
      """
    Then the result should be, in any order:
      | n                  |
      | (:A {name: 'x'})   |
    And no side effects

  @ignore @skipStyleCheck
  Scenario: [2] Second
    Given any graph
    When executing query:
      """
      RETURN 1
      """
    Then the result should be empty
)";
    Feature f = parse_feature(text);
    CHECK(f.name == "Match1 - Match nodes");
    REQUIRE(f.cases.size() == 2);
    const TestCase& a = f.cases[0];
    CHECK(a.name == "[1] Match non-existent nodes returns empty");
    CHECK(a.line == 7);
    CHECK_FALSE(a.example_row);
    REQUIRE(a.steps.size() == 5);
    CHECK(a.steps[0].keyword == "Given");
    CHECK(a.steps[0].text == "an empty graph");
    CHECK(*a.steps[1].doc_string ==
          "CREATE (:A {name: 'x'})\n  # not a comment inside a doc string");
    CHECK(*a.steps[2].doc_string == "MATCH (n)\nRETURN n");
    CHECK(a.steps[3].text == "the result should be, in any order:");
    REQUIRE(a.steps[3].table.size() == 2);
    CHECK(a.steps[3].table[1][0] == "(:A {name: 'x'})");
    CHECK(a.steps[4].line == 22);
    CHECK(f.cases[1].has_tag("@ignore"));
    CHECK(f.cases[1].has_tag("@skipStyleCheck"));
    CHECK_FALSE(a.has_tag("@ignore"));
}

TEST_CASE("outlines expand per Examples row, skipping comment rows", "[tck][gherkin]") {
    const char* text =
        "Feature: P\n"
        "\n"
        "  Background:\n"
        "    Given an empty graph\n"
        "\n"
        "  Scenario Outline: [1] Op <op>\n"
        "    When executing query:\n"
        "      \"\"\"\n"
        "      RETURN 1 <op> 2 AS r\n"
        "      \"\"\"\n"
        "    Then the result should be, in any order:\n"
        "      | r        |\n"
        "      | <result> |\n"
        "\n"
        "    Examples:\n"
        "      | op | result |\n"
        "      | +  | 3      |\n"
        "     #| =  | false  |\n"
        "      # a note\n"
        "      | -  | -1     |\n"
        "      | \\| | 'pipe' |\n";
    Feature f = parse_feature(text);
    REQUIRE(f.cases.size() == 3);
    for (int k = 0; k < 3; ++k) {
        CHECK(f.cases[k].line == 6);
        CHECK(f.cases[k].example_row == k);
        REQUIRE(f.cases[k].steps.size() == 3);
        CHECK(f.cases[k].steps[0].text == "an empty graph");  // background first
    }
    CHECK(*f.cases[0].steps[1].doc_string == "RETURN 1 + 2 AS r");
    CHECK(f.cases[0].steps[2].table[1][0] == "3");
    CHECK(*f.cases[1].steps[1].doc_string == "RETURN 1 - 2 AS r");
    CHECK(f.cases[1].steps[2].table[1][0] == "-1");
    CHECK(*f.cases[2].steps[1].doc_string == "RETURN 1 | 2 AS r");
    CHECK(f.cases[2].name == "[1] Op |");
}

TEST_CASE("CRLF, tabs, missing final newline and cell escapes", "[tck][gherkin]") {
    std::string text =
        "Feature: F\r\n"
        "  Scenario: [1] S\r\n"
        "    Given any graph   \r\n"
        "\tWhen executing query:\r\n"
        "\t\t\"\"\"\r\n"
        "\t\tMATCH (a)\t\r\n"
        "\t\t  RETURN a\r\n"
        "\t\t\"\"\"\r\n"
        "    Then the result should be, in order:\r\n"
        "      | a |\r\n"
        "      | 'x\\ny' | 'back\\\\slash' | 'p\\|q' | '\\q' |";
    Feature f = parse_feature(text);
    REQUIRE(f.cases.size() == 1);
    const auto& st = f.cases[0].steps;
    REQUIRE(st.size() == 3);
    CHECK(st[0].text == "any graph");
    CHECK(*st[1].doc_string == "MATCH (a)\n  RETURN a");
    REQUIRE(st[2].table.size() == 2);
    CHECK(st[2].table[1] == std::vector<std::string>{"'x\ny'", "'back\\slash'", "'p|q'", "'\\q'"});
}

TEST_CASE("a bare | row is a zero-column table", "[tck][gherkin]") {
    CHECK(split_table_row("|").empty());
    CHECK(split_table_row("  | a |  b|") == std::vector<std::string>{"a", "b"});
    CHECK(split_table_row("| |") == std::vector<std::string>{""});
}

TEST_CASE("malformed feature text is reported with its line", "[tck][gherkin]") {
    CHECK_THROWS_WITH(
        parse_feature("Feature: F\n  Scenario: S\n    Given x\n      \"\"\"\n      open"),
        Catch::Contains("unterminated doc string"));
    CHECK_THROWS_WITH(parse_feature("Feature: F\n  | a |\n"), Catch::Contains("line 2"));
    CHECK_THROWS_WITH(parse_feature("Feature: F\n  Scenario Outline: O\n    Given x\n"),
                      Catch::Contains("without Examples"));
}

// The real TCK, when present: every executable scenario of scenarios.tsv is found with the
// same file, line and example row, and skip_reason skips exactly those tagged @ignore.
TEST_CASE("the TCK features expand to exactly the scenarios of scenarios.tsv",
          "[tck][gherkin][data]") {
    fs::path root = fs::path(LORA_SOURCE_DIR) / ".." / "shared" / "tck";
    if (!fs::exists(root / "scenarios.tsv")) {
        WARN("TCK data not found at " << root << "; skipped");
        return;
    }
    using Key = std::tuple<std::string, int, std::string>;
    std::map<Key, std::string> expected;  // -> flags
    {
        std::ifstream in(root / "scenarios.tsv");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::vector<std::string> cols;
            std::stringstream ss(line);
            std::string c;
            while (std::getline(ss, c, '\t')) cols.push_back(c);
            cols.resize(12);
            expected[{cols[1], std::stoi(cols[2]), cols[7]}] = cols[11] + "," + cols[8];
        }
    }
    REQUIRE(expected.size() == 3897);

    std::map<Key, std::string> found;  // -> skip reason
    for (const auto& e : fs::recursive_directory_iterator(root / "features")) {
        if (e.path().extension() != ".feature") continue;
        std::string rel = fs::relative(e.path(), root / "features").generic_string();
        Feature f = parse_feature_file(e.path().string());
        for (const auto& tc : f.cases)
            found[{rel, tc.line, tc.example_row ? std::to_string(*tc.example_row) : ""}] =
                skip_reason(rel, tc);
    }
    CHECK(found.size() == expected.size());
    int missing = 0, skip_disagree = 0;
    for (const auto& [key, flags] : expected) {
        auto it = found.find(key);
        if (it == found.end()) {
            if (++missing < 5)
                UNSCOPED_INFO("missing " << std::get<0>(key) << ":" << std::get<1>(key));
            continue;
        }
        bool tsv_skip = flags.find("@ignore") != std::string::npos;
        if (tsv_skip != !it->second.empty()) {
            if (++skip_disagree < 5)
                UNSCOPED_INFO("skip disagrees " << std::get<0>(key) << ":" << std::get<1>(key)
                                                << " " << it->second);
        }
    }
    CHECK(missing == 0);
    CHECK(skip_disagree == 0);
}
