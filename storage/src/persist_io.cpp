// Durable file I/O and binary encoding shared by the data directory and checkpoint code.
#include "persist_io.hpp"

#include <lora/errors.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace lora::storage::persist {
namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    // close() can report a deferred write error, so it is checked where data was written.
    void close_checked(const std::filesystem::path& file) {
        int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail_errno("close", file, errno);
    }

private:
    int fd_;
};

}  // namespace

void fail(std::string detail, std::string message) {
    throw errors::database(std::move(detail), std::move(message));
}

void fail_errno(std::string_view what, const std::filesystem::path& file, int err) {
    fail("Io", std::string(what) + " failed for " + file.string() + ": " + std::strerror(err));
}

std::vector<std::byte> read_file(const std::filesystem::path& file) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) fail("MissingFile", "file " + file.string() + " is missing");
        fail_errno("open", file, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail_errno("fstat", file, errno);
    std::vector<std::byte> out(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("read", file, errno);
        }
        if (n == 0) break;  // shrank while reading: the checks on the content catch it
        done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
}

void write_file_synced(const std::filesystem::path& file, std::span<const std::byte> data) {
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) fail_errno("create", file, errno);
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("write", file, errno);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail_errno("fsync", file, errno);
    fd.close_checked(file);
}

void sync_dir(const std::filesystem::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail_errno("open directory", dir, errno);
    if (::fsync(fd.get()) != 0) fail_errno("fsync directory", dir, errno);
}

void write_file_atomic(const std::filesystem::path& file, std::span<const std::byte> data) {
    auto tmp = file;
    tmp += ".tmp";
    write_file_synced(tmp, data);
    if (::rename(tmp.c_str(), file.c_str()) != 0)
        fail_errno("rename to " + file.string(), tmp, errno);
    auto parent = file.parent_path();
    sync_dir(parent.empty() ? std::filesystem::path(".") : parent);
}

void Writer::put_string(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    put_bytes(std::as_bytes(std::span<const char>(s.data(), s.size())));
}

void Writer::put_bytes(std::span<const std::byte> b) {
    out_.insert(out_.end(), b.begin(), b.end());
}

std::string Reader::get_string(std::string_view what) {
    const auto n = get<uint32_t>(what);
    auto b = get_bytes(n, what);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::span<const std::byte> Reader::get_bytes(size_t n, std::string_view what) {
    need(n, what);
    auto out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
}

void Reader::need(size_t n, std::string_view what) const {
    if (n > in_.size() - pos_) {
        corrupt("truncated " + std::string(what) + " (needs " + std::to_string(n) + " bytes, " +
                std::to_string(in_.size() - pos_) + " left)");
    }
}

void Reader::corrupt(std::string_view message) const {
    fail("CorruptFile", source_ + ": " + std::string(message) + " at offset " +
                            std::to_string(pos_) + " of the " + region_);
}

}  // namespace lora::storage::persist
