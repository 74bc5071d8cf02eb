// Tests of recovery on damaged WAL directories: torn tails and flipped bytes (cut off in the
// last segment, an error elsewhere), foreign and missing segments, empty directories.
#include "wal_test_util.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace lora::wal;
using wal_test::payload_for;
using wal_test::TempDir;
using wal_test::type_for;

namespace {

// Writes records 1..n and returns the per-segment layout.
std::vector<SegmentInfo> write_log(const std::filesystem::path& dir, const DbId& id, uint64_t n,
                                   uint64_t segment_bytes = 16 * 1024) {
    auto w = Writer::open(dir, wal_test::small_options(id, segment_bytes));
    for (uint64_t i = 1; i <= n; ++i) w->append(type_for(i), payload_for(i), nullptr);
    w->close();
    REQUIRE_FALSE(w->poisoned());
    return open_for_recovery(dir, id).segments();
}

// Byte offset of the record with `lsn` inside its segment.
uint64_t offset_of(const SegmentInfo& seg, uint64_t lsn) {
    uint64_t off = segment_header_size;
    for (uint64_t l = seg.first_lsn; l < lsn; ++l) off += record_size(payload_for(l).size());
    return off;
}

// Appends after recovery and checks the whole log reads back as 1..expected_last.
void check_continues(const std::filesystem::path& dir, const DbId& id, uint64_t expected_last) {
    {
        auto w = Writer::open(dir, wal_test::small_options(id));
        REQUIRE(w->next_lsn() == expected_last + 1);
        for (uint64_t i = expected_last + 1; i <= expected_last + 300; ++i)
            REQUIRE(w->append_wait(type_for(i), payload_for(i)) == i);
    }
    auto rec = open_for_recovery(dir, id);
    CHECK_FALSE(rec.tail_cut());
    auto all = wal_test::read_all(rec);
    REQUIRE(all.size() == expected_last + 300);
    for (uint64_t i = 1; i <= all.size(); ++i) {
        INFO("lsn " << i);
        REQUIRE(all[i - 1].lsn == i);
        REQUIRE(all[i - 1].payload == payload_for(i));
    }
}

}  // namespace

TEST_CASE("an empty or missing WAL directory is an empty log", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto missing = open_for_recovery(tmp.path() / "nope", id);
    CHECK(missing.empty());
    CHECK(missing.next_lsn() == 1);
    std::filesystem::create_directories(tmp.wal());
    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.empty());
    CHECK(rec.segments().empty());
    CHECK(rec.first_lsn() == 0);
    CHECK(rec.last_lsn() == 0);
    CHECK(wal_test::read_all(rec).empty());
    check_continues(tmp.wal(), id, 0);
}

TEST_CASE("a torn tail of the last segment is cut off", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    const uint64_t n = 400;
    auto segs = write_log(tmp.wal(), id, n);
    REQUIRE(segs.size() > 1);
    const auto& last = segs.back();
    const uint64_t off = offset_of(last, n);
    const uint64_t len = record_size(payload_for(n).size());

    SECTION("file truncated mid-record") { std::filesystem::resize_file(last.path, off + len / 2); }
    SECTION("second half of the record never reached the disk") {
        int fd = ::open(last.path.c_str(), O_RDWR);
        std::vector<char> zeros(len / 2 + 1, 0);
        REQUIRE(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(off + len / 2)) ==
                static_cast<ssize_t>(zeros.size()));
        ::close(fd);
    }
    auto rec = open_for_recovery(tmp.wal(), id);
    REQUIRE(rec.tail_cut());
    CHECK(rec.tail_cut()->path == last.path);
    CHECK(rec.tail_cut()->offset == off);
    CHECK(rec.last_lsn() == n - 1);
    auto rest = wal_test::file_bytes(last.path, off, len);
    CHECK(std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return c == 0; }));
    check_continues(tmp.wal(), id, n - 1);
}

TEST_CASE("a flipped byte in the last record of the last segment is cut off", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    const uint64_t n = 400;
    auto segs = write_log(tmp.wal(), id, n);
    const auto& last = segs.back();
    const uint64_t off = offset_of(last, n);
    wal_test::flip_byte(last.path, off + record_header_size);

    auto rec = open_for_recovery(tmp.wal(), id);
    REQUIRE(rec.tail_cut());
    CHECK(rec.tail_cut()->offset == off);
    CHECK(rec.tail_cut()->reason.find("checksum") != std::string::npos);
    CHECK(rec.last_lsn() == n - 1);
    // The cut is idempotent: a second open finds a clean log.
    CHECK_FALSE(open_for_recovery(tmp.wal(), id).tail_cut());
    check_continues(tmp.wal(), id, n - 1);
}

