// CreateNode / CreateRel: new entities through the logged writes (exec/writes.cpp); a
// relationship is created at its start node's shard, which asks the end node's shard to
// add the incoming entry.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>
#include <lora/storage/partition.hpp>

#include <algorithm>

namespace lora::exec {

using storage::Catalog;

void Executor::create_node(const plan::CreateNode& op, size_t step, Row& row) {
    if (!env_.part) internal("create outside a shard");
    if (op.props && op.props->kind == EK::Map) {
        create_node_literal(op, step, row);
        return;
    }
    Map props;
    if (op.props) {
        Value pv = eval(*op.props, row, eval_);
        if (pv.is_map())
            props = pv.as_map();
        else if (!pv.is_null())
            throw_type_error("InvalidArgumentType", "Node properties must be a map");
    }
    for (auto& [k, v] : props) check_property_value(v);
    uint64_t id = w_create_node();
    for (const auto& l : op.labels)
        w_label(id, env_.catalog->intern(Catalog::Kind::Label, l), true, /*fresh=*/true);
    for (auto& [k, v] : props) {
        if (v.is_null()) continue;
        w_set_property(true, id, env_.catalog->intern(Catalog::Kind::Key, k), v, /*fresh=*/true);
        ++env_.stats->properties_set;
    }
    row[static_cast<size_t>(op.slot)] = Value(Node{id, nullptr});
    push(step + 1, row);
}

void Executor::create_rel(const plan::CreateRel& op, size_t step, Row& row) {
    const Value& a = row[static_cast<size_t>(op.start)];
    const Value& b = row[static_cast<size_t>(op.end)];
    if (!a.is_node() || !b.is_node())
        throw_semantic("SemanticError", "InvalidArgumentType",
                       "Failed to create relationship: an endpoint is null or not a node",
                       ErrorPhase::Runtime);
    if (op.props && op.props->kind == EK::Map) {
        create_rel_literal(op, step, row);
        return;
    }
    Map props;
    if (op.props) {
        Value pv = eval(*op.props, row, eval_);
        if (pv.is_map()) props = pv.as_map();
    }
    for (auto& [k, v] : props) check_property_value(v);
    uint64_t start = a.as_node().id, end = b.as_node().id;
    uint32_t type = env_.catalog->intern(Catalog::Kind::Type, op.type);
    uint64_t rel = w_create_rel(start, type, end);
    for (auto& [k, v] : props) {
        if (v.is_null()) continue;
        w_set_property(false, rel, env_.catalog->intern(Catalog::Kind::Key, k), v, /*fresh=*/true);
        ++env_.stats->properties_set;
    }
    finish_create_rel(op, step, row, rel, start, end, type);
}

void Executor::finish_create_rel(const plan::CreateRel& op, size_t step, Row& row, uint64_t rel,
                                 uint64_t start, uint64_t end, uint32_t type) {
    mutate(shard_of(end), Mutation{Mutation::Kind::AddInEdge, end, rel, start, type});
    if (op.rel >= 0) {  // -1: nothing reads it (plan/unwind_unpack.cpp)
        Relationship r;
        r.id = rel;
        r.start = start;
        r.end = end;
        r.type_id = type;
        row[static_cast<size_t>(op.rel)] = Value(std::move(r));
    }
    push(step + 1, row);
}

// CREATE ()-[:T {k: expr, ...}]->(): the properties are computed straight into a reused
// vector instead of a Map built per row and copied, and the catalog ids of the type and
// keys are looked up once per handler. Same order of checks and writes as the general path
// (keys in Map order; a key is interned only once it gets a non-null value).
Executor::CreateIds& Executor::literal_ids(size_t step, const CExpr& m) {
    auto [it, fresh_step] = create_ids_.try_emplace(step);
    CreateIds& ids = it->second;
    if (fresh_step) {
        ids.order.resize(m.keys.size());
        for (size_t i = 0; i < ids.order.size(); ++i) ids.order[i] = i;
        // Map order; a repeated key keeps its last value (Map::insert_or_assign).
        std::stable_sort(ids.order.begin(), ids.order.end(),
                         [&](size_t x, size_t y) { return m.keys[x] < m.keys[y]; });
        std::vector<size_t> last;
        for (size_t k = 0; k < ids.order.size(); ++k) {
            if (k + 1 < ids.order.size() && m.keys[ids.order[k]] == m.keys[ids.order[k + 1]])
                continue;
            last.push_back(ids.order[k]);
        }
        ids.order = std::move(last);
        ids.keys.assign(m.keys.size(), -1);
    }
    return ids;
}

std::vector<Value>& Executor::literal_values(const CExpr& m, const CreateIds& ids, Row& row) {
    std::vector<Value>& vals = create_vals_;
    vals.clear();
    for (const auto& c : m.children) vals.push_back(eval(*c, row, eval_));
    for (size_t i : ids.order) check_property_value(vals[i]);
    return vals;
}

void Executor::set_literal_properties(bool node, uint64_t id, const CExpr& m, CreateIds& ids,
                                      const std::vector<Value>& vals) {
    for (size_t i : ids.order) {
        if (vals[i].is_null()) continue;
        if (ids.keys[i] < 0) ids.keys[i] = env_.catalog->intern(Catalog::Kind::Key, m.keys[i]);
        w_set_property(node, id, static_cast<uint32_t>(ids.keys[i]), vals[i], /*fresh=*/true);
        ++env_.stats->properties_set;
    }
}

// CREATE (:L {k: expr, ...}): as create_rel_literal, for a node.
void Executor::create_node_literal(const plan::CreateNode& op, size_t step, Row& row) {
    const CExpr& m = *op.props;
    CreateIds& ids = literal_ids(step, m);
    const std::vector<Value>& vals = literal_values(m, ids, row);
    const uint64_t id = w_create_node();
    if (ids.labels.size() != op.labels.size()) {
        ids.labels.clear();
        for (const auto& l : op.labels)
            ids.labels.push_back(env_.catalog->intern(Catalog::Kind::Label, l));
    }
    for (uint32_t l : ids.labels) w_label(id, l, true, /*fresh=*/true);
    set_literal_properties(true, id, m, ids, vals);
    row[static_cast<size_t>(op.slot)] = Value(Node{id, nullptr});
    push(step + 1, row);
}

void Executor::create_rel_literal(const plan::CreateRel& op, size_t step, Row& row) {
    const CExpr& m = *op.props;
    CreateIds& ids = literal_ids(step, m);
    const std::vector<Value>& vals = literal_values(m, ids, row);
    // Interned after the checks, as the general path does: a failed CREATE adds no name.
    if (!ids.has_type) {
        ids.type = env_.catalog->intern(Catalog::Kind::Type, op.type);
        ids.has_type = true;
    }
    const uint64_t start = row[static_cast<size_t>(op.start)].as_node().id;
    const uint64_t end = row[static_cast<size_t>(op.end)].as_node().id;
    const uint64_t rel = w_create_rel(start, ids.type, end);
    set_literal_properties(false, rel, m, ids, vals);
    finish_create_rel(op, step, row, rel, start, end, ids.type);
}

}  // namespace lora::exec
