// Renders a result as an aligned text table (the lora shell, tests).
#include <lora/net/table_format.hpp>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <sstream>

namespace lora::json {

namespace {

// Terminal columns a UTF-8 text takes: East Asian wide and full-width characters take
// two, combining marks and other zero-width characters none, everything else one.
size_t display_width(const std::string& s) {
    size_t w = 0;
    const auto n = static_cast<int32_t>(s.size());
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s.data(), i, n, c);
        if (c < 0) {
            ++w;  // an ill-formed byte is shown as one replacement character
            continue;
        }
        const auto cat = u_charType(c);
        if (cat == U_NON_SPACING_MARK || cat == U_ENCLOSING_MARK || cat == U_FORMAT_CHAR ||
            c == 0x200B)
            continue;
        const auto ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
        w += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
    }
    return w;
}

std::string pad(const std::string& s, size_t width) {
    return s + std::string(width - std::min(width, display_width(s)), ' ');
}

}  // namespace

std::string format_table(const Result& r) {
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> width(r.columns.size(), 0);
    for (size_t i = 0; i < r.columns.size(); ++i) width[i] = display_width(r.columns[i]);
    for (const auto& row : r.rows) {
        std::vector<std::string> line;
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
            line.push_back(row[i].to_string());
            width[i] = std::max(width[i], display_width(line.back()));
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
    for (size_t i = 0; i < width.size(); ++i) o << " " << pad(r.columns[i], width[i]) << " |";
    o << "\n";
    sep();
    for (const auto& line : cells) {
        o << "|";
        for (size_t i = 0; i < width.size(); ++i) {
            const std::string& c = i < line.size() ? line[i] : std::string();
            o << " " << pad(c, width[i]) << " |";
        }
        o << "\n";
    }
    sep();
    o << r.rows.size() << (r.rows.size() == 1 ? " row" : " rows") << "\n";
    return o.str();
}

}  // namespace lora::json
