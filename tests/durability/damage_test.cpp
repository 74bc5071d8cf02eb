// Damaged files at the database level: the database is closed cleanly, its WAL, checkpoint or
// manifest files are edited, and the reopen either cuts a torn tail (keeping what precedes it)
// or refuses with an error naming the file (and, for WAL damage, the offset).
#include "durability_support.hpp"

#include <lora/wal/format.hpp>
#include <lora/wal/reader.hpp>
#include <lora/wal/writer.hpp>

using namespace durability;
namespace wal = lora::wal;

namespace {

// The first `limit` bytes of a file (all of it by default), read in one go: segments are
// preallocated to 64 MiB.
std::vector<std::byte> read_all(const fs::path& file, uint64_t limit = UINT64_MAX) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::vector<std::byte> bytes(std::min<uint64_t>(fs::file_size(file), limit));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw std::runtime_error("short read of " + file.string());
    return bytes;
}

wal::SegmentHeader segment_header(const fs::path& seg) {
    auto bytes = read_all(seg, wal::segment_header_size);
    std::string why;
    auto h = wal::decode_segment_header(
        std::span<const std::byte>(bytes).first(wal::segment_header_size), why);
    if (!h) throw std::runtime_error("bad segment header in " + seg.string() + ": " + why);
    return *h;
}

struct RecordPos {
    uint64_t offset = 0, size = 0, lsn = 0;
};

// Where each valid record of a segment starts, walking the framing with the WAL's own parser.
std::vector<RecordPos> records_of(const fs::path& seg) {
    auto bytes = read_all(seg);
    std::string why;
    auto h = wal::decode_segment_header(
        std::span<const std::byte>(bytes).first(wal::segment_header_size), why);
    if (!h) throw std::runtime_error("bad segment header in " + seg.string() + ": " + why);
    std::vector<RecordPos> out;
    uint64_t off = wal::segment_header_size, lsn = h->first_lsn;
    for (;;) {
        auto r = wal::parse_record(bytes, off, lsn);
        if (r.status != wal::ParseStatus::Ok) break;
        out.push_back({off, r.size, lsn});
        off += r.size;
        ++lsn;
    }
    return out;
}

// Rewrites the WAL of a closed database into segments of `segment_bytes` (the engine always
// uses 64 MiB, far more than a test writes), keeping every record, LSN and the database id.
void resegment(const fs::path& dir, uint64_t segment_bytes) {
    auto segs = wal_segments(dir);
    REQUIRE(!segs.empty());
    const wal::DbId id = segment_header(segs.front()).db_id;
    std::vector<std::pair<uint8_t, std::vector<std::byte>>> records;
    uint64_t first = 0;
    {
        auto rec = wal::open_for_recovery(dir / "wal", id);
        first = rec.first_lsn();
        rec.for_each(0, [&](const wal::Record& r) {
            records.emplace_back(r.type,
                                 std::vector<std::byte>(r.payload.begin(), r.payload.end()));
        });
    }
    REQUIRE(first > 0);
    for (auto& s : segs) fs::remove(s);
    wal::WriterOptions wo;
    wo.db_id = id;
    wo.segment_bytes = segment_bytes;
    wo.first_lsn = first;
    auto w = wal::Writer::open(dir / "wal", wo);
    for (auto& [type, payload] : records) w->append_wait(type, payload);
    w->close();
    REQUIRE_FALSE(w->poisoned());
}

// A database of `pairs` pairs (writer 0), one WAL record each, closed cleanly.
void make_db(const fs::path& dir, int64_t pairs) {
    auto db = open_db(dir);
    create_pairs(*db, 0, 0, pairs);
}

std::string open_error(const fs::path& dir) {
    try {
        open_db(dir);
    } catch (const lora::Error& e) {
        return e.code() + ": " + e.message();
    }
    return "";
}

std::string hex(const wal::DbId& id) { return id.to_hex(); }

}  // namespace

TEST_CASE("a truncated tail of the last WAL segment is cut, earlier commits stay",
          "[durability][damage]") {
    TempDir tmp;
    make_db(tmp.path, 20);
    auto segs = wal_segments(tmp.path);
    REQUIRE(segs.size() == 1);
    auto recs = records_of(segs.back());
    REQUIRE(recs.size() == 20);
    // Cut inside record 15 (s = 14): it and everything after it are gone from the file.
    const auto& cut = recs[14];
    fs::resize_file(segs.back(), cut.offset + cut.size / 2);
    {
        auto db = open_db(tmp.path);
        require_consistent(inspect(*db), {{0, 13}}, /*allow_unacked=*/false);
        CHECK_FALSE(db->health().read_only);
        // The log continues after the cut: new commits land in the repaired segment.
        create_pairs(*db, 0, 14, 30);
    }
    auto db = open_db(tmp.path);
    require_consistent(inspect(*db), {{0, 29}}, /*allow_unacked=*/false);
}

