// Checkpoint files, checkpoint sets and snapshots: round trips compared record by record,
// and every kind of damage (flipped byte, truncation, foreign database, missing file, crash).
#include "persist_support.hpp"
// frame(): the file framing, private to storage/src.
#include "../../storage/src/checkpoint_frame.hpp"

#include <lora/error.hpp>
#include <lora/storage/checkpoint.hpp>
#include <lora/storage/index_registry.hpp>
#include <lora/storage/vector_index.hpp>
#include <lora/temporal_ops.hpp>
#include <lora/wal/fault.hpp>

#include <xxhash.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace lora::storage;
using persist_test::dump;
using persist_test::expect_error;
using persist_test::fill_sample;
using persist_test::Graph;
using persist_test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::vector<std::byte>> encode_shards(Graph& g, const lora::wal::DbId& db,
                                                  uint64_t lsn) {
    std::vector<std::vector<std::byte>> out;
    for (auto& p : g.parts) out.push_back(encode_partition(*p, db, lsn));
    return out;
}

void checkpoint(DataDir& d, Graph& g, uint64_t lsn) {
    const auto db = d.manifest().db_id;
    write_checkpoint(d, lsn, encode_catalog(g.catalog, db, lsn), encode_shards(g, db, lsn));
}

void flip_byte(const fs::path& file, std::streamoff at) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(at);
    f.write(&c, 1);
}

std::vector<fs::path> entries(const fs::path& dir) {
    std::vector<fs::path> v;
    for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename());
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

TEST_CASE("partitions and catalog survive encode/decode record by record", "[persist]") {
    Graph g;
    fill_sample(g);
    const auto db = lora::wal::DbId::random();
    const std::string before = dump(g);
    REQUIRE(g.parts[0]->node_count() > 5);
    REQUIRE(before.find("SELF") != std::string::npos);
    REQUIRE(before.find("embedding:VECTOR=vector([0.1, -2.5, 3e-08, 0.0], 4, FLOAT32 NOT NULL)") !=
            std::string::npos);

    std::vector<std::vector<std::byte>> files = encode_shards(g, db, 42);
    const auto cat = encode_catalog(g.catalog, db, 42);

    Graph back;
    decode_catalog(cat, back.catalog, db, 42);
    for (size_t i = 0; i < 3; ++i) decode_partition(files[i], *back.parts[i], db, 42);
    auto ptrs = back.ptrs();
    rebuild_in_edges(ptrs);
    CHECK(dump(back) == before);
    for (auto kind : {Catalog::Kind::Label, Catalog::Kind::Type, Catalog::Kind::Key})
        CHECK(back.catalog.names(kind) == g.catalog.names(kind));

    // Restored ids stay unique: new records continue after the checkpointed next ids.
    for (size_t i = 0; i < 3; ++i) {
        CHECK(back.parts[i]->create_node() == g.parts[i]->create_node());
    }
    CHECK(back.parts[1]->next_relationship_id() == g.parts[1]->next_relationship_id());

    // Compression does its job on repetitive data.
    size_t raw_guess = 0;
    for (auto& f : files) raw_guess += f.size();
    CHECK(raw_guess < 3 * 80 + 30 * 200);
}

