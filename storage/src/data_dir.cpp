// DataDir: the LOCK flock, reading/creating/replacing the checksummed text MANIFEST.
#include <lora/storage/data_dir.hpp>

#include "persist_io.hpp"

#include <lora/error.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <system_error>
#include <thread>

namespace lora::storage {
namespace fs = std::filesystem;
using persist::fail;

namespace {

constexpr std::string_view manifest_magic = "lora-manifest";

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

bool parse_u64(std::string_view s, uint64_t& out, int base = 10) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return ec == std::errc() && p == s.data() + s.size();
}

// A checkpoint folder must stay inside the data directory.
bool valid_checkpoint_path(const std::string& rel) {
    if (rel.empty()) return true;
    fs::path p(rel);
    if (p.is_absolute()) return false;
    for (const auto& part : p) {
        if (part == "..") return false;
    }
    return rel.find('\n') == std::string::npos;
}

bool wal_has_files(const fs::path& wal) {
    std::error_code ec;
    if (!fs::is_directory(wal, ec)) return false;
    for (const auto& e : fs::directory_iterator(wal, ec)) {
        (void)e;
        return true;
    }
    return false;
}

// Pid recorded in LOCK by the holder, for the error message; 0 if unreadable.
long lock_holder(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    return std::strtol(buf, nullptr, 10);
}

}  // namespace

std::string DataDir::serialize_manifest(const Manifest& m) {
    std::string body;
    body += manifest_magic;
    body += "\nformat_version=" + std::to_string(m.format_version);
    body += "\ndb_id=" + m.db_id.to_hex();
    body += "\nshard_count=" + std::to_string(m.shard_count);
    body += "\ncheckpoint_lsn=" + std::to_string(m.checkpoint_lsn);
    body += "\ncheckpoint=" + m.checkpoint + "\n";
    return body + "checksum=" + hex64(XXH64(body.data(), body.size(), 0)) + "\n";
}

Manifest DataDir::parse_manifest(const std::string& text, const fs::path& file) {
    auto corrupt = [&](const std::string& why) -> Manifest {
        fail("CorruptFile", "manifest " + file.string() + " is corrupt: " + why);
    };
    const std::string_view all(text);
    // A newer format may checksum differently: name the version before judging the checksum.
    if (const auto at = all.find("\nformat_version="); at != std::string_view::npos) {
        std::string_view v = all.substr(at + 16);
        v = v.substr(0, v.find('\n'));
        uint64_t version = 0;
        if (parse_u64(v, version) && version != manifest_format_version) {
            fail("UnsupportedVersion", "manifest " + file.string() + " has format version " +
                                           std::string(v) + "; this build reads version " +
                                           std::to_string(manifest_format_version));
        }
    }
    const auto sum_at = all.rfind("checksum=");
    if (sum_at == std::string_view::npos || (sum_at != 0 && all[sum_at - 1] != '\n')) {
        return corrupt("no checksum line");
    }
    std::string_view sum = all.substr(sum_at + 9);
    if (!sum.empty() && sum.back() == '\n') sum.remove_suffix(1);
    uint64_t want = 0;
    if (!parse_u64(sum, want, 16)) return corrupt("unreadable checksum line");
    const std::string_view body = all.substr(0, sum_at);
    if (XXH64(body.data(), body.size(), 0) != want) return corrupt("checksum mismatch");

    Manifest m;
    bool seen_version = false, seen_id = false, seen_count = false, seen_lsn = false,
         seen_ckpt = false;
    size_t line_no = 0;
    std::string_view rest = body;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        if (nl == std::string_view::npos) return corrupt("unterminated line");
        const std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl + 1);
        ++line_no;
        if (line_no == 1) {
            if (line != manifest_magic) return corrupt("not a lora manifest (bad first line)");
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            return corrupt("line " + std::to_string(line_no) + " is not key=value");
        }
        const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
        uint64_t n = 0;
        auto first_time = [&](bool& seen) {
            if (seen) corrupt("key '" + std::string(key) + "' appears twice");
            seen = true;
        };
        if (key == "format_version") {
            first_time(seen_version);
            if (!parse_u64(value, n) || n != manifest_format_version) {
                return corrupt("bad format_version");
            }
            m.format_version = static_cast<uint32_t>(n);
        } else if (key == "db_id") {
            first_time(seen_id);
            try {
                m.db_id = wal::DbId::from_hex(value);
            } catch (const std::exception&) {
                return corrupt("bad db_id '" + std::string(value) + "'");
            }
        } else if (key == "shard_count") {
            first_time(seen_count);
            if (!parse_u64(value, n) || n == 0 || n > UINT32_MAX) return corrupt("bad shard_count");
            m.shard_count = static_cast<uint32_t>(n);
        } else if (key == "checkpoint_lsn") {
            first_time(seen_lsn);
            if (!parse_u64(value, m.checkpoint_lsn)) return corrupt("bad checkpoint_lsn");
        } else if (key == "checkpoint") {
            first_time(seen_ckpt);
            m.checkpoint = std::string(value);
            if (!valid_checkpoint_path(m.checkpoint)) return corrupt("bad checkpoint path");
        } else {
            return corrupt("unknown key '" + std::string(key) + "'");
        }
    }
    if (!(seen_version && seen_id && seen_count && seen_lsn && seen_ckpt)) {
        return corrupt("a required key is missing");
    }
    return m;
}

