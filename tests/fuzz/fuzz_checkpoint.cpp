// The checkpoint and snapshot loaders on any bytes. Their files carry XXH64 checksums, so the
// first input byte picks how the rest is read:
//   0  a whole file (the header's validation): as a partition, a catalog, vector index images
//      and a snapshot
//   1  a partition's payload, framed here with a valid header (checkpoint_frame.hpp's
//      frame(): compressed, checksums computed), decoded into shard 0 of 1, in-edges rebuilt
//   2  a catalog's payload, framed and decoded
//   3  vector index images, framed and decoded, each image then loaded as a VectorIndex
//   4  a snapshot's payload, framed (2 shards) and loaded from a memfd file
// Bad bytes must end in lora::Error.
//
// `fuzz_checkpoint -write_seeds=DIR` writes the seed corpus instead: the encoded files and
// payloads of a small graph (labels, properties of every kind incl. temporal, lists, vectors,
// relationships within and across shards, a range and a vector index, constraints).
#include "checkpoint_frame.hpp"

#include <lora/error.hpp>
#include <lora/storage/checkpoint.hpp>
#include <lora/storage/constraint_registry.hpp>
#include <lora/storage/index_registry.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/temporal_ops.hpp>

#include <zstd.h>

#include <sys/mman.h>
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace lora::storage;
using Bytes = std::vector<std::byte>;
using Kind = Catalog::Kind;

constexpr uint64_t kLsn = 7;
constexpr uint32_t kSnapshotShards = 2;

const lora::wal::DbId& db_id() {
    static const lora::wal::DbId id = [] {
        lora::wal::DbId d;
        for (size_t i = 0; i < d.bytes.size(); ++i) d.bytes[i] = static_cast<uint8_t>(i + 1);
        return d;
    }();
    return id;
}

// Ids are slots: a partition holding node id N has a slot (live or a tombstone) for every
// id below it, as the database that wrote the file had, so a file's next ids (which bound
// its record ids) may ask for up to 2^32 slots per shard. Inputs declaring more than this
// are skipped to keep each one fast; everything else about them is fuzzed.
constexpr uint64_t kMaxNextId = uint64_t{1} << 16;

template <class T>
T read_at(std::span<const std::byte> bytes, size_t at) {
    T v{};
    if (at + sizeof v <= bytes.size()) std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
}

// A partition payload starts with u32 shard index, u32 shard count, u64 next node id, u64
// next relationship id.
bool few_slots(std::span<const std::byte> partition) {
    return read_at<uint64_t>(partition, 8) <= kMaxNextId &&
           read_at<uint64_t>(partition, 16) <= kMaxNextId;
}

// A snapshot payload: u32 shard count, then sections (u64 length, bytes): the catalog's,
// then each partition's.
bool few_slots_in_snapshot(std::span<const std::byte> snapshot) {
    size_t at = 4;
    for (uint32_t i = 0; i <= kSnapshotShards && at + 8 <= snapshot.size(); ++i) {
        const auto n = read_at<uint64_t>(snapshot, at);
        at += 8;
        if (n > snapshot.size() - at) break;
        if (i > 0 && !few_slots(snapshot.subspan(at, n))) return false;
        at += n;
    }
    return true;
}

template <class F>
void guarded(F&& f) {
    try {
        f();
    } catch (const lora::Error&) {}
}

// The payload is written to a memfd; load_snapshot reads it through /proc/self/fd.
void load_snapshot_bytes(std::span<const std::byte> file) {
    const int fd = ::memfd_create("fuzz-snapshot", MFD_CLOEXEC);
    if (fd < 0) std::abort();
    size_t done = 0;
    while (done < file.size()) {
        const ssize_t n = ::write(fd, file.data() + done, file.size() - done);
        if (n <= 0) std::abort();
        done += static_cast<size_t>(n);
    }
    Catalog catalog;
    std::vector<std::unique_ptr<Partition>> parts;
    std::vector<Partition*> ptrs;
    for (uint32_t i = 0; i < kSnapshotShards; ++i) {
        parts.push_back(std::make_unique<Partition>(i, kSnapshotShards, catalog));
        ptrs.push_back(parts.back().get());
    }
    guarded([&] { load_snapshot("/proc/self/fd/" + std::to_string(fd), catalog, ptrs); });
    ::close(fd);
}

