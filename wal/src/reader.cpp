// Recovery of a WAL directory: segment listing, validation, tail repair, replay, truncation.
#include <lora/wal/error.hpp>
#include <lora/wal/reader.hpp>

#include "file_util.hpp"

#include <fcntl.h>
#include <algorithm>
#include <cstring>
#include <system_error>

namespace lora::wal {
namespace {

namespace fs = std::filesystem;

struct Listed {
    uint64_t first_lsn;
    fs::path path;
};

// Segment files of `dir` in LSN order; leftover "*.wal.tmp" files are deleted when
// `remove_tmp` (a crash during creation leaves them; they never hold records).
std::vector<Listed> list_segments(const fs::path& dir, bool remove_tmp) {
    std::vector<Listed> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    if (!fs::is_directory(dir, ec))
        throw WalError(WalError::Kind::InvalidArgument,
                       "WAL path " + dir.string() + " is not a directory", dir);
    bool removed = false;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        if (auto lsn = parse_segment_file_name(name)) {
            out.push_back({*lsn, entry.path()});
        } else if (remove_tmp && name.size() > 8 && name.ends_with(".wal.tmp") &&
                   parse_segment_file_name(name.substr(0, name.size() - 4))) {
            fs::remove(entry.path());
            removed = true;
        }
    }
    if (removed) detail::sync_dir(dir);
    std::sort(out.begin(), out.end(),
              [](const Listed& a, const Listed& b) { return a.first_lsn < b.first_lsn; });
    return out;
}

// One past the last non-zero byte of data[from, end), or `from` when all are zero.
uint64_t nonzero_end(std::span<const std::byte> data, uint64_t from) {
    uint64_t k = data.size();
    // Word-wise over the aligned middle: segments are mostly zero and 64 MiB long.
    while (k > from && k % 8 != 0) {
        if (data[k - 1] != std::byte{0}) return k;
        --k;
    }
    while (k >= from + 8) {
        uint64_t w;
        std::memcpy(&w, data.data() + k - 8, 8);
        if (w != 0) break;
        k -= 8;
    }
    while (k > from) {
        if (data[k - 1] != std::byte{0}) return k;
        --k;
    }
    return from;
}

std::string at(const fs::path& file, uint64_t offset) {
    return file.string() + " at offset " + std::to_string(offset);
}

SegmentHeader check_header(std::span<const std::byte> data, const fs::path& path, uint64_t name_lsn,
                           const DbId& db_id) {
    std::string why;
    auto h = decode_segment_header(data, why);
    if (!h)
        throw WalError(WalError::Kind::Corrupt,
                       "bad WAL segment header in " + at(path, 0) + ": " + why, path, 0);
    if (h->db_id != db_id)
        throw WalError(WalError::Kind::ForeignSegment,
                       "WAL segment " + path.string() + " belongs to database " +
                           h->db_id.to_hex() + ", not to this database " + db_id.to_hex(),
                       path);
    if (h->first_lsn != name_lsn)
        throw WalError(WalError::Kind::Corrupt,
                       "WAL segment " + path.string() + " says its first LSN is " +
                           std::to_string(h->first_lsn) + ", which disagrees with its name",
                       path, 0);
    return *h;
}

}  // namespace

uint64_t Recovery::first_lsn() const noexcept {
    for (const auto& s : segments_)
        if (s.last_lsn >= s.first_lsn) return s.first_lsn;
    return 0;
}

uint64_t Recovery::last_lsn() const noexcept { return empty() ? 0 : segments_.back().last_lsn; }

uint64_t Recovery::next_lsn() const noexcept {
    return segments_.empty() ? 1 : segments_.back().last_lsn + 1;
}

