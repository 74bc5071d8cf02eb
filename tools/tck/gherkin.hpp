// The Gherkin subset the openCypher TCK uses (README §2): features, Background, Scenario,
// Scenario Outline with one Examples table, steps with doc strings or data tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lora::tck {

struct Step {
    std::string keyword;  // Given, When, Then, And, But, *
    std::string text;     // without the keyword, trailing whitespace trimmed
    int line = 0;         // 1-based line of the step in the file
    std::optional<std::string> doc_string;
    std::vector<std::vector<std::string>> table;  // rows of unescaped, trimmed cells
    bool has_table = false;
};

// One executable test case: a Scenario, or one Examples row of an Outline, with the
// Background steps prepended and the <placeholders> substituted.
struct TestCase {
    std::string name;
    int line = 0;                    // line of the Scenario:/Scenario Outline: keyword
    std::optional<int> example_row;  // 0-based data row of the Examples table
    std::vector<std::string> tags;   // e.g. "@ignore"
    std::vector<Step> steps;

    bool has_tag(std::string_view tag) const;
};

struct Feature {
    std::string name;
    std::vector<TestCase> cases;
};

// Parses a feature file's text. Accepts LF and CRLF line endings and a missing final
// newline. Throws TckError naming the line on malformed input.
Feature parse_feature(std::string_view text);

// Reads and parses a file; errors name the path.
Feature parse_feature_file(const std::string& path);

// Splits one `| a | b |` row into cells, applying Gherkin escapes (\| \\ \n).
std::vector<std::string> split_table_row(std::string_view row);

}  // namespace lora::tck