TEST_CASE("a flipped byte in the last WAL record drops only that record", "[durability][damage]") {
    const std::string where = GENERATE(as<std::string>{}, "payload", "length", "lsn", "checksum");
    INFO("flipped byte in the " << where);
    TempDir tmp;
    make_db(tmp.path, 12);
    auto segs = wal_segments(tmp.path);
    auto recs = records_of(segs.back());
    REQUIRE(recs.size() == 12);
    const auto& last = recs.back();
    uint64_t at = last.offset;
    if (where == "payload")
        at += wal::record_header_size + 5;
    else if (where == "length")
        at += 1;
    else if (where == "lsn")
        at += 8;
    else
        at += 16;
    flip_byte(segs.back(), at);
    {
        auto db = open_db(tmp.path);
        require_consistent(inspect(*db), {{0, 10}}, /*allow_unacked=*/false);
        create_pairs(*db, 0, 11, 15);
    }
    auto db = open_db(tmp.path);
    require_consistent(inspect(*db), {{0, 14}}, /*allow_unacked=*/false);
}

TEST_CASE("a WAL rewritten into small segments recovers whole", "[durability][damage]") {
    TempDir tmp;
    make_db(tmp.path, 40);
    resegment(tmp.path, 4096);
    auto segs = wal_segments(tmp.path);
    INFO(segs.size() << " segments");
    REQUIRE(segs.size() >= 3);
    {
        auto db = open_db(tmp.path);
        require_consistent(inspect(*db), {{0, 39}}, false);
        create_pairs(*db, 0, 40, 45);
    }
    auto db = open_db(tmp.path);
    require_consistent(inspect(*db), {{0, 44}}, false);
}

TEST_CASE("a flipped byte in an earlier WAL segment stops the open, naming file and offset",
          "[durability][damage]") {
    TempDir tmp;
    make_db(tmp.path, 40);
    resegment(tmp.path, 4096);
    auto segs = wal_segments(tmp.path);
    REQUIRE(segs.size() >= 3);
    // Damage the middle record of the second segment: cutting there would drop commits that
    // were acknowledged (the segments after it hold later ones), so the open must refuse.
    auto recs = records_of(segs[1]);
    REQUIRE(recs.size() >= 2);
    const auto& victim = recs[recs.size() / 2];
    flip_byte(segs[1], victim.offset + wal::record_header_size + 3);
    const std::string err = open_error(tmp.path);
    INFO(err);
    REQUIRE_FALSE(err.empty());
    CHECK(err.find(segs[1].filename().string()) != std::string::npos);
    CHECK(err.find("offset " + std::to_string(victim.offset)) != std::string::npos);
    // Refusing must not have repaired (zeroed) anything: the damage is still there to see.
    CHECK(records_of(segs[1]).size() == recs.size() / 2);
    CHECK(open_error(tmp.path) == err);
}

TEST_CASE("a flipped byte in the last of several segments cuts only the tail",
          "[durability][damage]") {
    TempDir tmp;
    make_db(tmp.path, 40);
    resegment(tmp.path, 4096);
    auto segs = wal_segments(tmp.path);
    REQUIRE(segs.size() >= 2);
    auto recs = records_of(segs.back());
    REQUIRE(!recs.empty());
    // Every record from the damaged one on is dropped; the earlier segments are kept.
    const auto& victim = recs.front();
    const int64_t kept_last = static_cast<int64_t>(victim.lsn) - 2;  // pair s has LSN s + 1
    flip_byte(segs.back(), victim.offset + wal::record_header_size + 1);
    auto db = open_db(tmp.path);
    require_consistent(inspect(*db), {{0, kept_last}}, false);
}

TEST_CASE("a WAL segment of another database is refused, naming the file", "[durability][damage]") {
    TempDir tmp, other;
    make_db(tmp.path, 5);
    make_db(other.path, 5);
    auto mine = wal_segments(tmp.path);
    auto theirs = wal_segments(other.path);
    REQUIRE(mine.size() == 1);
    REQUIRE(theirs.size() == 1);
    const auto my_id = segment_header(mine[0]).db_id;
    REQUIRE_FALSE(my_id == segment_header(theirs[0]).db_id);

    SECTION("a foreign segment continuing the log") {
        // A well-formed segment whose LSNs continue ours: only its database id is wrong.
        wal::WriterOptions wo;
        wo.db_id = wal::DbId::random();
        wo.segment_bytes = 4096;
        wo.first_lsn = records_of(mine[0]).back().lsn + 1;
        fs::path stage = other.path / "stage";
        {
            auto w = wal::Writer::open(stage, wo);
            const std::byte junk[16]{};
            w->append_wait(1, junk);
            w->close();
        }
        fs::path seg;
        for (auto& e : fs::directory_iterator(stage))
            if (e.path().extension() == ".wal") seg = e.path();
        REQUIRE(!seg.empty());
        fs::path stray = tmp.path / "wal" / seg.filename();
        fs::copy_file(seg, stray);
        const std::string err = open_error(tmp.path);
        INFO(err);
        REQUIRE_FALSE(err.empty());
        CHECK(err.find(stray.filename().string()) != std::string::npos);
        fs::remove(stray);
        auto db = open_db(tmp.path);  // the database itself was left alone
        require_consistent(inspect(*db), {{0, 4}}, false);
    }
    SECTION("another database's segment in place of ours") {
        fs::copy_file(theirs[0], mine[0], fs::copy_options::overwrite_existing);
        const std::string err = open_error(tmp.path);
        INFO(err);
        REQUIRE_FALSE(err.empty());
        CHECK(err.find(mine[0].filename().string()) != std::string::npos);
        CHECK(err.find(hex(my_id)) != std::string::npos);  // says which database it expected
    }
}

