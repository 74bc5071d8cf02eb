// The WAL segment reader's parsing on any bytes: the segment header, then every record from
// the first LSN on, as recovery reads a segment file. Damage must be reported (a nullopt
// header, a Bad record with its reason), never read past the bytes.
#include <lora/wal/format.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace lora::wal;
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    std::string why;
    uint64_t lsn = 1;
    if (size >= segment_header_size) {
        if (auto h = decode_segment_header(bytes.first(segment_header_size), why))
            lsn = h->first_lsn;
    }
    uint64_t offset = segment_header_size;
    while (offset < size) {
        ParseResult r = parse_record(bytes, offset, lsn);
        if (r.status != ParseStatus::Ok) break;
        if (r.size == 0) __builtin_trap();  // a record must move the reader on
        offset += r.size;
        ++lsn;
    }
    return 0;
}
