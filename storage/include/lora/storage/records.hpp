// Compact building blocks of a partition's records: one-pointer property and adjacency
// lists (size and capacity live in the heap block), inline label sets, chunked record arrays.
// Memory per node and relationship is a budget (<= 150 bytes for both), hence the care.
#pragma once

#include <lora/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <vector>

namespace lora::storage {

// One adjacency entry: the relationship, its type, and the node at the other end.
struct Edge {
    uint64_t rel;
    uint64_t other;
    uint32_t type;
};

// Stored form of an Edge: 16 bytes, 4-byte aligned. Ids take 48 bits each: an id is
// local * shard_count + shard with a 32-bit local and at most 4096 shards, so it stays below
// 2^44 (pack() refuses anything larger with lora::Error). Words: rel bits 0-31; rel bits
// 32-47 | other bits 0-15 << 16; other bits 16-47; type. (A packed struct would hand out
// misaligned members, and binding a reference to one is undefined behaviour.)
struct PackedEdge {
    uint32_t words[4];

    static constexpr uint64_t kIdLimit = uint64_t{1} << 48;

    static PackedEdge pack(const Edge& e);  // throws lora::Error for ids >= kIdLimit
    Edge unpack() const {
        Edge e;
        e.rel = rel();
        e.other = (uint64_t{words[1]} >> 16) | (uint64_t{words[2]} << 16);
        e.type = words[3];
        return e;
    }
    uint64_t rel() const { return uint64_t{words[0]} | (uint64_t{words[1] & 0xffffu} << 32); }
};
static_assert(sizeof(PackedEdge) == 16);

// A read-only view of adjacency entries; elements are Edge values (unpacked on access).
// Valid until the node's adjacency changes.
class EdgeRange {
public:
    class iterator {
    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::input_iterator_tag;
        using value_type = Edge;
        using difference_type = std::ptrdiff_t;
        using reference = Edge;

        iterator() = default;
        explicit iterator(const PackedEdge* p) : p_(p) {}
        Edge operator*() const { return p_->unpack(); }
        Edge operator[](difference_type i) const { return p_[i].unpack(); }
        iterator& operator++() {
            ++p_;
            return *this;
        }
        iterator operator++(int) {
            auto t = *this;
            ++p_;
            return t;
        }
        iterator& operator--() {
            --p_;
            return *this;
        }
        iterator operator--(int) {
            auto t = *this;
            --p_;
            return t;
        }
        iterator& operator+=(difference_type n) {
            p_ += n;
            return *this;
        }
        iterator& operator-=(difference_type n) {
            p_ -= n;
            return *this;
        }
        friend iterator operator+(iterator it, difference_type n) { return it += n; }
        friend iterator operator+(difference_type n, iterator it) { return it += n; }
        friend iterator operator-(iterator it, difference_type n) { return it -= n; }
        friend difference_type operator-(iterator a, iterator b) { return a.p_ - b.p_; }
        friend bool operator==(iterator a, iterator b) { return a.p_ == b.p_; }
        friend auto operator<=>(iterator a, iterator b) { return a.p_ <=> b.p_; }

    private:
        const PackedEdge* p_ = nullptr;
    };

    EdgeRange() = default;
    EdgeRange(const PackedEdge* data, size_t size) : data_(data), size_(size) {}
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    Edge operator[](size_t i) const { return data_[i].unpack(); }
    Edge front() const { return data_[0].unpack(); }
    Edge back() const { return data_[size_ - 1].unpack(); }
    iterator begin() const { return iterator(data_); }
    iterator end() const { return iterator(data_ + size_); }

private:
    const PackedEdge* data_ = nullptr;
    size_t size_ = 0;
};

// One property of a node or relationship. Lists of them are kept sorted by key.
struct Property {
    uint32_t key;
    Value value;
};

// Bytes an allocation of n bytes really takes, following the size classes of the engine's
// allocator (Debian's mimalloc build): multiples of 16 up to 128, then four classes per power
// of two. Allocator metadata (well under 1%) is not counted.
constexpr size_t alloc_size(size_t n) {
    if (n <= 128) return (n + 15) & ~size_t{15};
    size_t p = 128;
    while (p * 2 < n) p *= 2;  // p = largest power of two below n
    const size_t step = p / 4;
    return (n + step - 1) / step * step;
}
static_assert(alloc_size(0) == 0 && alloc_size(1) == 16 && alloc_size(56) == 64);
static_assert(alloc_size(129) == 160 && alloc_size(256) == 256 && alloc_size(257) == 320);

// Heap bytes owned by a value beyond its 16 inline bytes (an estimate: the payload boxes
// belong to lora::Value's implementation).
size_t value_heap_bytes(const Value& v);

// Properties sorted by key id, in one heap block {size, capacity, entries...}; 8 bytes inline.
// An empty list owns no memory.
class PropertyList {
public:
    PropertyList() = default;
    PropertyList(PropertyList&& o) noexcept : block_(o.block_) { o.block_ = nullptr; }
    PropertyList& operator=(PropertyList&& o) noexcept;
    PropertyList(const PropertyList&) = delete;
    PropertyList& operator=(const PropertyList&) = delete;
    ~PropertyList() { clear(); }

    std::span<const Property> items() const {
        return block_ ? std::span<const Property>(data(), block_->size)
                      : std::span<const Property>();
    }
    size_t size() const { return block_ ? block_->size : 0; }
    bool empty() const { return size() == 0; }
    const Value* find(uint32_t key) const;
    // Starts loading the block into the cache (batch lookups warm up before they read).
    void prefetch() const {
        if (block_) __builtin_prefetch(block_);
    }
    // Sets key to v; a null v removes the key. Returns whether the stored state changed.
    bool set(uint32_t key, Value v);
    bool erase(uint32_t key);
    void clear();
    size_t heap_bytes() const;  // block plus the values' own heap payloads

private:
    struct Header {
        uint32_t size;
        uint32_t cap;
    };
    static_assert(sizeof(Header) % alignof(Property) == 0);