TEST_CASE("temporal properties round-trip; version 1 files (before them) still read",
          "[persist][temporal]") {
    namespace t = lora::temporal;
    Graph g;
    fill_sample(g);
    const auto db = lora::wal::DbId::random();
    const std::string plain = dump(g);
    {
        // What a build before temporal values wrote differs only in the header's version.
        auto v1 = encode_partition(*g.parts[1], db, 9);
        uint32_t one = 1;
        std::memcpy(v1.data() + 8, &one, sizeof one);
        const uint64_t h = XXH64(v1.data(), 72, 0);
        std::memcpy(v1.data() + 72, &h, sizeof h);
        Graph back;
        decode_catalog(encode_catalog(g.catalog, db, 9), back.catalog, db, 9);
        decode_partition(v1, *back.parts[1], db, 9);
        CHECK(back.parts[1]->node_count() == g.parts[1]->node_count());
        // A version this build does not know is refused.
        uint32_t three = 3;
        std::memcpy(v1.data() + 8, &three, sizeof three);
        const uint64_t h3 = XXH64(v1.data(), 72, 0);
        std::memcpy(v1.data() + 72, &h3, sizeof h3);
        Graph newer;
        auto e = expect_error([&] { decode_partition(v1, *newer.parts[1], db, 9); });
        CHECK(e.detail() == "UnsupportedVersion");
    }
    const uint64_t n = g.node(1);
    g.prop(n, "d", t::parse(lora::ValueKind::Date, "-0044-03-15"));
    g.prop(n, "lt", t::parse(lora::ValueKind::LocalTime, "23:59:59.999999999"));
    g.prop(n, "t", t::parse(lora::ValueKind::Time, "12:00-02:05:07"));
    g.prop(n, "ldt", t::parse(lora::ValueKind::LocalDateTime, "1900-02-28T01:02:03.4"));
    g.prop(n, "dt",
           t::parse(lora::ValueKind::DateTime, "2017-10-29T02:30+01:00[Europe/Stockholm]"));
    g.prop(n, "dur", t::parse(lora::ValueKind::Duration, "P-1Y2M-3DT-4.5S"));
    g.prop(n, "ds",
           lora::Value(lora::List{t::parse(lora::ValueKind::Date, "2020-01-01"),
                                  t::parse(lora::ValueKind::Date, "2021-01-01")}));
    const std::string before = dump(g);
    REQUIRE(before != plain);
    REQUIRE(before.find("2017-10-29T02:30+01:00[Europe/Stockholm]") != std::string::npos);
    std::vector<std::vector<std::byte>> files = encode_shards(g, db, 43);
    const auto cat = encode_catalog(g.catalog, db, 43);
    Graph back;
    decode_catalog(cat, back.catalog, db, 43);
    for (size_t i = 0; i < 3; ++i) decode_partition(files[i], *back.parts[i], db, 43);
    auto ptrs = back.ptrs();
    rebuild_in_edges(ptrs);
    CHECK(dump(back) == before);
}

TEST_CASE("decode checks database, LSN, shard and emptiness", "[persist]") {
    Graph g;
    fill_sample(g);
    const auto db = lora::wal::DbId::random();
    const auto file = encode_partition(*g.parts[1], db, 7);

    Graph back;
    auto e = expect_error(
        [&] { decode_partition(file, *back.parts[1], lora::wal::DbId::random(), 7, "x.ckpt"); });
    CHECK(e.detail() == "WrongDatabase");
    CHECK_THAT(e.message(), Catch::Contains("x.ckpt") && Catch::Contains(db.to_hex()));
    CHECK(expect_error([&] { decode_partition(file, *back.parts[1], db, 8); }).detail() ==
          "LsnMismatch");
    CHECK(expect_error([&] { decode_partition(file, *back.parts[0], db, 7); }).detail() ==
          "WrongShard");
    Graph four(4);
    CHECK(expect_error([&] { decode_partition(file, *four.parts[1], db, 7); }).detail() ==
          "ShardCountMismatch");
    back.parts[1]->create_node();
    CHECK(expect_error([&] { decode_partition(file, *back.parts[1], db, 7); }).detail() ==
          "NotEmpty");

    // A catalog that already disagrees with the file.
    Catalog other;
    other.intern(Catalog::Kind::Label, "Zebra");
    auto ce = expect_error(
        [&] { decode_catalog(encode_catalog(g.catalog, db, 7), other, db, 7, "cat.ckpt"); });
    CHECK(ce.detail() == "CorruptFile");
    CHECK_THAT(ce.message(), Catch::Contains("cat.ckpt"));

    // Every single flipped byte is caught (header or payload), never a crash.
    for (size_t at = 0; at < file.size(); at += 3) {
        auto bad = file;
        bad[at] ^= std::byte{0x01};
        Graph fresh;
        auto fe = expect_error([&] { decode_partition(bad, *fresh.parts[1], db, 7, "flip.ckpt"); });
        CHECK_THAT(fe.message(), Catch::Contains("flip.ckpt"));
    }
    // ... and so is every truncation.
    for (size_t len : {size_t{0}, size_t{10}, size_t{79}, size_t{80}, file.size() - 1}) {
        Graph fresh;
        auto te = expect_error([&] {
            decode_partition(std::span(file).first(len), *fresh.parts[1], db, 7, "short.ckpt");
        });
        CHECK(te.detail() == "CorruptFile");
        CHECK_THAT(te.message(), Catch::Contains("short.ckpt") && Catch::Contains("truncated"));
    }
}

