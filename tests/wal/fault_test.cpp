// Tests of failure handling through the built-in fault points: poisoning on a failed write
// or sync, and a child process killed mid-commit whose WAL the parent then recovers.
#include "wal_test_util.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

using namespace lora::wal;
using wal_test::payload_for;
using wal_test::TempDir;

namespace {

struct Outcome {
    int calls = 0;
    uint64_t lsn = 0;
    std::error_code ec;
};

}  // namespace

TEST_CASE("a failed write poisons the writer", "[wal][fault][poison]") {
    TempDir tmp;
    auto id = DbId::random();
    const bool sync_fails = GENERATE(false, true);
    INFO((sync_fails ? "wal_sync_eio" : "wal_write_eio"));
    // The first write succeeds; the second (the threads' first batch) fails.
    wal_test::ScopedFault fault(sync_fails ? "wal_sync_eio@2" : "wal_write_eio@2");
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id, 1 << 20));
    REQUIRE(w->append_wait(0, payload_for(1)) == 1);

    const int threads = 16, per_thread = 50;
    std::vector<Outcome> out(threads * per_thread);
    std::mutex mu;
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto& o = out[t * per_thread + i];
                w->append(1, payload_for(2 + t * per_thread + i),
                          [&o, &mu](uint64_t lsn, std::error_code ec) {
                              std::lock_guard lk(mu);
                              ++o.calls;
                              o.lsn = lsn;
                              o.ec = ec;
                          });
            }
        });
    }
    for (auto& t : ts) t.join();
    w->close();  // joins the I/O thread: every callback has run

    REQUIRE(w->poisoned());
    const auto reason = w->poison_reason();
    CHECK(reason.find(sync_fails ? "fdatasync" : "wal_write_eio") != std::string::npos);
    CHECK(reason.find(std::strerror(EIO)) != std::string::npos);
    int failed_waiting = 0, failed_later = 0;
    for (const auto& o : out) {
        REQUIRE(o.calls == 1);
        REQUIRE(o.ec);  // nothing after the failed write may succeed
        CHECK(o.ec == std::error_code(EIO, std::system_category()));
        (o.lsn != 0 ? failed_waiting : failed_later) += 1;
    }
    CHECK(failed_waiting > 0);
    CHECK(w->stats().last_durable_lsn == 1);

    // Later appends fail at once with the same error; flush reports the poisoning.
    std::error_code later;
    CHECK(w->append(0, payload_for(9), [&](uint64_t, std::error_code ec) { later = ec; }) == 0);
    CHECK(later == std::error_code(EIO, std::system_category()));

    lora::fault::clear();
    auto rec = open_for_recovery(tmp.wal(), id);
    REQUIRE(rec.last_lsn() >= 1);
    auto all = wal_test::read_all(rec);
    CHECK(all[0].payload == payload_for(1));
    if (!sync_fails) CHECK(rec.last_lsn() == 1);  // the failed write never reached the file
}

TEST_CASE("flush on a poisoned writer throws, and ENOSPC is reported as such",
          "[wal][fault][poison]") {
    TempDir tmp;
    auto id = DbId::random();
    wal_test::ScopedFault fault("wal_write_enospc");
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id));
    std::error_code got;
    w->append(0, payload_for(1), [&](uint64_t, std::error_code ec) { got = ec; });
    try {
        w->flush();
        FAIL("flush must throw on a poisoned writer");
    } catch (const WalError& e) {
        CHECK(e.kind() == WalError::Kind::Poisoned);
        CHECK(std::string(e.what()).find(std::strerror(ENOSPC)) != std::string::npos);
    }
    w->close();
    CHECK(got == std::error_code(ENOSPC, std::system_category()));
    CHECK_THROWS_AS(w->append_wait(0, payload_for(2)), WalError);
}

