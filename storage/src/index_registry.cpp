// Index definitions: the registry's rules for names and duplicates (Neo4j's), and the map
// form definitions take in the WAL.
#include <lora/storage/index_registry.hpp>

#include <lora/errors.hpp>

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

namespace lora::storage {

namespace {

[[noreturn]] void schema_error(std::string detail, std::string message) {
    throw errors::schema(std::move(detail), std::move(message));
}

[[noreturn]] void corrupt(const std::string& what) {
    throw errors::corrupt_log("index definition: " + what);
}

}  // namespace

std::string_view index_kind_name(IndexKind k) {
    return k == IndexKind::Vector ? "VECTOR" : "RANGE";
}

std::string_view index_state_name(IndexState s) {
    return s == IndexState::Online ? "ONLINE" : "POPULATING";
}

const Value* IndexDef::setting(std::string_view key) const {
    for (const auto& [k, v] : config)
        if (k == key) return &v;
    return nullptr;
}

std::string IndexDef::schema_text() const {
    std::string s = "(:" + label + " {";
    for (size_t i = 0; i < properties.size(); ++i) s += (i ? ", " : "") + properties[i];
    return s + "})";
}

Value IndexDef::to_value() const {
    Map m;
    m.emplace("id", Value(static_cast<int64_t>(id)));
    m.emplace("kind", Value(std::string(index_kind_name(kind))));
    m.emplace("label", Value(label));
    List props;
    for (const auto& p : properties) props.emplace_back(p);
    m.emplace("properties", Value(std::move(props)));
    Map cfg;
    for (const auto& [k, v] : config) cfg.emplace(k, v);
    m.emplace("config", Value(std::move(cfg)));
    return Value(std::move(m));
}

IndexDef IndexDef::from_value(const std::string& name, const Value& v) {
    if (!v.is_map()) corrupt("expected a map for index " + name);
    const Map& m = v.as_map();
    auto field = [&](const char* key) -> const Value& {
        auto it = m.find(key);
        if (it == m.end()) corrupt("index " + name + " has no " + key);
        return it->second;
    };
    IndexDef d;
    d.name = name;
    const Value& id = field("id");
    const Value& kind = field("kind");
    const Value& label = field("label");
    const Value& props = field("properties");
    const Value& cfg = field("config");
    if (!id.is_int() || !kind.is_string() || !label.is_string() || !props.is_list() ||
        !cfg.is_map())
        corrupt("index " + name + " has a field of the wrong type");
    d.id = static_cast<uint64_t>(id.as_int());
    if (kind.as_string() == "RANGE")
        d.kind = IndexKind::Range;
    else if (kind.as_string() == "VECTOR")
        d.kind = IndexKind::Vector;
    else
        corrupt("index " + name + " has the unknown kind " + kind.as_string());
    d.label = label.as_string();
    for (const auto& p : props.as_list()) {
        if (!p.is_string()) corrupt("index " + name + " has a property that is not a name");
        d.properties.push_back(p.as_string());
    }
    for (const auto& [k, x] : cfg.as_map()) d.config.emplace_back(k, x);
    d.state = IndexState::Online;
    return d;
}

std::string generated_index_name(const IndexDef& def) {
    std::string key(index_kind_name(def.kind));
    key.push_back('\0');
    key += def.label;
    for (const auto& p : def.properties) {
        key.push_back('\0');
        key += p;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(XXH32(key.data(), key.size(), 0)));
    return std::string("index_") + buf;
}

bool IndexRegistry::create(IndexDef& def, bool if_not_exists) {
    if (def.name.empty()) def.name = generated_index_name(def);
    std::lock_guard lock(mu_);
    for (const auto& d : defs_) {
        if (d.name == def.name) {
            if (if_not_exists) return false;
            if (d.same_schema(def))
                schema_error(
                    "EquivalentSchemaRuleAlreadyExists",
                    "An equivalent index already exists: " + std::string(index_kind_name(d.kind)) +
                        " index '" + d.name + "' on " + d.schema_text() + ".");
            schema_error("IndexWithNameAlreadyExists",
                         "There already exists an index called '" + def.name + "'.");
        }
    }
    for (const auto& d : defs_) {
        if (!d.same_schema(def)) continue;
        if (if_not_exists) return false;
        schema_error("IndexAlreadyExists", "There already exists a " +
                                               std::string(index_kind_name(d.kind)) + " index on " +
                                               d.schema_text() + ": '" + d.name + "'.");
    }
    def.id = next_id_++;
    def.state = IndexState::Populating;
    defs_.push_back(def);
    ++version_;
    return true;
}

std::optional<IndexDef> IndexRegistry::drop(const std::string& name, bool if_exists) {
    std::lock_guard lock(mu_);
    auto it =
        std::find_if(defs_.begin(), defs_.end(), [&](const IndexDef& d) { return d.name == name; });
    if (it == defs_.end()) {
        if (if_exists) return std::nullopt;
        schema_error("IndexNotFound",
                     "Unable to drop index called '" + name + "': there is no such index.");
    }
    IndexDef d = std::move(*it);
    defs_.erase(it);
    ++version_;
    return d;
}

void IndexRegistry::set_state(const std::string& name, IndexState state) {
    std::lock_guard lock(mu_);
    for (auto& d : defs_)
        if (d.name == name) d.state = state;
    ++version_;
}

std::optional<IndexDef> IndexRegistry::find(const std::string& name) const {
    std::lock_guard lock(mu_);
    for (const auto& d : defs_)
        if (d.name == name) return d;
    return std::nullopt;
}

std::vector<IndexDef> IndexRegistry::list() const {
    std::vector<IndexDef> out;
    {
        std::lock_guard lock(mu_);
        out = defs_;
    }
    std::sort(out.begin(), out.end(),
              [](const IndexDef& a, const IndexDef& b) { return a.name < b.name; });
    return out;
}

std::vector<IndexDef> IndexRegistry::online_range(const std::string& label) const {
    std::vector<IndexDef> out;
    std::lock_guard lock(mu_);
    for (const auto& d : defs_)
        if (d.kind == IndexKind::Range && d.state == IndexState::Online && d.label == label)
            out.push_back(d);
    return out;
}

bool IndexRegistry::empty() const {
    std::lock_guard lock(mu_);
    return defs_.empty();
}

uint64_t IndexRegistry::version() const {
    std::lock_guard lock(mu_);
    return version_;
}

void IndexRegistry::restore(IndexDef def) {
    std::lock_guard lock(mu_);
    next_id_ = std::max(next_id_, def.id + 1);
    for (auto& d : defs_) {
        if (d.name == def.name) {
            d = std::move(def);
            ++version_;
            return;
        }
    }
    defs_.push_back(std::move(def));
    ++version_;
}

void IndexRegistry::restore_drop(const std::string& name) {
    std::lock_guard lock(mu_);
    std::erase_if(defs_, [&](const IndexDef& d) { return d.name == name; });
    ++version_;
}

void IndexRegistry::restore_all(std::vector<IndexDef> defs) {
    std::lock_guard lock(mu_);
    defs_ = std::move(defs);
    for (const auto& d : defs_) next_id_ = std::max(next_id_, d.id + 1);
    ++version_;
}

}  // namespace lora::storage
