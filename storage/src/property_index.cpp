// Ordered property index of one partition: (value, node) entries in Cypher's order, in
// sorted leaves, so 2 and 2.0 meet and each comparability class is one contiguous run.
#include <lora/storage/property_index.hpp>

#include <lora/temporal_ops.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <string_view>

namespace lora::storage {

namespace {

Value first_tie(const Value& v);

// The smallest value of the class of `v` in Cypher order.
Value class_min(const Value& v) {
    if (v.is_number()) return Value(-std::numeric_limits<double>::infinity());
    if (v.is_string()) return Value(std::string());
    constexpr int64_t lo = std::numeric_limits<int64_t>::min();
    switch (v.kind()) {
        case ValueKind::Date: return Value(Date{lo});
        case ValueKind::LocalTime: return Value(LocalTime{0});
        case ValueKind::Time: return first_tie(Value(Time{0, 0}));
        case ValueKind::LocalDateTime: return Value(LocalDateTime{lo, 0});
        case ValueKind::DateTime: return Value(DateTime{lo, 0, -temporal::kMaxOffset, {}});
        default: return Value(false);
    }
}

// Zoned times and datetimes order by instant, then offset and zone, but compare (<, >=)
// by instant alone: the first value in index order of those at the instant of `v`.
Value first_tie(const Value& v) {
    if (v.kind() == ValueKind::Time) {
        const int64_t utc = temporal::utc_nanos_of_day(v.as_time());
        const int64_t off = -temporal::kMaxOffset;
        return Value(
            Time{temporal::floor_mod(utc + off * temporal::kNanosPerSecond, temporal::kNanosPerDay),
                 static_cast<int32_t>(off)});
    }
    if (v.kind() == ValueKind::DateTime)
        return Value(
            DateTime{v.as_date_time().seconds, v.as_date_time().nanos, -temporal::kMaxOffset, {}});
    return v;
}

// How an entry compares to a range bound: as Cypher's `<` does (instants for zoned values).
int bound_compare(const Value& key, const Value& bound) {
    if (key.is_temporal()) return *cypher_compare(key, bound);
    return order_compare(key, bound);
}

}  // namespace

bool range_bound_ok(const Value& v) {
    return v.is_number() || v.is_string() || v.is_bool() ||
           (v.is_temporal() && v.kind() != ValueKind::Duration);
}

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

size_t PropertyIndex::leaf_of(const Entry& e) const {
    auto it = std::upper_bound(firsts_.begin(), firsts_.end(), e, Less{});
    return it == firsts_.begin() ? 0 : static_cast<size_t>(it - firsts_.begin()) - 1;
}

std::pair<size_t, size_t> PropertyIndex::lower_bound(const Entry& e) const {
    if (leaves_.empty()) return {0, 0};
    size_t i = leaf_of(e);
    const Leaf& leaf = leaves_[i];
    auto pos =
        static_cast<size_t>(std::lower_bound(leaf.begin(), leaf.end(), e, Less{}) - leaf.begin());
    if (pos == leaf.size()) return {i + 1, 0};
    return {i, pos};
}

void PropertyIndex::split(size_t i, bool at_end) {
    // Appending at the very end (keys loaded in order) splits off only the new last entry,
    // so such a load fills its leaves instead of leaving them half empty.
    Leaf& full = leaves_[i];
    const size_t keep = at_end ? full.size() - 1 : full.size() / 2;
    Leaf right;
    right.reserve(kLeaf);
    std::move(full.begin() + static_cast<std::ptrdiff_t>(keep), full.end(),
              std::back_inserter(right));
    full.erase(full.begin() + static_cast<std::ptrdiff_t>(keep), full.end());
    Entry first = right.front();
    leaves_.insert(leaves_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(right));
    firsts_.insert(firsts_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(first));
}

std::optional<uint64_t> PropertyIndex::hash_of(const Value& key) {
    auto mix = [](uint64_t x) {  // splitmix64's finaliser
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    };
    if (key.is_int()) return mix(static_cast<uint64_t>(key.as_int()));
    if (key.is_float()) {
        const double f = key.as_float();
        if (std::isnan(f)) return mix(0x7ff8000000000000ull);  // all NaNs are one key
        // An integral float equals the integer of the same value (and -0.0 equals 0).
        if (f == std::trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0)
            return mix(static_cast<uint64_t>(static_cast<int64_t>(f)));
        uint64_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        return mix(bits);
    }
    if (key.is_string()) return mix(std::hash<std::string_view>{}(key.as_string()) ^ 0x5bd1e995ull);
    return std::nullopt;
}

void PropertyIndex::hash_insert(uint64_t h, uint32_t local) {
    // Sized from the live entries, so slots left by erased keys do not inflate it.
    if ((hash_used_ + 1) * 4 > hash_.size() * 3)
        hash_rebuild(std::max<size_t>(64, std::bit_ceil((size_ + 1) * 2)));
    const auto tag = static_cast<uint32_t>(h);
    const size_t mask = hash_.size() - 1;
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
        Slot& s = hash_[i];
        if (s.local == kEmpty) {
            s = Slot{tag, local};
            ++hash_used_;
            return;
        }
        if (s.tag == tag) {
            if (s.local != local) s.local = kSeveral;
            return;
        }
    }
}

