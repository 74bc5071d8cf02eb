// lora_value and what it holds: typed accessors of values, maps, nodes, relationships and
// paths. All of them borrow from the result the value came from.
#include "capi.hpp"

#include <lora/temporal_ops.hpp>

#include <iterator>

namespace lora::capi {

namespace {

// The value behind `v` when it is of kind `want`; else Request.InvalidArgument naming both
// kinds.
const Value& expect(const lora_value* v, ValueKind want, const char* function) {
    const Value& value = of(&need(v, function, "value"));
    if (value.kind() != want)
        invalid_argument(function, "the value is " + std::string(kind_name(value.kind())) +
                                       ", not " + std::string(kind_name(want)));
    return value;
}

void check_index(size_t index, size_t size, const char* function) {
    if (index >= size)
        invalid_argument(function,
                         "index " + std::to_string(index) + " of " + std::to_string(size));
}

Map::const_iterator entry_at(const lora_map* m, size_t index, const char* function) {
    const Map& map = of(&need(m, function, "map"));
    check_index(index, map.size(), function);
    return std::next(map.begin(), static_cast<std::ptrdiff_t>(index));
}

// Nodes and relationships handed to users always carry their data; these stand in for
// data that is missing all the same.
const NodeData& data_of(const Node& n) {
    static const NodeData none;
    return n.data ? *n.data : none;
}
const RelData& data_of(const Relationship& r) {
    static const RelData none;
    return r.data ? *r.data : none;
}

}  // namespace

}  // namespace lora::capi

using lora::ValueKind;
using lora::capi::check_index;
using lora::capi::data_of;
using lora::capi::entry_at;
using lora::capi::expect;
using lora::capi::guarded;
using lora::capi::of;
using lora::capi::to_c;

