// db.index.vector.queryNodes: the coordinator checks the arguments and tags the row, every
// shard searches its own HNSW index at the query's snapshot, and a coordinator barrier keeps
// the k best (node, score) rows of each tagged input row.
#include "exec/vector_query.hpp"

#include <lora/errors.hpp>
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/storage/versions.hpp>
#include <lora/vector_math.hpp>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace lora::exec {

using storage::Catalog;

namespace {

[[noreturn]] void call_failed(const std::string& message) {
    throw errors::procedure_failed("Failed to invoke procedure `" +
                                   std::string(kVectorQueryProcedure) + "`: " + message);
}

const Value& at(const Row& row, int slot) { return row[static_cast<size_t>(slot)]; }
Value& at(Row& row, int slot) { return row[static_cast<size_t>(slot)]; }

storage::IndexDef vector_def(const Catalog& catalog, const std::string& name) {
    auto def = catalog.indexes().find(name);
    if (!def || def->kind != storage::IndexKind::Vector)
        call_failed("there is no such vector index: '" + name + "'");
    return *def;
}

// Scores as vector.similarity.* returns them (float32), so that the two agree exactly
// whether a node's score comes from the index or from an exact re-check.
double score_of(vec::Similarity sim, std::span<const float> q, std::span<const float> v) {
    double s;
    if (sim == vec::Similarity::Cosine) {
        auto c = vec::cosine_similarity(q, v);
        if (!c) return -1;  // a zero vector: not indexed, not a hit
        s = *c;
    } else {
        s = vec::euclidean_similarity(q, v);
    }
    return static_cast<float>(s);
}

}  // namespace

void Executor::vector_begin(const plan::VectorBegin& op, size_t step, Row& row) {
    const Value& name = at(row, op.args.at(0));
    if (!name.is_string()) call_failed("the index name must be a string, got " + name.to_string());
    const storage::IndexDef def = vector_def(*env_.catalog, name.as_string());
    const storage::VectorIndexOptions opt = storage::vector_index_options(def);

    const Value& k = at(row, op.args.at(1));
    if (!k.is_int() || k.as_int() <= 0)
        call_failed("the number of nearest neighbours must be a positive integer, got " +
                    k.to_string());

    Value& q = at(row, op.args.at(2));
    if (q.is_list()) {
        Vector v;
        for (const auto& x : q.as_list()) {
            if (!x.is_number())
                call_failed("the query vector must be a VECTOR or a list of numbers, got " +
                            q.to_string());
            v.coords.push_back(
                static_cast<float>(x.is_int() ? static_cast<double>(x.as_int()) : x.as_float()));
        }
        if (v.coords.empty()) call_failed("the query vector is empty");
        try {
            q = Value(std::move(v));
        } catch (const Error& e) {
            call_failed("invalid query vector: " + e.message());
        }
    } else if (!q.is_vector()) {
        call_failed("the query vector must be a VECTOR or a list of numbers, got " + q.to_string());
    }
    const auto& coords = q.as_vector().coords;
    if (coords.size() != opt.dimension)
        call_failed("the query vector has " + std::to_string(coords.size()) +
                    " dimensions, but index '" + def.name + "' holds vectors of " +
                    std::to_string(opt.dimension));
    if (opt.similarity == vec::Similarity::Cosine && vec::l2_norm(coords) == 0.0)
        call_failed("the query vector is a zero vector, which has no cosine similarity");
    at(row, op.tag) = Value(optional_seq_[step]++);
    push(step + 1, row);
}

void Executor::vector_search(const plan::VectorSearch& op, size_t step, Row& row) {
    if (!env_.part) internal("vector search outside a shard");
    const std::string& name = at(row, op.args.at(0)).as_string();
    const storage::IndexDef def = vector_def(*env_.catalog, name);
    storage::VectorIndex* ix = env_.part->vector_index(name);
    if (!ix) call_failed("there is no such vector index: '" + name + "'");  // dropped meanwhile
    const auto k = static_cast<size_t>(at(row, op.args.at(1)).as_int());
    const std::vector<float> q = at(row, op.args.at(2)).as_vector().coords;
    const vec::Similarity sim = ix->options().similarity;
    const auto label = env_.catalog->lookup(Catalog::Kind::Label, def.label);
    const auto key = env_.catalog->lookup(Catalog::Kind::Key, def.properties.at(0));
    if (!label || !key) return;  // no node has ever had them: nothing here

    std::vector<storage::VectorHit> hits;
    const storage::View v = view();
    if (!v.hides() || !env_.part->versions().has_node_versions()) {
        // The snapshot sees the partition as it is: the index is exact for it.
        hits = ix->search(q, k);
    } else {
        // Nodes without kept versions look the same to every snapshot, so the index answers
        // for them; the versioned ones are judged from what this snapshot sees, which also
        // finds nodes whose visible vector is no longer (or not yet) the indexed one.
        std::unordered_set<uint64_t> versioned;
        env_.part->versions().for_each_versioned_node([&](uint64_t id) { versioned.insert(id); });
        hits = ix->search(q, k, [&](uint64_t id) { return !versioned.count(id); });
        for (uint64_t id : versioned) {
            if (!v.node_exists(id) || !v.has_label(id, *label)) continue;
            const Value* p = v.node_property(id, *key);
            std::vector<float> scratch;
            const std::vector<float>* c = p ? storage::index_coords(*p, scratch) : nullptr;
            if (!c || c->size() != q.size()) continue;
            const double sc = score_of(sim, q, *c);
            if (sc >= 0) hits.push_back({id, sc});
        }
        std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
            return a.score != b.score ? a.score > b.score : a.id < b.id;
        });
        if (hits.size() > k) hits.resize(k);
    }
    for (size_t i = 0; i < hits.size(); ++i) {
        check_cancelled(i);
        Row out = (i + 1 == hits.size()) ? std::move(row) : row;
        at(out, op.node) = Value(Node{hits[i].id, nullptr});
        at(out, op.score) = Value(static_cast<double>(static_cast<float>(hits[i].score)));
        push(step + 1, out);
    }
}

void Executor::vector_topk(const plan::VectorTopK& op, size_t step, std::vector<Row>& rows) {
    std::map<int64_t, std::vector<Row*>> groups;  // by tag: input rows in order
    for (auto& r : rows) groups[at(r, op.tag).as_int()].push_back(&r);
    for (auto& [tag, group] : groups) {
        const auto k = static_cast<size_t>(at(*group.front(), op.args.at(1)).as_int());
        auto better = [&](const Row* a, const Row* b) {
            const double sa = at(*a, op.score).as_float(), sb = at(*b, op.score).as_float();
            if (sa != sb) return sa > sb;
            return at(*a, op.node).as_node().id < at(*b, op.node).as_node().id;
        };
        const size_t n = std::min(k, group.size());
        std::partial_sort(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(n),
                          group.end(), better);
        for (size_t i = 0; i < n; ++i) push(step + 1, *group[i]);
    }
}

}  // namespace lora::exec
