// The WAL writer. Appending threads encode records into a shared pending buffer under a
// mutex; one I/O thread takes the whole buffer as a batch, writes it with one io_uring
// write linked to one fdatasync, then runs the batch's callbacks (group commit).
#include <lora/wal/error.hpp>
#include <lora/wal/fault.hpp>
#include <lora/wal/reader.hpp>
#include <lora/wal/writer.hpp>

#include "file_util.hpp"

#include <liburing.h>

#include <fcntl.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace lora::wal {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t min_segment_bytes = 4096;
// One io_uring write moves at most ~2 GiB; a write never spans segments, so capping the
// segment size keeps every write whole.
constexpr uint64_t max_segment_bytes = 1ull << 30;

struct Entry {
    uint64_t lsn;
    uint64_t offset;  // into Batch::buf
    uint64_t size;
    AppendCallback callback;
};

// Records queued for one write, contiguous in `buf` in LSN order.
struct Batch {
    std::vector<std::byte> buf;
    std::vector<Entry> entries;

    bool empty() const { return entries.empty(); }
    void clear() {
        buf.clear();
        entries.clear();
    }
};

void run_callback(AppendCallback& cb, uint64_t lsn, std::error_code ec) noexcept {
    if (!cb) return;
    try {
        cb(lsn, ec);
    } catch (...) {
        // A throwing callback must not take the I/O thread (and every other commit) down.
    }
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

struct Writer::Impl {
    fs::path dir;
    WriterOptions opt;

    // Owned by the I/O thread once it runs.
    io_uring ring{};
    bool ring_ready = false;
    detail::Fd seg_fd;
    fs::path seg_path;
    uint64_t seg_offset = 0;
    // Segments are preallocated with fallocate, whose extents stay "unwritten" until written:
    // a record written into them changes the extent tree, so its fdatasync also has to write
    // (and wait for) the inode. Zeroing the segment ahead of the records, a chunk at a time,
    // makes that one metadata write per chunk instead of one per sync.
    uint64_t zeroed_to = 0;
    static constexpr uint64_t zero_chunk = 1u << 20;
    bool zero_ahead(uint64_t end);
    uint64_t seg_capacity = 0;
    Clock::time_point sync_due{};

    mutable std::mutex mu;
    std::condition_variable work_cv;  // the I/O thread waits for work
    std::condition_variable done_cv;  // flush() waits for durability
    Batch pending;
    uint64_t next_lsn = 1;
    uint64_t written_lsn = 0;
    uint64_t durable_lsn = 0;
    uint64_t sync_target = 0;
    bool stop = false;
    bool io_exited = false;
    bool poisoned = false;
    std::error_code poison_ec;
    std::string poison_reason;
    WriterStats stats;
    std::thread io;
    std::mutex close_mu;
    // Writer::on_batch_end: set under mu, read by the I/O thread with each batch.
    std::shared_ptr<const std::function<void()>> batch_end;

    ~Impl() {
        if (ring_ready) io_uring_queue_exit(&ring);
    }

    uint64_t append(uint8_t type, std::span<const std::byte> payload, AppendCallback cb,
                    const std::function<void(uint64_t)>* assigned);
    void flush();
    void close() noexcept;

    void run() noexcept;
    void write_batch(Batch& batch);
    bool write_chunk(const std::byte* data, uint64_t len, uint64_t records, uint64_t last_lsn,
                     bool sync);
    bool sync_active_segment();
    bool rotate(uint64_t first_lsn);
    io_uring_sqe* next_sqe();
    // Submits `count` prepared SQEs (user_data 0..count-1) and collects their results.
    bool submit_and_reap(unsigned count, int* results);
    void poison(int err, std::string reason);
    bool is_poisoned() {
        std::lock_guard lk(mu);
        return poisoned;
    }
};

uint64_t Writer::Impl::append(uint8_t type, std::span<const std::byte> payload, AppendCallback cb,
                              const std::function<void(uint64_t)>* assigned) {
    const uint64_t limit = std::min<uint64_t>(opt.segment_bytes - segment_header_size,
                                              std::numeric_limits<uint32_t>::max());
    if (record_size(payload.size()) > limit)
        throw WalError(WalError::Kind::InvalidArgument,
                       "WAL record of " + std::to_string(payload.size()) +
                           " bytes does not fit in a segment of " +
                           std::to_string(opt.segment_bytes) + " bytes");
    const uint64_t phash = payload_hash(payload);  // outside the lock: it reads every byte
    const uint64_t size = record_size(payload.size());

    std::unique_lock lk(mu);
    if (poisoned || stop) {
        auto ec = poisoned ? poison_ec : std::make_error_code(std::errc::operation_canceled);
        lk.unlock();
        run_callback(cb, 0, ec);
        return 0;
    }
    const uint64_t lsn = next_lsn++;
    if (assigned && *assigned) (*assigned)(lsn);
    const uint64_t offset = pending.buf.size();
    pending.buf.resize(offset + size);
    encode_record(pending.buf.data() + offset, lsn, type, payload, phash);
    pending.entries.push_back(Entry{lsn, offset, size, std::move(cb)});
    const bool wake = pending.entries.size() == 1;
    lk.unlock();
    if (wake) work_cv.notify_one();
    return lsn;
}

void Writer::Impl::flush() {
    std::unique_lock lk(mu);
    const uint64_t target = next_lsn - 1;
    for (;;) {
        if (poisoned)
            throw WalError(WalError::Kind::Poisoned, "WAL writer is poisoned: " + poison_reason,
                           dir);
        if (durable_lsn >= target) return;
        if (io_exited) throw WalError(WalError::Kind::Closed, "WAL writer is closed", dir);
        sync_target = std::max(sync_target, target);
        work_cv.notify_one();
        done_cv.wait(lk);
    }
}

void Writer::Impl::close() noexcept {
    std::lock_guard closing(close_mu);  // two threads closing must not both join
    {
        std::lock_guard lk(mu);
        stop = true;
    }
    work_cv.notify_one();
    if (io.joinable()) io.join();
    seg_fd.reset();
}

void Writer::Impl::poison(int err, std::string reason) {
    Batch waiting;
    {
        std::lock_guard lk(mu);
        if (!poisoned) {
            poisoned = true;
            poison_ec = std::error_code(err, std::system_category());
            poison_reason = std::move(reason);
        }
        std::swap(waiting, pending);
    }
    done_cv.notify_all();
    for (auto& e : waiting.entries) run_callback(e.callback, e.lsn, poison_ec);
}

io_uring_sqe* Writer::Impl::next_sqe() {
    // Every submission is reaped before the next one is prepared, so the 8-entry queue
    // cannot be full; a null here is a bug, reported rather than dereferenced.
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) poison(EBUSY, "io_uring submission queue unexpectedly full");
    return sqe;
}

