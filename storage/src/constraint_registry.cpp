// Constraint definitions: the registry's rules for names and duplicates (Neo4j's), their
// descriptions, the property types of `IS ::`, and the map form definitions take in the WAL.
#include <lora/storage/constraint_registry.hpp>

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
    throw errors::corrupt_log("constraint definition: " + what);
}

constexpr std::string_view kKindNames[] = {"UNIQUE", "NODE_KEY", "EXISTS", "PROPERTY_TYPE"};

bool scalar_has_type(const Value& v, std::string_view type) {
    if (type == "BOOLEAN") return v.is_bool();
    if (type == "STRING") return v.is_string();
    if (type == "INTEGER") return v.is_int();
    if (type == "FLOAT") return v.is_float();
    return false;
}

}  // namespace

std::string ConstraintDef::type_name() const {
    const bool node = entity == ConstraintEntity::Node;
    switch (kind) {
        case ConstraintKind::Unique:
            return node ? "NODE_PROPERTY_UNIQUENESS" : "RELATIONSHIP_PROPERTY_UNIQUENESS";
        case ConstraintKind::NodeKey: return node ? "NODE_KEY" : "RELATIONSHIP_KEY";
        case ConstraintKind::Exists:
            return node ? "NODE_PROPERTY_EXISTENCE" : "RELATIONSHIP_PROPERTY_EXISTENCE";
        case ConstraintKind::PropertyType:
            return node ? "NODE_PROPERTY_TYPE" : "RELATIONSHIP_PROPERTY_TYPE";
    }
    return "UNKNOWN";
}

std::string ConstraintDef::schema_text() const {
    std::string props = " {";
    for (size_t i = 0; i < properties.size(); ++i) props += (i ? ", " : "") + properties[i];
    props += "}";
    if (entity == ConstraintEntity::Node) return "(:" + label + props + ")";
    return "()-[:" + label + props + "]-()";
}

std::string ConstraintDef::types_text() const {
    std::string s;
    for (size_t i = 0; i < types.size(); ++i) s += (i ? " | " : "") + types[i];
    return s;
}

std::string ConstraintDef::describe() const {
    std::string s =
        "Constraint( name='" + name + "', type='" + type_name() + "', schema=" + schema_text();
    if (kind == ConstraintKind::PropertyType) s += ", propertyType=" + types_text();
    return s + " )";
}

Value ConstraintDef::to_value() const {
    Map m;
    m.emplace("id", Value(static_cast<int64_t>(id)));
    m.emplace("kind", Value(std::string(kKindNames[static_cast<size_t>(kind)])));
    m.emplace("entity",
              Value(std::string(entity == ConstraintEntity::Node ? "NODE" : "RELATIONSHIP")));
    m.emplace("label", Value(label));
    List props;
    for (const auto& p : properties) props.emplace_back(p);
    m.emplace("properties", Value(std::move(props)));
    List ts;
    for (const auto& t : types) ts.emplace_back(t);
    m.emplace("types", Value(std::move(ts)));
    return Value(std::move(m));
}

ConstraintDef ConstraintDef::from_value(const std::string& name, const Value& v) {
    if (!v.is_map()) corrupt("expected a map for constraint " + name);
    const Map& m = v.as_map();
    auto field = [&](const char* key) -> const Value& {
        auto it = m.find(key);
        if (it == m.end()) corrupt("constraint " + name + " has no " + key);
        return it->second;
    };
    auto names = [&](const char* key) {
        const Value& l = field(key);
        if (!l.is_list()) corrupt("constraint " + name + ": " + key + " is not a list");
        std::vector<std::string> out;
        for (const auto& x : l.as_list()) {
            if (!x.is_string()) corrupt("constraint " + name + ": " + key + " holds a non-name");
            out.push_back(x.as_string());
        }
        return out;
    };
    ConstraintDef d;
    d.name = name;
    const Value& id = field("id");
    const Value& kind = field("kind");
    const Value& entity = field("entity");
    const Value& label = field("label");
    if (!id.is_int() || !kind.is_string() || !entity.is_string() || !label.is_string())
        corrupt("constraint " + name + " has a field of the wrong type");
    d.id = static_cast<uint64_t>(id.as_int());
    auto k = std::find(std::begin(kKindNames), std::end(kKindNames), kind.as_string());
    if (k == std::end(kKindNames))
        corrupt("constraint " + name + " has the unknown kind " + kind.as_string());
    d.kind = static_cast<ConstraintKind>(k - std::begin(kKindNames));
    if (entity.as_string() == "NODE")
        d.entity = ConstraintEntity::Node;
    else if (entity.as_string() == "RELATIONSHIP")
        d.entity = ConstraintEntity::Relationship;
    else
        corrupt("constraint " + name + " has the unknown entity " + entity.as_string());
    d.label = label.as_string();
    d.properties = names("properties");
    d.types = names("types");
    return d;
}