void decode_partition_bytes(std::span<const std::byte> file) {
    // A partition refers to its catalog's names (label ids are checked against it).
    Catalog catalog;
    for (auto kind : {Kind::Label, Kind::Type, Kind::Key})
        for (int i = 0; i < 16; ++i) catalog.intern(kind, "n" + std::to_string(i));
    Partition p(0, 1, catalog);
    guarded([&] {
        decode_partition(file, p, db_id(), kLsn);
        Partition* all[] = {&p};
        rebuild_in_edges(all);
    });
}

void decode_catalog_bytes(std::span<const std::byte> file) {
    Catalog catalog;
    guarded([&] { decode_catalog(file, catalog, db_id(), kLsn); });
}

void decode_images_bytes(std::span<const std::byte> file) {
    std::vector<Partition::VectorImage> images;
    guarded([&] { images = decode_vector_images(file, db_id(), kLsn, 0, 1); });
    for (const auto& im : images) guarded([&] { (void)VectorIndex::load(im.bytes); });
}

// ---- the seed corpus

struct Graph {
    Catalog catalog;
    std::vector<std::unique_ptr<Partition>> parts;
    explicit Graph(uint32_t shards) {
        for (uint32_t i = 0; i < shards; ++i)
            parts.push_back(std::make_unique<Partition>(i, shards, catalog));
    }
    Partition& at(uint64_t id) { return *parts[id % parts.size()]; }
};

void fill(Graph& g) {
    namespace t = lora::temporal;
    using lora::Value;
    using lora::ValueKind;
    IndexDef vec;
    vec.name = "doc_v";
    vec.kind = IndexKind::Vector;
    vec.label = "Doc";
    vec.properties = {"v"};
    vec.config = {{"vector.dimensions", Value(int64_t{4})},
                  {"vector.similarity_function", Value("cosine")}};
    vec.state = IndexState::Online;
    g.catalog.indexes().restore(vec);
    IndexDef range;
    range.name = "person_name";
    range.label = "Person";
    range.properties = {"name", "age"};
    range.state = IndexState::Online;
    g.catalog.indexes().restore(range);
    ConstraintDef unique;
    unique.name = "person_id";
    unique.label = "Person";
    unique.properties = {"id"};
    g.catalog.constraints().restore(unique);
    ConstraintDef typed;
    typed.name = "knows_since";
    typed.kind = ConstraintKind::PropertyType;
    typed.entity = ConstraintEntity::Relationship;
    typed.label = "KNOWS";
    typed.properties = {"since"};
    typed.types = {"INTEGER"};
    g.catalog.constraints().restore(typed);

    const std::vector<Value> values = {
        Value(),
        Value(true),
        Value(int64_t{-42}),
        Value(2.5),
        Value("héllo"),
        Value(lora::List{Value(int64_t{1}), Value(int64_t{-2})}),
        Value(lora::List{Value("x"), Value("")}),
        Value(lora::List{}),
        Value(lora::Vector{{0.5f, -1.0f, 2.0f, 0.25f}}),
        t::parse(ValueKind::Date, "2015-07-21"),
        t::parse(ValueKind::LocalTime, "21:40:32.142"),
        t::parse(ValueKind::Time, "21:40:32.142+01:00"),
        t::parse(ValueKind::LocalDateTime, "2015-07-21T21:40:32.142"),
        t::parse(ValueKind::DateTime, "2015-07-21T21:40:32.142+01:00[Europe/London]"),
        t::parse(ValueKind::Duration, "P1Y2M3DT4H"),
        Value(lora::List{t::parse(ValueKind::Date, "2020-01-01")})};
    std::vector<uint64_t> nodes;
    for (size_t i = 0; i < values.size(); ++i) {
        Partition& p = *g.parts[i % g.parts.size()];
        const uint64_t n = p.create_node();
        nodes.push_back(n);
        p.add_label(n, g.catalog.intern(Kind::Label, i % 2 ? "Person" : "Doc"));
        p.set_node_property(n, g.catalog.intern(Kind::Key, "name"), Value("n" + std::to_string(i)));
        p.set_node_property(n, g.catalog.intern(Kind::Key, "p" + std::to_string(i)), values[i]);
        if (i % 2 == 0) {
            p.set_node_property(n, g.catalog.intern(Kind::Key, "v"),
                                Value(lora::Vector{{float(i), 1.0f, float(i % 3), -2.0f}}));
        }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        const uint64_t a = nodes[i], b = nodes[(i * 5 + 1) % nodes.size()];
        const uint32_t type = g.catalog.intern(Kind::Type, i % 3 ? "KNOWS" : "LIKES");
        const uint64_t r = g.at(a).create_relationship(a, type, b);
        g.at(b).add_in_edge(b, r, type, a);
        g.at(a).set_rel_property(r, g.catalog.intern(Kind::Key, "since"), Value(int64_t(1990 + i)));
        g.at(a).set_rel_property(r, g.catalog.intern(Kind::Key, "w"),
                                 values[(i + 3) % values.size()]);
    }
    g.at(nodes[3]).delete_node(nodes[3]);
    for (auto& p : g.parts) p->sync_indexes();
}