bool Writer::Impl::submit_and_reap(unsigned count, int* results) {
    int rc;
    do {
        rc = io_uring_submit(&ring);
    } while (rc == -EINTR);
    if (rc < 0 || static_cast<unsigned>(rc) != count) {
        const int err = rc < 0 ? -rc : EIO;
        poison(err, "io_uring submission failed: " + errno_text(err));
        return false;
    }
    for (unsigned got = 0; got < count;) {
        io_uring_cqe* cqe = nullptr;
        rc = io_uring_wait_cqe(&ring, &cqe);
        if (rc == -EINTR) continue;
        if (rc < 0) {
            poison(-rc, "waiting for io_uring completion failed: " + errno_text(-rc));
            return false;
        }
        if (cqe->user_data < count) results[cqe->user_data] = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
        ++got;
    }
    return true;
}

bool Writer::Impl::write_chunk(const std::byte* data, uint64_t len, uint64_t records,
                               uint64_t last_lsn, bool sync) {
    // Evaluate every point on every write so "point@N" counts writes.
    const bool eio = fault::hit("wal_write_eio");
    const bool enospc = fault::hit("wal_write_enospc");
    const bool crash_after_write = fault::hit("wal_crash_after_write");
    const std::string where = seg_path.string() + " at offset " + std::to_string(seg_offset);
    if (eio || enospc) {
        const int err = eio ? EIO : ENOSPC;
        poison(err, "write of " + std::to_string(len) + " bytes to " + where +
                        " failed: " + errno_text(err) + " (injected fault " +
                        (eio ? "wal_write_eio" : "wal_write_enospc") + ")");
        return false;
    }
    // To crash between write and sync they must not be linked in one submission.
    const bool link = sync && !crash_after_write;

    if (!zero_ahead(seg_offset + len)) return false;
    io_uring_sqe* w = next_sqe();
    if (!w) return false;
    io_uring_prep_write(w, seg_fd.get(), data, static_cast<unsigned>(len), seg_offset);
    io_uring_sqe_set_data64(w, 0);
    if (link) {
        w->flags |= IOSQE_IO_LINK;
        io_uring_sqe* s = next_sqe();
        if (!s) return false;  // poisoned: the prepared write is never submitted
        io_uring_prep_fsync(s, seg_fd.get(), IORING_FSYNC_DATASYNC);
        io_uring_sqe_set_data64(s, 1);
    }
    int res[2] = {0, 0};
    if (!submit_and_reap(link ? 2 : 1, res)) return false;
    if (res[0] < 0) {
        poison(-res[0], "write of " + std::to_string(len) + " bytes to " + where +
                            " failed: " + errno_text(-res[0]));
        return false;
    }
    if (static_cast<uint64_t>(res[0]) < len) {
        poison(EIO, "short write to " + where + ": " + std::to_string(res[0]) + " of " +
                        std::to_string(len) + " bytes");
        return false;
    }
    seg_offset += len;
    {
        std::lock_guard lk(mu);
        if (written_lsn == durable_lsn) sync_due = Clock::now() + opt.sync_interval;
        written_lsn = last_lsn;
        stats.bytes += len;
        stats.records += records;
    }
    if (crash_after_write) fault::crash();
    if (!sync) return true;
    if (!link) return sync_active_segment();
    if (fault::hit("wal_sync_eio")) res[1] = -EIO;
    if (res[1] < 0) {
        poison(-res[1], "fdatasync of " + seg_path.string() + " failed: " + errno_text(-res[1]));
        return false;
    }
    {
        std::lock_guard lk(mu);
        durable_lsn = last_lsn;
        ++stats.fsyncs;
    }
    done_cv.notify_all();
    if (fault::hit("wal_crash_after_sync")) fault::crash();
    return true;
}