TEST_CASE("checkpoint sets replace the manifest and drop older sets", "[persist]") {
    TempDir tmp;
    Graph g;
    fill_sample(g);
    std::string at10;
    {
        auto d = DataDir::open(tmp.path, 3);
        {
            Graph empty;
            std::vector<Partition*> none = empty.ptrs();
            CHECK(load_checkpoint(*d, empty.catalog, none) == 0);  // no checkpoint yet
        }
        checkpoint(*d, g, 10);
        at10 = dump(g);
        CHECK(d->manifest().checkpoint_lsn == 10);
        CHECK(d->manifest().checkpoint == "checkpoints/00000000000000000010");
        CHECK(entries(tmp.path / "checkpoints") == std::vector<fs::path>{"00000000000000000010"});
        CHECK(entries(tmp.path / d->manifest().checkpoint) ==
              (std::vector<fs::path>{"catalog.ckpt", "shard-0.ckpt", "shard-1.ckpt",
                                     "shard-2.ckpt"}));

        // More writes, a newer checkpoint: the older set is deleted.
        const uint64_t n = g.node(2);
        g.label(n, "Late");
        g.prop(n, "name", lora::Value("late"));
        g.rel(n, "KNOWS", 0);
        checkpoint(*d, g, 20);
        CHECK(d->manifest().checkpoint_lsn == 20);
        CHECK(entries(tmp.path / "checkpoints") == std::vector<fs::path>{"00000000000000000020"});

        CHECK(expect_error([&] { checkpoint(*d, g, 15); }).detail() == "StaleCheckpoint");
        checkpoint(*d, g, 20);  // same LSN: nothing to do
        CHECK(d->manifest().checkpoint_lsn == 20);

        // A set assembled for another LSN is refused before anything is written.
        const auto db = d->manifest().db_id;
        auto e = expect_error([&] {
            write_checkpoint(*d, 30, encode_catalog(g.catalog, db, 30), encode_shards(g, db, 29));
        });
        CHECK(e.detail() == "LsnMismatch");
        CHECK(d->manifest().checkpoint_lsn == 20);
        CHECK(entries(tmp.path / "checkpoints") == std::vector<fs::path>{"00000000000000000020"});
    }
    auto d = DataDir::open(tmp.path, 3);
    Graph back;
    std::vector<Partition*> ptrs = back.ptrs();
    CHECK(load_checkpoint(*d, back.catalog, ptrs) == 20);
    CHECK(dump(back) == dump(g));
    CHECK(dump(back) != at10);
    CHECK(back.catalog.lookup(Catalog::Kind::Label, "Late").has_value());
}

