// Compact record containers: property lists, two-ended adjacency blocks, inline label sets.
#include <lora/storage/records.hpp>

#include <lora/errors.hpp>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <utility>

namespace lora::storage {

namespace {

template <typename Header, typename Elem>
Header* allocate_block(uint32_t cap) {
    void* mem = ::operator new (sizeof(Header) + size_t{cap} * sizeof(Elem));
    return static_cast<Header*>(mem);
}

void free_block(void* p) { ::operator delete(p); }

}  // namespace

size_t value_heap_bytes(const Value& v) {
    // Heavier kinds live in a ref-counted box; 32 bytes approximates its header.
    constexpr size_t kBox = 32;
    switch (v.kind()) {
        case ValueKind::String: {
            const auto& s = v.as_string();
            return kBox + (s.capacity() > 15 ? alloc_size(s.capacity() + 1) : 0);
        }
        case ValueKind::List: {
            size_t n = kBox + alloc_size(v.as_list().capacity() * sizeof(Value));
            for (const auto& e : v.as_list()) n += value_heap_bytes(e);
            return n;
        }
        case ValueKind::Vector:
            return kBox + alloc_size(v.as_vector().coords.capacity() * sizeof(float));
        case ValueKind::Map: {
            size_t n = kBox;
            for (const auto& [k, e] : v.as_map()) n += 64 + k.size() + value_heap_bytes(e);
            return n;
        }
        case ValueKind::Null:
        case ValueKind::Bool:
        case ValueKind::Int:
        case ValueKind::Float:
        case ValueKind::Date:
        case ValueKind::LocalTime: return 0;
        default: return kBox;
    }
}

PackedEdge PackedEdge::pack(const Edge& e) {
    if (e.rel >= kIdLimit || e.other >= kIdLimit)
        throw errors::capacity_exceeded(
            "relationship " + std::to_string(e.rel) + " to node " + std::to_string(e.other) +
            ": an id beyond 2^48 cannot be stored in an adjacency list");
    PackedEdge p;
    p.words[0] = static_cast<uint32_t>(e.rel);
    p.words[1] = static_cast<uint32_t>((e.rel >> 32) & 0xffffu) |
                 static_cast<uint32_t>((e.other & 0xffffu) << 16);
    p.words[2] = static_cast<uint32_t>(e.other >> 16);
    p.words[3] = e.type;
    return p;
}

// ---------------------------------------------------------------------------------------
// PropertyList

PropertyList& PropertyList::operator=(PropertyList&& o) noexcept {
    if (this != &o) {
        clear();
        block_ = std::exchange(o.block_, nullptr);
    }
    return *this;
}

size_t PropertyList::lower_bound(uint32_t key) const {
    auto items = this->items();
    auto it = std::lower_bound(items.begin(), items.end(), key,
                               [](const Property& p, uint32_t k) { return p.key < k; });
    return static_cast<size_t>(it - items.begin());
}

const Value* PropertyList::find(uint32_t key) const {
    size_t i = lower_bound(key);
    if (i < size() && data()[i].key == key) return &data()[i].value;
    return nullptr;
}

bool PropertyList::set(uint32_t key, Value v) {
    if (v.is_null()) return erase(key);
    size_t i = lower_bound(key);
    if (i < size() && data()[i].key == key) {
        Value& cur = data()[i].value;
        if (cur == v) return false;
        cur = std::move(v);
        return true;
    }
    insert_at(i, key, std::move(v));
    return true;
}

bool PropertyList::erase(uint32_t key) {
    size_t i = lower_bound(key);
    if (i >= size() || data()[i].key != key) return false;
    erase_at(i);
    return true;
}

void PropertyList::insert_at(size_t i, uint32_t key, Value&& v) {
    const uint32_t n = static_cast<uint32_t>(size());
    if (!block_ || n == block_->cap) {
        const uint32_t cap = n == 0 ? 1 : n * 2;
        Header* nb = allocate_block<Header, Property>(cap);
        nb->size = n;
        nb->cap = cap;
        auto* nd = reinterpret_cast<Property*>(nb + 1);
        Property* od = block_ ? data() : nullptr;
        for (size_t j = 0; j < i; ++j) new (nd + j) Property(std::move(od[j]));
        for (size_t j = i; j < n; ++j) new (nd + j + 1) Property(std::move(od[j]));
        for (size_t j = 0; j < n; ++j) od[j].~Property();
        if (block_) free_block(block_);
        block_ = nb;
        new (nd + i) Property{key, std::move(v)};
    } else {
        Property* d = data();
        if (i == n) {
            new (d + n) Property{key, std::move(v)};
        } else {
            new (d + n) Property(std::move(d[n - 1]));
            for (size_t j = n - 1; j > i; --j) d[j] = std::move(d[j - 1]);
            d[i].key = key;
            d[i].value = std::move(v);
        }
    }
    ++block_->size;
}

void PropertyList::erase_at(size_t i) {
    Property* d = data();
    const size_t n = block_->size;
    for (size_t j = i; j + 1 < n; ++j) d[j] = std::move(d[j + 1]);
    d[n - 1].~Property();
    if (--block_->size == 0) clear();
}

void PropertyList::clear() {
    if (!block_) return;
    Property* d = data();
    for (size_t j = 0; j < block_->size; ++j) d[j].~Property();
    free_block(block_);
    block_ = nullptr;
}

size_t PropertyList::heap_bytes() const {
    if (!block_) return 0;
    size_t n = alloc_size(sizeof(Header) + size_t{block_->cap} * sizeof(Property));
    for (const auto& p : items()) n += value_heap_bytes(p.value);
    return n;
}

// ---------------------------------------------------------------------------------------
// AdjacencyList

AdjacencyList& AdjacencyList::operator=(AdjacencyList&& o) noexcept {
    if (this != &o) {
        clear();
        block_ = std::exchange(o.block_, nullptr);
    }
    return *this;
}

void AdjacencyList::reserve_one() {
    if (block_ && degree() < cap()) return;
    const size_t old_cap = block_ ? cap() : 0;
    // Starting at two entries fits the common node (one relationship each way) without a
    // regrowth, whose freed small block would fragment the allocator's pages. Then about
    // 1.5x, rounded up to what the allocator's size class holds anyway: less slack than
    // doubling, for a few more copies of a small block.
    const size_t want = old_cap < 2 ? 2 : old_cap + old_cap / 2;
    const size_t bytes = alloc_size(sizeof(Header) + want * sizeof(PackedEdge));
    const size_t new_cap =
        std::min<size_t>((bytes - sizeof(Header)) / sizeof(PackedEdge), 2 * kMaxPerDirection);
    Header* nb = allocate_block<Header, PackedEdge>(static_cast<uint32_t>(new_cap));
    nb->out = block_ ? block_->out : 0;
    nb->in = block_ ? block_->in : 0;
    nb->cap = static_cast<uint32_t>(new_cap);
    if (block_) {
        auto* nd = reinterpret_cast<PackedEdge*>(nb + 1);
        const size_t out = nb->out;
        const size_t in = nb->in;
        std::memcpy(nd, data(), out * sizeof(PackedEdge));
        std::memcpy(nd + new_cap - in, data() + old_cap - in, in * sizeof(PackedEdge));
        free_block(block_);
    }
    block_ = nb;
}

namespace {

[[noreturn]] void throw_too_many_edges() {
    throw errors::capacity_exceeded("a node cannot hold more than " +
                                    std::to_string(AdjacencyList::kMaxPerDirection) +
                                    " relationships in one direction");
}

}  // namespace

void AdjacencyList::add_out(const Edge& e) {
    if (block_ && block_->out == kMaxPerDirection) throw_too_many_edges();
    reserve_one();
    data()[block_->out] = PackedEdge::pack(e);
    block_->out = block_->out + 1;
}

void AdjacencyList::add_in(const Edge& e) {
    if (block_ && block_->in == kMaxPerDirection) throw_too_many_edges();
    reserve_one();
    block_->in = block_->in + 1;
    data()[cap() - block_->in] = PackedEdge::pack(e);
}

bool AdjacencyList::remove_out(uint64_t rel) {
    if (!block_) return false;
    PackedEdge* d = data();
    const size_t out = block_->out;
    // Newest entries sit at the end; deletes tend to hit recent or sequentially-last entries.
    for (size_t i = out; i-- > 0;) {
        if (d[i].rel() == rel) {
            std::memmove(d + i, d + i + 1, (out - i - 1) * sizeof(PackedEdge));
            block_->out = out - 1;
            if (degree() == 0) clear();
            return true;
        }
    }
    return false;
}

bool AdjacencyList::remove_in(uint64_t rel) {
    if (!block_) return false;
    PackedEdge* d = data();
    const size_t end = cap();
    const size_t first = end - block_->in;
    for (size_t i = first; i < end; ++i) {
        if (d[i].rel() == rel) {
            std::memmove(d + first + 1, d + first, (i - first) * sizeof(PackedEdge));
            block_->in = block_->in - 1;
            if (degree() == 0) clear();
            return true;
        }
    }
    return false;
}

void AdjacencyList::clear() {
    if (block_) free_block(block_);
    block_ = nullptr;
}

size_t AdjacencyList::heap_bytes() const {
    return block_ ? alloc_size(sizeof(Header) + cap() * sizeof(PackedEdge)) : 0;
}

// ---------------------------------------------------------------------------------------
// LabelSet

LabelSet::LabelSet(LabelSet&& o) noexcept : size_(o.size_) {
    std::memcpy(slots_, o.slots_, sizeof(slots_));
    o.size_ = 0;
}

LabelSet& LabelSet::operator=(LabelSet&& o) noexcept {
    if (this != &o) {
        clear();
        size_ = o.size_;
        std::memcpy(slots_, o.slots_, sizeof(slots_));
        o.size_ = 0;
    }
    return *this;
}

uint32_t* LabelSet::heap() const {
    uint32_t* p;
    std::memcpy(&p, &slots_[1], sizeof(p));
    return p;
}

void LabelSet::set_heap(uint32_t* p, uint32_t cap) {
    slots_[0] = cap;
    std::memcpy(&slots_[1], &p, sizeof(p));
}

bool LabelSet::contains(uint32_t id) const {
    for (uint32_t l : ids()) {
        if (l == id) return true;
    }
    return false;
}

bool LabelSet::add(uint32_t id) {
    if (contains(id)) return false;
    if (size_ < kInline) {
        slots_[size_++] = id;
    } else if (size_ == kInline) {
        auto* p = new uint32_t[kInline * 2];
        std::copy(slots_, slots_ + kInline, p);
        p[kInline] = id;
        set_heap(p, kInline * 2);
        ++size_;
    } else {
        uint32_t* p = heap();
        if (size_ == slots_[0]) {
            auto* np = new uint32_t[size_ * 2];
            std::copy(p, p + size_, np);
            delete[] p;
            p = np;
            set_heap(p, size_ * 2);
        }
        p[size_++] = id;
    }
    return true;
}

bool LabelSet::remove(uint32_t id) {
    uint32_t* d = size_ <= kInline ? slots_ : heap();
    auto* end = d + size_;
    auto* it = std::find(d, end, id);
    if (it == end) return false;
    std::copy(it + 1, end, it);
    if (size_-- > kInline && size_ == kInline) {
        // Back to inline: keeps the mode a function of the size.
        uint32_t tmp[kInline];
        std::copy(d, d + kInline, tmp);
        delete[] d;
        std::copy(tmp, tmp + kInline, slots_);
    }
    return true;
}

void LabelSet::clear() {
    if (size_ > kInline) delete[] heap();
    size_ = 0;
}

}  // namespace lora::storage
