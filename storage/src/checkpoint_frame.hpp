// The framing every checkpoint and snapshot file shares (the header checkpoint.hpp
// describes, then the zstd frame of the payload). Private to storage/src and to the fuzz
// target that frames payloads of its own (tests/fuzz/fuzz_checkpoint.cpp).
#pragma once

#include <lora/wal/format.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lora::storage {

enum class FileKind : uint32_t { Partition = 1, Catalog = 2, Snapshot = 3, VectorImages = 4 };

// The header (checksums computed) followed by the compressed payload.
std::vector<std::byte> frame(FileKind kind, const wal::DbId& db, uint32_t shard_index,
                             uint32_t shard_count, uint64_t lsn,
                             std::span<const std::byte> payload);

}  // namespace lora::storage