extern "C" {

lora_kind lora_value_kind(const lora_value* v) noexcept {
    static_assert(LORA_KIND_NULL == static_cast<int>(ValueKind::Null) &&
                  LORA_KIND_STRING == static_cast<int>(ValueKind::String) &&
                  LORA_KIND_VECTOR == static_cast<int>(ValueKind::Vector) &&
                  LORA_KIND_DATE == static_cast<int>(ValueKind::Date) &&
                  LORA_KIND_DURATION == static_cast<int>(ValueKind::Duration));
    return v ? static_cast<lora_kind>(of(v).kind()) : LORA_KIND_NULL;
}

const char* lora_kind_name(lora_kind kind) noexcept {
    if (kind < LORA_KIND_NULL || kind > LORA_KIND_DURATION) return "UNKNOWN";
    // kind_name's views are of string literals, so NUL-terminated.
    return lora::kind_name(static_cast<ValueKind>(kind)).data();
}

lora_status lora_value_bool(const lora_value* v, bool* out, lora_error** error) noexcept {
    return guarded(error, "lora_value_bool", LORA_ERROR, [&] {
        bool b = expect(v, ValueKind::Bool, "lora_value_bool").as_bool();
        if (out) *out = b;
        return LORA_OK;
    });
}

lora_status lora_value_int(const lora_value* v, int64_t* out, lora_error** error) noexcept {
    return guarded(error, "lora_value_int", LORA_ERROR, [&] {
        int64_t i = expect(v, ValueKind::Int, "lora_value_int").as_int();
        if (out) *out = i;
        return LORA_OK;
    });
}

lora_status lora_value_float(const lora_value* v, double* out, lora_error** error) noexcept {
    return guarded(error, "lora_value_float", LORA_ERROR, [&] {
        double d = expect(v, ValueKind::Float, "lora_value_float").as_float();
        if (out) *out = d;
        return LORA_OK;
    });
}

lora_status lora_value_string(const lora_value* v, const char** data, size_t* len,
                              lora_error** error) noexcept {
    return guarded(error, "lora_value_string", LORA_ERROR, [&] {
        const std::string& s = expect(v, ValueKind::String, "lora_value_string").as_string();
        if (data) *data = s.c_str();
        if (len) *len = s.size();
        return LORA_OK;
    });
}

lora_status lora_value_vector(const lora_value* v, const float** coords, size_t* dim,
                              lora_error** error) noexcept {
    return guarded(error, "lora_value_vector", LORA_ERROR, [&] {
        const auto& c = expect(v, ValueKind::Vector, "lora_value_vector").as_vector().coords;
        if (coords) *coords = c.data();
        if (dim) *dim = c.size();
        return LORA_OK;
    });
}

lora_status lora_value_temporal(const lora_value* v, lora_temporal* out,
                                lora_error** error) noexcept {
    return guarded(error, "lora_value_temporal", LORA_ERROR, [&] {
        const lora::Value& t = of(&lora::capi::need(v, "lora_value_temporal", "value"));
        if (!t.is_temporal())
            lora::capi::invalid_argument("lora_value_temporal",
                                         "the value is " + std::string(lora::kind_name(t.kind())) +
                                             ", not a temporal value");
        const lora::temporal::Fields f = lora::temporal::to_fields(t);
        if (out) {
            for (int i = 0; i < 4; ++i) out->n[i] = f.n[i];
            out->zone = t.kind() == ValueKind::DateTime ? t.as_date_time().zone.c_str() : "";
        }
        return LORA_OK;
    });
}

size_t lora_value_list_size(const lora_value* v) noexcept {
    return v && of(v).is_list() ? of(v).as_list().size() : 0;
}

const lora_value* lora_value_list_at(const lora_value* v, size_t index,
                                     lora_error** error) noexcept {
    const char* fn = "lora_value_list_at";
    return guarded(error, fn, static_cast<const lora_value*>(nullptr), [&] {
        const lora::List& l = expect(v, ValueKind::List, fn).as_list();
        check_index(index, l.size(), fn);
        return to_c(l[index]);
    });
}

const lora_map* lora_value_map(const lora_value* v, lora_error** error) noexcept {
    return guarded(error, "lora_value_map", static_cast<const lora_map*>(nullptr),
                   [&] { return to_c(expect(v, ValueKind::Map, "lora_value_map").as_map()); });
}

const lora_node* lora_value_node(const lora_value* v, lora_error** error) noexcept {
    return guarded(error, "lora_value_node", static_cast<const lora_node*>(nullptr),
                   [&] { return to_c(expect(v, ValueKind::Node, "lora_value_node").as_node()); });
}

const lora_relationship* lora_value_relationship(const lora_value* v, lora_error** error) noexcept {
    const char* fn = "lora_value_relationship";
    return guarded(error, fn, static_cast<const lora_relationship*>(nullptr),
                   [&] { return to_c(expect(v, ValueKind::Relationship, fn).as_relationship()); });
}

const lora_path* lora_value_path(const lora_value* v, lora_error** error) noexcept {
    return guarded(error, "lora_value_path", static_cast<const lora_path*>(nullptr),
                   [&] { return to_c(expect(v, ValueKind::Path, "lora_value_path").as_path()); });
}

size_t lora_map_size(const lora_map* m) noexcept { return m ? of(m).size() : 0; }

lora_status lora_map_key_at(const lora_map* m, size_t index, const char** key, size_t* len,
                            lora_error** error) noexcept {
    return guarded(error, "lora_map_key_at", LORA_ERROR, [&] {
        const std::string& k = entry_at(m, index, "lora_map_key_at")->first;
        if (key) *key = k.c_str();
        if (len) *len = k.size();
        return LORA_OK;
    });
}

const lora_value* lora_map_value_at(const lora_map* m, size_t index, lora_error** error) noexcept {
    return guarded(error, "lora_map_value_at", static_cast<const lora_value*>(nullptr),
                   [&] { return to_c(entry_at(m, index, "lora_map_value_at")->second); });
}

const lora_value* lora_map_get(const lora_map* m, const char* key, lora_error** error) noexcept {
    const char* fn = "lora_map_get";
    return guarded(error, fn, static_cast<const lora_value*>(nullptr), [&] {
        const lora::Map& map = of(&lora::capi::need(m, fn, "map"));
        lora::capi::need(key, fn, "key");
        auto it = map.find(std::string_view(key));
        return it == map.end() ? static_cast<const lora_value*>(nullptr) : to_c(it->second);
    });
}

uint64_t lora_node_id(const lora_node* n) noexcept { return n ? of(n).id : 0; }

size_t lora_node_label_count(const lora_node* n) noexcept {
    return n ? data_of(of(n)).labels.size() : 0;
}

const char* lora_node_label_at(const lora_node* n, size_t index) noexcept {
    if (n == nullptr) return nullptr;
    const auto& labels = data_of(of(n)).labels;
    return index < labels.size() ? labels[index].c_str() : nullptr;
}

const lora_map* lora_node_properties(const lora_node* n) noexcept {
    return n ? to_c(data_of(of(n)).properties) : nullptr;
}

uint64_t lora_relationship_id(const lora_relationship* r) noexcept { return r ? of(r).id : 0; }

const char* lora_relationship_type(const lora_relationship* r) noexcept {
    return r ? data_of(of(r)).type.c_str() : nullptr;
}

uint64_t lora_relationship_start(const lora_relationship* r) noexcept {
    return r ? of(r).start : 0;
}

uint64_t lora_relationship_end(const lora_relationship* r) noexcept { return r ? of(r).end : 0; }

const lora_map* lora_relationship_properties(const lora_relationship* r) noexcept {
    return r ? to_c(data_of(of(r)).properties) : nullptr;
}

size_t lora_path_length(const lora_path* p) noexcept { return p ? of(p).rels.size() : 0; }

const lora_node* lora_path_node_at(const lora_path* p, size_t index) noexcept {
    if (p == nullptr || index >= of(p).nodes.size()) return nullptr;
    return to_c(of(p).nodes[index]);
}

const lora_relationship* lora_path_relationship_at(const lora_path* p, size_t index) noexcept {
    if (p == nullptr || index >= of(p).rels.size()) return nullptr;
    return to_c(of(p).rels[index]);
}

}  // extern "C"
