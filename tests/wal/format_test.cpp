// Tests of the on-disk format helpers and the fault registry.
#include "wal_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace lora::wal;

TEST_CASE("DbId round-trips through hex and rejects junk", "[wal][format]") {
    auto id = DbId::random();
    CHECK(DbId::from_hex(id.to_hex()) == id);
    CHECK(id.to_hex().size() == 32);
    CHECK_FALSE(DbId::random() == id);
    CHECK_THROWS_AS(DbId::from_hex("xyz"), WalError);
    CHECK_THROWS_AS(DbId::from_hex(std::string(32, 'g')), WalError);
}

TEST_CASE("segment file names sort by LSN and parse back", "[wal][format]") {
    CHECK(segment_file_name(1) == "00000000000000000001.wal");
    CHECK(segment_file_name(10) > segment_file_name(9));
    CHECK(parse_segment_file_name(segment_file_name(123456789)) == 123456789u);
    CHECK_FALSE(parse_segment_file_name("0001.wal"));
    CHECK_FALSE(parse_segment_file_name("0000000000000000000a.wal"));
    CHECK_FALSE(parse_segment_file_name("00000000000000000001.wal.tmp"));
}

TEST_CASE("segment header encodes, decodes and detects damage", "[wal][format]") {
    SegmentHeader h{DbId::random(), 42, 1 << 20};
    auto bytes = encode_segment_header(h);
    std::string why;
    auto back = decode_segment_header(bytes, why);
    REQUIRE(back);
    CHECK(back->db_id == h.db_id);
    CHECK(back->first_lsn == 42);
    CHECK(back->segment_bytes == (1u << 20));

    bytes[20] ^= std::byte{1};
    CHECK_FALSE(decode_segment_header(bytes, why));
    CHECK(why.find("checksum") != std::string::npos);
}

TEST_CASE("records parse back; zero header is the end; damage is Bad", "[wal][format]") {
    std::vector<std::byte> seg(256, std::byte{0});
    auto p = wal_test::payload_for(5);
    REQUIRE(record_size(p.size()) <= seg.size());
    encode_record(seg.data(), 7, 3, p, payload_hash(p));

    auto r = parse_record(seg, 0, 7);
    REQUIRE(r.status == ParseStatus::Ok);
    CHECK(r.record.lsn == 7);
    CHECK(r.record.type == 3);
    CHECK(std::equal(p.begin(), p.end(), r.record.payload.begin(), r.record.payload.end()));
    CHECK(r.size % record_alignment == 0);
    CHECK(parse_record(seg, r.size, 8).status == ParseStatus::End);

    CHECK(parse_record(seg, 0, 8).status == ParseStatus::Bad);  // wrong LSN
    seg[record_header_size + 1] ^= std::byte{0x10};
    auto bad = parse_record(seg, 0, 7);
    CHECK(bad.status == ParseStatus::Bad);
    CHECK(bad.why.find("checksum") != std::string::npos);
}

TEST_CASE("fault points fire as armed", "[wal][fault]") {
    wal_test::ScopedFault f("alpha, beta@2");
    CHECK(lora::fault::hit("alpha"));
    CHECK(lora::fault::hit("alpha"));
    CHECK_FALSE(lora::fault::hit("beta"));
    CHECK(lora::fault::hit("beta"));
    CHECK_FALSE(lora::fault::hit("beta"));
    CHECK_FALSE(lora::fault::hit("gamma"));
    lora::fault::clear();
    CHECK_FALSE(lora::fault::hit("alpha"));
}

TEST_CASE("fault points come from LORA_FAULT", "[wal][fault]") {
    ::setenv("LORA_FAULT", "wal_write_eio@2,other", 1);
    lora::fault::load_env();
    ::unsetenv("LORA_FAULT");
    CHECK_FALSE(lora::fault::hit("wal_write_eio"));
    CHECK(lora::fault::hit("wal_write_eio"));
    CHECK(lora::fault::hit("other"));
    lora::fault::load_env();  // now unset: nothing armed
    CHECK_FALSE(lora::fault::hit("other"));
}