void PropertyIndex::hash_erase(uint64_t h, uint32_t local) {
    if (hash_.empty()) return;
    const auto tag = static_cast<uint32_t>(h);
    const size_t mask = hash_.size() - 1;
    size_t i = tag & mask;
    for (;; i = (i + 1) & mask) {
        const Slot& s = hash_[i];
        if (s.local == kEmpty) return;
        if (s.tag == tag) {
            if (s.local != local) return;  // kSeveral stays until a rebuild
            break;
        }
    }
    // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        const Slot& s = hash_[j];
        if (s.local == kEmpty) break;
        const size_t home = s.tag & mask;
        // Move s back into the hole at i unless its home lies cyclically in (i, j].
        const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays) continue;
        hash_[i] = s;
        i = j;
    }
    hash_[i].local = kEmpty;
    --hash_used_;
}

void PropertyIndex::hash_rebuild(size_t capacity) {
    hash_.assign(capacity, Slot{0, kEmpty});
    hash_used_ = 0;
    for (const auto& leaf : leaves_)
        for (const auto& e : leaf)
            if (auto h = hash_of(e.key)) hash_insert(*h, e.local);
}

void PropertyIndex::prefetch(const Value& key) const {
    if (hash_.empty()) return;
    if (auto h = hash_of(key))
        __builtin_prefetch(&hash_[static_cast<uint32_t>(*h) & (hash_.size() - 1)]);
}

PropertyIndex::Probe PropertyIndex::probe(const Value& key, uint32_t& local) const {
    auto h = hash_of(key);
    if (!h) return Probe::Ordered;
    if (hash_.empty()) return Probe::Absent;
    const auto tag = static_cast<uint32_t>(*h);
    const size_t mask = hash_.size() - 1;
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
        const Slot& s = hash_[i];
        if (s.local == kEmpty) return Probe::Absent;
        if (s.tag == tag) {
            if (s.local == kSeveral) return Probe::Ordered;
            local = s.local;
            return Probe::Unique;
        }
    }
}

void PropertyIndex::insert(Value key, uint32_t local) {
    if (auto h = hash_of(key)) hash_insert(*h, local);
    Entry e{std::move(key), local};
    if (leaves_.empty()) {
        leaves_.emplace_back().reserve(kLeaf);
        firsts_.push_back(e);
        leaves_[0].push_back(std::move(e));
        ++size_;
        return;
    }
    const size_t i = leaf_of(e);
    Leaf& leaf = leaves_[i];
    auto it = std::lower_bound(leaf.begin(), leaf.end(), e, Less{});
    if (it != leaf.end() && compare(*it, e) == 0) return;  // present already
    const bool first = it == leaf.begin();
    const bool at_end = it == leaf.end() && i + 1 == leaves_.size();
    leaf.insert(it, first ? e : std::move(e));
    if (first) firsts_[i] = std::move(e);
    ++size_;
    if (leaf.size() >= kLeaf) split(i, at_end);
}