TEST_CASE("garbage after a clean end of the last segment is zeroed", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto segs = write_log(tmp.wal(), id, 10, 1 << 20);
    const auto& last = segs.back();
    wal_test::flip_byte(last.path, last.end_offset + 4096);
    auto rec = open_for_recovery(tmp.wal(), id);
    REQUIRE(rec.tail_cut());
    CHECK(rec.tail_cut()->offset == last.end_offset);
    CHECK(rec.last_lsn() == 10);
    auto b = wal_test::file_bytes(last.path, last.end_offset + 4096, 1);
    CHECK(b.at(0) == 0);
}

TEST_CASE("a flipped byte in an earlier segment is an error naming file and offset",
          "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto segs = write_log(tmp.wal(), id, 400);
    REQUIRE(segs.size() > 2);
    const auto& seg = segs[1];
    const uint64_t lsn = seg.first_lsn + 3;
    const uint64_t off = offset_of(seg, lsn);
    wal_test::flip_byte(seg.path, off + 9);  // inside the LSN field

    try {
        open_for_recovery(tmp.wal(), id);
        FAIL("corruption in an earlier segment must stop recovery");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::Corrupt);
        CHECK(e.file() == seg.path);
        CHECK(e.offset() == off);
        std::string msg = e.what();
        CHECK(msg.find(seg.path.string()) != std::string::npos);
        CHECK(msg.find("offset " + std::to_string(off)) != std::string::npos);
    }
}

TEST_CASE("non-zero bytes after the end of an earlier segment are an error", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto segs = write_log(tmp.wal(), id, 400);
    REQUIRE(segs.size() > 2);
    const auto& seg = segs[0];
    REQUIRE(seg.end_offset < seg.file_size);
    wal_test::flip_byte(seg.path, seg.file_size - 1);
    try {
        open_for_recovery(tmp.wal(), id);
        FAIL("damage after the end of an earlier segment must stop recovery");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::Corrupt);
        CHECK(e.file() == seg.path);
        CHECK(e.offset() == seg.end_offset);
    }
}

TEST_CASE("a segment of another database is refused", "[wal][recovery]") {
    TempDir tmp;
    auto ours = DbId::random();
    auto theirs = DbId::random();
    auto segs = write_log(tmp.wal(), ours, 50, 1 << 20);

    SECTION("opening with the wrong id names the file") {
        try {
            open_for_recovery(tmp.wal(), theirs);
            FAIL("expected a foreign segment error");
        } catch (const WalError& e) {
            CHECK(e.kind() == WalError::Kind::ForeignSegment);
            CHECK(e.file() == segs[0].path);
            CHECK(std::string(e.what()).find(segs[0].path.string()) != std::string::npos);
        }
    }
    SECTION("a stray segment dropped into our directory") {
        auto other = tmp.path() / "other";
        {
            auto opts = wal_test::small_options(theirs, 1 << 20);
            opts.first_lsn = 51;
            auto w = Writer::open(other, opts);
            w->append_wait(0, payload_for(51));
        }
        auto stray = tmp.wal() / segment_file_name(51);
        std::filesystem::rename(other / segment_file_name(51), stray);
        try {
            open_for_recovery(tmp.wal(), ours);
            FAIL("expected a foreign segment error");
        } catch (const WalError& e) {
            CHECK(e.kind() == WalError::Kind::ForeignSegment);
            CHECK(e.file() == stray);
        }
        CHECK_THROWS_AS(Writer::open(tmp.wal(), wal_test::small_options(ours, 1 << 20)), WalError);
    }
}

TEST_CASE("a missing middle segment is an error naming it", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto segs = write_log(tmp.wal(), id, 400);
    REQUIRE(segs.size() > 2);
    std::filesystem::remove(segs[1].path);
    try {
        open_for_recovery(tmp.wal(), id);
        FAIL("expected a missing segment error");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::MissingSegment);
        CHECK(e.file() == segs[1].path);
        CHECK(std::string(e.what()).find(segs[1].path.string()) != std::string::npos);
    }
}

TEST_CASE("a damaged segment header is an error naming the file", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    auto segs = write_log(tmp.wal(), id, 400);
    wal_test::flip_byte(segs.back().path, 33);  // first LSN field
    try {
        open_for_recovery(tmp.wal(), id);
        FAIL("expected a header error");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::Corrupt);
        CHECK(e.file() == segs.back().path);
    }
}

TEST_CASE("a leftover temporary segment is removed", "[wal][recovery]") {
    TempDir tmp;
    auto id = DbId::random();
    write_log(tmp.wal(), id, 10);
    auto tmpfile = tmp.wal() / (segment_file_name(11) + ".tmp");
    std::ofstream(tmpfile) << "half-made";
    auto unrelated = tmp.wal() / "README";
    std::ofstream(unrelated) << "not a segment";
    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.last_lsn() == 10);
    CHECK_FALSE(std::filesystem::exists(tmpfile));
    CHECK(std::filesystem::exists(unrelated));
}
