// Constraint checks of a transaction's changes at one shard, the claims of its unique value
// tuples, and the lookup of a tuple at a snapshot (see constraints.hpp).
#include <lora/exec/constraints.hpp>

#include <lora/errors.hpp>
#include <lora/exec/txn_log.hpp>

#include <lora/storage/partition.hpp>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace lora::exec {

namespace {

using storage::Catalog;
using storage::ConstraintDef;
using storage::ConstraintEntity;
using storage::ConstraintKind;

std::string quoted(const std::string& name) { return "`" + name + "`"; }

std::string type_of(const Value& v) {
    if (!v.is_list()) return std::string(kind_name(v.kind()));
    const auto& l = v.as_list();
    if (l.empty()) return "LIST<NOTHING>";
    return "LIST<" + std::string(kind_name(l.front().kind())) + " NOT NULL>";
}

std::string entity_text(bool node, uint64_t id, const ConstraintDef& c) {
    return std::string(node ? "Node(" : "Relationship(") + std::to_string(id) + ") with " +
           (node ? "label " : "type ") + quoted(c.label);
}

[[noreturn]] void missing(bool node, uint64_t id, const ConstraintDef& c) {
    if (c.properties.size() == 1)
        throw errors::constraint_violation(entity_text(node, id, c) + " must have the property " +
                                           quoted(c.properties[0]));
    std::string props;
    for (size_t i = 0; i < c.properties.size(); ++i)
        props += (i ? ", " : "") + quoted(c.properties[i]);
    throw errors::constraint_violation(entity_text(node, id, c) + " must have the properties (" +
                                       props + ")");
}

// The constraints on one label (or relationship type), their property keys resolved to
// catalog ids once per check (nullopt: no entity has that key, so none holds it).
struct Resolved {
    const ConstraintDef* def;
    std::vector<std::optional<uint32_t>> keys;
};
using ByLabel = std::unordered_map<uint32_t, std::vector<Resolved>>;

// Groups `defs` of entity kind `entity` by their label's (or type's) catalog id; constraints
// on a name the catalog does not know yet are left out (nothing carries it).
ByLabel resolve(const std::vector<ConstraintDef>& defs, const Catalog& catalog,
                ConstraintEntity entity) {
    ByLabel out;
    const auto kind = entity == ConstraintEntity::Node ? Catalog::Kind::Label : Catalog::Kind::Type;
    for (const auto& c : defs) {
        if (c.entity != entity) continue;
        auto label = catalog.lookup(kind, c.label);
        if (!label) continue;
        Resolved r{&c, {}};
        for (const auto& p : c.properties) r.keys.push_back(catalog.lookup(Catalog::Kind::Key, p));
        out[*label].push_back(std::move(r));
    }
    return out;
}

// Calls f(constraint, value of each property (nullptr: absent)) for every constraint of
// `on` at `label`, reading values with get(key id).
template <typename Get, typename F>
void for_constraints(const ByLabel& on, uint32_t label, Get&& get, F&& f) {
    auto it = on.find(label);
    if (it == on.end()) return;
    std::vector<const Value*> values;
    for (const auto& r : it->second) {
        values.clear();
        for (const auto& key : r.keys) values.push_back(key ? get(*key) : nullptr);
        f(*r.def, values);
    }
}

void check_presence_and_type(bool node, uint64_t id, const ConstraintDef& c,
                             const std::vector<const Value*>& values) {
    if (c.requires_presence())
        for (const Value* v : values)
            if (!v || v->is_null()) missing(node, id, c);
    if (c.kind != ConstraintKind::PropertyType) return;
    const Value* v = values[0];
    if (!v || v->is_null()) return;
    for (const auto& t : c.types)
        if (storage::value_has_type(*v, t)) return;
    throw errors::constraint_violation(entity_text(node, id, c) + " required the property " +
                                       quoted(c.properties[0]) + " to be of type " +
                                       quoted(c.types_text()) + ", but was of type " +
                                       quoted(type_of(*v)) + ".");
}

}  // namespace

