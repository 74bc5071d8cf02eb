// Tests of the WAL writer on real files and a real io_uring: round trips with rotation,
// group commit under 64 threads, the sync modes, reopening, truncation.
#include "wal_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

using namespace lora::wal;
using wal_test::payload_for;
using wal_test::TempDir;
using wal_test::type_for;

TEST_CASE("append and read back many records across segments", "[wal][writer]") {
    TempDir tmp;
    auto id = DbId::random();
    const uint64_t n = 3000;
    {
        auto w = Writer::open(tmp.wal(), wal_test::small_options(id));
        std::atomic<uint64_t> ok{0};
        for (uint64_t i = 1; i <= n; ++i) {
            auto p = payload_for(i);
            auto lsn = w->append(type_for(i), p, [&](uint64_t, std::error_code ec) {
                if (!ec) ++ok;
            });
            REQUIRE(lsn == i);
        }
        w->flush();
        auto s = w->stats();
        CHECK(s.records == n);
        CHECK(s.last_durable_lsn == n);
        CHECK(s.segments_created > 3);
        w->close();
        CHECK(ok == n);
        CHECK_FALSE(w->poisoned());
    }
    auto files = wal_test::segment_files(tmp.wal());
    CHECK(files.size() > 3);
    for (const auto& f : files) CHECK(std::filesystem::file_size(f) == 16 * 1024);

    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK_FALSE(rec.tail_cut());
    CHECK(rec.record_count() == n);
    CHECK(rec.first_lsn() == 1);
    CHECK(rec.last_lsn() == n);
    CHECK(rec.next_lsn() == n + 1);
    auto all = wal_test::read_all(rec);
    REQUIRE(all.size() == n);
    for (uint64_t i = 1; i <= n; ++i) {
        INFO("lsn " << i);
        REQUIRE(all[i - 1].lsn == i);
        REQUIRE(all[i - 1].type == type_for(i));
        REQUIRE(all[i - 1].payload == payload_for(i));
    }
    auto tail = wal_test::read_all(rec, n - 9);
    REQUIRE(tail.size() == 10);
    CHECK(tail.front().lsn == n - 9);
}

TEST_CASE("64 threads appending concurrently share fsyncs", "[wal][writer][group-commit]") {
    TempDir tmp;
    auto id = DbId::random();
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id, 1 << 20));
    const int threads = 64, per_thread = 40;
    const uint64_t total = threads * per_thread;
    std::vector<std::atomic<int>> calls(total + 1);
    std::atomic<int> errors{0};
    std::mutex lsn_mu;
    std::vector<uint64_t> lsns;

    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto p = payload_for(static_cast<uint64_t>(t * per_thread + i));
                std::promise<void> done;
                auto lsn = w->append(1, p, [&](uint64_t l, std::error_code ec) {
                    if (ec) ++errors;
                    if (l <= total) ++calls[l];
                    done.set_value();
                });
                done.get_future().wait();
                std::lock_guard lk(lsn_mu);
                lsns.push_back(lsn);
            }
        });
    }
    for (auto& t : ts) t.join();

    CHECK(errors == 0);
    std::set<uint64_t> unique(lsns.begin(), lsns.end());
    CHECK(unique.size() == total);
    CHECK(*unique.begin() == 1);
    CHECK(*unique.rbegin() == total);  // unique and in [1, total]: dense
    for (uint64_t l = 1; l <= total; ++l) {
        INFO("lsn " << l);
        REQUIRE(calls[l] == 1);
    }
    auto s = w->stats();
    INFO("fsyncs " << s.fsyncs << " batches " << s.batches << " max batch " << s.max_batch);
    CHECK(s.records == total);
    CHECK(s.fsyncs < s.records);
    CHECK(s.max_batch > 1);
    CHECK(s.last_durable_lsn == total);
    w->close();

    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.record_count() == total);
}

