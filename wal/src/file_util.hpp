// Private file helpers for the WAL: an owning fd, full reads/writes, preallocation,
// directory sync and segment creation. Every failure throws WalError naming the file.
#pragma once

#include <lora/wal/format.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace lora::wal::detail {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    ~Fd() { reset(); }
    int get() const noexcept { return fd_; }
    int release() noexcept {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset() noexcept;
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
};

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& file, int err);

Fd open_file(const std::filesystem::path& path, int flags);
std::vector<std::byte> read_all(int fd, const std::filesystem::path& path);
void pwrite_all(int fd, std::span<const std::byte> data, uint64_t offset,
                const std::filesystem::path& path);
void zero_range(int fd, uint64_t offset, uint64_t bytes, const std::filesystem::path& path);
void sync_file(int fd, const std::filesystem::path& path);
void sync_dir(const std::filesystem::path& dir);

// Creates `<dir>/<first_lsn>.wal` atomically (tmp file, preallocate, header, sync, rename,
// sync dir) and returns it open read-write.
Fd create_segment(const std::filesystem::path& dir, const SegmentHeader& header);

}  // namespace lora::wal::detail
