// DataDir: a database directory on disk — its LOCK (one process per directory), its MANIFEST
// (database id, format version, shard count, latest checkpoint) and where the WAL lives.
#pragma once

#include <lora/wal/format.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace lora::storage {

struct Manifest {
    uint32_t format_version = 1;
    wal::DbId db_id;
    uint32_t shard_count = 0;
    uint64_t checkpoint_lsn = 0;  // WAL records <= this are in the checkpoint; 0 = none
    std::string checkpoint;       // relative path of the checkpoint folder, "" = none
};

inline constexpr uint32_t manifest_format_version = 1;

// Not thread-safe: one owner (the engine's checkpoint path) calls write_manifest.
// Errors are lora::Error (class Database, type DatabaseError) with the detail codes
// DatabaseLocked, CorruptFile, UnsupportedVersion, ShardCountMismatch, MissingFile, Io.
class DataDir {
public:
    // Creates `dir` if needed and takes an exclusive flock on <dir>/LOCK for the object's
    // lifetime (a second opener, in this or another process, gets DatabaseLocked). Reads
    // <dir>/MANIFEST or, when it is absent and <dir>/wal holds no files, creates one with a
    // random database id and `shard_count` (0: the number of hardware threads). For an
    // existing database a non-zero `shard_count` must equal the manifest's.
    static std::unique_ptr<DataDir> open(const std::filesystem::path& dir, uint32_t shard_count);

    ~DataDir();
    DataDir(const DataDir&) = delete;
    DataDir& operator=(const DataDir&) = delete;

    const Manifest& manifest() const { return manifest_; }
    // Replaces MANIFEST atomically (tmp, fsync, rename, fsync dir). The database id and
    // shard count of a database never change: a manifest that alters them is refused.
    void write_manifest(const Manifest& m);

    std::filesystem::path path() const { return dir_; }
    std::filesystem::path wal_dir() const { return dir_ / "wal"; }
    std::filesystem::path manifest_path() const { return dir_ / "MANIFEST"; }
    std::filesystem::path checkpoints_dir() const { return dir_ / "checkpoints"; }

    // Text form of a manifest (key=value lines and a trailing XXH64 checksum line), and its
    // strict parser; `file` only names the source in errors.
    static std::string serialize_manifest(const Manifest& m);
    static Manifest parse_manifest(const std::string& text, const std::filesystem::path& file);

private:
    DataDir(std::filesystem::path dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}

    std::filesystem::path dir_;
    int lock_fd_;  // holds the flock; closing it releases the lock
    Manifest manifest_;
};

}  // namespace lora::storage
