// Conversions between lora::Value (engine results, parameters) and TckValue (comparison).
#include "value_convert.hpp"

namespace lora::tck {

namespace {

std::map<std::string, TckValue> props_of(const lora::Map& m) {
    std::map<std::string, TckValue> out;
    for (const auto& [k, v] : m) out.emplace(k, to_tck(v));
    return out;
}

TckValue node_of(const lora::Node& n) {
    TckValue v = n.data ? TckValue::node(n.data->labels, props_of(n.data->properties))
                        : TckValue::node({}, {});
    v.i = static_cast<int64_t>(n.id);
    return v;
}

TckValue rel_of(const lora::Relationship& r) {
    TckValue v = r.data ? TckValue::rel(r.data->type, props_of(r.data->properties))
                        : TckValue::rel("?type" + std::to_string(r.type_id), {});
    v.i = static_cast<int64_t>(r.id);
    return v;
}

}  // namespace

TckValue to_tck(const lora::Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: return TckValue::null();
        case ValueKind::Bool: return TckValue::boolean(v.as_bool());
        case ValueKind::Int: return TckValue::integer(v.as_int());
        case ValueKind::Float: return TckValue::floating(v.as_float());
        case ValueKind::String: return TckValue::string(v.as_string());
        case ValueKind::List: {
            std::vector<TckValue> items;
            items.reserve(v.as_list().size());
            for (const auto& x : v.as_list()) items.push_back(to_tck(x));
            return TckValue::make_list(std::move(items));
        }
        case ValueKind::Map: return TckValue::make_map(props_of(v.as_map()));
        case ValueKind::Node: return node_of(v.as_node());
        case ValueKind::Relationship: return rel_of(v.as_relationship());
        case ValueKind::Vector: {
            // The TCK has no vector type; compare as the list of coordinates.
            std::vector<TckValue> items;
            for (float f : v.as_vector().coords) items.push_back(TckValue::floating(f));
            return TckValue::make_list(std::move(items));
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration:
            // The TCK writes temporal results as their ISO-8601 text in quotes.
            return TckValue::string(v.to_string());
        case ValueKind::Path: {
            const lora::Path& p = v.as_path();
            TckValue out;
            out.kind = TckValue::Kind::Path;
            if (p.nodes.empty()) return out;
            out.list.push_back(node_of(p.nodes[0]));
            for (size_t k = 0; k < p.rels.size() && k + 1 < p.nodes.size(); ++k) {
                out.forward.push_back(p.rels[k].start == p.nodes[k].id);
                out.list.push_back(rel_of(p.rels[k]));
                out.list.push_back(node_of(p.nodes[k + 1]));
            }
            return out;
        }
    }
    return TckValue::null();
}

lora::Value from_tck(const TckValue& v) {
    using K = TckValue::Kind;
    switch (v.kind) {
        case K::Null: return lora::Value();
        case K::Bool: return lora::Value(v.b);
        case K::Int: return lora::Value(v.i);
        case K::Float: return lora::Value(v.f);
        case K::String: return lora::Value(v.s);
        case K::List: {
            lora::List l;
            l.reserve(v.list.size());
            for (const auto& x : v.list) l.push_back(from_tck(x));
            return lora::Value(std::move(l));
        }
        case K::Map: {
            lora::Map m;
            for (const auto& [k, x] : v.map) m.emplace(k, from_tck(x));
            return lora::Value(std::move(m));
        }
        case K::Node:
        case K::Rel:
        case K::Path: break;
    }
    throw TckError("graph entity " + v.to_string() + " cannot be passed to the engine");
}

}  // namespace lora::tck