bool Writer::Impl::zero_ahead(uint64_t end) {
    if (end <= zeroed_to) return true;
    const uint64_t from = std::max(zeroed_to, seg_offset);
    const uint64_t to = std::min(seg_capacity, std::max(end, from + zero_chunk));
    try {
        detail::zero_range(seg_fd.get(), from, to - from, seg_path);
    } catch (const WalError& e) {
        poison(EIO, std::string("cannot zero the WAL segment ahead of its records: ") + e.what());
        return false;
    }
    zeroed_to = to;
    return true;
}

bool Writer::Impl::sync_active_segment() {
    uint64_t target;
    {
        std::lock_guard lk(mu);
        target = written_lsn;
    }
    io_uring_sqe* s = next_sqe();
    if (!s) return false;
    io_uring_prep_fsync(s, seg_fd.get(), IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(s, 0);
    int res = 0;
    if (!submit_and_reap(1, &res)) return false;
    if (fault::hit("wal_sync_eio")) res = -EIO;
    if (res < 0) {
        poison(-res, "fdatasync of " + seg_path.string() + " failed: " + errno_text(-res));
        return false;
    }
    {
        std::lock_guard lk(mu);
        durable_lsn = std::max(durable_lsn, target);
        ++stats.fsyncs;
    }
    done_cv.notify_all();
    if (fault::hit("wal_crash_after_sync")) fault::crash();
    return true;
}

bool Writer::Impl::rotate(uint64_t first_lsn) {
    // Sync the old segment first: recovery treats damage in any segment but the last as
    // corruption, so only the last may ever hold unsynced data.
    bool dirty;
    {
        std::lock_guard lk(mu);
        dirty = written_lsn > durable_lsn;
    }
    if (dirty && !sync_active_segment()) return false;
    try {
        SegmentHeader h{opt.db_id, first_lsn, opt.segment_bytes};
        seg_fd = detail::create_segment(dir, h);
    } catch (const WalError& e) {
        poison(EIO, std::string("cannot create the next WAL segment: ") + e.what());
        return false;
    }
    seg_path = dir / segment_file_name(first_lsn);
    seg_offset = segment_header_size;
    zeroed_to = seg_offset;
    seg_capacity = opt.segment_bytes;
    std::lock_guard lk(mu);
    ++stats.segments_created;
    return true;
}

void Writer::Impl::write_batch(Batch& batch) {
    auto& es = batch.entries;
    const bool per_commit = opt.sync_mode == SyncMode::PerCommit;
    {
        std::lock_guard lk(mu);
        ++stats.batches;
        stats.max_batch = std::max<uint64_t>(stats.max_batch, es.size());
    }
    size_t done = 0;  // entries written (and synced in PerCommit mode)
    bool ok = true;
    while (ok && done < es.size()) {
        size_t end = done;
        uint64_t bytes = 0;
        // A record never spans segments: cut the batch where the segment is full.
        while (end < es.size() && seg_offset + bytes + es[end].size <= seg_capacity)
            bytes += es[end++].size;
        if (end == done) {
            ok = rotate(es[done].lsn);
            continue;
        }
        ok = write_chunk(batch.buf.data() + es[done].offset, bytes, end - done, es[end - 1].lsn,
                         per_commit);
        if (ok) done = end;
    }
    std::error_code failed;
    if (!ok) {
        std::lock_guard lk(mu);
        failed = poison_ec;
    }
    for (size_t i = 0; i < es.size(); ++i)
        run_callback(es[i].callback, es[i].lsn, i < done ? std::error_code{} : failed);
}

void Writer::Impl::run() noexcept {
    Batch batch;
    std::shared_ptr<const std::function<void()>> hook;
    const bool interval = opt.sync_mode == SyncMode::Interval;
    for (;;) {
        bool stopping;
        {
            std::unique_lock lk(mu);
            for (;;) {
                if (!pending.empty() || stop) break;
                const bool dirty = !poisoned && written_lsn > durable_lsn;
                if (dirty && sync_target > durable_lsn) break;
                if (dirty && interval) {
                    if (work_cv.wait_until(lk, sync_due) == std::cv_status::timeout) break;
                    continue;
                }
                work_cv.wait(lk);
            }
            std::swap(batch, pending);
            stopping = stop && batch.empty();
            if (!batch.empty()) hook = batch_end;
        }
        if (!batch.empty()) {
            if (is_poisoned()) {
                std::error_code ec;
                {
                    std::lock_guard lk(mu);
                    ec = poison_ec;
                }
                for (auto& e : batch.entries) run_callback(e.callback, e.lsn, ec);
            } else {
                write_batch(batch);
            }
            batch.clear();
            if (hook && *hook) {
                try {
                    (*hook)();
                } catch (...) {
                    // Like a throwing callback: never take the I/O thread down.
                }
            }
        }
        bool need_sync;
        {
            std::lock_guard lk(mu);
            need_sync =
                !poisoned && written_lsn > durable_lsn &&
                (stopping || sync_target > durable_lsn || (interval && Clock::now() >= sync_due));
        }
        if (need_sync) sync_active_segment();
        if (stopping) break;
    }
    {
        std::lock_guard lk(mu);
        io_exited = true;
    }
    done_cv.notify_all();
}

// ---- Writer ----

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Writer::~Writer() {
    if (impl_) impl_->close();
}

std::unique_ptr<Writer> Writer::open(const fs::path& dir, const WriterOptions& options) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) detail::throw_errno("cannot create WAL directory", dir, ec.value());
    return open(open_for_recovery(dir, options.db_id), options);
}