uint64_t UniqueClaim::key() const {
    uint64_t h = std::hash<std::string>{}(constraint);
    for (const auto& v : values) h = h * 0x9E3779B97F4A7C15ull + equivalence_hash(v);
    return h | (uint64_t{1} << 63);
}

std::string UniqueClaim::describe() const {
    std::string s = "label " + quoted(label) + " and ";
    s += properties.size() == 1 ? "property " : "properties ";
    for (size_t i = 0; i < properties.size(); ++i)
        s += (i ? ", " : "") + quoted(properties[i]) + " = " + values[i].to_string();
    return s;
}

Value UniqueClaim::to_value() const {
    List props, vals;
    for (const auto& p : properties) props.emplace_back(p);
    for (const auto& v : values) vals.push_back(v);
    return Value(List{Value(constraint), Value(label), Value(std::move(props)),
                      Value(std::move(vals)), Value(static_cast<int64_t>(node))});
}

UniqueClaim UniqueClaim::from_value(const Value& v) {
    auto bad = [] { return errors::corrupt_message("constraint claim"); };
    if (!v.is_list() || v.as_list().size() != 5) throw bad();
    const auto& l = v.as_list();
    if (!l[0].is_string() || !l[1].is_string() || !l[2].is_list() || !l[3].is_list() ||
        !l[4].is_int() || l[2].as_list().size() != l[3].as_list().size())
        throw bad();
    UniqueClaim c;
    c.constraint = l[0].as_string();
    c.label = l[1].as_string();
    for (const auto& p : l[2].as_list()) {
        if (!p.is_string()) throw bad();
        c.properties.push_back(p.as_string());
    }
    c.values = l[3].as_list();
    c.node = static_cast<uint64_t>(l[4].as_int());
    return c;
}

std::vector<UniqueClaim> constraint_claims(const storage::Partition& part, const Catalog& catalog,
                                           const TxnLog& log) {
    std::vector<UniqueClaim> claims;
    const auto& registry = catalog.constraints();
    if (!registry.any()) return claims;
    std::vector<uint64_t> nodes, rels;
    for (size_t i = log.checked; i < log.redo.size(); ++i) {
        const RedoOp& op = log.redo[i];
        switch (op.kind) {
            case RedoOp::Kind::CreateNode:
            case RedoOp::Kind::AddLabel:
            case RedoOp::Kind::SetNodeProperty: nodes.push_back(op.id); break;
            case RedoOp::Kind::CreateRel:
            case RedoOp::Kind::SetRelProperty: rels.push_back(op.id); break;
            default: break;
        }
    }
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    std::sort(rels.begin(), rels.end());
    rels.erase(std::unique(rels.begin(), rels.end()), rels.end());
    // One read of the registry for the whole check.
    const auto defs = registry.list();
    const ByLabel on_labels = resolve(defs, catalog, ConstraintEntity::Node);
    const ByLabel on_types = resolve(defs, catalog, ConstraintEntity::Relationship);
    for (uint64_t id : nodes) {
        if (!part.node_exists(id)) continue;  // deleted again
        auto get = [&](uint32_t key) { return part.node_property(id, key); };
        for (uint32_t label : part.labels(id)) {
            for_constraints(on_labels, label, get,
                            [&](const ConstraintDef& c, const std::vector<const Value*>& values) {
                                check_presence_and_type(true, id, c, values);
                                if (!c.unique()) return;
                                UniqueClaim claim{c.name, c.label, c.properties, {}, id};
                                for (const Value* v : values) {
                                    if (!v || v->is_null()) return;  // exempt
                                    claim.values.push_back(*v);
                                }
                                claims.push_back(std::move(claim));
                            });
        }
    }
    for (uint64_t id : rels) {
        auto info = part.relationship(id);
        if (!info) continue;
        for_constraints(
            on_types, info->type, [&](uint32_t key) { return part.rel_property(id, key); },
            [&](const ConstraintDef& c, const std::vector<const Value*>& values) {
                check_presence_and_type(false, id, c, values);
            });
    }
    return claims;
}

