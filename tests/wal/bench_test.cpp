// A micro-benchmark run as a [slow] test: appends/s and commits per fsync for 1, 8 and 64
// threads in per-commit mode. Prints numbers; asserts only that every commit succeeded.
// Hidden ([.]) as well as [slow] so a direct run of test_wal skips it too: run it with
// `test_wal [slow]`.
#include "wal_test_util.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <thread>

using namespace lora::wal;

TEST_CASE("group commit throughput", "[wal][slow][bench][.]") {
    for (int threads : {1, 8, 64}) {
        wal_test::TempDir tmp;
        auto id = DbId::random();
        WriterOptions opts;
        opts.db_id = id;
        auto w = Writer::open(tmp.wal(), opts);
        const int per_thread = threads == 1 ? 3000 : 24000 / threads;
        std::vector<std::byte> payload(200, std::byte{0x42});
        std::atomic<int> failures{0};

        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t) {
            ts.emplace_back([&] {
                for (int i = 0; i < per_thread; ++i) {
                    try {
                        w->append_wait(1, payload);
                    } catch (const WalError&) {
                        ++failures;
                    }
                }
            });
        }
        for (auto& t : ts) t.join();
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto s = w->stats();
        std::cout << "wal bench: " << threads << " thread(s): " << s.records << " commits in "
                  << secs << " s = " << static_cast<uint64_t>(s.records / secs) << " commits/s, "
                  << s.fsyncs << " fsyncs, "
                  << static_cast<double>(s.records) / static_cast<double>(s.fsyncs)
                  << " commits/fsync, max batch " << s.max_batch << "\n";
        CHECK(failures == 0);
        CHECK(s.records == static_cast<uint64_t>(threads * per_thread));
    }
}