TEST_CASE("a damaged checkpoint set is refused naming the file", "[persist]") {
    TempDir tmp;
    Graph g;
    fill_sample(g);
    fs::path folder;
    {
        auto d = DataDir::open(tmp.path, 3);
        checkpoint(*d, g, 5);
        folder = tmp.path / d->manifest().checkpoint;
    }
    auto load = [&] {
        auto d = DataDir::open(tmp.path, 3);
        Graph back;
        std::vector<Partition*> ptrs = back.ptrs();
        load_checkpoint(*d, back.catalog, ptrs);
    };
    load();  // intact

    SECTION("a flipped payload byte") {
        const fs::path f = folder / "shard-1.ckpt";
        flip_byte(f, static_cast<std::streamoff>(fs::file_size(f) - 3));
        auto e = expect_error(load);
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(), Catch::Contains(f.string()) && Catch::Contains("checksum"));
    }
    SECTION("a flipped header byte") {
        const fs::path f = folder / "catalog.ckpt";
        flip_byte(f, 41);
        auto e = expect_error(load);
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(), Catch::Contains(f.string()) && Catch::Contains("header"));
    }
    SECTION("a missing shard file") {
        fs::remove(folder / "shard-2.ckpt");
        auto e = expect_error(load);
        CHECK(e.detail() == "MissingFile");
        CHECK_THAT(e.message(), Catch::Contains((folder / "shard-2.ckpt").string()));
    }
    SECTION("a shard file of another database") {
        const auto foreign = encode_partition(*g.parts[0], lora::wal::DbId::random(), 5);
        std::ofstream(folder / "shard-0.ckpt", std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(foreign.data()),
                   static_cast<std::streamsize>(foreign.size()));
        auto e = expect_error(load);
        CHECK(e.detail() == "WrongDatabase");
        CHECK_THAT(e.message(), Catch::Contains((folder / "shard-0.ckpt").string()));
    }
    SECTION("a missing folder") {
        fs::remove_all(folder);
        auto e = expect_error(load);
        CHECK(e.detail() == "MissingFile");
        CHECK_THAT(e.message(), Catch::Contains(folder.string()));
    }
}

TEST_CASE("snapshots round-trip and refuse damage", "[persist]") {
    TempDir tmp;
    Graph g;
    fill_sample(g, 1);
    const auto db = lora::wal::DbId::random();
    const fs::path file = tmp.path / "backup.lsnap";
    save_snapshot(file, g.catalog, g.cptrs(), db, 99);
    CHECK(fs::exists(file));
    CHECK_FALSE(fs::exists(tmp.path / "backup.lsnap.tmp"));

    {
        Graph back;
        std::vector<Partition*> ptrs = back.ptrs();
        SnapshotInfo info = load_snapshot(file, back.catalog, ptrs);
        CHECK(info.db_id == db);
        CHECK(info.lsn == 99);
        CHECK(info.shard_count == 3);
        CHECK(dump(back) == dump(g));
    }
    {
        Graph two(2);
        std::vector<Partition*> ptrs = two.ptrs();
        auto e = expect_error([&] { load_snapshot(file, two.catalog, ptrs); });
        CHECK(e.detail() == "ShardCountMismatch");
        CHECK_THAT(e.message(), Catch::Contains("3 shards") && Catch::Contains("has 2"));
    }
    {
        Graph back;
        std::vector<Partition*> ptrs = back.ptrs();
        auto e = expect_error([&] { load_snapshot(tmp.path / "nope", back.catalog, ptrs); });
        CHECK(e.detail() == "MissingFile");
    }
    const auto size = fs::file_size(file);
    for (auto len : {size - 1, size / 2, uintmax_t{50}}) {
        fs::copy_file(file, tmp.path / "cut", fs::copy_options::overwrite_existing);
        fs::resize_file(tmp.path / "cut", len);
        Graph back;
        std::vector<Partition*> ptrs = back.ptrs();
        auto e = expect_error([&] { load_snapshot(tmp.path / "cut", back.catalog, ptrs); });
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(),
                   Catch::Contains((tmp.path / "cut").string()) && Catch::Contains("truncated"));
    }
    // Saving again replaces the file whole.
    const uint64_t extra = g.node(0);
    g.label(extra, "Extra");
    save_snapshot(file, g.catalog, g.cptrs(), db, 100);
    Graph back;
    std::vector<Partition*> ptrs = back.ptrs();
    CHECK(load_snapshot(file, back.catalog, ptrs).lsn == 100);
    CHECK(back.parts[0]->node_exists(extra));
}

namespace {

// Forks a child that checkpoints `g` at `lsn` with `fault` armed; it must die by SIGKILL.
void crash_checkpoint(const fs::path& dir, Graph& g, uint64_t lsn, const char* fault) {
    std::fflush(nullptr);  // the child must not repeat buffered output
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            auto d = DataDir::open(dir, 3);
            lora::fault::set(fault);
            checkpoint(*d, g, lsn);
        } catch (...) {}
        ::_exit(3);  // the fault did not fire
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
}

}  // namespace

