// PropertyIndex: one partition's ordered index for one RANGE index definition, mapping the
// indexed value (a list of values for a composite index) to the nodes holding it.
#pragma once

#include <lora/storage/records.hpp>
#include <lora/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lora::storage {

struct IndexBound {
    Value value;
    bool inclusive = true;
};

// Equal: entries equal to `equal` under Cypher order (2 and 2.0 are one key; NaN finds
// NaN, which `=` then rejects). Range: entries between the bounds that are comparable with
// them (numbers with numbers, strings with strings, booleans with booleans): a range on
// numbers never yields strings. Range bounds must be numbers, strings, booleans or temporal
// values (not durations), of one comparability class, and at least one must be given.
struct IndexQuery {
    std::optional<Value> equal;
    std::optional<IndexBound> lower;
    std::optional<IndexBound> upper;
};

// Numbers, strings, booleans and temporal values but durations: the values a range query
// may take as bounds.
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
    // Equality lookups through the hash beside the ordered leaves, for integer, float and
    // string keys: Unique when exactly one entry may match `key` (`local` is it; the caller
    // checks that its key really equals `key`, since different keys can share a hash),
    // Absent when none matches, Ordered when the caller must use seek() (several entries
    // share the key's hash, or the key is of another kind).
    enum class Probe : uint8_t { Unique, Absent, Ordered };
    Probe probe(const Value& key, uint32_t& local) const;
    // Starts loading the hash slot probe(key) reads first.
    void prefetch(const Value& key) const;
    size_t size() const { return size_; }
    size_t memory_bytes() const;

    // Entries in order, as (key, local id); for tests and checks.
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& leaf : leaves_)
            for (const auto& e : leaf) f(e.key, e.local);
    }

private:
    struct Entry {
        Value key;
        uint32_t local;
    };
    // Cypher order of the keys, then the local id. Integers and strings (what indexes
    // mostly hold) compare inline; the rest goes through order_compare.
    static int compare(const Entry& a, const Entry& b) {
        int c;
        if (a.key.is_int() && b.key.is_int()) {
            const int64_t x = a.key.as_int(), y = b.key.as_int();
            c = x < y ? -1 : (x > y ? 1 : 0);
        } else if (a.key.is_string() && b.key.is_string()) {
            c = a.key.as_string().compare(b.key.as_string());
        } else {
            c = order_compare(a.key, b.key);
        }
        if (c != 0) return c;
        return a.local < b.local ? -1 : (a.local > b.local ? 1 : 0);
    }
    struct Less {
        bool operator()(const Entry& a, const Entry& b) const { return compare(a, b) < 0; }
    };
    using Leaf = std::vector<Entry>;
    // A leaf holds at most kLeaf - 1 entries between operations (its capacity is kLeaf, so it
    // never reallocates); reaching kLeaf splits it.
    static constexpr size_t kLeaf = 128;

    // The leaf where `e` belongs: the last whose first entry is not after it (0 if none).
    size_t leaf_of(const Entry& e) const;
    // First entry not before `e`, as (leaf, position); (leaves, 0) past the end.
    std::pair<size_t, size_t> lower_bound(const Entry& e) const;
    void split(size_t leaf, bool at_end);

    // Hash of a key consistent with Cypher order equality (2 and 2.0 hash alike); nullopt
    // for kinds the hash does not hold.
    static std::optional<uint64_t> hash_of(const Value& key);
    void hash_insert(uint64_t h, uint32_t local);
    void hash_erase(uint64_t h, uint32_t local);
    void hash_rebuild(size_t capacity);

    std::string name_;
    uint32_t label_;
    std::vector<uint32_t> keys_;
    // A B+-tree of height two: sorted leaves of contiguous entries, and the first entry of
    // each leaf beside them, so a lookup is a binary search over `firsts_` and one within a
    // leaf (few cache misses, unlike a tree node per entry), and an entry costs its 24 bytes
    // plus leaf slack instead of a 64-byte tree node.
    std::vector<Leaf> leaves_;
    std::vector<Entry> firsts_;
    size_t size_ = 0;
    // Equality seeks (the bulk of index use: MATCH (n:L {key: $v})) would cost a binary
    // search with a cache miss per step; the hash answers them in about one. Open
    // addressing, linear probing: a slot per distinct hash, holding the low 32 bits of the
    // hash (its home slot too) and the one entry's local id, or kSeveral once a second entry
    // with that hash arrives (those keys go the ordered way; a rebuild tidies slots whose
    // entries are gone). About 12-21 bytes per entry.
    struct Slot {
        uint32_t tag;
        uint32_t local;
    };
    static constexpr uint32_t kEmpty = UINT32_MAX;
    static constexpr uint32_t kSeveral = UINT32_MAX - 1;
    std::vector<Slot> hash_;
    size_t hash_used_ = 0;
};

}  // namespace lora::storage