    Property* data() const { return reinterpret_cast<Property*>(block_ + 1); }
    size_t lower_bound(uint32_t key) const;
    void insert_at(size_t i, uint32_t key, Value&& v);
    void erase_at(size_t i);

    Header* block_ = nullptr;
};

// Outgoing and incoming entries of one node in a single heap block: outgoing entries fill
// the block from the front (in creation order), incoming ones from the back (newest first),
// so both append in O(1) and a node costs one pointer and at most one allocation.
class AdjacencyList {
public:
    AdjacencyList() = default;
    AdjacencyList(AdjacencyList&& o) noexcept : block_(o.block_) { o.block_ = nullptr; }
    AdjacencyList& operator=(AdjacencyList&& o) noexcept;
    AdjacencyList(const AdjacencyList&) = delete;
    AdjacencyList& operator=(const AdjacencyList&) = delete;
    ~AdjacencyList() { clear(); }

    EdgeRange out() const { return block_ ? EdgeRange(data(), block_->out) : EdgeRange(); }
    EdgeRange in() const {
        return block_ ? EdgeRange(data() + cap() - block_->in, block_->in) : EdgeRange();
    }
    size_t degree() const { return block_ ? size_t{block_->out} + block_->in : 0; }
    // Per-direction limit of entries on one node (adding more throws lora::Error).
    static constexpr uint64_t kMaxPerDirection = (uint64_t{1} << 29) - 1;
    void add_out(const Edge& e);
    void add_in(const Edge& e);
    // Cache warm-up for a batch of add_in: the block's header, then (once the header is
    // in) the entry the next add_in writes.
    void prefetch() const {
        if (block_) __builtin_prefetch(block_);
    }
    void prefetch_next_in() const {
        if (block_ && size_t{block_->out} + block_->in < cap())
            __builtin_prefetch(data() + cap() - block_->in - 1, 1);
    }
    bool remove_out(uint64_t rel);
    bool remove_in(uint64_t rel);
    void clear();
    size_t heap_bytes() const;

private:
    // The capacity fills the allocator's size class of the block (growing by about half
    // each time), so no byte of the block is slack beyond the free entries.
    struct Header {
        uint32_t out;
        uint32_t in;
        uint32_t cap;
    };
    static_assert(sizeof(Header) == 12 && sizeof(Header) % alignof(PackedEdge) == 0);

    PackedEdge* data() const { return reinterpret_cast<PackedEdge*>(block_ + 1); }
    size_t cap() const { return block_->cap; }
    void reserve_one();

    Header* block_ = nullptr;
};

// A node's label ids in insertion order. Up to three are stored inline (no allocation);
// more move to a heap array. 16 bytes.
class LabelSet {
public:
    LabelSet() = default;
    LabelSet(LabelSet&& o) noexcept;
    LabelSet& operator=(LabelSet&& o) noexcept;
    LabelSet(const LabelSet&) = delete;
    LabelSet& operator=(const LabelSet&) = delete;
    ~LabelSet() { clear(); }

    std::span<const uint32_t> ids() const { return {size_ <= kInline ? slots_ : heap(), size_}; }
    size_t size() const { return size_; }
    bool contains(uint32_t id) const;
    bool add(uint32_t id);     // true if newly added
    bool remove(uint32_t id);  // true if it was present
    void clear();
    size_t heap_bytes() const {
        return size_ > kInline ? alloc_size(slots_[0] * sizeof(uint32_t)) : 0;
    }

private:
    static constexpr uint32_t kInline = 3;
    // Heap mode (size_ > kInline): slots_[0] is the capacity, slots_[1..2] the pointer bits.
    uint32_t* heap() const;
    void set_heap(uint32_t* p, uint32_t cap);

    uint32_t size_ = 0;
    uint32_t slots_[kInline] = {};
};
static_assert(sizeof(LabelSet) == 16);

// Append-only array of records in fixed-size chunks: no reallocation copies, addresses stay
// stable (versions can point at records later), and the slack is at most one chunk.
template <typename T, size_t ChunkBits = 10>
class ChunkedVector {
public:
    static constexpr size_t kChunk = size_t{1} << ChunkBits;

    size_t size() const { return size_; }
    T& operator[](size_t i) { return chunks_[i >> ChunkBits][i & (kChunk - 1)]; }
    const T& operator[](size_t i) const { return chunks_[i >> ChunkBits][i & (kChunk - 1)]; }
    T& emplace_back() {
        if ((size_ & (kChunk - 1)) == 0 && (size_ >> ChunkBits) == chunks_.size()) {
            chunks_.push_back(std::make_unique<T[]>(kChunk));
        }
        return (*this)[size_++];
    }
    // Bytes of the chunks themselves (records' own heap blocks are not included).
    size_t bytes() const {
        return chunks_.size() * kChunk * sizeof(T) + chunks_.capacity() * sizeof(void*);
    }

private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    size_t size_ = 0;
};

// A node's record. Liveness is kept outside (a bit per slot) so this stays 32 bytes.
struct NodeRecord {
    PropertyList props;
    AdjacencyList adj;
    LabelSet labels;
};
static_assert(sizeof(NodeRecord) == 32);

// A relationship's record, held by the start node's partition. The start node is local,
// so its dense local index is enough.
struct RelRecord {
    uint64_t end = 0;
    PropertyList props;
    uint32_t start_local = 0;
    uint32_t type = 0;
};
static_assert(sizeof(RelRecord) == 24);

}  // namespace lora::storage
