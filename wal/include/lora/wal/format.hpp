// On-disk format of WAL segments: the segment header, the record framing and checksums.
// Shared by the writer and the reader; all integers are little-endian.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lora::wal {

static_assert(std::endian::native == std::endian::little,
              "the WAL format is written with the host byte order, which must be little-endian");

// A database id: 16 random bytes, written in every segment header so a stray file from
// another database is refused.
struct DbId {
    std::array<uint8_t, 16> bytes{};

    static DbId random();
    // 32 lowercase hex digits; throws WalError(InvalidArgument) on anything else.
    static DbId from_hex(std::string_view hex);
    std::string to_hex() const;
    friend bool operator==(const DbId&, const DbId&) = default;
};

// Segment header, at offset 0 of every segment file (64 bytes):
//   0  char[8]  magic "LORAWAL\0"
//   8  u32      format version
//  12  u32      header size (64)
//  16  u8[16]   database id
//  32  u64      first LSN (the LSN of the segment's first record; also its file name)
//  40  u64      segment size the file was preallocated to
//  48  u64      reserved, zero
//  56  u64      XXH3-64 of bytes [0, 56)
inline constexpr std::array<char, 8> segment_magic{'L', 'O', 'R', 'A', 'W', 'A', 'L', '\0'};
inline constexpr uint32_t format_version = 1;
inline constexpr uint64_t segment_header_size = 64;

struct SegmentHeader {
    DbId db_id;
    uint64_t first_lsn = 0;
    uint64_t segment_bytes = 0;
};

std::array<std::byte, segment_header_size> encode_segment_header(const SegmentHeader& h);
// nullopt + `why` filled when the bytes are not a valid header of this format version.
std::optional<SegmentHeader> decode_segment_header(std::span<const std::byte> bytes,
                                                   std::string& why);

// Record, starting at an 8-byte aligned offset after the segment header:
//   0  u32  payload length
//   4  u8   type (caller-defined)
//   5  u8[3] reserved, zero
//   8  u64  LSN (never 0)
//  16  u64  checksum = XXH3_64bits_withSeed(bytes [0,16), 16, XXH3_64bits(payload))
//  24  payload, then zero padding to the next multiple of 8.
// The preallocated rest of a segment is zero, so a header of 24 zero bytes (or no room for
// a header) is the end of valid data; anything else that fails validation is damage.
inline constexpr uint64_t record_header_size = 24;
inline constexpr uint64_t record_alignment = 8;

constexpr uint64_t record_size(uint64_t payload_bytes) {
    return (record_header_size + payload_bytes + record_alignment - 1) & ~(record_alignment - 1);
}

// The payload part of the checksum; callers may compute it outside any lock.
uint64_t payload_hash(std::span<const std::byte> payload);

// Writes a full record (header, payload, padding) into `out`, which must hold
// record_size(payload.size()) bytes.
void encode_record(std::byte* out, uint64_t lsn, uint8_t type, std::span<const std::byte> payload,
                   uint64_t payload_hash);

// A record as read back; the payload points into the reader's buffer.
struct Record {
    uint64_t lsn = 0;
    uint8_t type = 0;
    std::span<const std::byte> payload;
};

enum class ParseStatus { Ok, End, Bad };

struct ParseResult {
    ParseStatus status = ParseStatus::End;
    Record record;      // when Ok
    uint64_t size = 0;  // bytes the record occupies, padding included, when Ok
    std::string why;    // when Bad
};

// Parses the record at `offset` of `segment` (the whole segment's bytes). `expected_lsn`
// is the LSN the record must carry to continue the log.
ParseResult parse_record(std::span<const std::byte> segment, uint64_t offset,
                         uint64_t expected_lsn);

// "<20-digit zero-padded first LSN>.wal", so names sort in LSN order.
std::string segment_file_name(uint64_t first_lsn);
// The first LSN of a segment file name, nullopt for any other name.
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

}  // namespace lora::wal
