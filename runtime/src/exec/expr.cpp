// Evaluation of compiled expressions with Cypher's null and type semantics.
#include <lora/exec/expr.hpp>

#include <lora/memory.hpp>

#include <lora/errors.hpp>

#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

#include <cmath>
#include <functional>

namespace lora::exec {

namespace {

using storage::Catalog;

[[noreturn]] void deleted(const char* what, uint64_t id) {
    throw errors::deleted_entity(std::string("The ") + what + " " + std::to_string(id) +
                                 " was deleted in this transaction");
}

[[noreturn]] void not_local(const char* what, uint64_t id) {
    throw errors::internal(std::string(what) + " " + std::to_string(id) +
                           " is neither attached nor local to this shard");
}

std::optional<uint32_t> key_id_of(const std::string& key, std::atomic<int64_t>& cache,
                                  const EvalEnv& env) {
    int64_t c = cache.load(std::memory_order_relaxed);
    if (c >= 0) return static_cast<uint32_t>(c);
    if (!env.catalog) return std::nullopt;
    auto id = env.catalog->lookup(Catalog::Kind::Key, key);
    if (id) cache.store(*id, std::memory_order_relaxed);
    return id;
}

Tri truth(const Value& v) {
    if (v.is_null()) return Tri::Null;
    if (v.is_bool()) return v.as_bool() ? Tri::True : Tri::False;
    throw_type_error(
        "InvalidArgumentType",
        "Expected a boolean but got " + std::string(kind_name(v.kind())) + ": " + v.to_string());
}

Value tri_value(Tri t) {
    if (t == Tri::Null) return Value();
    return Value(t == Tri::True);
}

Tri compare(Cmp c, const Value& a, const Value& b) {
    if (c == Cmp::Eq || c == Cmp::Ne) {
        Tri t = cypher_equals(a, b);
        if (c == Cmp::Ne && t != Tri::Null) t = (t == Tri::True) ? Tri::False : Tri::True;
        return t;
    }
    switch (c) {
        case Cmp::Lt: return cypher_compare_op(CompareOp::Lt, a, b);
        case Cmp::Le: return cypher_compare_op(CompareOp::Le, a, b);
        case Cmp::Gt: return cypher_compare_op(CompareOp::Gt, a, b);
        default: return cypher_compare_op(CompareOp::Ge, a, b);
    }
}

Value arith(char op, const Value& a, const Value& b) {
    switch (op) {
        case '+': return fn::add(a, b);
        case '-': return fn::subtract(a, b);
        case '*': return fn::multiply(a, b);
        case '/': return fn::divide(a, b);
        case '%': return fn::modulo(a, b);
        case '^': return fn::power(a, b);
    }
    return Value();
}

bool node_has_label(const Value& v, const std::string& label, const EvalEnv& env) {
    const Node& n = v.as_node();
    if (env.part && env.part->owns(n.id)) {
        storage::View view(*env.part, env.snap);
        if (view.node_exists(n.id)) {
            auto id = env.catalog->lookup(Catalog::Kind::Label, label);
            return id && view.has_label(n.id, *id);
        }
    }
    if (n.data) {
        for (auto& l : n.data->labels)
            if (l == label) return true;
        return false;
    }
    not_local("node", n.id);
}

Value list_index(const Value& list, const Value& idx) {
    if (!idx.is_int())
        throw_type_error("InvalidArgumentType",
                         "List index must be an integer, got " + idx.to_string());
    const auto& l = list.as_list();
    int64_t i = idx.as_int();
    int64_t n = static_cast<int64_t>(l.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value();
    return l[static_cast<size_t>(i)];
}

}  // namespace

Value attach_local(const Value& v, const EvalEnv& env) {
    if (!env.part) return v;
    // Local entities are always read afresh: attached data may predate a write.
    storage::View view(*env.part, env.snap);
    if (v.is_node()) {
        const Node& n = v.as_node();
        if (!env.part->owns(n.id)) return v;
        auto data = view.node_data(n.id);
        if (!data) return v;
        return Value(Node{n.id, std::move(data)});
    }
    if (v.is_relationship()) {
        const Relationship& r = v.as_relationship();
        if (!env.part->owns(r.id)) return v;
        auto data = view.rel_data(r.id);
        if (!data) return v;
        Relationship out = r;
        out.data = std::move(data);
        return Value(std::move(out));
    }
    return v;
}

Value property_of(const Value& v, const std::string& key, std::atomic<int64_t>& cache,
                  const EvalEnv& env) {
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::Map: {
            const auto& m = v.as_map();
            auto it = m.find(key);
            return it == m.end() ? Value() : it->second;
        }
        case ValueKind::Node: {
            // The partition, when the node lives here, is fresher than attached data.
            const Node& n = v.as_node();
            if (env.part && env.part->owns(n.id)) {
                storage::View view(*env.part, env.snap);
                if (!view.node_exists(n.id)) deleted("node", n.id);
                auto id = key_id_of(key, cache, env);
                if (!id) return Value();
                const Value* p = view.node_property(n.id, *id);
                return p ? *p : Value();
            }
            if (n.data) {
                auto it = n.data->properties.find(key);
                return it == n.data->properties.end() ? Value() : it->second;
            }
            not_local("node", n.id);
        }
        case ValueKind::Relationship: {
            const Relationship& r = v.as_relationship();
            if (env.part && env.part->owns(r.id)) {
                storage::View view(*env.part, env.snap);
                if (!view.relationship_exists(r.id)) deleted("relationship", r.id);
                auto id = key_id_of(key, cache, env);
                if (!id) return Value();
                const Value* p = view.rel_property(r.id, *id);
                return p ? *p : Value();
            }
            if (r.data) {
                auto it = r.data->properties.find(key);
                return it == r.data->properties.end() ? Value() : it->second;
            }
            not_local("relationship", r.id);
        }
        default:
            if (v.is_temporal()) return fn::temporal_property(v, key);
            throw_type_error("InvalidArgumentType",
                             "Type mismatch: expected a map, node or relationship but was " +
                                 std::string(kind_name(v.kind())) + " (accessing ." + key + ")");
    }
}

bool eval_predicate(const CExpr& e, Row& row, const EvalEnv& env) {
    return truth(eval(e, row, env)) == Tri::True;
}

namespace {

Value eval_call(const CExpr& e, Row& row, const EvalEnv& env) {
    std::vector<Value> args;
    args.reserve(e.children.size());
    for (auto& c : e.children) args.push_back(eval(*c, row, env));
    const auto& name = e.fn->name;
    // Entity functions need the entity's data; attach it when the entity is local.
    if (name == "type" && args.size() == 1 && args[0].is_relationship() &&
        !args[0].as_relationship().data && env.catalog) {
        return Value(env.catalog->name(Catalog::Kind::Type, args[0].as_relationship().type_id));
    }
    if (name == "labels" || name == "keys" || name == "properties" || name == "type" ||
        name == "exists") {
        for (auto& a : args) a = attach_local(a, env);
        for (auto& a : args) {
            if ((a.is_node() && !a.as_node().data) ||
                (a.is_relationship() && !a.as_relationship().data))
                not_local("entity", a.is_node() ? a.as_node().id : a.as_relationship().id);
        }
    }
    return fn::call(*e.fn, args, fn::CallContext{env.clock_nanos});
}

// The per-element values of an iteration planned with them (CExpr::pre_slot): binds the i-th
// into its slot, and puts back what the slot held when done.
class PerElement {
public:
    PerElement(const CExpr& e, Row& row, const EvalEnv& env) : row_(row), slot_(e.pre_slot) {
        if (slot_ < 0) return;
        values_ = eval(*e.children.back(), row, env);
        saved_ = row_[static_cast<size_t>(slot_)];
    }
    PerElement(const PerElement&) = delete;
    PerElement& operator=(const PerElement&) = delete;
    ~PerElement() {
        if (slot_ >= 0) row_[static_cast<size_t>(slot_)] = std::move(saved_);
    }
    void bind(size_t i) {
        if (slot_ < 0) return;
        const bool have = values_.is_list() && i < values_.as_list().size();
        row_[static_cast<size_t>(slot_)] = have ? values_.as_list()[i] : Value();
    }

private:
    Row& row_;
    int slot_;
    Value values_;
    Value saved_;
};

}  // namespace

Value eval(const CExpr& e, Row& row, const EvalEnv& env) {
    switch (e.kind) {
        case EK::Literal: return e.value;
        case EK::Param: {
            if (!env.params) break;
            auto it = env.params->find(e.name);
            if (it == env.params->end())
                throw_semantic("ParameterMissing", "MissingParameter",
                               "Expected parameter: $" + e.name);
            return it->second;
        }
        case EK::Slot: return row[static_cast<size_t>(e.slot)];
        case EK::Property: {
            // Unpacked by its UNWIND (plan/unwind_unpack.cpp): a map element left its key
            // in slot2 and null in its own slot; anything else is read as usual.
            if (e.slot2 >= 0) {
                const Value& base = row[static_cast<size_t>(e.children[0]->slot)];
                if (base.is_null()) return row[static_cast<size_t>(e.slot2)];
                return property_of(base, e.name, e.key_id, env);
            }
            Value base = eval(*e.children[0], row, env);
            return property_of(base, e.name, e.key_id, env);
        }
        case EK::Subscript: {
            Value base = eval(*e.children[0], row, env);
            Value idx = eval(*e.children[1], row, env);
            if (base.is_null() || idx.is_null()) return Value();
            if (base.is_list()) return list_index(base, idx);
            if (base.is_map() || base.is_node() || base.is_relationship()) {
                if (!idx.is_string())
                    throw_type_error(
                        "MapElementAccessByNonString",
                        "Map element access requires a string key, got " + idx.to_string());
                std::atomic<int64_t> no_cache{-1};
                return property_of(base, idx.as_string(), no_cache, env);
            }
            throw_type_error("InvalidArgumentType", "Cannot index into a value of type " +
                                                        std::string(kind_name(base.kind())));
        }
        case EK::Slice: {
            Value base = eval(*e.children[0], row, env);
            Value from = e.children[1] ? eval(*e.children[1], row, env) : Value();
            Value to = e.children[2] ? eval(*e.children[2], row, env) : Value();
            if (base.is_null()) return Value();
            if ((e.children[1] && from.is_null()) || (e.children[2] && to.is_null()))
                return Value();
            if (!base.is_list())
                throw_type_error("InvalidArgumentType", "Cannot slice a value of type " +
                                                            std::string(kind_name(base.kind())));
            const auto& l = base.as_list();
            int64_t n = static_cast<int64_t>(l.size());
            auto norm = [&](const Value& v, int64_t dflt) -> int64_t {
                if (v.is_null()) return dflt;
                if (!v.is_int())
                    throw_type_error("InvalidArgumentType", "Slice bounds must be integers");
                int64_t i = v.as_int();
                if (i < 0) i += n;
                return std::clamp<int64_t>(i, 0, n);
            };
            int64_t a = norm(from, 0), b = norm(to, n);
            List out;
            for (int64_t i = a; i < b; ++i) out.push_back(l[static_cast<size_t>(i)]);
            return Value(std::move(out));
        }
        case EK::List: {
            List out;
            out.reserve(e.children.size());
            for (auto& c : e.children) out.push_back(eval(*c, row, env));
            return Value(std::move(out));
        }
        case EK::Map: {
            Map out;
            for (size_t i = 0; i < e.children.size(); ++i)
                out.insert_or_assign(e.keys[i], eval(*e.children[i], row, env));
            return Value(std::move(out));
        }
        case EK::Not: {
            Tri t = truth(eval(*e.children[0], row, env));
            if (t == Tri::Null) return Value();
            return Value(t == Tri::False);
        }
        case EK::Negate: return fn::negate(eval(*e.children[0], row, env));
        // And, Or, Xor and Arith take a chain (a AND b AND c, a + b - c): two or more
        // operands, folded from the left without recursion.
        case EK::And: {
            // Cypher short-circuits: a false operand ends the run.
            Tri acc = Tri::True;
            for (const auto& c : e.children) {
                Tri t = truth(eval(*c, row, env));
                if (t == Tri::False) return Value(false);
                if (t == Tri::Null) acc = Tri::Null;
            }
            return tri_value(acc);
        }
        case EK::Or: {
            Tri acc = Tri::False;
            for (const auto& c : e.children) {
                Tri t = truth(eval(*c, row, env));
                if (t == Tri::True) return Value(true);
                if (t == Tri::Null) acc = Tri::Null;
            }
            return tri_value(acc);
        }
        case EK::Xor: {
            Tri acc = truth(eval(*e.children[0], row, env));
            for (size_t i = 1; i < e.children.size(); ++i) {
                Tri t = truth(eval(*e.children[i], row, env));
                acc = acc == Tri::Null || t == Tri::Null ? Tri::Null
                                                         : (acc != t ? Tri::True : Tri::False);
            }
            return tri_value(acc);
        }
        case EK::Arith: {
            Value acc = eval(*e.children[0], row, env);
            for (size_t i = 1; i < e.children.size(); ++i)
                acc = arith(e.ariths.empty() ? e.arith : e.ariths[i - 1], std::move(acc),
                            eval(*e.children[i], row, env));
            return acc;
        }
        case EK::Compare: {
            Value left = eval(*e.children[0], row, env);
            Tri acc = Tri::True;
            for (size_t i = 0; i < e.cmps.size(); ++i) {
                Value right = eval(*e.children[i + 1], row, env);
                Tri t = compare(e.cmps[i], left, right);
                if (t == Tri::False) return Value(false);
                if (t == Tri::Null) acc = Tri::Null;
                left = std::move(right);
            }
            return tri_value(acc);
        }
        case EK::In: {
            Value needle = eval(*e.children[0], row, env);
            Value hay = eval(*e.children[1], row, env);
            if (hay.is_null()) return Value();
            if (!hay.is_list())
                throw_type_error("InvalidArgumentType",
                                 "IN expects a list on its right side, got " +
                                     std::string(kind_name(hay.kind())));
            bool saw_null = false;
            for (const auto& x : hay.as_list()) {
                Tri t = cypher_equals(needle, x);
                if (t == Tri::True) return Value(true);
                if (t == Tri::Null) saw_null = true;
            }
            if (saw_null) return Value();
            return Value(false);
        }
        case EK::StartsWith:
        case EK::EndsWith:
        case EK::Contains: {
            Value a = eval(*e.children[0], row, env);
            Value b = eval(*e.children[1], row, env);
            if (!a.is_string() || !b.is_string()) return Value();
            const auto& s = a.as_string();
            const auto& t = b.as_string();
            if (e.kind == EK::StartsWith)
                return Value(s.compare(0, t.size(), t) == 0 && s.size() >= t.size());
            if (e.kind == EK::EndsWith)
                return Value(s.size() >= t.size() &&
                             s.compare(s.size() - t.size(), t.size(), t) == 0);
            return Value(s.find(t) != std::string::npos);
        }
        case EK::Regex: {
            Value a = eval(*e.children[0], row, env);
            Value b = eval(*e.children[1], row, env);
            if (!a.is_string() || !b.is_string()) return Value();
            if (!e.regex) return Value(Regex(b.as_string()).matches(a.as_string()));
            return Value(e.regex->get(b.as_string())->matches(a.as_string()));
        }
        case EK::IsNull: return Value(eval(*e.children[0], row, env).is_null());
        case EK::IsNotNull: return Value(!eval(*e.children[0], row, env).is_null());
        case EK::HasLabels: {
            Value v = eval(*e.children[0], row, env);
            if (v.is_null()) return Value();
            if (!v.is_node())
                throw_type_error("InvalidArgumentType", "Label predicate on a value of type " +
                                                            std::string(kind_name(v.kind())));
            for (const auto& l : e.labels)
                if (!node_has_label(v, l, env)) return Value(false);
            return Value(true);
        }
        case EK::Call: return eval_call(e, row, env);
        case EK::Case: {
            // children: [subject]? (when, then)* [else]
            size_t i = 0;
            Value subject;
            if (e.simple_case) subject = eval(*e.children[i++], row, env);
            size_t end = e.children.size() - (e.has_else ? 1 : 0);
            for (; i + 1 < end + 1 && i < end; i += 2) {
                if (e.simple_case) {
                    Value w = eval(*e.children[i], row, env);
                    if (cypher_equals(subject, w) == Tri::True)
                        return eval(*e.children[i + 1], row, env);
                } else {
                    Value w = eval(*e.children[i], row, env);
                    if (w.is_bool() && w.as_bool()) return eval(*e.children[i + 1], row, env);
                }
            }
            if (e.has_else) return eval(*e.children.back(), row, env);
            return Value();
        }
        case EK::ListComp: {
            // children: list, where (nullable), map (nullable)[, per-element values]
            Value list = eval(*e.children[0], row, env);
            if (list.is_null()) return Value();
            if (!list.is_list())
                throw_type_error("InvalidArgumentType", "List comprehension over a non-list");
            PerElement pre(e, row, env);
            List out;
            memory::BuildCheck built("a list comprehension");
            Value saved = row[static_cast<size_t>(e.slot)];
            size_t i = 0;
            for (const auto& x : list.as_list()) {
                row[static_cast<size_t>(e.slot)] = x;
                pre.bind(i++);
                if (e.children[1] && !eval_predicate(*e.children[1], row, env)) continue;
                out.push_back(e.children[2] ? eval(*e.children[2], row, env) : x);
                built.add(out.back().footprint());
            }
            row[static_cast<size_t>(e.slot)] = std::move(saved);
            return Value(std::move(out));
        }
        case EK::Quantifier: {
            Value list = eval(*e.children[0], row, env);
            if (list.is_null()) return Value();
            if (!list.is_list())
                throw_type_error("InvalidArgumentType", "Quantifier over a non-list");
            PerElement pre(e, row, env);
            Value saved = row[static_cast<size_t>(e.slot)];
            size_t trues = 0, nulls = 0, n = list.as_list().size(), i = 0;
            for (const auto& x : list.as_list()) {
                row[static_cast<size_t>(e.slot)] = x;
                pre.bind(i++);
                Tri t = truth(eval(*e.children[1], row, env));
                if (t == Tri::True)
                    ++trues;
                else if (t == Tri::Null)
                    ++nulls;
            }
            row[static_cast<size_t>(e.slot)] = std::move(saved);
            size_t falses = n - trues - nulls;
            switch (e.quant) {
                case 0:  // all
                    if (falses) return Value(false);
                    return nulls ? Value() : Value(true);
                case 1:  // any
                    if (trues) return Value(true);
                    return nulls ? Value() : Value(false);
                case 2:  // none
                    if (trues) return Value(false);
                    return nulls ? Value() : Value(true);
                default:  // single
                    if (trues > 1) return Value(false);
                    if (nulls) return Value();
                    return Value(trues == 1);
            }
        }
        case EK::Reduce: {
            // children: init, list, expr[, per-element values]; slot2 = accumulator, slot = element
            Value acc = eval(*e.children[0], row, env);
            Value list = eval(*e.children[1], row, env);
            if (list.is_null()) return Value();
            if (!list.is_list()) throw_type_error("InvalidArgumentType", "reduce over a non-list");
            PerElement pre(e, row, env);
            Value saved_a = row[static_cast<size_t>(e.slot2)];
            Value saved_x = row[static_cast<size_t>(e.slot)];
            size_t i = 0;
            for (const auto& x : list.as_list()) {
                row[static_cast<size_t>(e.slot2)] = acc;
                row[static_cast<size_t>(e.slot)] = x;
                pre.bind(i++);
                acc = eval(*e.children[2], row, env);
            }
            row[static_cast<size_t>(e.slot2)] = std::move(saved_a);
            row[static_cast<size_t>(e.slot)] = std::move(saved_x);
            return acc;
        }
        case EK::MapProjection: {
            Value subject = attach_local(eval(*e.children[0], row, env), env);
            if (subject.is_null()) return Value();
            Map out;
            for (const auto& p : e.projection) {
                switch (p.kind) {
                    case MapProjEntry::Kind::Property: {
                        std::atomic<int64_t> no_cache{-1};
                        out.insert_or_assign(p.key, property_of(subject, p.key, no_cache, env));
                        break;
                    }
                    case MapProjEntry::Kind::Value:
                        out.insert_or_assign(p.key, eval(*p.value, row, env));
                        break;
                    case MapProjEntry::Kind::AllProperties: {
                        const Map* props = nullptr;
                        if (subject.is_map())
                            props = &subject.as_map();
                        else if (subject.is_node() && subject.as_node().data)
                            props = &subject.as_node().data->properties;
                        else if (subject.is_relationship() && subject.as_relationship().data)
                            props = &subject.as_relationship().data->properties;
                        else
                            throw_type_error("InvalidArgumentType",
                                             "Map projection of a non-map value");
                        for (auto& [k, v] : *props) out.insert_or_assign(k, v);
                        break;
                    }
                }
            }
            return Value(std::move(out));
        }
        case EK::Entities: {
            List out;
            std::function<void(const Value&)> walk = [&](const Value& x) {
                switch (x.kind()) {
                    case ValueKind::Null: break;
                    case ValueKind::Node:
                        if (e.quant == 1) out.push_back(x);
                        break;
                    case ValueKind::Relationship:
                        if (e.quant == 0) out.push_back(x);
                        break;
                    case ValueKind::Path:
                        if (e.quant == 1)
                            for (const auto& n : x.as_path().nodes) out.emplace_back(n);
                        else
                            for (const auto& r : x.as_path().rels) out.emplace_back(r);
                        break;
                    case ValueKind::List:
                        for (const auto& y : x.as_list()) walk(y);
                        break;
                    default:
                        throw_type_error("InvalidArgumentType",
                                         "DELETE expects nodes, relationships or paths, got " +
                                             std::string(kind_name(x.kind())));
                }
            };
            walk(eval(*e.children[0], row, env));
            return Value(std::move(out));
        }
        case EK::PathBuild: {
            Path path;
            Value first = eval(*e.children[0], row, env);
            if (!first.is_node()) return Value();
            path.nodes.push_back(first.as_node());
            for (size_t i = 1; i + 1 < e.children.size(); i += 2) {
                Value rel = eval(*e.children[i], row, env);
                Value next = eval(*e.children[i + 1], row, env);
                if (!next.is_node()) return Value();
                auto step = [&](const Relationship& r) {
                    uint64_t cur = path.nodes.back().id;
                    uint64_t other = r.start == cur ? r.end : r.start;
                    path.rels.push_back(r);
                    if (other == next.as_node().id)
                        path.nodes.push_back(next.as_node());
                    else
                        path.nodes.push_back(Node{other, nullptr});
                };
                if (rel.is_relationship()) {
                    step(rel.as_relationship());
                } else if (rel.is_list()) {
                    for (const auto& r : rel.as_list()) {
                        if (!r.is_relationship()) return Value();
                        step(r.as_relationship());
                    }
                } else {
                    return Value();
                }
            }
            return Value(std::move(path));
        }
    }
    return Value();
}

CExprPtr clone(const CExpr& e) {
    auto c = std::make_unique<CExpr>(e.kind);
    c->value = e.value;
    c->name = e.name;
    c->slot = e.slot;
    c->slot2 = e.slot2;
    c->pre_slot = e.pre_slot;
    c->arith = e.arith;
    c->cmps = e.cmps;
    c->quant = e.quant;
    c->has_else = e.has_else;
    c->simple_case = e.simple_case;
    c->fn = e.fn;
    c->labels = e.labels;
    c->keys = e.keys;
    if (e.regex) c->regex = std::make_unique<RegexSlot>();
    for (auto& ch : e.children) c->children.push_back(ch ? clone(*ch) : nullptr);
    for (auto& p : e.projection)
        c->projection.push_back({p.kind, p.key, p.value ? clone(*p.value) : nullptr});
    return c;
}

}  // namespace lora::exec
