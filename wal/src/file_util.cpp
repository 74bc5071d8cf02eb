// File helpers for the WAL (see file_util.hpp).
#include "file_util.hpp"

#include <lora/wal/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lora::wal::detail {

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        reset();
        fd_ = o.release();
    }
    return *this;
}

void Fd::reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void throw_errno(const std::string& what, const std::filesystem::path& file, int err) {
    throw WalError(WalError::Kind::Io, what + " " + file.string() + ": " + std::strerror(err),
                   file);
}

Fd open_file(const std::filesystem::path& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) throw_errno("cannot open", path, errno);
    return Fd(fd);
}

std::vector<std::byte> read_all(int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno("cannot stat", path, errno);
    std::vector<std::byte> buf(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read", path, errno);
        }
        if (n == 0) break;  // shrank under us: treat the missing part as absent
        done += static_cast<size_t>(n);
    }
    buf.resize(done);
    return buf;
}

void pwrite_all(int fd, std::span<const std::byte> data, uint64_t offset,
                const std::filesystem::path& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n =
            ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot write", path, errno);
        }
        done += static_cast<size_t>(n);
    }
}

void zero_range(int fd, uint64_t offset, uint64_t bytes, const std::filesystem::path& path) {
    // Plain writes rather than FALLOC_FL_ZERO_RANGE: works on every file system, and the
    // ranges zeroed (a torn tail) are small.
    std::vector<std::byte> zeros(std::min<uint64_t>(bytes, 1u << 20));
    while (bytes > 0) {
        uint64_t n = std::min<uint64_t>(bytes, zeros.size());
        pwrite_all(fd, {zeros.data(), n}, offset, path);
        offset += n;
        bytes -= n;
    }
}

void sync_file(int fd, const std::filesystem::path& path) {
    if (::fsync(fd) != 0) throw_errno("cannot fsync", path, errno);
}

void sync_dir(const std::filesystem::path& dir) {
    Fd fd = open_file(dir, O_RDONLY | O_DIRECTORY);
    sync_file(fd.get(), dir);
}

Fd create_segment(const std::filesystem::path& dir, const SegmentHeader& header) {
    const auto final_path = dir / segment_file_name(header.first_lsn);
    const auto tmp_path = dir / (segment_file_name(header.first_lsn) + ".tmp");
    Fd fd = open_file(tmp_path, O_RDWR | O_CREAT | O_TRUNC);
    const auto size = static_cast<off_t>(header.segment_bytes);
    if (int rc = ::posix_fallocate(fd.get(), 0, size); rc != 0) {
        // File systems without fallocate still give a zero-filled (sparse) file.
        if (rc != EOPNOTSUPP && rc != EINVAL) throw_errno("cannot preallocate", tmp_path, rc);
        if (::ftruncate(fd.get(), size) != 0) throw_errno("cannot size", tmp_path, errno);
    }
    auto bytes = encode_segment_header(header);
    pwrite_all(fd.get(), bytes, 0, tmp_path);
    sync_file(fd.get(), tmp_path);
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0)
        throw_errno("cannot rename to " + final_path.string() + ":", tmp_path, errno);
    sync_dir(dir);
    return fd;
}

}  // namespace lora::wal::detail