std::optional<uint64_t> find_duplicate(const storage::Partition& part, const Catalog& catalog,
                                       storage::Snap snap, const UniqueClaim& claim) {
    auto label = catalog.lookup(Catalog::Kind::Label, claim.label);
    if (!label) return std::nullopt;
    std::vector<uint32_t> keys;
    for (const auto& p : claim.properties) {
        auto k = catalog.lookup(Catalog::Kind::Key, p);
        if (!k) return std::nullopt;
        keys.push_back(*k);
    }
    const storage::View view(part, snap);
    std::vector<uint64_t> ids;
    storage::IndexQuery q;
    q.equal = claim.values.size() == 1 ? claim.values[0] : Value(List(claim.values));
    if (!part.index_seek(*label, keys, q, ids)) {
        ids.clear();
        view.node_ids(*label, ids);
    } else if (view.hides()) {
        // The index holds present values: nodes whose kept versions the snapshot reads
        // are candidates too.
        part.versions().for_each_versioned_node([&](uint64_t id) { ids.push_back(id); });
    }
    std::unordered_set<uint64_t> seen;
    for (uint64_t id : ids) {
        if (id == claim.node || !seen.insert(id).second) continue;
        if (!view.node_exists(id) || !view.has_label(id, *label)) continue;
        bool same = true;
        for (size_t i = 0; i < keys.size() && same; ++i) {
            const Value* v = view.node_property(id, keys[i]);
            same = v && cypher_equals(*v, claim.values[i]) == Tri::True;
        }
        if (same) return id;
    }
    return std::nullopt;
}

std::string both_have(uint64_t a, uint64_t b, const ConstraintDef& def,
                      const std::vector<Value>& values) {
    UniqueClaim c{def.name, def.label, def.properties, values, b};
    return "Both Node(" + std::to_string(a) + ") and Node(" + std::to_string(b) + ") have the " +
           c.describe();
}

ExistingCheck check_existing(const storage::Partition& part, const Catalog& catalog,
                             storage::Snap snap, const ConstraintDef& def) {
    ExistingCheck out;
    const storage::View view(part, snap);
    const bool node = def.entity == ConstraintEntity::Node;
    std::vector<std::optional<uint32_t>> keys;
    for (const auto& p : def.properties) keys.push_back(catalog.lookup(Catalog::Kind::Key, p));
    std::vector<uint64_t> ids;
    if (node) {
        auto label = catalog.lookup(Catalog::Kind::Label, def.label);
        if (!label) return out;
        view.node_ids(*label, ids);
    } else {
        auto type = catalog.lookup(Catalog::Kind::Type, def.label);
        if (!type) return out;
        view.rel_ids(ids);
        std::erase_if(ids, [&](uint64_t id) {
            auto info = view.relationship(id);
            return !info || info->type != *type;
        });
    }
    std::unordered_map<std::vector<Value>, uint64_t, ValueEquivHash, ValueEquiv> seen;
    std::vector<const Value*> values;
    for (uint64_t id : ids) {
        values.clear();
        for (const auto& k : keys)
            values.push_back(!k     ? nullptr
                             : node ? view.node_property(id, *k)
                                    : view.rel_property(id, *k));
        try {
            check_presence_and_type(node, id, def, values);
        } catch (const Error& e) {
            out.violation = e.message();
            return out;
        }
        if (!def.unique()) continue;
        std::vector<Value> tuple;
        for (const Value* v : values) {
            if (!v || v->is_null()) break;
            tuple.push_back(*v);
        }
        if (tuple.size() != values.size()) continue;  // exempt
        auto [it, fresh] = seen.emplace(tuple, id);
        if (!fresh) {
            out.violation = both_have(it->second, id, def, tuple);
            return out;
        }
    }
    for (auto& [tuple, id] : seen) out.tuples.emplace_back(tuple, id);
    return out;
}

Error duplicate_error(uint64_t existing, const UniqueClaim& claim) {
    return errors::constraint_violation("Node(" + std::to_string(existing) +
                                        ") already exists with " + claim.describe());
}

}  // namespace lora::exec
