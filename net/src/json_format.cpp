// JSON encoding of values, results and errors (lorad, the lora shell, tests).
#include <lora/net/json_format.hpp>

#include <lora/temporal_ops.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
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

// A float as JSON: a number, or "NaN" / "Infinity" / "-Infinity".
json float_json(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
}

// The JSON type tags of the temporal kinds, in ValueKind order from Date.
constexpr std::string_view kTemporalTags[] = {"$date",          "$localtime", "$time",
                                              "$localdatetime", "$datetime",  "$duration"};

json temporal_json(const Value& v) {
    json o = json::object();
    const auto i = static_cast<size_t>(v.kind()) - static_cast<size_t>(ValueKind::Date);
    o[std::string(kTemporalTags[i])] = temporal::to_iso(v);
    return o;
}

}  // namespace

std::optional<Value> temporal_from_json(const json& j) {
    if (!j.is_object() || j.size() != 1 || !j.begin().value().is_string()) return std::nullopt;
    const std::string& key = j.begin().key();
    for (size_t i = 0; i < std::size(kTemporalTags); ++i)
        if (key == kTemporalTags[i])
            return temporal::parse(static_cast<ValueKind>(static_cast<size_t>(ValueKind::Date) + i),
                                   j.begin().value().get<std::string>());
    return std::nullopt;
}

json to_json(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: return nullptr;
        case ValueKind::Bool: return v.as_bool();
        case ValueKind::Int: return v.as_int();
        case ValueKind::Float: return float_json(v.as_float());
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
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: return temporal_json(v);
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
            if (auto t = temporal_from_json(j)) return std::move(*t);
            Map m;
            for (auto it = j.begin(); it != j.end(); ++it)
                m.emplace(it.key(), from_json(it.value()));
            return Value(std::move(m));
        }
        default: return Value();
    }
}

}  // namespace lora::json