void PropertyIndex::erase(const Value& key, uint32_t local) {
    if (leaves_.empty()) return;
    const Entry e{key, local};
    const size_t i = leaf_of(e);
    Leaf& leaf = leaves_[i];
    auto it = std::lower_bound(leaf.begin(), leaf.end(), e, Less{});
    if (it == leaf.end() || compare(*it, e) != 0) return;
    if (auto h = hash_of(key)) hash_erase(*h, local);
    const bool first = it == leaf.begin();
    leaf.erase(it);
    --size_;
    const auto at = static_cast<std::ptrdiff_t>(i);
    if (leaf.empty()) {
        leaves_.erase(leaves_.begin() + at);
        firsts_.erase(firsts_.begin() + at);
        return;
    }
    if (first) firsts_[i] = leaf.front();
    // Merge a leaf that fell to a quarter into its left neighbour when both fit in one, so
    // deletions do not leave the index a trail of nearly empty leaves.
    if (i > 0 && leaf.size() < kLeaf / 4 && leaves_[i - 1].size() + leaf.size() < kLeaf) {
        Leaf& left = leaves_[i - 1];
        std::move(leaf.begin(), leaf.end(), std::back_inserter(left));
        leaves_.erase(leaves_.begin() + at);
        firsts_.erase(firsts_.begin() + at);
    }
}

void PropertyIndex::seek(const IndexQuery& q, std::vector<uint32_t>& out) const {
    // Walks entries from (leaf, pos) while `more` says so; `more` may skip an entry by
    // returning 1, stop with 0, take it with 2.
    auto walk = [&](std::pair<size_t, size_t> at, auto&& more) {
        for (size_t i = at.first, pos = at.second; i < leaves_.size(); ++i, pos = 0) {
            const Leaf& leaf = leaves_[i];
            for (; pos < leaf.size(); ++pos) {
                int m = more(leaf[pos]);
                if (m == 0) return;
                if (m == 2) out.push_back(leaf[pos].local);
            }
        }
    };
    if (q.equal) {
        const Entry probe{*q.equal, 0};
        walk(lower_bound(probe),
             [&](const Entry& e) { return order_compare(e.key, *q.equal) == 0 ? 2 : 0; });
        return;
    }
    const Value* cls = q.lower ? &q.lower->value : q.upper ? &q.upper->value : nullptr;
    if (!cls || !range_bound_ok(*cls)) return;
    if (q.lower && q.upper && !same_range_class(q.lower->value, q.upper->value)) return;
    const Entry probe{q.lower ? first_tie(q.lower->value) : class_min(*cls), 0};
    walk(lower_bound(probe), [&](const Entry& e) {
        if (!same_range_class(e.key, *cls)) return 0;
        if (q.lower && !q.lower->inclusive && bound_compare(e.key, q.lower->value) == 0) return 1;
        if (q.upper) {
            int c = bound_compare(e.key, q.upper->value);
            if (c > 0 || (c == 0 && !q.upper->inclusive)) return 0;
        }
        return 2;
    });
}

size_t PropertyIndex::memory_bytes() const {
    size_t n = sizeof(*this) + alloc_size(leaves_.capacity() * sizeof(Leaf)) +
               alloc_size(firsts_.capacity() * sizeof(Entry)) +
               alloc_size(hash_.capacity() * sizeof(Slot));
    for (const auto& leaf : leaves_) {
        n += alloc_size(leaf.capacity() * sizeof(Entry));
        for (const auto& e : leaf) n += value_heap_bytes(e.key);
    }
    return n;
}

}  // namespace lora::storage