// The uncompressed payload of a framed file.
Bytes payload_of(const Bytes& file) {
    uint64_t raw = 0;
    std::memcpy(&raw, file.data() + 48, sizeof raw);
    Bytes out(raw);
    const size_t n = ZSTD_decompress(out.data(), out.size(), file.data() + checkpoint_header_size,
                                     file.size() - checkpoint_header_size);
    if (ZSTD_isError(n) || n != raw) std::abort();
    return out;
}

void write_seed(const std::filesystem::path& dir, const std::string& name, uint8_t mode,
                const Bytes& bytes) {
    std::ofstream f(dir / name, std::ios::binary);
    f.put(static_cast<char>(mode));
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_seeds(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    Graph one(1);
    fill(one);
    const Bytes partition = encode_partition(*one.parts[0], db_id(), kLsn);
    const Bytes catalog = encode_catalog(one.catalog, db_id(), kLsn);
    const Bytes images = encode_vector_images(*one.parts[0], db_id(), kLsn);
    Graph two(kSnapshotShards);
    fill(two);
    const Bytes snapshot = [&] {
        const auto file = std::filesystem::temp_directory_path() /
                          ("lora-fuzz-seed-" + std::to_string(::getpid()) + ".snapshot");
        save_snapshot(file, two.catalog, {two.parts[0].get(), two.parts[1].get()}, db_id(), kLsn);
        std::ifstream in(file, std::ios::binary);
        const std::vector<char> chars((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
        std::filesystem::remove(file);
        Bytes out(chars.size());
        std::memcpy(out.data(), chars.data(), chars.size());
        return out;
    }();
    int n = 0;
    for (const Bytes* f : {&partition, &catalog, &images, &snapshot})
        write_seed(dir, "file-" + std::to_string(n++), 0, *f);
    write_seed(dir, "partition", 1, payload_of(partition));
    write_seed(dir, "catalog", 2, payload_of(catalog));
    write_seed(dir, "vector-images", 3, payload_of(images));
    write_seed(dir, "snapshot", 4, payload_of(snapshot));
    std::printf("seeds: 8 checkpoint and snapshot inputs in %s\n", dir.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    constexpr std::string_view flag = "-write_seeds=";
    for (int i = 1; i < *argc; ++i) {
        const std::string_view arg = (*argv)[i];
        if (arg.substr(0, flag.size()) == flag) {
            write_seeds(std::string(arg.substr(flag.size())));
            std::exit(0);
        }
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t mode = data[0] % 5;
    const std::span<const std::byte> rest(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
    if (mode == 0) {
        decode_partition_bytes(rest);
        decode_catalog_bytes(rest);
        decode_images_bytes(rest);
        load_snapshot_bytes(rest);
        return 0;
    }
    switch (mode) {
        case 1:
            if (few_slots(rest))
                decode_partition_bytes(frame(FileKind::Partition, db_id(), 0, 1, kLsn, rest));
            break;
        case 2: decode_catalog_bytes(frame(FileKind::Catalog, db_id(), 0, 0, kLsn, rest)); break;
        case 3:
            decode_images_bytes(frame(FileKind::VectorImages, db_id(), 0, 1, kLsn, rest));
            break;
        default:
            if (few_slots_in_snapshot(rest))
                load_snapshot_bytes(
                    frame(FileKind::Snapshot, db_id(), 0, kSnapshotShards, kLsn, rest));
    }
    return 0;
}
