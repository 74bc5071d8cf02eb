// Renders a result as an aligned text table (the lora shell, tests).
#include <lora/net/table_format.hpp>

#include <algorithm>
#include <sstream>

namespace lora::json {

std::string format_table(const Result& r) {
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> width(r.columns.size(), 0);
    for (size_t i = 0; i < r.columns.size(); ++i) width[i] = r.columns[i].size();
    for (const auto& row : r.rows) {
        std::vector<std::string> line;
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
            line.push_back(row[i].to_string());
            width[i] = std::max(width[i], line.back().size());
        }
        cells.push_back(std::move(line));
    }
    std::ostringstream o;
    if (r.columns.empty()) {
        const auto& s = r.stats;
        o << "(no columns)";
        if (s.contains_updates()) {
            o << " nodes created: " << s.nodes_created << ", deleted: " << s.nodes_deleted
              << "; relationships created: " << s.relationships_created
              << ", deleted: " << s.relationships_deleted
              << "; properties set: " << s.properties_set << "; labels added: " << s.labels_added
              << ", removed: " << s.labels_removed;
        }
        o << "\n";
        return o.str();
    }
    auto sep = [&] {
        o << "+";
        for (auto w : width) o << std::string(w + 2, '-') << "+";
        o << "\n";
    };
    sep();
    o << "|";
    for (size_t i = 0; i < width.size(); ++i)
        o << " " << r.columns[i] << std::string(width[i] - r.columns[i].size(), ' ') << " |";
    o << "\n";
    sep();
    for (const auto& line : cells) {
        o << "|";
        for (size_t i = 0; i < width.size(); ++i) {
            const std::string& c = i < line.size() ? line[i] : std::string();
            o << " " << c << std::string(width[i] - c.size(), ' ') << " |";
        }
        o << "\n";
    }
    sep();
    o << r.rows.size() << (r.rows.size() == 1 ? " row" : " rows") << "\n";
    return o.str();
}

}  // namespace lora::json
