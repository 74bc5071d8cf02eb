// Reading a WAL directory back: validation of every segment, repair of a torn tail of the
// last segment, record iteration for replay, and deletion of segments a checkpoint covers.
#pragma once

#include <lora/wal/format.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lora::wal {

struct SegmentInfo {
    std::filesystem::path path;
    uint64_t first_lsn = 0;
    uint64_t last_lsn = 0;    // first_lsn - 1 when the segment holds no record
    uint64_t end_offset = 0;  // where the next record would go
    uint64_t file_size = 0;   // capacity: records never go past it
};

// What open_for_recovery cut off the end of the last segment.
struct TailCut {
    std::filesystem::path path;
    uint64_t offset = 0;  // start of the bad data, now zero
    uint64_t bytes = 0;   // how many bytes were zeroed
    std::string reason;   // why the first bad record was rejected
};

// The validated state of a WAL directory. Damage policy:
//  - In the LAST segment, the first record that fails validation ends the log: it and
//    every byte after it are zeroed (and synced) so appends continue on clean zeros.
//    A torn, unsynced group-commit write can leave valid-looking records after a torn one
//    (pages reach the disk in any order), so no record after the first bad one is kept.
//    Garbage after a clean end (a zero header) is zeroed the same way.
//  - In any EARLIER segment, a bad record, or non-zero bytes after its end, is an error
//    naming the file and offset: the writer syncs a segment before it rotates, so such
//    damage is not a torn tail and cutting there would drop acknowledged commits.
//  - A bad segment header, a segment of another database, a gap in LSNs between
//    segments, or a file name that disagrees with its header is an error naming the file.
// Leftover "*.wal.tmp" files (a segment creation cut short by a crash) are deleted.
class Recovery {
public:
    const std::filesystem::path& dir() const noexcept { return dir_; }
    const DbId& db_id() const noexcept { return db_id_; }
    const std::vector<SegmentInfo>& segments() const noexcept { return segments_; }
    const std::optional<TailCut>& tail_cut() const noexcept { return tail_cut_; }

    bool empty() const noexcept { return record_count_ == 0; }
    uint64_t record_count() const noexcept { return record_count_; }
    // LSN of the first / last record kept; 0 when there is none.
    uint64_t first_lsn() const noexcept;
    uint64_t last_lsn() const noexcept;
    // The LSN a writer continuing this log assigns next (1 for an empty directory).
    uint64_t next_lsn() const noexcept;

    // Calls `fn` for every record with LSN >= from_lsn, in LSN order. Files are read again
    // and checksums re-verified. from_lsn == 0 means from the first record. A from_lsn
    // before the first segment's first LSN throws WalError(MissingSegment): records the
    // caller needs were deleted. The Record's payload is valid only during the call.
    void for_each(uint64_t from_lsn, const std::function<void(const Record&)>& fn) const;

private:
    friend Recovery open_for_recovery(const std::filesystem::path& dir, const DbId& db_id);
    std::filesystem::path dir_;
    DbId db_id_;
    std::vector<SegmentInfo> segments_;
    std::optional<TailCut> tail_cut_;
    uint64_t record_count_ = 0;
};

// Validates `dir` (a missing or empty directory is a valid, empty WAL) and repairs the
// tail of its last segment as described above. Throws WalError.
Recovery open_for_recovery(const std::filesystem::path& dir, const DbId& db_id);

// Deletes the segments all of whose records have LSN < lsn (those followed by a segment
// whose first LSN <= lsn), oldest first, then syncs the directory. The newest segment is
// never deleted, so this is safe while a Writer appends. Returns how many were deleted.
size_t truncate_before(const std::filesystem::path& dir, uint64_t lsn);

}  // namespace lora::wal
