// Catalog name tables: a hash map (under a shared_mutex) for name -> id, and append-only
// chunks of strings published through an atomic size for lock-free id -> name.
#include <lora/storage/catalog.hpp>

#include <lora/errors.hpp>

#include <bit>
#include <mutex>

namespace lora::storage {

namespace {

// Chunk k holds kFirst << k names, so 27 chunks cover every uint32 id with no chunk ever
// moving or being reallocated.
constexpr uint32_t kFirstBits = 6;
constexpr size_t kChunks = 27;

struct Slot {
    size_t chunk;
    size_t offset;
};

Slot slot_of(uint32_t id) {
    const uint64_t q = (uint64_t{id} >> kFirstBits) + 1;
    const size_t k = static_cast<size_t>(std::bit_width(q) - 1);
    const uint64_t base = ((uint64_t{1} << k) - 1) << kFirstBits;
    return {k, static_cast<size_t>(id - base)};
}

size_t chunk_len(size_t k) { return size_t{1} << (kFirstBits + k); }

}  // namespace

class Catalog::Table {
public:
    explicit Table(Kind kind) : kind_(kind) {}
    ~Table() {
        for (auto& c : chunks_) delete[] c.load(std::memory_order_relaxed);
    }

    uint32_t intern(std::string_view name, bool* inserted) {
        if (auto id = lookup(name)) {
            if (inserted) *inserted = false;
            return *id;
        }
        std::unique_lock lock(mu_);
        if (auto it = ids_.find(name); it != ids_.end()) {
            if (inserted) *inserted = false;
            return it->second;
        }
        if (inserted) *inserted = true;
        return append_locked(name);
    }

    std::optional<uint32_t> lookup(std::string_view name) const {
        std::shared_lock lock(mu_);
        auto it = ids_.find(name);
        if (it == ids_.end()) return std::nullopt;
        return it->second;
    }

    const std::string& name(uint32_t id) const {
        if (id >= size_.load(std::memory_order_acquire)) {
            throw errors::database("UnknownId", "unknown " + std::string(kind_name(kind_)) +
                                                    " id " + std::to_string(id));
        }
        const Slot s = slot_of(id);
        return chunks_[s.chunk].load(std::memory_order_acquire)[s.offset];
    }

    size_t size() const { return size_.load(std::memory_order_acquire); }

    std::vector<std::string> names() const {
        const uint32_t n = size_.load(std::memory_order_acquire);
        std::vector<std::string> out;
        out.reserve(n);
        for (uint32_t id = 0; id < n; ++id) out.push_back(name(id));
        return out;
    }

    void restore(uint32_t id, std::string_view name) {
        std::unique_lock lock(mu_);
        const uint32_t n = size_.load(std::memory_order_relaxed);
        if (id < n) {
            const Slot s = slot_of(id);
            if (chunks_[s.chunk].load(std::memory_order_relaxed)[s.offset] == name) return;
        } else if (id == n && ids_.find(name) == ids_.end()) {
            append_locked(name);
            return;
        }
        throw errors::database("CatalogMismatch", "cannot restore " +
                                                      std::string(kind_name(kind_)) + " '" +
                                                      std::string(name) + "' as id " +
                                                      std::to_string(id) + ": the catalog has " +
                                                      std::to_string(n) + " names and disagrees");
    }

private:
    uint32_t append_locked(std::string_view name) {
        const uint32_t id = size_.load(std::memory_order_relaxed);
        if (id == UINT32_MAX) {
            throw errors::capacity_exceeded("too many distinct " + std::string(kind_name(kind_)) +
                                            " names");
        }
        const Slot s = slot_of(id);
        std::string* chunk = chunks_[s.chunk].load(std::memory_order_relaxed);
        if (!chunk) {
            chunk = new std::string[chunk_len(s.chunk)];
            chunks_[s.chunk].store(chunk, std::memory_order_release);
        }
        chunk[s.offset] = std::string(name);
        // The map's key views the chunk's string, which never moves.
        ids_.emplace(std::string_view(chunk[s.offset]), id);
        size_.store(id + 1, std::memory_order_release);
        return id;
    }

    Kind kind_;
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string_view, uint32_t> ids_;  // guarded by mu_
    std::array<std::atomic<std::string*>, kChunks> chunks_{};
    std::atomic<uint32_t> size_{0};
};

Catalog::Catalog() {
    for (size_t i = 0; i < tables_.size(); ++i) {
        tables_[i] = std::make_unique<Table>(static_cast<Kind>(i));
    }
}

Catalog::~Catalog() = default;

uint32_t Catalog::intern(Kind kind, std::string_view name, bool* inserted) {
    return table(kind).intern(name, inserted);
}

std::optional<uint32_t> Catalog::lookup(Kind kind, std::string_view name) const {
    return table(kind).lookup(name);
}

const std::string& Catalog::name(Kind kind, uint32_t id) const { return table(kind).name(id); }

size_t Catalog::size(Kind kind) const { return table(kind).size(); }

std::vector<std::string> Catalog::names(Kind kind) const { return table(kind).names(); }

void Catalog::restore(Kind kind, uint32_t id, std::string_view name) {
    table(kind).restore(id, name);
}

std::string_view Catalog::kind_name(Kind kind) {
    switch (kind) {
        case Kind::Label: return "label";
        case Kind::Type: return "relationship type";
        case Kind::Key: return "property key";
    }
    return "name";
}

}  // namespace lora::storage
