// Checkpoint and snapshot files: a partition's or the catalog's records, zstd-compressed
// behind a checksummed header, and the on-disk checkpoint sets the MANIFEST points at.
#pragma once

#include <lora/storage/catalog.hpp>
#include <lora/storage/data_dir.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>
#include <lora/wal/format.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace lora::storage {

// File header (80 bytes, little-endian), shared by every file written here:
//   0  char[8] magic "LORACKP\0"
//   8  u32     format version (1)
//  12  u32     kind: 1 partition, 2 catalog, 3 snapshot, 4 vector index images
//  16  u8[16]  database id
//  32  u32     shard index (0 for catalog and snapshot)
//  36  u32     shard count (0 for a catalog)
//  40  u64     LSN: WAL records <= this are contained
//  48  u64     uncompressed payload size
//  56  u64     compressed payload size
//  64  u64     XXH64 of the compressed payload
//  72  u64     XXH64 of bytes [0, 72)
// followed by the zstd frame of the payload.
inline constexpr size_t checkpoint_header_size = 80;
// Version 2 added temporal property values; version 1 files (which hold none) still read.
inline constexpr uint32_t checkpoint_format_version = 2;
inline constexpr uint32_t checkpoint_oldest_format_version = 1;

// Every error is lora::Error(Database, Runtime, "DatabaseError", detail, message) with detail
// CorruptFile, WrongDatabase, MissingFile, ShardCountMismatch, LsnMismatch, NotEmpty,
// StaleCheckpoint or Io; messages name the file (or `source`) and, for damage, what is wrong
// and where.

// All live nodes (id, labels in insertion order, properties) and owned relationships (id,
// start, type, end, properties), plus the partition's next ids so ids stay unique.
// With a snapshot, the partition as that snapshot sees it (an online checkpoint at an MVCC
// timestamp: writers go on meanwhile).
std::vector<std::byte> encode_partition(const Partition& p, const wal::DbId& db, uint64_t lsn,
                                        Snap snap = {});
// Restores the records into the empty partition `into` under their ids. In-edges are not
// added: call rebuild_in_edges once every partition is decoded. `source` names the data in
// errors (the file name when read from disk).
void decode_partition(std::span<const std::byte> bytes, Partition& into, const wal::DbId& db,
                      uint64_t expected_lsn, std::string_view source = "partition checkpoint");
// Adds the incoming entry of every relationship of every partition at its end node's
// partition (`all` indexed by shard index), in ascending relationship id order.
void rebuild_in_edges(std::span<Partition* const> all);

// The partition's vector indexes as they are now (VectorIndex::save per index, with its
// name), framed like a partition file; empty when the partition has no vector index. Call it
// on the shard's thread next to encode_partition: the images may hold writes after the
// checkpoint's snapshot, which recovery reconciles (Partition::stash_vector_images).
std::vector<std::byte> encode_vector_images(const Partition& p, const wal::DbId& db, uint64_t lsn);
std::vector<Partition::VectorImage> decode_vector_images(
    std::span<const std::byte> bytes, const wal::DbId& db, uint64_t expected_lsn,
    uint32_t shard_index, uint32_t shard_count, std::string_view source = "vector index images");

// Every name of the three kinds in id order.
std::vector<std::byte> encode_catalog(const Catalog& c, const wal::DbId& db, uint64_t lsn);
void decode_catalog(std::span<const std::byte> bytes, Catalog& into, const wal::DbId& db,
                    uint64_t expected_lsn, std::string_view source = "catalog checkpoint");

// "checkpoints/<20-digit lsn>", the folder of a checkpoint set relative to the data dir.
std::string checkpoint_folder_name(uint64_t lsn);

// Writes <dir>/checkpoints/<lsn>/{catalog.ckpt, shard-<i>.ckpt} and, for each non-empty
// entry of `vector_images` (empty, or one entry per shard: encode_vector_images), a
// vectors-<i>.ckpt (each fsynced; the set is
// built in a ".tmp" folder and renamed), then replaces the MANIFEST (checkpoint_lsn, folder),
// then deletes older checkpoint folders. A crash anywhere leaves the old or the new
// checkpoint usable. `shards` is indexed by shard index and must hold shard_count entries.
// A checkpoint at the manifest's current LSN is a no-op; an older LSN is refused.
// Fault points: checkpoint_crash_mid (after the first shard file),
// checkpoint_crash_before_manifest.
void write_checkpoint(DataDir& dir, uint64_t lsn, std::span<const std::byte> catalog,
                      const std::vector<std::vector<std::byte>>& shards,
                      const std::vector<std::vector<std::byte>>& vector_images = {});

// Loads the manifest's checkpoint (nothing when there is none) into `catalog` and the empty
// `partitions` (indexed by shard index, shard_count of them), then rebuilds in-edges, so WAL
// replay afterwards adds in-edges only for the relationships it creates. Returns the
// checkpoint's LSN (0 when there is none): replay the WAL records after it. Vector index
// images found are stashed in the partitions for their sync_indexes(); a missing or damaged
// image file is only logged (a warning), never an error. After an error
// the catalog and partitions may be partly filled and are to be discarded.
uint64_t load_checkpoint(const DataDir& dir, Catalog& catalog, std::vector<Partition*>& partitions);

struct SnapshotInfo {
    wal::DbId db_id;
    uint64_t lsn = 0;
    uint32_t shard_count = 0;
};

// One self-contained file (header, catalog, every partition; compressed, checksummed),
// written atomically: tmp, fsync, rename, fsync dir. `partitions` indexed by shard index.
void save_snapshot(const std::filesystem::path& file, const Catalog& catalog,
                   const std::vector<const Partition*>& partitions, const wal::DbId& db,
                   uint64_t lsn);
// Snapshots hold no vector index images: the indexes are rebuilt after load_snapshot.
// Restores a snapshot into `catalog` and the empty `partitions` (their count must equal the
// snapshot's shard count) and rebuilds in-edges. Any database id is accepted: the caller
// decides whether a snapshot of another database may be restored (see SnapshotInfo).
SnapshotInfo load_snapshot(const std::filesystem::path& file, Catalog& catalog,
                           std::vector<Partition*>& partitions);

}  // namespace lora::storage