TEST_CASE("a missing checkpoint file stops the open, naming the file", "[durability][damage]") {
    const std::string victim = GENERATE(as<std::string>{}, "shard-1.ckpt", "catalog.ckpt");
    INFO("deleted " << victim);
    TempDir tmp;
    {
        auto db = open_db(tmp.path);
        create_pairs(*db, 0, 0, 10);
        db->checkpoint();
        create_pairs(*db, 0, 10, 15);
    }
    fs::path folder;
    for (auto& e : fs::directory_iterator(tmp.path / "checkpoints"))
        if (e.is_directory()) folder = e.path();
    REQUIRE(!folder.empty());
    REQUIRE(fs::exists(folder / victim));
    fs::remove(folder / victim);
    const std::string err = open_error(tmp.path);
    INFO(err);
    REQUIRE_FALSE(err.empty());
    CHECK(err.find(victim) != std::string::npos);
}

TEST_CASE("a missing checkpoint folder or MANIFEST stops the open, naming it",
          "[durability][damage]") {
    TempDir tmp;
    {
        auto db = open_db(tmp.path);
        create_pairs(*db, 0, 0, 10);
        db->checkpoint();
        create_pairs(*db, 0, 10, 12);
    }
    SECTION("checkpoint folder") {
        fs::path folder;
        for (auto& e : fs::directory_iterator(tmp.path / "checkpoints"))
            if (e.is_directory()) folder = e.path();
        REQUIRE(!folder.empty());
        fs::remove_all(folder);
        const std::string err = open_error(tmp.path);
        INFO(err);
        REQUIRE_FALSE(err.empty());
        CHECK(err.find(folder.filename().string()) != std::string::npos);
    }
    SECTION("MANIFEST") {
        // Without it the database must not be mistaken for a new, empty one.
        fs::remove(tmp.path / "MANIFEST");
        const std::string err = open_error(tmp.path);
        INFO(err);
        REQUIRE_FALSE(err.empty());
        CHECK(err.find("MANIFEST") != std::string::npos);
    }
}

TEST_CASE("an empty WAL directory with a checkpoint opens with the checkpoint's data",
          "[durability][damage]") {
    TempDir tmp;
    {
        auto db = open_db(tmp.path);
        create_pairs(*db, 0, 0, 10);
        db->checkpoint();
    }
    for (auto& s : wal_segments(tmp.path)) fs::remove(s);
    REQUIRE(wal_segments(tmp.path).empty());
    {
        auto db = open_db(tmp.path);
        require_consistent(inspect(*db), {{0, 9}}, false);
        // New commits continue the LSNs after the checkpoint, so they replay after it.
        create_pairs(*db, 0, 10, 15);
    }
    auto db = open_db(tmp.path);
    require_consistent(inspect(*db), {{0, 14}}, false);
}

TEST_CASE("a flipped byte in a checkpoint file or the MANIFEST stops the open, naming the file",
          "[durability][damage]") {
    const std::string victim =
        GENERATE(as<std::string>{}, "shard-2.ckpt", "catalog.ckpt", "MANIFEST");
    const bool in_header = GENERATE(true, false);
    INFO("damaged " << victim << (in_header ? " near its start" : " near its end"));
    TempDir tmp;
    {
        auto db = open_db(tmp.path);
        create_pairs(*db, 0, 0, 10);
        db->checkpoint();
        create_pairs(*db, 0, 10, 12);
    }
    fs::path file = tmp.path / "MANIFEST";
    if (victim != "MANIFEST")
        for (auto& e : fs::directory_iterator(tmp.path / "checkpoints"))
            if (e.is_directory()) file = e.path() / victim;
    REQUIRE(fs::exists(file));
    const auto size = fs::file_size(file);
    REQUIRE(size > 20);
    flip_byte(file, in_header ? 12 : size - 3);
    const std::string err = open_error(tmp.path);
    INFO(err);
    REQUIRE_FALSE(err.empty());
    CHECK(err.find(victim) != std::string::npos);
}
