// Helpers shared by the WAL tests: a temporary directory under /tmp, deterministic
// payloads, raw file edits for damage tests, and a scoped fault spec.
#pragma once

#include <lora/wal/wal.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace wal_test {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string tmpl = "/tmp/lora-wal-test-XXXXXX";
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path wal() const { return path_ / "wal"; }

private:
    fs::path path_;
};

// Payload of the record with sequence number `n`: its length and bytes both depend on n,
// so a record read back under the wrong LSN or cut short is noticed.
inline std::vector<std::byte> payload_for(uint64_t n, uint64_t max_len = 300) {
    std::vector<std::byte> p((n * 37) % (max_len + 1));
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::byte>((n * 131 + i * 7) & 0xff);
    return p;
}

inline uint8_t type_for(uint64_t n) { return static_cast<uint8_t>(n % 7 + 1); }

struct ReadBack {
    uint64_t lsn;
    uint8_t type;
    std::vector<std::byte> payload;
};

inline std::vector<ReadBack> read_all(const lora::wal::Recovery& rec, uint64_t from = 0) {
    std::vector<ReadBack> out;
    rec.for_each(from, [&](const lora::wal::Record& r) {
        out.push_back({r.lsn, r.type, {r.payload.begin(), r.payload.end()}});
    });
    return out;
}

inline std::vector<fs::path> segment_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".wal") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

inline void flip_byte(const fs::path& file, uint64_t offset) {
    int fd = ::open(file.c_str(), O_RDWR);
    if (fd < 0) throw std::runtime_error("open failed");
    unsigned char b = 0;
    if (::pread(fd, &b, 1, static_cast<off_t>(offset)) != 1) throw std::runtime_error("pread");
    b ^= 0x5a;
    if (::pwrite(fd, &b, 1, static_cast<off_t>(offset)) != 1) throw std::runtime_error("pwrite");
    ::close(fd);
}

inline std::vector<unsigned char> file_bytes(const fs::path& file, uint64_t offset, uint64_t len) {
    std::vector<unsigned char> out(len);
    int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("open failed");
    auto n = ::pread(fd, out.data(), len, static_cast<off_t>(offset));
    ::close(fd);
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return out;
}

// Arms a fault spec for the scope of a test and always disarms it.
struct ScopedFault {
    explicit ScopedFault(std::string_view spec) { lora::fault::set(spec); }
    ~ScopedFault() { lora::fault::clear(); }
};

inline lora::wal::WriterOptions small_options(const lora::wal::DbId& id,
                                              uint64_t segment_bytes = 16 * 1024) {
    lora::wal::WriterOptions o;
    o.db_id = id;
    o.segment_bytes = segment_bytes;
    return o;
}

}  // namespace wal_test
