// CREATE INDEX option checks and the SHOW INDEXES procedure.
#include <lora/exec/schema.hpp>

#include <lora/errors.hpp>

#include <lora/cypher/show_commands.hpp>

#include <lora/error.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace lora::exec {

namespace {

using storage::IndexDef;
using storage::IndexKind;

[[noreturn]] void bad_option(const std::string& message) {
    throw_argument_error("InvalidIndexOption", message);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

Value names_value(const std::vector<std::string>& names) {
    List l;
    for (const auto& n : names) l.emplace_back(n);
    return Value(std::move(l));
}

std::string provider_of(const IndexDef& def) {
    return def.kind == IndexKind::Vector ? "vector-2.0" : "range-1.0";
}

void set_dimension(IndexDef& def, const Value& v) {
    int64_t n = 0;
    if (v.is_int())
        n = v.as_int();
    else if (v.is_float() &&
             v.as_float() == static_cast<double>(static_cast<int64_t>(v.as_float())))
        n = static_cast<int64_t>(v.as_float());
    else
        bad_option("the vector dimension must be an integer, got " + v.to_string());
    if (n < 1 || n > 4096)
        bad_option("the vector dimension must be between 1 and 4096, got " + std::to_string(n));
    def.config.emplace_back("vector.dimensions", Value(n));
}

void set_similarity(IndexDef& def, const Value& v) {
    if (!v.is_string()) bad_option("the vector similarity must be a string, got " + v.to_string());
    std::string s = lower(v.as_string());
    if (s != "cosine" && s != "euclidean")
        bad_option("the vector similarity must be 'cosine' or 'euclidean', got '" + v.as_string() +
                   "'");
    def.config.emplace_back("vector.similarity_function", Value(s));
}

// HNSW tuning (Neo4j's vector.hnsw.m and vector.hnsw.ef_construction, and lora's own
// vector.hnsw.ef_search, the query beam).
bool is_hnsw_setting(const std::string& key) {
    return key == "vector.hnsw.m" || key == "vector.hnsw.ef_construction" ||
           key == "vector.hnsw.ef_search";
}

void set_hnsw(IndexDef& def, const std::string& key, const Value& v) {
    const int64_t max = key == "vector.hnsw.m" ? 512 : 100000;
    if (!v.is_int() || v.as_int() < 1 || v.as_int() > max)
        bad_option("the setting " + key + " must be an integer between 1 and " +
                   std::to_string(max) + ", got " + v.to_string());
    def.config.emplace_back(key, v);
}

}  // namespace

void check_index_definition(IndexDef& def, const Value& options) {
    if (def.properties.empty()) bad_option("an index needs at least one property");
    std::set<std::string> seen;
    for (const auto& p : def.properties)
        if (!seen.insert(p).second)
            throw errors::schema(
                "RepeatedPropertyInCompositeSchema",
                "property '" + p + "' appears twice in the index on :" + def.label);
    if (def.kind == IndexKind::Vector && def.properties.size() != 1)
        bad_option("a vector index covers exactly one property, got " +
                   std::to_string(def.properties.size()));
    def.config.clear();
    if (!options.is_null() && !options.is_map())
        bad_option("OPTIONS must be a map, got " + options.to_string());
    const Value* dimension = nullptr;
    const Value* similarity = nullptr;
    std::vector<std::pair<std::string, const Value*>> hnsw;  // vector.hnsw.* settings
    if (options.is_map()) {
        for (const auto& [key, v] : options.as_map()) {
            if (key == "indexProvider") {
                if (!v.is_string() ||
                    (def.kind == IndexKind::Range ? v.as_string() != "range-1.0"
                                                  : v.as_string().rfind("vector-", 0) != 0))
                    bad_option("index provider " + v.to_string() + " cannot serve a " +
                               std::string(storage::index_kind_name(def.kind)) + " index");
            } else if (key == "indexConfig") {
                if (!v.is_map()) bad_option("indexConfig must be a map, got " + v.to_string());
                for (const auto& [ck, cv] : v.as_map()) {
                    if (def.kind == IndexKind::Vector && ck == "vector.dimensions")
                        dimension = &cv;
                    else if (def.kind == IndexKind::Vector && ck == "vector.similarity_function")
                        similarity = &cv;
                    else if (def.kind == IndexKind::Vector && is_hnsw_setting(ck))
                        hnsw.emplace_back(ck, &cv);
                    else
                        bad_option("unknown indexConfig setting '" + ck + "' for a " +
                                   std::string(storage::index_kind_name(def.kind)) + " index");
                }
            } else if (def.kind == IndexKind::Vector &&
                       (key == "dimension" || key == "dimensions")) {
                dimension = &v;
            } else if (def.kind == IndexKind::Vector &&
                       (key == "similarity" || key == "similarity_function")) {
                similarity = &v;
            } else {
                bad_option("unknown index option '" + key + "' for a " +
                           std::string(storage::index_kind_name(def.kind)) + " index");
            }
        }
    }
    if (def.kind != IndexKind::Vector) return;
    if (!dimension)
        bad_option(
            "a vector index needs OPTIONS {indexConfig: {`vector.dimensions`: n}} (or {dimension: "
            "n})");
    set_dimension(def, *dimension);
    set_similarity(def, similarity ? *similarity : Value("cosine"));
    for (const auto& [k, v] : hnsw) set_hnsw(def, k, *v);
}

Value index_options_value(const IndexDef& def) {
    Map cfg;
    for (const auto& [k, v] : def.config) cfg.emplace(k, v);
    Map m;
    m.emplace("indexProvider", Value(provider_of(def)));
    m.emplace("indexConfig", Value(std::move(cfg)));
    return Value(std::move(m));
}

void register_index_procedures(Procedures& procedures, const storage::Catalog& catalog) {
    const std::array<const char*, cypher::kShowIndexColumns.size()> types = {
        "INTEGER?",         "STRING?",          "STRING?", "FLOAT?",  "STRING?", "STRING?",
        "LIST? OF STRING?", "LIST? OF STRING?", "STRING?", "STRING?", "MAP?"};
    auto sig = command_signature(cypher::kShowIndexesProcedure, "Lists the indexes (SHOW INDEXES).",
                                 {{"type", "STRING?"}}, cypher::kShowIndexColumns, types);
    const storage::Catalog* cat = &catalog;
    procedures.put(std::move(sig), [cat](const std::vector<Value>& args) {
        std::string filter = !args.empty() && args[0].is_string() ? args[0].as_string() : "ALL";
        std::vector<std::vector<Value>> rows;
        for (const auto& d : cat->indexes().list()) {
            std::string type(storage::index_kind_name(d.kind));
            if (filter != "ALL" && filter != type) continue;
            auto owner = cat->constraints().find(d.name);
            rows.push_back({Value(static_cast<int64_t>(d.id)), Value(d.name),
                            Value(std::string(storage::index_state_name(d.state))),
                            Value(d.state == storage::IndexState::Online ? 100.0 : 0.0),
                            Value(type), Value("NODE"), Value(List{Value(d.label)}),
                            names_value(d.properties), Value(provider_of(d)),
                            owner && owner->unique() ? Value(d.name) : Value(),
                            index_options_value(d)});
        }
        return rows;
    });
}

void register_constraint_procedures(Procedures& procedures, const storage::Catalog& catalog) {
    const std::array<const char*, cypher::kShowConstraintColumns.size()> types = {
        "INTEGER?",         "STRING?",          "STRING?", "STRING?",
        "LIST? OF STRING?", "LIST? OF STRING?", "STRING?", "STRING?"};
    auto sig = command_signature(
        cypher::kShowConstraintsProcedure, "Lists the constraints (SHOW CONSTRAINTS).",
        {{"entity", "STRING?"}, {"kind", "STRING?"}}, cypher::kShowConstraintColumns, types);
    const storage::Catalog* cat = &catalog;
    procedures.put(std::move(sig), [cat](const std::vector<Value>& args) {
        auto arg = [&](size_t i) {
            return i < args.size() && args[i].is_string() ? args[i].as_string() : "ALL";
        };
        const std::string entity = arg(0), kind = arg(1);
        std::vector<std::vector<Value>> rows;
        for (const auto& d : cat->constraints().list()) {
            const std::string type = d.type_name();
            if (entity != "ALL" && !type.starts_with(entity)) continue;
            if (kind != "ALL" && !type.ends_with(kind)) continue;
            const bool node = d.entity == storage::ConstraintEntity::Node;
            rows.push_back({Value(static_cast<int64_t>(d.id)), Value(d.name), Value(type),
                            Value(node ? "NODE" : "RELATIONSHIP"), Value(List{Value(d.label)}),
                            names_value(d.properties), d.unique() ? Value(d.name) : Value(),
                            d.types.empty() ? Value() : Value(d.types_text())});
        }
        return rows;
    });
}

}  // namespace lora::exec