std::string generated_constraint_name(const ConstraintDef& def) {
    std::string key = def.type_name();
    key.push_back('\0');
    key += def.label;
    for (const auto& p : def.properties) {
        key.push_back('\0');
        key += p;
    }
    for (const auto& t : def.types) {
        key.push_back('\1');
        key += t;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(XXH32(key.data(), key.size(), 0)));
    return std::string("constraint_") + buf;
}

bool value_has_type(const Value& v, std::string_view type) {
    constexpr std::string_view kList = "LIST<", kNotNull = " NOT NULL>";
    if (type.starts_with(kList) && type.ends_with(kNotNull)) {
        if (!v.is_list()) return false;
        auto inner = type.substr(kList.size(), type.size() - kList.size() - kNotNull.size());
        for (const auto& x : v.as_list())
            if (!scalar_has_type(x, inner)) return false;
        return true;
    }
    return scalar_has_type(v, type);
}

void ConstraintRegistry::counted() { count_.store(defs_.size(), std::memory_order_release); }

bool ConstraintRegistry::create(ConstraintDef& def, bool if_not_exists) {
    if (def.name.empty()) def.name = generated_constraint_name(def);
    std::lock_guard lock(mu_);
    for (const auto& d : defs_) {
        if (d.name != def.name) continue;
        if (if_not_exists) return false;
        if (d.same_schema(def))
            schema_error("EquivalentSchemaRuleAlreadyExists",
                         "An equivalent constraint already exists, '" + d.describe() + "'.");
        schema_error("ConstraintWithNameAlreadyExists",
                     "There already exists a constraint called '" + def.name + "'.");
    }
    for (const auto& d : defs_) {
        if (d.entity != def.entity || d.label != def.label || d.properties != def.properties)
            continue;
        if (d.same_schema(def)) {
            if (if_not_exists) return false;
            schema_error("EquivalentSchemaRuleAlreadyExists",
                         "An equivalent constraint already exists, '" + d.describe() + "'.");
        }
        // A uniqueness and a key constraint (or two property types) on the same schema
        // contradict or repeat each other: Neo4j refuses the second.
        const bool both_unique = d.unique() && def.unique();
        const bool both_typed =
            d.kind == ConstraintKind::PropertyType && def.kind == ConstraintKind::PropertyType;
        if (both_unique || both_typed)
            schema_error("ConstraintAlreadyExists", "Constraint already exists: " + d.describe() +
                                                        " on " + def.schema_text() + ".");
    }
    def.id = next_id_++;
    defs_.push_back(def);
    counted();
    return true;
}

std::optional<ConstraintDef> ConstraintRegistry::drop(const std::string& name, bool if_exists) {
    std::lock_guard lock(mu_);
    auto it = std::find_if(defs_.begin(), defs_.end(),
                           [&](const ConstraintDef& d) { return d.name == name; });
    if (it == defs_.end()) {
        if (if_exists) return std::nullopt;
        schema_error("ConstraintDropFailed",
                     "Unable to drop constraint `" + name + "`: No such constraint " + name + ".");
    }
    ConstraintDef d = std::move(*it);
    defs_.erase(it);
    counted();
    return d;
}

std::optional<ConstraintDef> ConstraintRegistry::find(const std::string& name) const {
    std::lock_guard lock(mu_);
    for (const auto& d : defs_)
        if (d.name == name) return d;
    return std::nullopt;
}

std::vector<ConstraintDef> ConstraintRegistry::list() const {
    std::vector<ConstraintDef> out;
    {
        std::lock_guard lock(mu_);
        out = defs_;
    }
    std::sort(out.begin(), out.end(),
              [](const ConstraintDef& a, const ConstraintDef& b) { return a.name < b.name; });
    return out;
}

void ConstraintRegistry::restore(ConstraintDef def) {
    std::lock_guard lock(mu_);
    next_id_ = std::max(next_id_, def.id + 1);
    for (auto& d : defs_) {
        if (d.name == def.name) {
            d = std::move(def);
            return;
        }
    }
    defs_.push_back(std::move(def));
    counted();
}

void ConstraintRegistry::restore_drop(const std::string& name) {
    std::lock_guard lock(mu_);
    std::erase_if(defs_, [&](const ConstraintDef& d) { return d.name == name; });
    counted();
}

void ConstraintRegistry::restore_all(std::vector<ConstraintDef> defs) {
    std::lock_guard lock(mu_);
    defs_ = std::move(defs);
    for (const auto& d : defs_) next_id_ = std::max(next_id_, d.id + 1);
    counted();
}

}  // namespace lora::storage
