// Ordered property index of one partition: a balanced tree of (value, node) entries in
// Cypher's order, so 2 and 2.0 meet and each comparability class is one contiguous run.
#include <lora/storage/property_index.hpp>

#include <algorithm>
#include <limits>

namespace lora::storage {

namespace {

// The smallest value of the class of `v` in Cypher order.
Value class_min(const Value& v) {
    if (v.is_number()) return Value(-std::numeric_limits<double>::infinity());
    if (v.is_string()) return Value(std::string());
    return Value(false);
}

}  // namespace

bool range_bound_ok(const Value& v) { return v.is_number() || v.is_string() || v.is_bool(); }

bool same_range_class(const Value& a, const Value& b) {
    if (a.is_number() || b.is_number()) return a.is_number() && b.is_number();
    return a.kind() == b.kind();
}

bool PropertyIndex::covers_key(uint32_t key) const {
    return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::optional<Value> PropertyIndex::key_of(const PropertyList& props) const {
    if (keys_.size() == 1) {
        const Value* v = props.find(keys_[0]);
        if (!v) return std::nullopt;
        return *v;
    }
    List tuple;
    tuple.reserve(keys_.size());
    for (uint32_t k : keys_) {
        const Value* v = props.find(k);
        if (!v) return std::nullopt;
        tuple.push_back(*v);
    }
    return Value(std::move(tuple));
}

void PropertyIndex::insert(Value key, uint32_t local) { entries_.insert(Entry{std::move(key), local}); }

void PropertyIndex::erase(const Value& key, uint32_t local) { entries_.erase(Entry{key, local}); }

void PropertyIndex::seek(const IndexQuery& q, std::vector<uint32_t>& out) const {
    if (q.equal) {
        for (auto it = entries_.lower_bound(Entry{*q.equal, 0});
             it != entries_.end() && order_compare(it->key, *q.equal) == 0; ++it)
            out.push_back(it->local);
        return;
    }
    const Value* cls = q.lower ? &q.lower->value : q.upper ? &q.upper->value : nullptr;
    if (!cls || !range_bound_ok(*cls)) return;
    if (q.lower && q.upper && !same_range_class(q.lower->value, q.upper->value)) return;
    auto it = entries_.lower_bound(Entry{q.lower ? q.lower->value : class_min(*cls), 0});
    for (; it != entries_.end(); ++it) {
        if (!same_range_class(it->key, *cls)) break;
        if (q.lower && !q.lower->inclusive && order_compare(it->key, q.lower->value) == 0) continue;
        if (q.upper) {
            int c = order_compare(it->key, q.upper->value);
            if (c > 0 || (c == 0 && !q.upper->inclusive)) break;
        }
        out.push_back(it->local);
    }
}

size_t PropertyIndex::memory_bytes() const {
    // A red-black tree node: three pointers and a colour, then the entry.
    size_t n = sizeof(*this);
    for (const auto& e : entries_) n += alloc_size(32 + sizeof(Entry)) + value_heap_bytes(e.key);
    return n;
}

}  // namespace lora::storage