TEST_CASE("sync modes acknowledge and sync as documented", "[wal][writer][sync]") {
    TempDir tmp;
    auto id = DbId::random();
    auto opts = wal_test::small_options(id, 1 << 20);

    SECTION("per-commit: acknowledged means synced") {
        auto w = Writer::open(tmp.wal(), opts);
        for (uint64_t i = 1; i <= 50; ++i) {
            REQUIRE(w->append_wait(0, payload_for(i)) == i);
            REQUIRE(w->stats().last_durable_lsn >= i);
        }
        CHECK(w->stats().fsyncs >= 1);
    }
    SECTION("interval: acknowledged after write, synced by the timer") {
        opts.sync_mode = SyncMode::Interval;
        opts.sync_interval = std::chrono::milliseconds(5);
        auto w = Writer::open(tmp.wal(), opts);
        for (uint64_t i = 1; i <= 50; ++i) REQUIRE(w->append_wait(0, payload_for(i)) == i);
        CHECK(w->stats().last_written_lsn == 50);
        // No flush: only the timer can make it durable. Generous bound, not a timing check.
        for (int k = 0; k < 1000 && w->stats().last_durable_lsn < 50; ++k)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(w->stats().last_durable_lsn == 50);
        CHECK(w->stats().fsyncs >= 1);
        CHECK(w->stats().fsyncs < 50);
    }
    SECTION("none: never synced until flush") {
        opts.sync_mode = SyncMode::None;
        auto w = Writer::open(tmp.wal(), opts);
        for (uint64_t i = 1; i <= 50; ++i) REQUIRE(w->append_wait(0, payload_for(i)) == i);
        CHECK(w->stats().fsyncs == 0);
        CHECK(w->stats().last_durable_lsn == 0);
        CHECK(w->stats().last_written_lsn == 50);
        w->flush();
        CHECK(w->stats().fsyncs == 1);
        CHECK(w->stats().last_durable_lsn == 50);
    }
    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.record_count() == 50);
    auto all = wal_test::read_all(rec);
    REQUIRE(all.size() == 50);
    CHECK(all[49].payload == payload_for(50));
}

TEST_CASE("close syncs in every mode", "[wal][writer][sync]") {
    TempDir tmp;
    auto id = DbId::random();
    auto opts = wal_test::small_options(id, 1 << 20);
    opts.sync_mode = SyncMode::None;
    auto w = Writer::open(tmp.wal(), opts);
    for (uint64_t i = 1; i <= 20; ++i) w->append(0, payload_for(i), nullptr);
    w->close();
    CHECK(w->stats().last_durable_lsn == 20);
    CHECK(w->stats().fsyncs == 1);
    std::error_code got;
    CHECK(w->append(0, payload_for(1), [&](uint64_t, std::error_code ec) { got = ec; }) == 0);
    CHECK(got == std::errc::operation_canceled);
    CHECK_THROWS_AS(w->append_wait(0, payload_for(1)), WalError);
}

TEST_CASE("a reopened writer continues after the last record", "[wal][writer]") {
    TempDir tmp;
    auto id = DbId::random();
    for (int round = 0; round < 3; ++round) {
        auto w = Writer::open(tmp.wal(), wal_test::small_options(id));
        CHECK(w->next_lsn() == static_cast<uint64_t>(round * 100 + 1));
        for (int i = 0; i < 100; ++i) {
            uint64_t n = round * 100 + i + 1;
            REQUIRE(w->append_wait(type_for(n), payload_for(n)) == n);
        }
    }
    auto rec = open_for_recovery(tmp.wal(), id);
    auto all = wal_test::read_all(rec);
    REQUIRE(all.size() == 300);
    for (uint64_t i = 1; i <= 300; ++i) REQUIRE(all[i - 1].payload == payload_for(i));
}

TEST_CASE("first_lsn starts an empty log at a later LSN", "[wal][writer]") {
    TempDir tmp;
    auto id = DbId::random();
    auto opts = wal_test::small_options(id);
    opts.first_lsn = 501;
    {
        auto w = Writer::open(tmp.wal(), opts);
        CHECK(w->append_wait(0, payload_for(1)) == 501);
    }
    CHECK(std::filesystem::exists(tmp.wal() / segment_file_name(501)));
    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.first_lsn() == 501);
    CHECK(rec.last_lsn() == 501);
}

TEST_CASE("bad writer arguments are refused with a clear error", "[wal][writer]") {
    TempDir tmp;
    auto id = DbId::random();
    auto opts = wal_test::small_options(id, 4096);
    auto w = Writer::open(tmp.wal(), opts);
    std::vector<std::byte> huge(5000);
    REQUIRE_THROWS_AS(w->append(0, huge, nullptr), WalError);
    try {
        w->append(0, huge, nullptr);
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::InvalidArgument);
        CHECK(std::string(e.what()).find("does not fit") != std::string::npos);
    }
    CHECK(w->next_lsn() == 1);  // nothing was queued
    w->close();

    opts.segment_bytes = 100;
    CHECK_THROWS_AS(Writer::open(tmp.wal(), opts), WalError);
    opts.segment_bytes = 4096;
    auto rec = open_for_recovery(tmp.wal(), id);
    opts.db_id = DbId::random();
    CHECK_THROWS_AS(Writer::open(rec, opts), WalError);
}

