// A line-based parser for the Gherkin subset of the openCypher TCK, and Outline expansion.
#include "gherkin.hpp"

#include "tck_value.hpp"

#include <fstream>
#include <sstream>

namespace lora::tck {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view rtrim(std::string_view s) {
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}
std::string_view ltrim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    return s;
}
std::string_view trim(std::string_view s) { return ltrim(rtrim(s)); }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < text.size()) lines.emplace_back(rtrim(text.substr(start)));
            break;
        }
        lines.emplace_back(rtrim(text.substr(start, nl - start)));
        start = nl + 1;
    }
    return lines;
}

struct RawScenario {
    std::string name;
    int line = 0;
    bool outline = false;
    std::vector<std::string> tags;
    std::vector<Step> steps;
    std::vector<std::vector<std::string>> examples;  // header + data rows
    bool has_examples = false;
};

std::string substitute(const std::string& s, const std::vector<std::string>& header,
                       const std::vector<std::string>& row) {
    if (s.find('<') == std::string::npos) return s;
    std::string out;
    size_t p = 0;
    while (p < s.size()) {
        if (s[p] == '<') {
            size_t close = s.find('>', p + 1);
            if (close != std::string::npos) {
                std::string_view key(s.data() + p + 1, close - p - 1);
                bool done = false;
                for (size_t k = 0; k < header.size() && k < row.size(); ++k) {
                    if (header[k] == key) {
                        out += row[k];
                        p = close + 1;
                        done = true;
                        break;
                    }
                }
                if (done) continue;
            }
        }
        out += s[p++];
    }
    return out;
}

Step substitute_step(const Step& st, const std::vector<std::string>& header,
                     const std::vector<std::string>& row) {
    Step out = st;
    out.text = substitute(st.text, header, row);
    if (st.doc_string) out.doc_string = substitute(*st.doc_string, header, row);
    for (auto& r : out.table)
        for (auto& c : r) c = substitute(c, header, row);
    return out;
}

}  // namespace

bool TestCase::has_tag(std::string_view tag) const {
    for (const auto& t : tags)
        if (t == tag) return true;
    return false;
}

std::vector<std::string> split_table_row(std::string_view row) {
    row = trim(row);
    std::vector<std::string> cells;
    if (row.empty() || row.front() != '|') return cells;
    std::string cur;
    bool in_cell = false;
    for (size_t p = 0; p < row.size(); ++p) {
        char c = row[p];
        if (c == '|') {
            if (in_cell) cells.emplace_back(trim(cur));
            cur.clear();
            in_cell = true;
            continue;
        }
        if (c == '\\' && p + 1 < row.size()) {
            char n = row[p + 1];
            if (n == '|' || n == '\\') {
                cur += n;
                ++p;
                continue;
            }
            if (n == 'n') {
                cur += '\n';
                ++p;
                continue;
            }
        }
        cur += c;
    }
    // Text after the last '|' is not a cell (a well-formed row ends with '|').
    return cells;
}

