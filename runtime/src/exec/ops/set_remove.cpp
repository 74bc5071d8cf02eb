// SET and REMOVE of properties and labels, through the logged writes (exec/writes.cpp).
#include <lora/exec/executor.hpp>

#include <lora/storage/partition.hpp>

#include <optional>

namespace lora::exec {

using storage::Catalog;

namespace {

struct Target {
    bool node = false;
    uint64_t id = 0;
};

std::optional<Target> target_of(const Value& v) {
    if (v.is_node()) return Target{true, v.as_node().id};
    if (v.is_relationship()) return Target{false, v.as_relationship().id};
    if (v.is_null()) return std::nullopt;
    throw_type_error("InvalidArgumentType",
                     "Expected a node or relationship, got " + std::string(kind_name(v.kind())));
}

}  // namespace

void Executor::set_property(const plan::SetProperty& op, Row& row) {
    auto t = target_of(row[static_cast<size_t>(op.slot)]);
    Value v = eval(*op.value, row, eval_);
    if (!t) return;
    check_property_value(v);
    w_set_property(t->node, t->id, env_.catalog->intern(Catalog::Kind::Key, op.key), v);
    ++env_.stats->properties_set;
}

void Executor::set_properties(const plan::SetProperties& op, Row& row) {
    auto t = target_of(row[static_cast<size_t>(op.slot)]);
    Value v = attach_local(eval(*op.value, row, eval_), eval_);
    if (!t) return;
    const Map* props = nullptr;
    if (v.is_map())
        props = &v.as_map();
    else if (v.is_node() && v.as_node().data)
        props = &v.as_node().data->properties;
    else if (v.is_relationship() && v.as_relationship().data)
        props = &v.as_relationship().data->properties;
    else if (!v.is_null())
        throw_type_error("InvalidArgumentType",
                         "SET expects a map, got " + std::string(kind_name(v.kind())));
    Map copy = props ? *props : Map{};
    for (auto& [k, x] : copy) check_property_value(x);
    if (!op.merge) {
        // Replace: properties not in the map go away.
        std::vector<uint32_t> old;
        auto span = t->node ? env_.part->node_properties(t->id) : env_.part->rel_properties(t->id);
        for (const auto& p : span) old.push_back(p.key);
        for (uint32_t k : old) {
            if (copy.count(env_.catalog->name(Catalog::Kind::Key, k))) continue;
            w_set_property(t->node, t->id, k, Value());
            ++env_.stats->properties_set;
        }
    }
    for (auto& [k, x] : copy) {
        w_set_property(t->node, t->id, env_.catalog->intern(Catalog::Kind::Key, k), x);
        ++env_.stats->properties_set;
    }
}

void Executor::set_labels(const plan::SetLabels& op, Row& row) {
    labels(op.slot, op.labels, row, true);
}

void Executor::remove_labels(const plan::RemoveLabels& op, Row& row) {
    labels(op.slot, op.labels, row, false);
}

void Executor::labels(int slot, const std::vector<std::string>& names, Row& row, bool add) {
    const Value& v = row[static_cast<size_t>(slot)];
    if (v.is_null()) return;
    if (!v.is_node()) throw_type_error("InvalidArgumentType", "Labels can only be set on nodes");
    uint64_t id = v.as_node().id;
    for (const auto& l : names) {
        if (add) {
            w_label(id, env_.catalog->intern(Catalog::Kind::Label, l), true);
        } else {
            auto lid = env_.catalog->lookup(Catalog::Kind::Label, l);
            if (lid) w_label(id, *lid, false);
        }
    }
}

void Executor::remove_property(const plan::RemoveProperty& op, Row& row) {
    auto t = target_of(row[static_cast<size_t>(op.slot)]);
    if (!t) return;
    auto key = env_.catalog->lookup(Catalog::Kind::Key, op.key);
    if (!key) return;
    if (w_set_property(t->node, t->id, *key, Value())) ++env_.stats->properties_set;
}

}  // namespace lora::exec
