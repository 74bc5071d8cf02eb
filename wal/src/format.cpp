// Encoding and validation of segment headers and records (see format.hpp for the layout).
#include <lora/wal/error.hpp>
#include <lora/wal/format.hpp>

#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <random>

namespace lora::wal {
namespace {

template <typename T>
void put(std::byte* out, T v) {
    std::memcpy(out, &v, sizeof v);
}

template <typename T>
T get(const std::byte* in) {
    T v;
    std::memcpy(&v, in, sizeof v);
    return v;
}

}  // namespace

DbId DbId::random() {
    std::random_device rd;
    DbId id;
    for (size_t i = 0; i < id.bytes.size(); i += 4) {
        uint32_t r = rd();
        std::memcpy(&id.bytes[i], &r, 4);
    }
    return id;
}

DbId DbId::from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() != 32)
        throw WalError(WalError::Kind::InvalidArgument,
                       "database id must be 32 hex digits, got '" + std::string(hex) + "'");
    DbId id;
    for (size_t i = 0; i < 16; ++i) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw WalError(WalError::Kind::InvalidArgument,
                           "database id must be 32 hex digits, got '" + std::string(hex) + "'");
        id.bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return id;
}

std::string DbId::to_hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(32);
    for (auto b : bytes) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

std::array<std::byte, segment_header_size> encode_segment_header(const SegmentHeader& h) {
    std::array<std::byte, segment_header_size> out{};
    std::memcpy(out.data(), segment_magic.data(), segment_magic.size());
    put<uint32_t>(out.data() + 8, format_version);
    put<uint32_t>(out.data() + 12, static_cast<uint32_t>(segment_header_size));
    std::memcpy(out.data() + 16, h.db_id.bytes.data(), 16);
    put<uint64_t>(out.data() + 32, h.first_lsn);
    put<uint64_t>(out.data() + 40, h.segment_bytes);
    put<uint64_t>(out.data() + 56, XXH3_64bits(out.data(), 56));
    return out;
}

std::optional<SegmentHeader> decode_segment_header(std::span<const std::byte> bytes,
                                                   std::string& why) {
    if (bytes.size() < segment_header_size) {
        why = "file is shorter than a segment header";
        return std::nullopt;
    }
    const std::byte* p = bytes.data();
    if (std::memcmp(p, segment_magic.data(), segment_magic.size()) != 0) {
        why = "not a lora WAL segment (bad magic)";
        return std::nullopt;
    }
    if (get<uint64_t>(p + 56) != XXH3_64bits(p, 56)) {
        why = "segment header checksum mismatch";
        return std::nullopt;
    }
    if (auto v = get<uint32_t>(p + 8); v != format_version) {
        why = "unsupported WAL format version " + std::to_string(v);
        return std::nullopt;
    }
    if (get<uint32_t>(p + 12) != segment_header_size) {
        why = "unexpected segment header size";
        return std::nullopt;
    }
    SegmentHeader h;
    std::memcpy(h.db_id.bytes.data(), p + 16, 16);
    h.first_lsn = get<uint64_t>(p + 32);
    h.segment_bytes = get<uint64_t>(p + 40);
    return h;
}

uint64_t payload_hash(std::span<const std::byte> payload) {
    return XXH3_64bits(payload.data(), payload.size());
}

namespace {

uint64_t record_checksum(const std::byte* header16, uint64_t payload_hash) {
    return XXH3_64bits_withSeed(header16, 16, payload_hash);
}

}  // namespace

void encode_record(std::byte* out, uint64_t lsn, uint8_t type, std::span<const std::byte> payload,
                   uint64_t phash) {
    const uint64_t total = record_size(payload.size());
    put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
    out[4] = std::byte{type};
    out[5] = out[6] = out[7] = std::byte{0};
    put<uint64_t>(out + 8, lsn);
    put<uint64_t>(out + 16, record_checksum(out, phash));
    if (!payload.empty()) std::memcpy(out + record_header_size, payload.data(), payload.size());
    std::memset(out + record_header_size + payload.size(), 0,
                total - record_header_size - payload.size());
}

ParseResult parse_record(std::span<const std::byte> segment, uint64_t offset,
                         uint64_t expected_lsn) {
    ParseResult r;
    if (offset + record_header_size > segment.size()) return r;  // End: no room for a header
    const std::byte* h = segment.data() + offset;
    bool zero = true;
    for (uint64_t i = 0; i < record_header_size && zero; ++i) zero = h[i] == std::byte{0};
    if (zero) return r;

    r.status = ParseStatus::Bad;
    const uint64_t len = get<uint32_t>(h);
    const uint64_t lsn = get<uint64_t>(h + 8);
    if (record_size(len) > segment.size() - offset) {
        r.why = "record length " + std::to_string(len) + " runs past the end of the segment";
        return r;
    }
    const auto payload = segment.subspan(offset + record_header_size, len);
    if (get<uint64_t>(h + 16) != record_checksum(h, payload_hash(payload))) {
        r.why = "record checksum mismatch";
        return r;
    }
    if (h[5] != std::byte{0} || h[6] != std::byte{0} || h[7] != std::byte{0}) {
        r.why = "reserved record header bytes are not zero";
        return r;
    }
    if (lsn != expected_lsn) {
        r.why =
            "record has LSN " + std::to_string(lsn) + ", expected " + std::to_string(expected_lsn);
        return r;
    }
    r.status = ParseStatus::Ok;
    r.record = Record{lsn, static_cast<uint8_t>(h[4]), payload};
    r.size = record_size(len);
    return r;
}

std::string segment_file_name(uint64_t first_lsn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(first_lsn));
    return buf;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != 24 || name.substr(20) != ".wal") return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < 20; ++i) {
        char c = name[i];
        if (c < '0' || c > '9') return std::nullopt;
        uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
        if (next / 10 != v) return std::nullopt;  // overflow
        v = next;
    }
    return v;
}

}  // namespace lora::wal
