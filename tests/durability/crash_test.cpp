// Crash tests: a durability_child with concurrent writers is SIGKILLed (by the test, or by an
// armed crash fault point); the database reopened here must hold every acknowledged pair
// whole and no pair in part, and must go on working (writes, checkpoint, another reopen).
#include "durability_support.hpp"

#include <lora/wal/fault.hpp>

using namespace durability;
using namespace std::chrono_literals;

namespace {

// Reopens the crashed database, checks it against the child's acks, then proves it is still a
// working database: more writes, a checkpoint, a clean close and another reopen.
void check_recovery(const fs::path& dir, const ChildResult& res) {
    INFO("child: " << res.describe());
    REQUIRE(res.sequence_ok);
    std::map<int64_t, int64_t> acked = res.acked;
    GraphCheck first;
    {
        auto db = open_db(dir);
        first = inspect(*db);
        // Writers that never got an ack may still have one durable statement.
        for (int64_t w = 0; w < 8; ++w) acked.try_emplace(w, -1);
        require_consistent(first, acked, /*allow_unacked=*/true);
        CHECK_FALSE(db->health().read_only);
        create_pairs(*db, 100, 0, 5);
        db->checkpoint();
        create_pairs(*db, 100, 5, 8);
    }
    auto db = open_db(dir);
    GraphCheck second = inspect(*db);
    INFO("after reopen: " << second.summary());
    CHECK(second.problems.empty());
    CHECK(second.pairs == first.pairs + 8);
    for (auto& [w, ss] : first.whole) CHECK(second.whole[w] == ss);
    CHECK(second.whole[100].size() == 8);
}

// Runs the child until it dies (a fault point kills it) and returns what it printed.
ChildResult run_to_crash(const fs::path& dir, const std::string& fault, std::vector<std::string> args) {
    Child child(dir, args, fault);
    return child.finish(60s);
}

}  // namespace

TEST_CASE("SIGKILL at a random moment under 8 writers keeps every acknowledged pair whole",
          "[durability][crash]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    const bool with_checkpoints = GENERATE(false, true);
    INFO("checkpoints " << with_checkpoints);
    for (int round = 0; round < 2; ++round) {
        TempDir tmp;
        const int64_t target = std::uniform_int_distribution<int64_t>(20, 400)(rng);
        INFO("round " << round << ", kill after " << target << " acks");
        std::vector<std::string> args{"--writers", "8", "--shards", "4"};
        if (with_checkpoints) args.insert(args.end(), {"--checkpoint-ms", "15"});
        Child child(tmp.path, args);
        bool reached = child.read_until([&](const std::string&) { return child.so_far().acks >= target; }, 60s);
        child.kill_now();
        ChildResult res = child.finish(10s);
        INFO(res.describe());
        REQUIRE(reached);
        REQUIRE(res.killed_by_sigkill);
        REQUIRE(res.errors.empty());
        check_recovery(tmp.path, res);
    }
}

TEST_CASE("SIGKILL loop under 8 writers with checkpoints", "[durability][crash][slow]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    for (int round = 0; round < 25; ++round) {
        TempDir tmp;
        const int64_t target = std::uniform_int_distribution<int64_t>(1, 2000)(rng);
        const bool ckpt = round % 2 == 1;
        INFO("round " << round << ", kill after " << target << " acks, checkpoints " << ckpt);
        std::vector<std::string> args{"--writers", "8", "--shards", "4"};
        if (ckpt) args.insert(args.end(), {"--checkpoint-ms", "7"});
        Child child(tmp.path, args);
        bool reached = child.read_until([&](const std::string&) { return child.so_far().acks >= target; }, 120s);
        child.kill_now();
        ChildResult res = child.finish(10s);
        REQUIRE(reached);
        REQUIRE(res.killed_by_sigkill);
        check_recovery(tmp.path, res);
    }
}

TEST_CASE("a crash at each WAL and commit fault point loses no acknowledged pair",
          "[durability][crash][fault]") {
    // @N lets some commits become durable and acknowledged before the crash.
    const std::string fault = GENERATE(as<std::string>{}, "wal_crash_after_write@25",
                                       "wal_crash_after_sync@25", "commit_crash_before_install@40");
    INFO("LORA_FAULT=" << fault);
    TempDir tmp;
    ChildResult res = run_to_crash(tmp.path, fault, {"--writers", "8", "--shards", "4", "--max", "2000"});
    INFO(res.describe());
    REQUIRE(res.killed_by_sigkill);  // the fault point fired (the child did not run to "done")
    REQUIRE(res.errors.empty());
    CHECK(res.acks > 0);
    check_recovery(tmp.path, res);
}

TEST_CASE("a crash inside a checkpoint leaves the old or the new checkpoint usable",
          "[durability][crash][fault][checkpoint]") {
    const std::string fault = GENERATE(as<std::string>{}, "checkpoint_crash_mid@3",
                                       "checkpoint_crash_before_manifest@3", "checkpoint_crash_mid@1",
                                       "checkpoint_crash_before_manifest@1");
    INFO("LORA_FAULT=" << fault);
    TempDir tmp;
    ChildResult res = run_to_crash(tmp.path, fault,
                                   {"--writers", "8", "--shards", "4", "--max", "5000", "--checkpoint-ms", "10"});
    INFO(res.describe());
    REQUIRE(res.killed_by_sigkill);
    REQUIRE(res.errors.empty());
    // @3 follows at least two finished checkpoints (a checkpoint with nothing new to write
    // is a no-op that does not reach the fault point); @1 crashes the first real one.
    if (fault.back() == '3') CHECK(res.checkpoints >= 2);
    check_recovery(tmp.path, res);
}

TEST_CASE("crash fault points in a loop", "[durability][crash][fault][slow]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    const char* points[] = {"wal_crash_after_write", "wal_crash_after_sync", "commit_crash_before_install",
                            "checkpoint_crash_mid", "checkpoint_crash_before_manifest"};
    for (int round = 0; round < 20; ++round) {
        std::string point = points[round % 5];
        bool ckpt_point = point.rfind("checkpoint", 0) == 0;
        int n = ckpt_point ? std::uniform_int_distribution<int>(1, 6)(rng)
                           : std::uniform_int_distribution<int>(1, 300)(rng);
        std::string fault = point + "@" + std::to_string(n);
        INFO("round " << round << " LORA_FAULT=" << fault);
        TempDir tmp;
        ChildResult res = run_to_crash(tmp.path, fault,
                                       {"--writers", "8", "--shards", "4", "--max", "20000", "--checkpoint-ms", "5"});
        INFO(res.describe());
        REQUIRE(res.killed_by_sigkill);
        check_recovery(tmp.path, res);
    }
}