namespace {

struct Ack {
    uint64_t lsn;
    uint64_t thread;
    uint64_t seq;
};

std::vector<std::byte> crash_payload(uint64_t thread, uint64_t seq) {
    std::vector<std::byte> p(16 + seq % 64, static_cast<std::byte>(thread ^ seq));
    std::memcpy(p.data(), &thread, 8);
    std::memcpy(p.data() + 8, &seq, 8);
    return p;
}

// Runs in the forked child: appends from 4 threads, reporting each acknowledged record on
// `ack_fd`, until the armed fault point kills the process.
[[noreturn]] void crash_child(const std::filesystem::path& dir, const DbId& id, const char* spec,
                              int ack_fd) {
    try {
        lora::fault::set(spec);
        auto w = Writer::open(dir, wal_test::small_options(id, 64 * 1024));
        std::vector<std::thread> ts;
        for (uint64_t t = 0; t < 4; ++t) {
            ts.emplace_back([&, t] {
                for (uint64_t seq = 0; seq < 3000; ++seq) {
                    // Wait on every 8th record so the appends spread over many batches
                    // (and the fault point's count is reached) yet stay concurrent.
                    auto done = std::make_shared<std::promise<void>>();
                    w->append(0, crash_payload(t, seq),
                              [ack_fd, t, seq, done](uint64_t lsn, std::error_code ec) {
                                  if (!ec) {
                                      Ack a{lsn, t, seq};
                                      // Smaller than PIPE_BUF: the write is atomic.
                                      if (::write(ack_fd, &a, sizeof a) != sizeof a) _exit(4);
                                  }
                                  done->set_value();
                              });
                    if (seq % 8 == 7) done->get_future().wait();
                }
            });
        }
        for (auto& t : ts) t.join();
        w->flush();
    } catch (...) {
        _exit(3);
    }
    _exit(0);  // the fault never fired: the parent reports it
}

void crash_and_recover(const char* spec) {
    TempDir tmp;
    auto id = DbId::random();
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        crash_child(tmp.wal(), id, spec, fds[1]);
    }
    ::close(fds[1]);
    std::vector<Ack> acks;
    for (;;) {
        Ack a;
        auto n = ::read(fds[0], &a, sizeof a);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        REQUIRE(n == sizeof a);
        acks.push_back(a);
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("child status " << status);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    auto rec = open_for_recovery(tmp.wal(), id);
    auto all = wal_test::read_all(rec);
    INFO("acknowledged " << acks.size() << ", recovered " << all.size());
    CHECK(!acks.empty());
    // What is there is a prefix of what was appended: LSNs dense from 1, and each thread's
    // records in order without a hole.
    std::map<uint64_t, uint64_t> next_seq;
    for (uint64_t i = 0; i < all.size(); ++i) {
        REQUIRE(all[i].lsn == i + 1);
        REQUIRE(all[i].payload.size() >= 16);
        uint64_t t, seq;
        std::memcpy(&t, all[i].payload.data(), 8);
        std::memcpy(&seq, all[i].payload.data() + 8, 8);
        REQUIRE(seq == next_seq[t]++);
        REQUIRE(all[i].payload == crash_payload(t, seq));
    }
    // Everything acknowledged is there, under the LSN it was acknowledged with.
    for (const auto& a : acks) {
        REQUIRE(a.lsn >= 1);
        REQUIRE(a.lsn <= all.size());
        REQUIRE(all[a.lsn - 1].payload == crash_payload(a.thread, a.seq));
    }
    // And the log continues cleanly after the crash.
    auto w = Writer::open(tmp.wal(), wal_test::small_options(id, 64 * 1024));
    CHECK(w->append_wait(0, payload_for(1)) == all.size() + 1);
}

}  // namespace

TEST_CASE("killed after a write, before its sync: recovery keeps a prefix", "[wal][fault][crash]") {
    crash_and_recover("wal_crash_after_write@25");
}

TEST_CASE("killed after a sync, before the callbacks: recovery keeps a prefix",
          "[wal][fault][crash]") {
    crash_and_recover("wal_crash_after_sync@25");
}