std::unique_ptr<DataDir> DataDir::open(const fs::path& dir, uint32_t shard_count) {
    std::error_code ec;
    const bool created = fs::create_directories(dir, ec);
    if (ec) fail("Io", "cannot create data directory " + dir.string() + ": " + ec.message());
    if (created) {
        auto abs = fs::absolute(dir);
        if (!abs.has_filename()) abs = abs.parent_path();  // "a/b/" names b
        persist::sync_dir(abs.parent_path());
    }

    const fs::path lock_path = dir / "LOCK";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) persist::fail_errno("open", lock_path, errno);
    // The object owns fd from here, so every later failure releases the lock.
    std::unique_ptr<DataDir> d(new DataDir(dir, fd));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            const long pid = lock_holder(fd);
            fail("DatabaseLocked",
                 "data directory " + dir.string() + " is locked: another process" +
                     (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                     " or another open database in this process uses it");
        }
        persist::fail_errno("flock", lock_path, err);
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        // Informational only: a failure here does not affect the lock.
        [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
    }

    const fs::path mpath = d->manifest_path();
    const bool has_manifest = fs::exists(mpath, ec);
    if (ec) fail("Io", "cannot inspect " + mpath.string() + ": " + ec.message());
    if (has_manifest) {
        const auto bytes = persist::read_file(mpath);
        d->manifest_ = parse_manifest(
            std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), mpath);
        if (shard_count != 0 && shard_count != d->manifest_.shard_count) {
            fail("ShardCountMismatch", "database " + dir.string() + " was created with " +
                                           std::to_string(d->manifest_.shard_count) +
                                           " shards (manifest " + mpath.string() + "), but " +
                                           std::to_string(shard_count) + " were requested");
        }
        return d;
    }
    if (wal_has_files(d->wal_dir())) {
        fail("MissingFile", "manifest " + mpath.string() + " is missing but " +
                                d->wal_dir().string() +
                                " holds WAL files: refusing to start a new database over them");
    }
    Manifest m;
    m.db_id = wal::DbId::random();
    m.shard_count =
        shard_count != 0 ? shard_count : std::max(1u, std::thread::hardware_concurrency());
    persist::sync_dir(dir);  // the directory entry of a freshly created LOCK/dir
    const std::string text = serialize_manifest(m);
    persist::write_file_atomic(mpath, std::as_bytes(std::span(text.data(), text.size())));
    d->manifest_ = m;
    return d;
}

DataDir::~DataDir() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

void DataDir::write_manifest(const Manifest& m) {
    if (m.format_version != manifest_format_version) {
        fail("UnsupportedVersion",
             "cannot write manifest format version " + std::to_string(m.format_version));
    }
    if (!(m.db_id == manifest_.db_id) || m.shard_count != manifest_.shard_count) {
        fail("InvalidManifest", "a manifest for " + dir_.string() +
                                    " may not change the database id or the shard count");
    }
    if (!valid_checkpoint_path(m.checkpoint)) {
        fail("InvalidManifest",
             "checkpoint path '" + m.checkpoint + "' must be relative and inside " + dir_.string());
    }
    const std::string text = serialize_manifest(m);
    persist::write_file_atomic(manifest_path(), std::as_bytes(std::span(text.data(), text.size())));
    manifest_ = m;
}

}  // namespace lora::storage