Recovery open_for_recovery(const fs::path& dir, const DbId& db_id) {
    Recovery rec;
    rec.dir_ = dir;
    rec.db_id_ = db_id;
    const auto listed = list_segments(dir, /*remove_tmp=*/true);

    for (size_t i = 0; i < listed.size(); ++i) {
        const auto& path = listed[i].path;
        const bool last = i + 1 == listed.size();
        detail::Fd fd = detail::open_file(path, last ? O_RDWR : O_RDONLY);
        const auto data = detail::read_all(fd.get(), path);
        const auto header = check_header(data, path, listed[i].first_lsn, db_id);

        if (!rec.segments_.empty() && rec.segments_.back().last_lsn + 1 != header.first_lsn) {
            const uint64_t want = rec.segments_.back().last_lsn + 1;
            const auto missing = dir / segment_file_name(want);
            throw WalError(WalError::Kind::MissingSegment,
                           "WAL segment " + missing.string() +
                               " is missing: " + rec.segments_.back().path.string() +
                               " ends at LSN " + std::to_string(want - 1) +
                               " but the next segment is " + path.string(),
                           missing);
        }

        SegmentInfo info{path, header.first_lsn, header.first_lsn - 1, segment_header_size,
                         data.size()};
        std::string bad_why;
        bool bad = false;
        for (;;) {
            auto r = parse_record(data, info.end_offset, info.last_lsn + 1);
            if (r.status == ParseStatus::End) break;
            if (r.status == ParseStatus::Bad) {
                bad = true;
                bad_why = std::move(r.why);
                break;
            }
            info.last_lsn = r.record.lsn;
            info.end_offset += r.size;
            ++rec.record_count_;
        }
        // Anything non-zero past the end is damage (or a torn write's remains).
        const uint64_t dirty_end = nonzero_end(data, info.end_offset);
        if (dirty_end > info.end_offset) {
            if (!bad) bad_why = "non-zero bytes after the last record";
            if (!last)
                throw WalError(
                    WalError::Kind::Corrupt,
                    "corrupt WAL record in " + at(path, info.end_offset) + ": " + bad_why, path,
                    info.end_offset);
            detail::zero_range(fd.get(), info.end_offset, dirty_end - info.end_offset, path);
            detail::sync_file(fd.get(), path);
            rec.tail_cut_ = TailCut{path, info.end_offset, dirty_end - info.end_offset, bad_why};
        }
        rec.segments_.push_back(std::move(info));
    }
    return rec;
}

void Recovery::for_each(uint64_t from_lsn, const std::function<void(const Record&)>& fn) const {
    if (segments_.empty()) return;
    if (from_lsn != 0 && from_lsn < segments_.front().first_lsn)
        throw WalError(WalError::Kind::MissingSegment,
                       "replay from LSN " + std::to_string(from_lsn) +
                           " needs records the WAL no longer has: its first segment " +
                           segments_.front().path.string() + " starts at LSN " +
                           std::to_string(segments_.front().first_lsn),
                       segments_.front().path);
    for (size_t i = 0; i < segments_.size(); ++i) {
        const auto& seg = segments_[i];
        if (seg.last_lsn < seg.first_lsn || seg.last_lsn < from_lsn) continue;
        detail::Fd fd = detail::open_file(seg.path, O_RDONLY);
        const auto data = detail::read_all(fd.get(), seg.path);
        // Re-validate: the files may have changed since open_for_recovery.
        check_header(data, seg.path, seg.first_lsn, db_id_);
        uint64_t offset = segment_header_size;
        for (uint64_t lsn = seg.first_lsn; lsn <= seg.last_lsn; ++lsn) {
            auto r = parse_record(data, offset, lsn);
            if (r.status != ParseStatus::Ok)
                throw WalError(WalError::Kind::Corrupt,
                               "corrupt WAL record in " + at(seg.path, offset) + ": " +
                                   (r.status == ParseStatus::End ? "record missing" : r.why),
                               seg.path, offset);
            if (lsn >= from_lsn) fn(r.record);
            offset += r.size;
        }
    }
}

size_t truncate_before(const fs::path& dir, uint64_t lsn) {
    const auto listed = list_segments(dir, /*remove_tmp=*/false);
    size_t deleted = 0;
    for (size_t i = 0; i + 1 < listed.size(); ++i) {
        if (listed[i + 1].first_lsn > lsn) break;
        std::error_code ec;
        fs::remove(listed[i].path, ec);
        if (ec) detail::throw_errno("cannot delete WAL segment", listed[i].path, ec.value());
        ++deleted;
    }
    if (deleted > 0) detail::sync_dir(dir);
    return deleted;
}

}  // namespace lora::wal