std::unique_ptr<Writer> Writer::open(const Recovery& recovered, const WriterOptions& options) {
    if (options.segment_bytes < min_segment_bytes || options.segment_bytes > max_segment_bytes)
        throw WalError(WalError::Kind::InvalidArgument,
                       "WAL segment size must be between " + std::to_string(min_segment_bytes) +
                           " and " + std::to_string(max_segment_bytes) + " bytes, got " +
                           std::to_string(options.segment_bytes));
    if (options.sync_mode == SyncMode::Interval && options.sync_interval.count() <= 0)
        throw WalError(WalError::Kind::InvalidArgument, "WAL sync interval must be positive");
    if (!(recovered.db_id() == options.db_id))
        throw WalError(WalError::Kind::InvalidArgument,
                       "WAL recovered for database " + recovered.db_id().to_hex() +
                           " cannot be opened for database " + options.db_id.to_hex());

    auto impl = std::make_unique<Impl>();
    impl->dir = recovered.dir();
    impl->opt = options;
    std::error_code ec;
    fs::create_directories(impl->dir, ec);
    if (ec) detail::throw_errno("cannot create WAL directory", impl->dir, ec.value());

    if (recovered.segments().empty()) {
        const uint64_t first = std::max<uint64_t>(options.first_lsn, 1);
        impl->seg_fd =
            detail::create_segment(impl->dir, {options.db_id, first, options.segment_bytes});
        impl->seg_path = impl->dir / segment_file_name(first);
        impl->seg_offset = segment_header_size;
        impl->seg_capacity = options.segment_bytes;
        impl->next_lsn = first;
        impl->stats.segments_created = 1;
    } else {
        const auto& last = recovered.segments().back();
        impl->seg_fd = detail::open_file(last.path, O_RDWR);
        // A previous run in Interval/None mode may have left written but unsynced records;
        // syncing them now makes "recovered" mean "durable".
        detail::sync_file(impl->seg_fd.get(), last.path);
        impl->seg_path = last.path;
        impl->seg_offset = last.end_offset;
        impl->seg_capacity = last.file_size;
        impl->next_lsn = recovered.next_lsn();
    }
    impl->written_lsn = impl->durable_lsn = impl->next_lsn - 1;

    if (int rc = io_uring_queue_init(8, &impl->ring, 0); rc < 0)
        throw WalError(WalError::Kind::Io, "cannot set up io_uring for the WAL: " + errno_text(-rc),
                       impl->dir);
    impl->ring_ready = true;
    Impl* raw = impl.get();
    impl->io = std::thread([raw] { raw->run(); });
    return std::unique_ptr<Writer>(new Writer(std::move(impl)));
}