Feature parse_feature(std::string_view text) {
    if (starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
    const std::vector<std::string> lines = split_lines(text);
    Feature feature;
    std::vector<Step> background;
    std::vector<RawScenario> scenarios;
    std::vector<std::string> pending_tags;
    enum class Block { None, Background, Scenario } block = Block::None;
    // Where `|` rows go: the last step's table, or the Examples table.
    enum class TableTarget { None, Step, Examples } target = TableTarget::None;

    auto fail = [](size_t idx, const std::string& why) -> void {
        throw TckError("line " + std::to_string(idx + 1) + ": " + why);
    };
    auto current_steps = [&]() -> std::vector<Step>* {
        if (block == Block::Background) return &background;
        if (block == Block::Scenario) return &scenarios.back().steps;
        return nullptr;
    };

    for (size_t idx = 0; idx < lines.size(); ++idx) {
        const std::string& raw = lines[idx];
        std::string_view t = ltrim(raw);
        if (t.empty() || t.front() == '#') continue;

        if (starts_with(t, "\"\"\"")) {
            auto* steps = current_steps();
            if (!steps || steps->empty()) fail(idx, "doc string outside a step");
            size_t indent = raw.size() - t.size();
            std::string doc;
            bool closed = false;
            bool first = true;
            for (++idx; idx < lines.size(); ++idx) {
                std::string_view l = lines[idx];
                if (trim(l) == "\"\"\"") {
                    closed = true;
                    break;
                }
                size_t strip = 0;
                while (strip < indent && strip < l.size() && is_space(l[strip])) ++strip;
                if (!first) doc += '\n';
                doc += l.substr(strip);
                first = false;
            }
            if (!closed) fail(idx - 1, "unterminated doc string");
            steps->back().doc_string = std::move(doc);
            target = TableTarget::None;
            continue;
        }

        if (t.front() == '|') {
            auto cells = split_table_row(t);
            if (target == TableTarget::Examples) {
                scenarios.back().examples.push_back(std::move(cells));
            } else if (target == TableTarget::Step) {
                auto* steps = current_steps();
                steps->back().table.push_back(std::move(cells));
                steps->back().has_table = true;
            } else {
                fail(idx, "table row outside a step or Examples");
            }
            continue;
        }

        if (t.front() == '@') {
            std::string tagline(t);
            std::istringstream in(tagline);
            std::string tag;
            while (in >> tag) {
                if (tag.front() == '#') break;
                pending_tags.push_back(tag);
            }
            continue;
        }

        auto after = [&](std::string_view kw) { return std::string(trim(t.substr(kw.size()))); };
        if (starts_with(t, "Feature:")) {
            feature.name = after("Feature:");
            block = Block::None;
            target = TableTarget::None;
            pending_tags.clear();
            continue;
        }
        if (starts_with(t, "Background:")) {
            block = Block::Background;
            target = TableTarget::None;
            continue;
        }
        bool is_outline =
            starts_with(t, "Scenario Outline:") || starts_with(t, "Scenario Template:");
        if (is_outline || starts_with(t, "Scenario:") || starts_with(t, "Example:")) {
            RawScenario sc;
            sc.outline = is_outline;
            sc.name = after(t.substr(0, t.find(':') + 1));
            sc.line = static_cast<int>(idx + 1);
            sc.tags = std::move(pending_tags);
            pending_tags.clear();
            scenarios.push_back(std::move(sc));
            block = Block::Scenario;
            target = TableTarget::None;
            continue;
        }
        if (starts_with(t, "Examples:") || starts_with(t, "Scenarios:")) {
            if (block != Block::Scenario || !scenarios.back().outline)
                fail(idx, "Examples outside a Scenario Outline");
            scenarios.back().has_examples = true;
            target = TableTarget::Examples;
            continue;
        }
        bool is_step = false;
        for (std::string_view kw : {"Given ", "When ", "Then ", "And ", "But ", "* "}) {
            if (starts_with(t, kw)) {
                auto* steps = current_steps();
                if (!steps) fail(idx, "step outside a Scenario or Background");
                Step st;
                st.keyword = std::string(rtrim(kw));
                st.text = std::string(trim(t.substr(kw.size())));
                st.line = static_cast<int>(idx + 1);
                steps->push_back(std::move(st));
                target = TableTarget::Step;
                is_step = true;
                break;
            }
        }
        if (is_step) continue;
        // Anything else is free description text under Feature/Scenario: ignored, as in
        // Gherkin. It ends a table.
        target = TableTarget::None;
    }

    for (auto& sc : scenarios) {
        if (!sc.outline) {
            TestCase tc;
            tc.name = sc.name;
            tc.line = sc.line;
            tc.tags = sc.tags;
            tc.steps = background;
            tc.steps.insert(tc.steps.end(), sc.steps.begin(), sc.steps.end());
            feature.cases.push_back(std::move(tc));
            continue;
        }
        if (!sc.has_examples || sc.examples.empty())
            throw TckError("line " + std::to_string(sc.line) +
                           ": Scenario Outline without Examples");
        const auto& header = sc.examples.front();
        for (size_t r = 1; r < sc.examples.size(); ++r) {
            TestCase tc;
            tc.name = substitute(sc.name, header, sc.examples[r]);
            tc.line = sc.line;
            tc.example_row = static_cast<int>(r - 1);
            tc.tags = sc.tags;
            for (const auto& st : background)
                tc.steps.push_back(substitute_step(st, header, sc.examples[r]));
            for (const auto& st : sc.steps)
                tc.steps.push_back(substitute_step(st, header, sc.examples[r]));
            feature.cases.push_back(std::move(tc));
        }
    }
    return feature;
}

Feature parse_feature_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TckError("cannot read feature file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    try {
        return parse_feature(ss.str());
    } catch (const TckError& e) {
        throw TckError(path + ": " + e.what());
    }
}

}  // namespace lora::tck