TEST_CASE("a crash during a checkpoint leaves the previous one loadable", "[persist]") {
    const char* fault = GENERATE("checkpoint_crash_mid", "checkpoint_crash_before_manifest");
    INFO(fault);
    TempDir tmp;
    Graph g;
    fill_sample(g);
    { checkpoint(*DataDir::open(tmp.path, 3), g, 5); }
    const std::string at5 = dump(g);
    const uint64_t n = g.node(1);
    g.label(n, "After");

    crash_checkpoint(tmp.path, g, 9, fault);
    // The child died where the fault point sits: mid-way leaves a partial ".tmp" set, before
    // the manifest a complete set that nothing names yet.
    if (std::string_view(fault) == "checkpoint_crash_mid") {
        CHECK(entries(tmp.path / "checkpoints") ==
              (std::vector<fs::path>{"00000000000000000005", "00000000000000000009.tmp"}));
        CHECK(entries(tmp.path / "checkpoints" / "00000000000000000009.tmp") ==
              (std::vector<fs::path>{"catalog.ckpt", "shard-0.ckpt"}));
    } else {
        CHECK(entries(tmp.path / "checkpoints") ==
              (std::vector<fs::path>{"00000000000000000005", "00000000000000000009"}));
    }

    {
        auto d = DataDir::open(tmp.path, 3);  // the dead child's lock is gone with it
        CHECK(d->manifest().checkpoint_lsn == 5);
        Graph back;
        std::vector<Partition*> ptrs = back.ptrs();
        CHECK(load_checkpoint(*d, back.catalog, ptrs) == 5);
        CHECK(dump(back) == at5);

        // The next checkpoint at the same LSN clears the leftovers and succeeds.
        checkpoint(*d, g, 9);
        CHECK(entries(tmp.path / "checkpoints") == std::vector<fs::path>{"00000000000000000009"});
    }
    auto d = DataDir::open(tmp.path, 3);
    Graph back;
    std::vector<Partition*> ptrs = back.ptrs();
    CHECK(load_checkpoint(*d, back.catalog, ptrs) == 9);
    CHECK(dump(back) == dump(g));
}

namespace {

void add_vector_index(Graph& g) {
    IndexDef def;
    def.name = "doc_v";
    def.kind = IndexKind::Vector;
    def.label = "Doc";
    def.properties = {"v"};
    def.config = {{"vector.dimensions", lora::Value(int64_t{4})},
                  {"vector.similarity_function", lora::Value("euclidean")}};
    def.state = IndexState::Online;
    g.catalog.indexes().restore(def);
}

void fill_vectors(Graph& g, int n) {
    for (int i = 0; i < n; ++i) {
        const uint64_t id = g.node(static_cast<uint32_t>(i % g.parts.size()));
        g.label(id, "Doc");
        lora::Vector v;
        v.coords = {float(i), 1.0f, float(i % 3), -2.0f};
        g.prop(id, "v", lora::Value(std::move(v)));
    }
}

}  // namespace