uint64_t Writer::append(uint8_t type, std::span<const std::byte> payload, AppendCallback callback) {
    return impl_->append(type, payload, std::move(callback), nullptr);
}

uint64_t Writer::append(uint8_t type, std::span<const std::byte> payload, AppendCallback callback,
                        const std::function<void(uint64_t lsn)>& assigned) {
    return impl_->append(type, payload, std::move(callback), &assigned);
}

uint64_t Writer::append_wait(uint8_t type, std::span<const std::byte> payload) {
    std::promise<std::pair<uint64_t, std::error_code>> done;
    auto fut = done.get_future();
    impl_->append(
        type, payload,
        [&done](uint64_t lsn, std::error_code ec) {
            done.set_value({lsn, ec});
        },
        nullptr);
    auto [lsn, ec] = fut.get();
    if (!ec) return lsn;
    if (ec == std::errc::operation_canceled)
        throw WalError(WalError::Kind::Closed, "WAL writer is closed", impl_->dir);
    throw WalError(WalError::Kind::Poisoned, "WAL append failed: " + poison_reason(), impl_->dir);
}

void Writer::on_batch_end(std::function<void()> hook) {
    auto h = std::make_shared<const std::function<void()>>(std::move(hook));
    std::lock_guard lk(impl_->mu);
    impl_->batch_end = std::move(h);
}

void Writer::flush() { impl_->flush(); }

void Writer::close() noexcept { impl_->close(); }

bool Writer::poisoned() const noexcept {
    std::lock_guard lk(impl_->mu);
    return impl_->poisoned;
}

std::string Writer::poison_reason() const {
    std::lock_guard lk(impl_->mu);
    return impl_->poison_reason;
}

WriterStats Writer::stats() const {
    std::lock_guard lk(impl_->mu);
    WriterStats s = impl_->stats;
    s.last_written_lsn = impl_->written_lsn;
    s.last_durable_lsn = impl_->durable_lsn;
    return s;
}

uint64_t Writer::next_lsn() const {
    std::lock_guard lk(impl_->mu);
    return impl_->next_lsn;
}

const fs::path& Writer::dir() const noexcept { return impl_->dir; }

}  // namespace lora::wal
