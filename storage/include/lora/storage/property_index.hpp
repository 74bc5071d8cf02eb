// PropertyIndex: one partition's ordered index for one RANGE index definition, mapping the
// indexed value (a list of values for a composite index) to the nodes holding it.
#pragma once

#include <lora/storage/records.hpp>
#include <lora/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lora::storage {

struct IndexBound {
    Value value;
    bool inclusive = true;
};

// Equal: entries equal to `equal` under Cypher order (2 and 2.0 are one key; NaN finds
// NaN, which `=` then rejects). Range: entries between the bounds that are comparable with
// them (numbers with numbers, strings with strings, booleans with booleans): a range on
// numbers never yields strings. Range bounds must be numbers, strings or booleans, of one
// comparability class, and at least one must be given.
struct IndexQuery {
    std::optional<Value> equal;
    std::optional<IndexBound> lower;
    std::optional<IndexBound> upper;
};

// Numbers, strings and booleans: the values a range query may take as bounds.
bool range_bound_ok(const Value& v);
// Whether two bound values can delimit one range (see IndexQuery).
bool same_range_class(const Value& a, const Value& b);

// Not thread-safe: owned by one partition.
class PropertyIndex {
public:
    PropertyIndex(std::string name, uint32_t label, std::vector<uint32_t> keys)
        : name_(std::move(name)), label_(label), keys_(std::move(keys)) {}

    const std::string& name() const { return name_; }
    uint32_t label() const { return label_; }
    const std::vector<uint32_t>& keys() const { return keys_; }
    bool covers_key(uint32_t key) const;

    // The entry key of a node with these properties: its value, or for a composite index
    // the list of its values; nullopt when a property is missing (the node is not indexed).
    std::optional<Value> key_of(const PropertyList& props) const;
    void insert(Value key, uint32_t local);
    void erase(const Value& key, uint32_t local);
    // Appends the local ids of matching entries (in key order, not id order).
    void seek(const IndexQuery& q, std::vector<uint32_t>& out) const;
    size_t size() const { return entries_.size(); }
    size_t memory_bytes() const;

private:
    struct Entry {
        Value key;
        uint32_t local;
    };
    struct Less {
        bool operator()(const Entry& a, const Entry& b) const {
            int c = order_compare(a.key, b.key);
            return c != 0 ? c < 0 : a.local < b.local;
        }
    };

    std::string name_;
    uint32_t label_;
    std::vector<uint32_t> keys_;
    std::set<Entry, Less> entries_;
};

}  // namespace lora::storage
