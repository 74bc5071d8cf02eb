// Checkpoint and snapshot files: binary encoding of partitions and the catalog, the
// compressed checksummed file framing, and the checkpoint-set protocol around the MANIFEST.
#include <lora/storage/checkpoint.hpp>

#include "checkpoint_frame.hpp"
#include "persist_io.hpp"

#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>
#include <lora/wal/fault.hpp>

#include <spdlog/spdlog.h>
#include <xxhash.h>
#include <zstd.h>
#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <system_error>

namespace lora::storage {
namespace fs = std::filesystem;
using persist::fail;
using persist::Reader;
using persist::Writer;

namespace {

constexpr std::array<char, 8> file_magic{'L', 'O', 'R', 'A', 'C', 'K', 'P', '\0'};
constexpr int zstd_level = 3;
// zstd cannot expand data by more than this factor (a 128 KiB block takes >= 3 bytes), so a
// header claiming more is damage, not a reason to allocate terabytes.
constexpr uint64_t max_expansion = 65536;

std::string_view kind_name(FileKind k) {
    switch (k) {
        case FileKind::Partition: return "partition checkpoint";
        case FileKind::Catalog: return "catalog checkpoint";
        case FileKind::Snapshot: return "snapshot";
        case FileKind::VectorImages: return "vector index images";
    }
    return "unknown";
}

struct Header {
    FileKind kind{};
    wal::DbId db;
    uint32_t shard_index = 0;
    uint32_t shard_count = 0;
    uint64_t lsn = 0;
    uint64_t raw_size = 0;
    uint64_t packed_size = 0;
    uint64_t payload_hash = 0;
};

template <typename T>
void put_at(std::byte* out, size_t at, T v) {
    std::memcpy(out + at, &v, sizeof v);
}
template <typename T>
T get_at(const std::byte* in, size_t at) {
    T v;
    std::memcpy(&v, in + at, sizeof v);
    return v;
}

std::string str(std::string_view s) { return std::string(s); }

}  // namespace

// ---- file framing

std::vector<std::byte> frame(FileKind kind, const wal::DbId& db, uint32_t shard_index,
                             uint32_t shard_count, uint64_t lsn,
                             std::span<const std::byte> payload) {
    const size_t bound = ZSTD_compressBound(payload.size());
    std::vector<std::byte> out(checkpoint_header_size + bound);
    const size_t packed = ZSTD_compress(out.data() + checkpoint_header_size, bound, payload.data(),
                                        payload.size(), zstd_level);
    if (ZSTD_isError(packed)) {
        fail("CompressionFailed",
             str(kind_name(kind)) + ": zstd compression failed: " + ZSTD_getErrorName(packed));
    }
    out.resize(checkpoint_header_size + packed);
    std::byte* h = out.data();
    std::memcpy(h, file_magic.data(), file_magic.size());
    put_at<uint32_t>(h, 8, checkpoint_format_version);
    put_at<uint32_t>(h, 12, static_cast<uint32_t>(kind));
    std::memcpy(h + 16, db.bytes.data(), db.bytes.size());
    put_at<uint32_t>(h, 32, shard_index);
    put_at<uint32_t>(h, 36, shard_count);
    put_at<uint64_t>(h, 40, lsn);
    put_at<uint64_t>(h, 48, payload.size());
    put_at<uint64_t>(h, 56, packed);
    put_at<uint64_t>(h, 64, XXH64(h + checkpoint_header_size, packed, 0));
    put_at<uint64_t>(h, 72, XXH64(h, 72, 0));
    return out;
}

namespace {

// Validates the header alone (magic, checksum, version, kind, database id when `db` is set).
Header read_header(std::span<const std::byte> bytes, FileKind kind, const wal::DbId* db,
                   std::string_view source) {
    const std::string src(source);
    if (bytes.size() < checkpoint_header_size) {
        fail("CorruptFile", src + ": truncated: " + std::to_string(bytes.size()) +
                                " bytes, the header alone needs " +
                                std::to_string(checkpoint_header_size));
    }
    const std::byte* h = bytes.data();
    if (std::memcmp(h, file_magic.data(), file_magic.size()) != 0) {
        fail("CorruptFile",
             src + ": not a lora checkpoint or snapshot file (bad magic at offset 0)");
    }
    if (get_at<uint64_t>(h, 72) != XXH64(h, 72, 0)) {
        fail("CorruptFile", src + ": header checksum mismatch (bytes 0.." +
                                std::to_string(checkpoint_header_size) + ")");
    }
    const auto version = get_at<uint32_t>(h, 8);
    if (version < checkpoint_oldest_format_version || version > checkpoint_format_version) {
        fail("UnsupportedVersion", src + ": format version " + std::to_string(version) +
                                       ", this build reads versions " +
                                       std::to_string(checkpoint_oldest_format_version) + " to " +
                                       std::to_string(checkpoint_format_version));
    }
    Header hd;
    hd.kind = static_cast<FileKind>(get_at<uint32_t>(h, 12));
    if (hd.kind != kind) {
        fail("CorruptFile", src + ": holds a " + str(kind_name(hd.kind)) + " (kind " +
                                std::to_string(static_cast<uint32_t>(hd.kind)) + "), expected a " +
                                str(kind_name(kind)));
    }
    std::memcpy(hd.db.bytes.data(), h + 16, hd.db.bytes.size());
    if (db && !(hd.db == *db)) {
        fail("WrongDatabase", src + ": belongs to database " + hd.db.to_hex() +
                                  ", not to this database " + db->to_hex());
    }
    hd.shard_index = get_at<uint32_t>(h, 32);
    hd.shard_count = get_at<uint32_t>(h, 36);
    hd.lsn = get_at<uint64_t>(h, 40);
    hd.raw_size = get_at<uint64_t>(h, 48);
    hd.packed_size = get_at<uint64_t>(h, 56);
    hd.payload_hash = get_at<uint64_t>(h, 64);
    return hd;
}

// Checks sizes and the payload checksum, then decompresses.
std::vector<std::byte> read_payload(std::span<const std::byte> bytes, const Header& hd,
                                    std::string_view source) {
    const std::string src(source);
    const uint64_t have = bytes.size() - checkpoint_header_size;
    if (have < hd.packed_size) {
        fail("CorruptFile", src + ": truncated: the header announces " +
                                std::to_string(hd.packed_size) + " payload bytes at offset " +
                                std::to_string(checkpoint_header_size) + ", the file holds " +
                                std::to_string(have));
    }
    if (have > hd.packed_size) {
        fail("CorruptFile", src + ": " + std::to_string(have - hd.packed_size) +
                                " unexpected bytes after the payload at offset " +
                                std::to_string(checkpoint_header_size + hd.packed_size));
    }
    const std::byte* packed = bytes.data() + checkpoint_header_size;
    if (XXH64(packed, hd.packed_size, 0) != hd.payload_hash) {
        fail("CorruptFile", src + ": payload checksum mismatch (bytes " +
                                std::to_string(checkpoint_header_size) + ".." +
                                std::to_string(bytes.size()) + ")");
    }
    if (hd.raw_size > hd.packed_size * max_expansion + 1024 ||
        ZSTD_getFrameContentSize(packed, hd.packed_size) != hd.raw_size) {
        fail("CorruptFile", src + ": the compressed payload's size disagrees with the header (" +
                                std::to_string(hd.raw_size) + " bytes announced)");
    }
    std::vector<std::byte> raw(hd.raw_size);
    const size_t n = ZSTD_decompress(raw.data(), raw.size(), packed, hd.packed_size);
    if (ZSTD_isError(n) || n != hd.raw_size) {
        fail("CorruptFile", src + ": cannot decompress the payload at offset " +
                                std::to_string(checkpoint_header_size) + ": " +
                                (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output"));
    }
    return raw;
}

void check_lsn(const Header& hd, uint64_t expected, std::string_view source) {
    if (hd.lsn != expected) {
        fail("LsnMismatch", str(source) + ": holds the state at LSN " + std::to_string(hd.lsn) +
                                ", expected LSN " + std::to_string(expected));
    }
}

// ---- values and records

enum class Tag : uint8_t {
    Null = 0,
    Bool = 1,
    Int = 2,
    Float = 3,
    String = 4,
    List = 5,
    Vector = 6,
    // A temporal value: u8 ValueKind, the kind's temporal::field_count i64 numbers, and for
    // a DateTime its zone name (a string, empty for a fixed offset). Since version 2.
    Temporal = 7
};

void put_value(Writer& w, const Value& v, bool in_list) {
    switch (v.kind()) {
        case ValueKind::Null: w.put<uint8_t>(uint8_t(Tag::Null)); return;
        case ValueKind::Bool:
            w.put<uint8_t>(uint8_t(Tag::Bool));
            w.put<uint8_t>(v.as_bool() ? 1 : 0);
            return;
        case ValueKind::Int:
            w.put<uint8_t>(uint8_t(Tag::Int));
            w.put<int64_t>(v.as_int());
            return;
        case ValueKind::Float:
            w.put<uint8_t>(uint8_t(Tag::Float));
            w.put<double>(v.as_float());
            return;
        case ValueKind::String:
            w.put<uint8_t>(uint8_t(Tag::String));
            w.put_string(v.as_string());
            return;
        case ValueKind::List:
            if (!in_list) {
                w.put<uint8_t>(uint8_t(Tag::List));
                w.put<uint32_t>(static_cast<uint32_t>(v.as_list().size()));
                for (const Value& e : v.as_list()) put_value(w, e, true);
                return;
            }
            break;
        case ValueKind::Vector:
            if (!in_list) {
                const auto& c = v.as_vector().coords;
                w.put<uint8_t>(uint8_t(Tag::Vector));
                w.put<uint32_t>(static_cast<uint32_t>(c.size()));
                w.put_bytes(std::as_bytes(std::span<const float>(c)));
                return;
            }
            break;
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: {
            const temporal::Fields f = temporal::to_fields(v);
            w.put<uint8_t>(uint8_t(Tag::Temporal));
            w.put<uint8_t>(static_cast<uint8_t>(v.kind()));
            for (int i = 0; i < temporal::field_count(v.kind()); ++i) w.put<int64_t>(f.n[i]);
            if (v.kind() == ValueKind::DateTime) w.put_string(f.zone);
            return;
        }
        default: break;
    }
    // Partitions refuse such values on write, so meeting one here is an engine bug.
    fail("InvalidPropertyType", "cannot checkpoint a property of type " +
                                    str(lora::kind_name(v.kind())) +
                                    (in_list ? " inside a list" : ""));
}

Value get_value(Reader& r, bool in_list) {
    const auto tag = r.get<uint8_t>("value tag");
    switch (static_cast<Tag>(tag)) {
        case Tag::Null: return Value();
        case Tag::Bool: {
            const auto b = r.get<uint8_t>("boolean");
            if (b > 1) r.corrupt("bad boolean byte " + std::to_string(b));
            return Value(b == 1);
        }
        case Tag::Int: return Value(r.get<int64_t>("integer"));
        case Tag::Float: return Value(r.get<double>("float"));
        case Tag::String: return Value(r.get_string("string"));
        case Tag::List: {
            if (in_list) r.corrupt("nested list");
            const auto n = r.get<uint32_t>("list length");
            // Each element takes at least one byte: refuse a count the data cannot hold.
            if (n > r.remaining()) r.corrupt("list length " + std::to_string(n) + " too large");
            List items;
            items.reserve(n);
            for (uint32_t i = 0; i < n; ++i) items.push_back(get_value(r, true));
            return Value(std::move(items));
        }
        case Tag::Vector: {
            if (in_list) r.corrupt("vector inside a list");
            const auto n = r.get<uint32_t>("vector dimension");
            if (n == 0 || n > kMaxVectorDimension)
                r.corrupt("vector dimension " + std::to_string(n) + " out of range");
            const auto raw = r.get_bytes(size_t{n} * sizeof(float), "vector coordinates");
            Vector vec;
            vec.coords.resize(n);
            std::memcpy(vec.coords.data(), raw.data(), raw.size());
            for (float x : vec.coords)
                if (!std::isfinite(x)) r.corrupt("non-finite vector coordinate");
            return Value(std::move(vec));
        }
        case Tag::Temporal: {
            const auto k = r.get<uint8_t>("temporal kind");
            if (k < uint8_t(ValueKind::Date) || k > uint8_t(ValueKind::Duration))
                r.corrupt("unknown temporal kind " + std::to_string(k));
            const auto kind = static_cast<ValueKind>(k);
            temporal::Fields f;
            for (int i = 0; i < temporal::field_count(kind); ++i)
                f.n[i] = r.get<int64_t>("temporal field");
            if (kind == ValueKind::DateTime) f.zone = r.get_string("time zone");
            auto out = temporal::from_fields(kind, f);
            if (!out) r.corrupt(str(lora::kind_name(kind)) + " value out of range");
            return std::move(*out);
        }
    }
    r.corrupt("unknown value tag " + std::to_string(tag));
}

void put_props(Writer& w, std::span<const Property> props) {
    w.put<uint32_t>(static_cast<uint32_t>(props.size()));
    for (const Property& p : props) {
        w.put<uint32_t>(p.key);
        put_value(w, p.value, false);
    }
}

template <typename Set>
void get_props(Reader& r, Set&& set) {
    const auto n = r.get<uint32_t>("property count");
    for (uint32_t i = 0; i < n; ++i) {
        const auto key = r.get<uint32_t>("property key");
        Value v = get_value(r, false);
        if (v.is_null()) r.corrupt("null property value");
        set(key, std::move(v));
    }
}

// The partition as `snap` sees it. Ids allocated by transactions the snapshot does not see
// are below next_*_id and simply absent: they load as tombstones, and WAL replay revives them.
void put_partition_payload(Writer& w, const Partition& p, Snap snap = {}) {
    const View view(p, snap);
    std::vector<uint64_t> node_ids, rel_ids;
    view.node_ids(std::nullopt, node_ids);
    view.rel_ids(rel_ids);
    if (!view.hides() &&
        (node_ids.size() != p.node_count() || rel_ids.size() != p.relationship_count())) {
        fail("InconsistentPartition", "shard " + std::to_string(p.shard_index()) +
                                          ": live counts disagree with its records");
    }
    w.put<uint32_t>(p.shard_index());
    w.put<uint32_t>(p.shard_count());
    w.put<uint64_t>(p.next_node_id());
    w.put<uint64_t>(p.next_relationship_id());
    w.put<uint64_t>(node_ids.size());
    for (uint64_t id : node_ids) {
        w.put<uint64_t>(id);
        const auto labels = view.labels(id);
        w.put<uint32_t>(static_cast<uint32_t>(labels.size()));
        for (uint32_t l : labels) w.put<uint32_t>(l);
        put_props(w, view.node_properties(id));
    }
    w.put<uint64_t>(rel_ids.size());
    for (uint64_t id : rel_ids) {
        const auto info = *view.relationship(id);
        w.put<uint64_t>(id);
        w.put<uint64_t>(info.start);
        w.put<uint32_t>(info.type);
        w.put<uint64_t>(info.end);
        put_props(w, view.rel_properties(id));
    }
}

bool is_empty(const Partition& p) {
    return p.next_node_id() == p.shard_index() && p.next_relationship_id() == p.shard_index();
}

void require_empty(const Partition& p, std::string_view source) {
    if (!is_empty(p)) {
        fail("NotEmpty", str(source) + ": cannot load into shard " +
                             std::to_string(p.shard_index()) + ", which already holds records");
    }
}

// Makes the partition's next ids equal the checkpointed ones, so ids of records deleted
// before the checkpoint are never handed out again. The partition has no call for this, so
// the last slot is filled by a record that is deleted at once, leaving a tombstone.
void reserve_ids(Partition& p, uint64_t next_node, uint64_t next_rel, Reader& r) {
    const uint32_t n = p.shard_count();
    if (next_node % n != p.shard_index() || next_rel % n != p.shard_index() ||
        next_node < p.next_node_id() || next_rel < p.next_relationship_id()) {
        r.corrupt("next ids " + std::to_string(next_node) + "/" + std::to_string(next_rel) +
                  " do not fit the records");
    }
    std::optional<uint64_t> temp_node;
    if (p.next_node_id() < next_node) {
        temp_node = next_node - n;
        p.restore_node(*temp_node);
    }
    if (p.next_relationship_id() < next_rel) {
        uint64_t start = 0;
        if (temp_node) {
            start = *temp_node;
        } else {
            bool found = false;
            p.for_each_node([&](uint64_t id) {
                start = id;
                found = true;
                return false;
            });
            if (!found) r.corrupt("relationship slots without any node slot");
        }
        const uint64_t rel = next_rel - n;
        // Never given an in-edge, so deleting it leaves no trace but the tombstone.
        p.restore_relationship(rel, start, 0, start);
        p.delete_relationship(rel);
    }
    if (temp_node) p.delete_node(*temp_node);
}

void get_partition_payload(Reader& r, Partition& p) {
    const auto index = r.get<uint32_t>("shard index");
    const auto count = r.get<uint32_t>("shard count");
    if (index != p.shard_index() || count != p.shard_count()) {
        r.corrupt("data of shard " + std::to_string(index) + " of " + std::to_string(count) +
                  " cannot load into shard " + std::to_string(p.shard_index()) + " of " +
                  std::to_string(p.shard_count()));
    }
    const auto next_node = r.get<uint64_t>("next node id");
    const auto next_rel = r.get<uint64_t>("next relationship id");
    try {
        const size_t labels = p.catalog().size(Catalog::Kind::Label);
        const auto nodes = r.get<uint64_t>("node count");
        for (uint64_t i = 0; i < nodes; ++i) {
            const auto id = r.get<uint64_t>("node id");
            // Checked before restore_node, which makes a slot for every id below it.
            if (id >= next_node) {
                r.corrupt("node id " + std::to_string(id) + " is not below the next node id " +
                          std::to_string(next_node));
            }
            p.restore_node(id);
            const auto nlabels = r.get<uint32_t>("label count");
            for (uint32_t k = 0; k < nlabels; ++k) {
                const auto label = r.get<uint32_t>("label id");
                // The label index has an entry per label id: an id the catalog does not
                // know would size it (a u32 asked for gigabytes).
                if (label >= labels) {
                    r.corrupt("label id " + std::to_string(label) + " is not in the catalog (" +
                              std::to_string(labels) + " labels)");
                }
                if (!p.add_label(id, label)) r.corrupt("repeated label " + std::to_string(label));
            }
            get_props(r,
                      [&](uint32_t key, Value v) { p.set_node_property(id, key, std::move(v)); });
        }
        const auto rels = r.get<uint64_t>("relationship count");
        for (uint64_t i = 0; i < rels; ++i) {
            const auto id = r.get<uint64_t>("relationship id");
            if (id >= next_rel) {
                r.corrupt("relationship id " + std::to_string(id) +
                          " is not below the next relationship id " + std::to_string(next_rel));
            }
            const auto start = r.get<uint64_t>("start node id");
            const auto type = r.get<uint32_t>("relationship type");
            const auto end = r.get<uint64_t>("end node id");
            p.restore_relationship(id, start, type, end);
            get_props(r, [&](uint32_t key, Value v) { p.set_rel_property(id, key, std::move(v)); });
        }
        reserve_ids(p, next_node, next_rel, r);
    } catch (const Error& e) {
        if (e.detail() == "CorruptFile") throw;
        // The partition refused a record (foreign or repeated id, bad value): the data is bad.
        r.corrupt(e.message());
    }
}

// Index and constraint definitions follow the names, each section marked and written only
// when it has any, so a catalog without them keeps the layout older versions read.
constexpr uint32_t kIndexSection = 0x31584449;       // "IDX1"
constexpr uint32_t kConstraintSection = 0x314E4F43;  // "CON1"

// A list of names (property keys, types): a count, then each.
void put_names(Writer& w, const std::vector<std::string>& names) {
    w.put<uint32_t>(static_cast<uint32_t>(names.size()));
    for (const auto& n : names) w.put_string(n);
}

// `what` names an element ("index property"); the count is "<what> count".
std::vector<std::string> get_names(Reader& r, const std::string& what) {
    const auto n = r.get<uint32_t>(what + " count");
    if (n > r.remaining()) r.corrupt(what + " count too large");
    std::vector<std::string> names;
    for (uint32_t j = 0; j < n; ++j) names.push_back(r.get_string(what));
    return names;
}

void put_index_section(Writer& w, const IndexRegistry& reg) {
    const auto defs = reg.list();
    if (defs.empty()) return;
    w.put<uint32_t>(kIndexSection);
    w.put<uint32_t>(static_cast<uint32_t>(defs.size()));
    for (const auto& d : defs) {
        w.put<uint64_t>(d.id);
        w.put_string(d.name);
        w.put<uint8_t>(static_cast<uint8_t>(d.kind));
        w.put_string(d.label);
        put_names(w, d.properties);
        w.put<uint32_t>(static_cast<uint32_t>(d.config.size()));
        for (const auto& [k, v] : d.config) {
            w.put_string(k);
            put_value(w, v, false);
        }
    }
}

void get_index_section(Reader& r, IndexRegistry& reg) {
    const auto n = r.get<uint32_t>("index count");
    if (n > r.remaining()) r.corrupt("index count " + std::to_string(n) + " too large");
    std::vector<IndexDef> defs;
    for (uint32_t i = 0; i < n; ++i) {
        IndexDef d;
        d.id = r.get<uint64_t>("index id");
        d.name = r.get_string("index name");
        const auto kind = r.get<uint8_t>("index kind");
        if (kind > static_cast<uint8_t>(IndexKind::Vector))
            r.corrupt("unknown index kind " + std::to_string(kind));
        d.kind = static_cast<IndexKind>(kind);
        d.label = r.get_string("index label");
        d.properties = get_names(r, "index property");
        const auto nc = r.get<uint32_t>("index option count");
        if (nc > r.remaining()) r.corrupt("index option count too large");
        for (uint32_t j = 0; j < nc; ++j) {
            std::string key = r.get_string("index option name");
            d.config.emplace_back(std::move(key), get_value(r, false));
        }
        d.state = IndexState::Online;
        defs.push_back(std::move(d));
    }
    reg.restore_all(std::move(defs));
}

void put_constraint_section(Writer& w, const ConstraintRegistry& reg) {
    const auto defs = reg.list();
    if (defs.empty()) return;
    w.put<uint32_t>(kConstraintSection);
    w.put<uint32_t>(static_cast<uint32_t>(defs.size()));
    for (const auto& d : defs) {
        w.put<uint64_t>(d.id);
        w.put_string(d.name);
        w.put<uint8_t>(static_cast<uint8_t>(d.kind));
        w.put<uint8_t>(static_cast<uint8_t>(d.entity));
        w.put_string(d.label);
        put_names(w, d.properties);
        put_names(w, d.types);
    }
}

void get_constraint_section(Reader& r, ConstraintRegistry& reg) {
    const auto n = r.get<uint32_t>("constraint count");
    if (n > r.remaining()) r.corrupt("constraint count " + std::to_string(n) + " too large");
    std::vector<ConstraintDef> defs;
    for (uint32_t i = 0; i < n; ++i) {
        ConstraintDef d;
        d.id = r.get<uint64_t>("constraint id");
        d.name = r.get_string("constraint name");
        const auto kind = r.get<uint8_t>("constraint kind");
        const auto entity = r.get<uint8_t>("constraint entity");
        if (kind > static_cast<uint8_t>(ConstraintKind::PropertyType) ||
            entity > static_cast<uint8_t>(ConstraintEntity::Relationship))
            r.corrupt("unknown constraint kind " + std::to_string(kind) + "/" +
                      std::to_string(entity));
        d.kind = static_cast<ConstraintKind>(kind);
        d.entity = static_cast<ConstraintEntity>(entity);
        d.label = r.get_string("constraint label");
        d.properties = get_names(r, "constraint property");
        d.types = get_names(r, "constraint type");
        defs.push_back(std::move(d));
    }
    reg.restore_all(std::move(defs));
}

// The marked sections after the names, in any order.
void get_schema_sections(Reader& r, Catalog& c) {
    while (!r.at_end()) {
        const auto marker = r.get<uint32_t>("schema section marker");
        if (marker == kIndexSection)
            get_index_section(r, c.indexes());
        else if (marker == kConstraintSection)
            get_constraint_section(r, c.constraints());
        else
            r.corrupt("bad schema section marker");
    }
}

void put_catalog_payload(Writer& w, const Catalog& c) {
    for (auto kind : {Catalog::Kind::Label, Catalog::Kind::Type, Catalog::Kind::Key}) {
        const auto names = c.names(kind);
        w.put<uint32_t>(static_cast<uint32_t>(names.size()));
        for (const auto& n : names) w.put_string(n);
    }
    put_index_section(w, c.indexes());
    put_constraint_section(w, c.constraints());
}

void get_catalog_payload(Reader& r, Catalog& c) {
    for (auto kind : {Catalog::Kind::Label, Catalog::Kind::Type, Catalog::Kind::Key}) {
        const auto n = r.get<uint32_t>("name count");
        for (uint32_t id = 0; id < n; ++id) {
            const std::string name = r.get_string("name");
            try {
                c.restore(kind, id, name);
            } catch (const Error& e) {
                r.corrupt(e.message());
            }
        }
    }
    get_schema_sections(r, c);
}

void expect_end(const Reader& r) {
    if (!r.at_end()) r.corrupt(std::to_string(r.remaining()) + " unexpected trailing bytes");
}

std::string lsn_digits(uint64_t lsn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020" PRIu64, lsn);
    return buf;
}

std::string shard_file_name(size_t i) { return "shard-" + std::to_string(i) + ".ckpt"; }
std::string vectors_file_name(size_t i) { return "vectors-" + std::to_string(i) + ".ckpt"; }

// Header checks shared by write_checkpoint (before anything is written) for shard files.
void check_shard_header(std::span<const std::byte> bytes, FileKind kind, const Manifest& m,
                        uint64_t lsn, size_t i, const std::string& src) {
    const Header sh = read_header(bytes, kind, &m.db_id, src);
    check_lsn(sh, lsn, src);
    if (sh.shard_index != i || sh.shard_count != m.shard_count) {
        fail("WrongShard", src + ": holds shard " + std::to_string(sh.shard_index) + " of " +
                               std::to_string(sh.shard_count));
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::vector<std::byte> encode_partition(const Partition& p, const wal::DbId& db, uint64_t lsn,
                                        Snap snap) {
    Writer w;
    put_partition_payload(w, p, snap);
    return frame(FileKind::Partition, db, p.shard_index(), p.shard_count(), lsn, w.bytes());
}

void decode_partition(std::span<const std::byte> bytes, Partition& into, const wal::DbId& db,
                      uint64_t expected_lsn, std::string_view source) {
    const Header hd = read_header(bytes, FileKind::Partition, &db, source);
    check_lsn(hd, expected_lsn, source);
    if (hd.shard_count != into.shard_count()) {
        fail("ShardCountMismatch", str(source) + ": written for " + std::to_string(hd.shard_count) +
                                       " shards, the database has " +
                                       std::to_string(into.shard_count()));
    }
    if (hd.shard_index != into.shard_index()) {
        fail("WrongShard", str(source) + ": holds shard " + std::to_string(hd.shard_index) +
                               ", expected shard " + std::to_string(into.shard_index()));
    }
    require_empty(into, source);
    const auto raw = read_payload(bytes, hd, source);
    Reader r(raw, source, "uncompressed payload");
    get_partition_payload(r, into);
    expect_end(r);
}

std::vector<std::byte> encode_vector_images(const Partition& p, const wal::DbId& db, uint64_t lsn) {
    const auto images = p.save_vector_images();
    if (images.empty()) return {};
    Writer w;
    w.put<uint32_t>(static_cast<uint32_t>(images.size()));
    for (const auto& im : images) {
        w.put_string(im.name);
        w.put<uint64_t>(im.bytes.size());
        w.put_bytes(im.bytes);
    }
    return frame(FileKind::VectorImages, db, p.shard_index(), p.shard_count(), lsn, w.bytes());
}

std::vector<Partition::VectorImage> decode_vector_images(std::span<const std::byte> bytes,
                                                         const wal::DbId& db, uint64_t expected_lsn,
                                                         uint32_t shard_index, uint32_t shard_count,
                                                         std::string_view source) {
    const Header hd = read_header(bytes, FileKind::VectorImages, &db, source);
    check_lsn(hd, expected_lsn, source);
    if (hd.shard_index != shard_index || hd.shard_count != shard_count) {
        fail("WrongShard", str(source) + ": holds shard " + std::to_string(hd.shard_index) +
                               " of " + std::to_string(hd.shard_count) + ", expected shard " +
                               std::to_string(shard_index) + " of " + std::to_string(shard_count));
    }
    const auto raw = read_payload(bytes, hd, source);
    Reader r(raw, source, "uncompressed payload");
    const auto n = r.get<uint32_t>("image count");
    std::vector<Partition::VectorImage> out;
    for (uint32_t i = 0; i < n; ++i) {
        Partition::VectorImage im;
        im.name = r.get_string("index name");
        const auto size = r.get<uint64_t>("image size");
        if (size > r.remaining()) r.corrupt("image size " + std::to_string(size) + " too large");
        const auto b = r.get_bytes(static_cast<size_t>(size), "index image");
        im.bytes.assign(b.begin(), b.end());
        out.push_back(std::move(im));
    }
    expect_end(r);
    return out;
}

void rebuild_in_edges(std::span<Partition* const> all) {
    struct In {
        uint64_t rel, start, end;
        uint32_t type;
    };
    std::vector<In> edges;
    for (size_t i = 0; i < all.size(); ++i) {
        const Partition* p = all[i];
        if (!p || p->shard_index() != i || p->shard_count() != all.size()) {
            fail("ShardCountMismatch", "rebuilding in-edges needs every one of the " +
                                           std::to_string(all.size()) +
                                           " shards at its index; entry " + std::to_string(i) +
                                           " is missing or another shard");
        }
        p->for_each_relationship([&](uint64_t rel) {
            const auto info = *p->relationship(rel);
            edges.push_back(In{rel, info.start, info.end, info.type});
        });
    }
    std::sort(edges.begin(), edges.end(), [](const In& a, const In& b) { return a.rel < b.rel; });
    for (const In& e : edges) {
        const size_t target = e.end % all.size();
        if (!all[target]->add_in_edge(e.end, e.rel, e.type, e.start)) {
            fail("InconsistentCheckpoint", "relationship " + std::to_string(e.rel) +
                                               " ends at node " + std::to_string(e.end) +
                                               ", which is not live in shard " +
                                               std::to_string(target));
        }
    }
}

std::vector<std::byte> encode_catalog(const Catalog& c, const wal::DbId& db, uint64_t lsn) {
    Writer w;
    put_catalog_payload(w, c);
    return frame(FileKind::Catalog, db, 0, 0, lsn, w.bytes());
}

void decode_catalog(std::span<const std::byte> bytes, Catalog& into, const wal::DbId& db,
                    uint64_t expected_lsn, std::string_view source) {
    const Header hd = read_header(bytes, FileKind::Catalog, &db, source);
    check_lsn(hd, expected_lsn, source);
    const auto raw = read_payload(bytes, hd, source);
    Reader r(raw, source, "uncompressed payload");
    get_catalog_payload(r, into);
    expect_end(r);
}

std::string checkpoint_folder_name(uint64_t lsn) { return "checkpoints/" + lsn_digits(lsn); }

void write_checkpoint(DataDir& dir, uint64_t lsn, std::span<const std::byte> catalog,
                      const std::vector<std::vector<std::byte>>& shards,
                      const std::vector<std::vector<std::byte>>& vector_images) {
    const Manifest old = dir.manifest();
    if (shards.size() != old.shard_count) {
        fail("ShardCountMismatch", "a checkpoint of " + dir.path().string() + " needs " +
                                       std::to_string(old.shard_count) + " shard files, got " +
                                       std::to_string(shards.size()));
    }
    if (!old.checkpoint.empty()) {
        if (lsn == old.checkpoint_lsn) return;  // that state is already checkpointed
        if (lsn < old.checkpoint_lsn) {
            fail("StaleCheckpoint", "cannot checkpoint " + dir.path().string() + " at LSN " +
                                        std::to_string(lsn) + ": it already has one at LSN " +
                                        std::to_string(old.checkpoint_lsn));
        }
    }
    // A mis-assembled set must not replace a good checkpoint: check every header first.
    {
        const Header hd = read_header(catalog, FileKind::Catalog, &old.db_id, "catalog checkpoint");
        check_lsn(hd, lsn, "catalog checkpoint");
        for (size_t i = 0; i < shards.size(); ++i) {
            check_shard_header(shards[i], FileKind::Partition, old, lsn, i,
                               "checkpoint of shard " + std::to_string(i));
        }
        if (!vector_images.empty() && vector_images.size() != shards.size()) {
            fail("ShardCountMismatch", "a checkpoint of " + dir.path().string() + " got " +
                                           std::to_string(vector_images.size()) +
                                           " vector image entries for " +
                                           std::to_string(shards.size()) + " shards");
        }
        for (size_t i = 0; i < vector_images.size(); ++i) {
            if (vector_images[i].empty()) continue;
            check_shard_header(vector_images[i], FileKind::VectorImages, old, lsn, i,
                               "vector index images of shard " + std::to_string(i));
        }
    }

    const fs::path root = dir.checkpoints_dir();
    const std::string name = lsn_digits(lsn);
    const fs::path final_dir = root / name;
    const fs::path tmp_dir = root / (name + ".tmp");
    std::error_code ec;
    if (fs::create_directories(root, ec)) persist::sync_dir(dir.path());
    if (ec) fail("Io", "cannot create " + root.string() + ": " + ec.message());
    // Leftovers of an interrupted checkpoint at this LSN; the manifest names neither.
    fs::remove_all(tmp_dir, ec);
    if (!ec) fs::remove_all(final_dir, ec);
    if (ec) fail("Io", "cannot remove the leftover " + final_dir.string() + ": " + ec.message());
    fs::create_directory(tmp_dir, ec);
    if (ec) fail("Io", "cannot create " + tmp_dir.string() + ": " + ec.message());

    persist::write_file_synced(tmp_dir / "catalog.ckpt", catalog);
    for (size_t i = 0; i < shards.size(); ++i) {
        persist::write_file_synced(tmp_dir / shard_file_name(i), shards[i]);
        if (i == 0 && fault::hit("checkpoint_crash_mid")) fault::crash();
    }
    for (size_t i = 0; i < vector_images.size(); ++i) {
        if (!vector_images[i].empty())
            persist::write_file_synced(tmp_dir / vectors_file_name(i), vector_images[i]);
    }
    persist::sync_dir(tmp_dir);
    fs::rename(tmp_dir, final_dir, ec);
    if (ec)
        fail("Io", "cannot rename " + tmp_dir.string() + " to " + final_dir.string() + ": " +
                       ec.message());
    persist::sync_dir(root);
    if (fault::hit("checkpoint_crash_before_manifest")) fault::crash();

    Manifest m = old;
    m.checkpoint_lsn = lsn;
    m.checkpoint = checkpoint_folder_name(lsn);
    dir.write_manifest(m);

    // Only now is nothing else needed. A failed removal is retried by the next checkpoint.
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        if (entry.path().filename() == name) continue;
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
    }
}

uint64_t load_checkpoint(const DataDir& dir, Catalog& catalog,
                         std::vector<Partition*>& partitions) {
    const Manifest& m = dir.manifest();
    if (m.checkpoint.empty()) return 0;
    if (partitions.size() != m.shard_count) {
        fail("ShardCountMismatch", "the checkpoint of " + dir.path().string() + " holds " +
                                       std::to_string(m.shard_count) + " shards, but " +
                                       std::to_string(partitions.size()) + " were given");
    }
    const fs::path folder = dir.path() / m.checkpoint;
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        fail("MissingFile", "checkpoint folder " + folder.string() + " named by " +
                                dir.manifest_path().string() + " is missing");
    }
    for (Partition* p : partitions) {
        if (!p) fail("ShardCountMismatch", "load_checkpoint was given a null partition");
        require_empty(*p, folder.string());
    }
    const fs::path cat_file = folder / "catalog.ckpt";
    decode_catalog(persist::read_file(cat_file), catalog, m.db_id, m.checkpoint_lsn,
                   cat_file.string());
    for (size_t i = 0; i < partitions.size(); ++i) {
        const fs::path file = folder / shard_file_name(i);
        decode_partition(persist::read_file(file), *partitions[i], m.db_id, m.checkpoint_lsn,
                         file.string());
    }
    // Vector index images are derived data: without a usable one the index is rebuilt.
    for (size_t i = 0; i < partitions.size(); ++i) {
        const fs::path file = folder / vectors_file_name(i);
        if (!fs::exists(file, ec)) continue;
        try {
            partitions[i]->stash_vector_images(
                decode_vector_images(persist::read_file(file), m.db_id, m.checkpoint_lsn,
                                     static_cast<uint32_t>(i), m.shard_count, file.string()));
        } catch (const std::exception& e) {
            spdlog::warn(
                "ignoring the vector index images of shard {}, the indexes are rebuilt: {}", i,
                e.what());
        }
    }
    rebuild_in_edges(partitions);
    return m.checkpoint_lsn;
}

void save_snapshot(const fs::path& file, const Catalog& catalog,
                   const std::vector<const Partition*>& partitions, const wal::DbId& db,
                   uint64_t lsn) {
    const auto count = static_cast<uint32_t>(partitions.size());
    Writer w;
    w.put<uint32_t>(count);
    {
        Writer section;
        put_catalog_payload(section, catalog);
        w.put<uint64_t>(section.size());
        w.put_bytes(section.bytes());
    }
    for (uint32_t i = 0; i < count; ++i) {
        const Partition* p = partitions[i];
        if (!p || p->shard_index() != i || p->shard_count() != count) {
            fail("ShardCountMismatch", "a snapshot needs the " + std::to_string(count) +
                                           " shards in index order; entry " + std::to_string(i) +
                                           " is missing or another shard");
        }
        Writer section;
        put_partition_payload(section, *p);
        w.put<uint64_t>(section.size());
        w.put_bytes(section.bytes());
    }
    const auto bytes = frame(FileKind::Snapshot, db, 0, count, lsn, w.bytes());
    persist::write_file_atomic(file, bytes);
}

SnapshotInfo load_snapshot(const fs::path& file, Catalog& catalog,
                           std::vector<Partition*>& partitions) {
    const std::string src = "snapshot " + file.string();
    const auto bytes = persist::read_file(file);
    const Header hd = read_header(bytes, FileKind::Snapshot, nullptr, src);
    if (hd.shard_count != partitions.size()) {
        fail("ShardCountMismatch", src + " holds " + std::to_string(hd.shard_count) +
                                       " shards, but the database has " +
                                       std::to_string(partitions.size()));
    }
    for (Partition* p : partitions) {
        if (!p) fail("ShardCountMismatch", "load_snapshot was given a null partition");
        require_empty(*p, src);
    }
    const auto raw = read_payload(bytes, hd, src);
    Reader r(raw, src, "uncompressed payload");
    if (r.get<uint32_t>("shard count") != hd.shard_count)
        r.corrupt("shard count disagrees with the header");
    auto section = [&](std::string_view what) {
        const auto n = r.get<uint64_t>("section length");
        return r.get_bytes(n, what);
    };
    {
        Reader cr(section("catalog section"), src, "catalog section");
        get_catalog_payload(cr, catalog);
        expect_end(cr);
    }
    for (size_t i = 0; i < partitions.size(); ++i) {
        const std::string region = "section of shard " + std::to_string(i);
        Reader pr(section(region), src, region);
        get_partition_payload(pr, *partitions[i]);
        expect_end(pr);
    }
    expect_end(r);
    rebuild_in_edges(partitions);
    return SnapshotInfo{hd.db, hd.lsn, hd.shard_count};
}

}  // namespace lora::storage
