// lora::wal::WalError — every failure of the WAL library (I/O, corruption, foreign or missing
// segments, poisoned writer). Kept free of lora::Error so the library depends on nothing else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

namespace lora::wal {

class WalError : public std::runtime_error {
public:
    enum class Kind : uint8_t {
        Io,               // a system call failed (the message carries errno's text)
        Corrupt,          // a bad record or header where damage cannot be a torn tail
        ForeignSegment,   // a segment written for another database id
        MissingSegment,   // a gap in the LSN sequence between segments
        InvalidArgument,  // caller error: record too large, bad options
        Poisoned,         // the writer failed a write or sync earlier and accepts nothing
        Closed,           // the writer was closed
    };
    static constexpr uint64_t no_offset = std::numeric_limits<uint64_t>::max();

    WalError(Kind kind, const std::string& message, std::filesystem::path file = {},
             uint64_t offset = no_offset)
        : std::runtime_error(message), kind_(kind), file_(std::move(file)), offset_(offset) {}

    Kind kind() const noexcept { return kind_; }
    // The file the error is about (empty when none), and the byte offset in it (no_offset
    // when not about a position). Both are also in what().
    const std::filesystem::path& file() const noexcept { return file_; }
    uint64_t offset() const noexcept { return offset_; }

private:
    Kind kind_;
    std::filesystem::path file_;
    uint64_t offset_;
};

}  // namespace lora::wal
