// The WAL writer: appends from any thread, one I/O thread that owns an io_uring and
// group-commits (one write + one linked fdatasync per batch), segment rotation, poisoning.
#pragma once

#include <lora/wal/format.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

namespace lora::wal {

class Recovery;

enum class SyncMode : uint8_t {
    PerCommit,  // callbacks run after the batch's fdatasync (the default)
    Interval,   // callbacks run after the write; a timer syncs every sync_interval
    None,       // callbacks run after the write; synced only on rotation, flush and close
};

struct WriterOptions {
    DbId db_id;
    uint64_t segment_bytes = 64ull << 20;  // preallocated size of each new segment
    SyncMode sync_mode = SyncMode::PerCommit;
    std::chrono::milliseconds sync_interval{10};  // Interval mode only
    // LSN of the first record when the directory holds no segment (e.g. every segment was
    // deleted after a checkpoint at first_lsn - 1). Ignored when records exist.
    uint64_t first_lsn = 1;
};

struct WriterStats {
    uint64_t records = 0;    // records written
    uint64_t bytes = 0;      // bytes written, framing and padding included
    uint64_t fsyncs = 0;     // fdatasync calls (batch, timer, rotation, flush)
    uint64_t batches = 0;    // group-commit writes
    uint64_t max_batch = 0;  // most records in one batch
    uint64_t segments_created = 0;
    uint64_t last_written_lsn = 0;  // written to the file (page cache)
    uint64_t last_durable_lsn = 0;  // written and synced
};

// Runs once per record when it is durable per the sync mode, on the writer's I/O thread
// (or on the appending thread when the writer is already poisoned or closed). `error` is
// empty on success; otherwise the errno of the failed write/sync (see poison_reason()) or
// operation_canceled after close(). Keep it short: it delays the next batch. It may call
// append(), but must not call flush()/sync_now()/close().
using AppendCallback = std::function<void(uint64_t lsn, std::error_code error)>;

class Writer {
public:
    // Runs open_for_recovery(dir, options.db_id) (creating `dir` if needed) and continues
    // after the last valid record. Throws WalError.
    static std::unique_ptr<Writer> open(const std::filesystem::path& dir,
                                        const WriterOptions& options);
    // Continues a log already validated by open_for_recovery (whose db_id must match).
    static std::unique_ptr<Writer> open(const Recovery& recovered, const WriterOptions& options);

    ~Writer();  // close(), errors swallowed
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Queues a record and returns its LSN (0 when refused because the writer is poisoned
    // or closed: the callback has then already run with the error). Thread-safe; LSNs are
    // dense and in file order. Throws WalError(InvalidArgument) when the payload cannot fit
    // in a segment.
    uint64_t append(uint8_t type, std::span<const std::byte> payload, AppendCallback callback);

    // The same; `assigned(lsn)` runs under the writer's lock as soon as the record has its
    // LSN, before the I/O thread can see it (so before its callback can run). It must be
    // quick and must not call the writer.
    uint64_t append(uint8_t type, std::span<const std::byte> payload, AppendCallback callback,
                    const std::function<void(uint64_t lsn)>& assigned);

    // append() and wait for the callback: returns the LSN or throws WalError(Poisoned/Closed).
    uint64_t append_wait(uint8_t type, std::span<const std::byte> payload);

    // `hook` runs on the I/O thread after the callbacks of each batch (the records written
    // together): callbacks can queue work there and send it once per batch. Replaces an
    // earlier hook; a throwing hook is ignored.
    void on_batch_end(std::function<void()> hook);

    // Blocks until every record appended before the call is written and synced, whatever
    // the sync mode. Throws WalError(Poisoned) if the writer is or becomes poisoned.
    void flush();
    void sync_now() { flush(); }

    // Writes and syncs what is queued, stops the I/O thread and closes the files. Appends
    // afterwards fail with operation_canceled. Idempotent; never throws: a failure of the
    // final write or sync poisons the writer (check poisoned() afterwards).
    void close() noexcept;

    bool poisoned() const noexcept;
    std::string poison_reason() const;  // empty when not poisoned
    WriterStats stats() const;
    uint64_t next_lsn() const;  // the LSN the next append gets
    const std::filesystem::path& dir() const noexcept;

    struct Impl;

private:
    explicit Writer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lora::wal
