// JSON and table rendering of results; statement splitting for scripts.
#include "json_format.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace lora::json {

using nlohmann::json;

namespace {

json props_json(const Map& m) {
    json o = json::object();
    for (const auto& [k, v] : m) o[k] = to_json(v);
    return o;
}

json node_json(const Node& n) {
    json o;
    o["id"] = n.id;
    o["labels"] = n.data ? json(n.data->labels) : json::array();
    o["properties"] = n.data ? props_json(n.data->properties) : json::object();
    return o;
}

json rel_json(const Relationship& r) {
    json o;
    o["id"] = r.id;
    o["type"] = r.data ? r.data->type : std::string();
    o["start"] = r.start;
    o["end"] = r.end;
    o["properties"] = r.data ? props_json(r.data->properties) : json::object();
    return o;
}

}  // namespace

json to_json(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: return nullptr;
        case ValueKind::Bool: return v.as_bool();
        case ValueKind::Int: return v.as_int();
        case ValueKind::Float: return v.as_float();
        case ValueKind::String: return v.as_string();
        case ValueKind::List: {
            json a = json::array();
            for (const auto& x : v.as_list()) a.push_back(to_json(x));
            return a;
        }
        case ValueKind::Map: return props_json(v.as_map());
        case ValueKind::Node: return node_json(v.as_node());
        case ValueKind::Relationship: return rel_json(v.as_relationship());
        case ValueKind::Vector: {
            // A list of floats, each the shortest decimal that reads back as the same float32.
            json a = json::array();
            for (float f : v.as_vector().coords) {
                char buf[32];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
                double d = 0;
                std::from_chars(buf, end, d);
                a.push_back(d);
            }
            return a;
        }
        case ValueKind::Path: {
            json o;
            o["nodes"] = json::array();
            o["relationships"] = json::array();
            for (const auto& n : v.as_path().nodes) o["nodes"].push_back(node_json(n));
            for (const auto& r : v.as_path().rels) o["relationships"].push_back(rel_json(r));
            return o;
        }
    }
    return nullptr;
}

json result_to_json(const Result& r) {
    json o;
    o["columns"] = r.columns;
    json rows = json::array();
    for (const auto& row : r.rows) {
        json a = json::array();
        for (const auto& v : row) a.push_back(to_json(v));
        rows.push_back(std::move(a));
    }
    o["rows"] = std::move(rows);
    return o;
}

json error_to_json(const Error& e) {
    json o;
    o["error"]["code"] = e.code();
    o["error"]["class"] = std::string(error_class_name(e.error_class()));
    o["error"]["message"] = e.message();
    if (e.line() > 0) {
        o["error"]["line"] = e.line();
        o["error"]["column"] = e.column();
    }
    return o;
}

Value from_json(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return Value();
        case json::value_t::boolean: return Value(j.get<bool>());
        case json::value_t::number_integer: return Value(j.get<int64_t>());
        case json::value_t::number_unsigned: {
            auto u = j.get<uint64_t>();
            if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
            return Value(static_cast<int64_t>(u));
        }
        case json::value_t::number_float: return Value(j.get<double>());
        case json::value_t::string: return Value(j.get<std::string>());
        case json::value_t::array: {
            List l;
            for (const auto& x : j) l.push_back(from_json(x));
            return Value(std::move(l));
        }
        case json::value_t::object: {
            Map m;
            for (auto it = j.begin(); it != j.end(); ++it)
                m.emplace(it.key(), from_json(it.value()));
            return Value(std::move(m));
        }
        default: return Value();
    }
}

std::vector<std::string> split_statements(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            cur += c;
            if (c == '\\' && quote != '`' && i + 1 < s.size()) {
                cur += s[++i];
            } else if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            quote = c;
            cur += c;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
            cur += '\n';
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            size_t end = s.find("*/", i + 2);
            i = end == std::string::npos ? s.size() : end + 1;
            cur += ' ';
        } else if (c == ';') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    std::vector<std::string> trimmed;
    for (auto& st : out) {
        auto b = st.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) continue;
        auto e = st.find_last_not_of(" \t\r\n");
        trimmed.push_back(st.substr(b, e - b + 1));
    }
    return trimmed;
}

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