TEST_CASE("a record that fills a segment exactly, and an empty payload", "[wal][writer]") {
    TempDir tmp;
    auto id = DbId::random();
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id, 4096));
    std::vector<std::byte> full(4096 - segment_header_size - record_header_size, std::byte{0xab});
    CHECK(w->append_wait(1, full) == 1);
    CHECK(w->append_wait(2, {}) == 2);
    CHECK(w->append_wait(3, full) == 3);
    w->close();
    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.segments().size() == 3);
    auto all = wal_test::read_all(rec);
    REQUIRE(all.size() == 3);
    CHECK(all[0].payload.size() == full.size());
    CHECK(all[1].payload.empty());
    CHECK(all[1].type == 2);
}

TEST_CASE("truncate_before deletes only segments wholly before the LSN", "[wal][truncate]") {
    TempDir tmp;
    auto id = DbId::random();
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id));
    for (uint64_t i = 1; i <= 1000; ++i) w->append(type_for(i), payload_for(i), nullptr);
    w->flush();
    const auto before = open_for_recovery(tmp.wal(), id).segments();
    REQUIRE(before.size() > 4);
    const uint64_t cut = before[3].first_lsn + 1;  // inside segment 3

    CHECK(truncate_before(tmp.wal(), cut) == 3);
    CHECK(truncate_before(tmp.wal(), cut) == 0);
    // The writer keeps appending into its (never deleted) active segment.
    CHECK(w->append_wait(0, payload_for(1001)) == 1001);
    w->close();

    auto rec = open_for_recovery(tmp.wal(), id);
    CHECK(rec.segments().front().first_lsn == before[3].first_lsn);
    auto tail = wal_test::read_all(rec, cut);
    REQUIRE(tail.size() == 1001 - cut + 1);
    CHECK(tail.front().lsn == cut);
    CHECK(tail.front().payload == payload_for(cut));
    try {
        rec.for_each(1, [](const Record&) {});
        FAIL("replay from a deleted LSN must fail");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::MissingSegment);
    }
    // Never deletes the last segment, even past the end of the log.
    truncate_before(tmp.wal(), 1u << 30);
    CHECK(wal_test::segment_files(tmp.wal()).size() == 1);
    CHECK(open_for_recovery(tmp.wal(), id).next_lsn() == 1002);
}

TEST_CASE("the batch-end hook runs once per batch, after that batch's callbacks",
          "[wal][writer][group-commit]") {
    TempDir tmp;
    auto id = DbId::random();
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id, 1 << 20));
    // Only the I/O thread touches these: callbacks add to `open_batch`, the hook closes it.
    std::vector<uint64_t> open_batch;
    std::vector<std::vector<uint64_t>> batches;
    std::atomic<int> hooks{0};
    std::thread::id io_thread;
    std::atomic<bool> other_thread{false};
    w->on_batch_end([&] {
        ++hooks;
        if (std::this_thread::get_id() != io_thread) other_thread = true;
        if (!open_batch.empty()) batches.push_back(std::move(open_batch));
        open_batch.clear();
    });
    const int threads = 16, per_thread = 30;
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                std::promise<void> done;
                w->append(1, payload_for(static_cast<uint64_t>(t * per_thread + i)),
                          [&](uint64_t lsn, std::error_code) {
                              io_thread = std::this_thread::get_id();
                              open_batch.push_back(lsn);
                              done.set_value();
                          });
                done.get_future().wait();
            }
        });
    }
    for (auto& t : ts) t.join();
    w->flush();
    w->close();
    const uint64_t total = threads * per_thread;
    auto s = w->stats();
    CHECK_FALSE(other_thread);
    CHECK(open_batch.empty());  // every batch's callbacks were followed by the hook
    CHECK(static_cast<uint64_t>(hooks.load()) == s.batches);
    CHECK(batches.size() == s.batches);
    uint64_t next = 1;
    for (const auto& b : batches)
        for (uint64_t lsn : b) CHECK(lsn == next++);  // in order, each once
    CHECK(next == total + 1);
}