TEST_CASE("checkpoint sets carry vector index images the partitions load", "[persist][vecimg]") {
    TempDir tmp;
    Graph g(2);
    add_vector_index(g);
    fill_vectors(g, 40);
    for (auto& p : g.parts) p->sync_indexes();
    auto d = DataDir::open(tmp.path, 2);
    const auto db = d->manifest().db_id;
    std::vector<std::vector<std::byte>> images;
    for (auto& p : g.parts) images.push_back(encode_vector_images(*p, db, 7));
    {
        // Images of the wrong shards are refused before anything is written.
        std::vector<std::vector<std::byte>> swapped{images[1], images[0]};
        auto e = expect_error([&] {
            write_checkpoint(*d, 7, encode_catalog(g.catalog, db, 7), encode_shards(g, db, 7),
                             swapped);
        });
        CHECK(std::string(e.what()).find("vector index images of shard 0") != std::string::npos);
        CHECK(d->manifest().checkpoint_lsn == 0);
    }
    write_checkpoint(*d, 7, encode_catalog(g.catalog, db, 7), encode_shards(g, db, 7), images);
    CHECK(fs::exists(tmp.path / checkpoint_folder_name(7) / "vectors-0.ckpt"));
    CHECK(fs::exists(tmp.path / checkpoint_folder_name(7) / "vectors-1.ckpt"));

    Graph back(2);
    auto parts = back.ptrs();
    CHECK(load_checkpoint(*d, back.catalog, parts) == 7);
    for (size_t i = 0; i < 2; ++i) {
        back.parts[i]->sync_indexes();
        CHECK(back.parts[i]->vector_build_stats().from_image == 1);
        CHECK(back.parts[i]->vector_build_stats().rebuilt == 0);
        VectorIndex* was = g.parts[i]->vector_index("doc_v");
        VectorIndex* now = back.parts[i]->vector_index("doc_v");
        REQUIRE(now);
        CHECK(now->size() == was->size());
        const std::vector<float> q{5.0f, 1.0f, 2.0f, -2.0f};
        CHECK(now->search(q, 10) == was->search(q, 10));
    }
    // The image decoder names damage; load_checkpoint only logs it (a rebuild follows).
    auto bytes = images[0];
    bytes[bytes.size() / 2] ^= std::byte{0x5a};
    auto e = expect_error([&] { decode_vector_images(bytes, db, 7, 0, 2, "vectors-0.ckpt"); });
    CHECK(std::string(e.what()).find("vectors-0.ckpt") != std::string::npos);
}

// Found by fuzz_checkpoint: a partition file whose node id lies past the file's own next node
// id (16, the id 2^40) had restore_node make a slot for every id below it, minutes and
// gigabytes of work, before the next ids were found not to fit; and a label id the catalog
// does not know (2^31) sized the partition's label index, asking for 27 GiB. Both are damage
// now, reported before anything is allocated; relationship ids are checked like node ids.
TEST_CASE("a record id past the file's next ids or an unknown label id is damage found first",
          "[persist]") {
    const auto db = lora::wal::DbId::random();
    constexpr uint32_t no_label = UINT32_MAX;
    auto framed = [&](uint64_t node_id, uint32_t label, uint64_t rel_count, uint64_t rel_id) {
        std::vector<std::byte> payload;
        auto put = [&](auto v) {
            const auto* b = reinterpret_cast<const std::byte*>(&v);
            payload.insert(payload.end(), b, b + sizeof v);
        };
        put(uint32_t{0});   // shard index
        put(uint32_t{1});   // shard count
        put(uint64_t{16});  // next node id
        put(uint64_t{16});  // next relationship id
        put(uint64_t{1});   // one node: id, labels, no properties
        put(node_id);
        put(uint32_t{label == no_label ? 0u : 1u});
        if (label != no_label) put(label);
        put(uint32_t{0});
        put(rel_count);  // relationships: id, start, type, end, no properties
        if (rel_count) {
            put(rel_id);
            put(node_id);
            put(uint32_t{0});
            put(node_id);
            put(uint32_t{0});
        }
        return frame(FileKind::Partition, db, 0, 1, 3, payload);
    };
    {
        Catalog catalog;
        catalog.intern(Catalog::Kind::Label, "Person");
        Partition p(0, 1, catalog);
        decode_partition(framed(15, 0, 1, 15), p, db, 3);
        CHECK(p.node_count() == 1);
    }
    for (const auto& [file, what] :
         {std::pair{framed(uint64_t{1} << 40, no_label, 0, 0),
                    "node id 1099511627776 is not below the next node id 16"},
          std::pair{framed(3, no_label, 1, uint64_t{1} << 40),
                    "relationship id 1099511627776 is not below the next relationship id 16"},
          std::pair{framed(3, 1u << 31, 0, 0),
                    "label id 2147483648 is not in the catalog (1 labels)"}}) {
        Catalog catalog;
        catalog.intern(Catalog::Kind::Label, "Person");
        Partition p(0, 1, catalog);
        auto e = expect_error([&] { decode_partition(file, p, db, 3); });
        CHECK(e.detail() == "CorruptFile");
        CHECK(std::string(e.what()).find(what) != std::string::npos);
    }
}
