// Crash tests: a durability_child with concurrent writers is SIGKILLed (by the test, or by an
// armed crash fault point); the database reopened here must hold every acknowledged pair
// whole and no pair in part, and must go on working (writes, checkpoint, another reopen).
#include "durability_support.hpp"

#include <lora/wal/fault.hpp>

using namespace durability;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kAfterCrashWriter = 1000;  // writes made by this test process after recovery

// Reopens the crashed database, checks it against the acks (writers `first_w` ..
// `first_w + writers - 1`), then proves it is still a working database: more writes, a
// checkpoint, a clean close and another reopen. Returns the graph as recovered.
// `step`: pairs per statement (the child's --batch); its acks name statements.
GraphCheck check_recovery(const fs::path& dir, const ChildResult& res, int64_t first_w = 0,
                          int64_t writers = 8, std::map<int64_t, int64_t> acked = {},
                          int64_t step = 1) {
    INFO("child: " << res.describe());
    REQUIRE(res.sequence_ok);
    for (auto& [w, s] : res.acked) acked[w] = (s + 1) * step - 1;
    // Writers that never got an ack may still have one durable statement.
    for (int64_t w = first_w; w < first_w + writers; ++w) acked.try_emplace(w, -1);
    GraphCheck first;
    {
        auto db = open_db(dir);
        first = inspect(*db);
        std::map<int64_t, int64_t> expect = acked;
        require_consistent(first, expect, /*allow_unacked=*/true, step);
        // Earlier generations (writers outside this run) were settled by an earlier recovery.
        for (auto& [w, last] : acked) {
            if (w >= first_w && w < first_w + writers) continue;
            INFO("earlier writer " << w);
            CHECK((first.whole.count(w) ? static_cast<int64_t>(first.whole[w].size()) - 1 : -1) ==
                  last);
        }
        CHECK_FALSE(db->health().read_only);
        create_pairs(*db, kAfterCrashWriter, 0, 5);
        db->checkpoint();
        create_pairs(*db, kAfterCrashWriter, 5, 8);
    }
    {
        auto db = open_db(dir);
        GraphCheck second = inspect(*db);
        INFO("after reopen: " << second.summary());
        CHECK(second.problems.empty());
        CHECK(second.pairs == first.pairs + 8);
        for (auto& [w, ss] : first.whole) CHECK(second.whole[w] == ss);
        CHECK(second.whole[kAfterCrashWriter].size() == 8);
        // Remove the test's own pairs so a following generation of writers starts clean.
        db->execute("MATCH (a:W {w: $w})-[r:R]->(b:W) DELETE r, a, b",
                    {{"w", lora::Value(kAfterCrashWriter)}});
        CHECK(inspect(*db).pairs == first.pairs);
    }
    return first;
}

// Runs the child until it dies (a fault point kills it) and returns what it printed.
ChildResult run_to_crash(const fs::path& dir, const std::string& fault,
                         std::vector<std::string> args) {
    Child child(dir, args, fault);
    return child.finish(60s);
}

// Starts the child, SIGKILLs it once it printed `target` acks, returns what it printed.
ChildResult kill_after(const fs::path& dir, int64_t target, const std::vector<std::string>& args) {
    Child child(dir, args);
    bool reached =
        child.read_until([&](const std::string&) { return child.so_far().acks >= target; }, 120s);
    child.kill_now();
    ChildResult res = child.finish(10s);
    INFO(res.describe());
    REQUIRE(reached);
    REQUIRE(res.killed_by_sigkill);
    REQUIRE(res.errors.empty());
    return res;
}

// Runs `writers` child writers (4 shards, `sync`, a checkpoint every `ckpt_ms` if not 0,
// plus `extra` options), SIGKILLs the child after a random number of acks in [lo, hi] and
// checks the recovered database against the acks.
void kill_at_random_and_recover(int64_t writers, const std::string& sync, int ckpt_ms, int64_t lo,
                                int64_t hi, const std::vector<std::string>& extra) {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    INFO("sync " << sync << ", checkpoint every " << ckpt_ms << " ms");
    TempDir tmp;
    const int64_t target = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    INFO("kill after " << target << " acks");
    std::vector<std::string> args{"--writers", std::to_string(writers), "--shards", "4", "--sync",
                                  sync};
    if (ckpt_ms) args.insert(args.end(), {"--checkpoint-ms", std::to_string(ckpt_ms)});
    args.insert(args.end(), extra.begin(), extra.end());
    ChildResult res = kill_after(tmp.path, target, args);
    check_recovery(tmp.path, res, 0, writers);
}

}  // namespace

TEST_CASE("SIGKILL at a random moment under 8 writers keeps every acknowledged pair whole",
          "[durability][crash]") {
    // A process crash keeps what reached the kernel, so acknowledged pairs must survive it in
    // every sync mode (only a power cut would lose the unsynced ones of interval/none).
    const auto [sync, ckpt_ms] = GENERATE(table<std::string, int>(
        {{"per-commit", 0}, {"per-commit", 15}, {"interval:20", 0}, {"none", 15}}));
    kill_at_random_and_recover(8, sync, ckpt_ms, 20, 400, {});
}

TEST_CASE("SIGKILL under 32 async writers (execute_async) keeps every acknowledged pair whole",
          "[durability][crash][async]") {
    const auto [sync, ckpt_ms] =
        GENERATE(table<std::string, int>({{"per-commit", 0}, {"per-commit", 15}}));
    kill_at_random_and_recover(32, sync, ckpt_ms, 50, 800, {"--async"});
}

TEST_CASE("repeated crashes of one database keep every generation's acknowledged pairs",
          "[durability][crash]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    TempDir tmp;
    std::map<int64_t, int64_t> acked;
    for (int gen = 0; gen < 3; ++gen) {
        const int64_t target = std::uniform_int_distribution<int64_t>(10, 250)(rng);
        INFO("generation " << gen << ", kill after " << target << " acks");
        std::vector<std::string> args{"--writers", "8",        "--shards",
                                      "4",         "--w-base", std::to_string(gen * 8)};
        if (gen == 1) args.insert(args.end(), {"--checkpoint-ms", "10"});
        ChildResult res = kill_after(tmp.path, target, args);
        // What the recovery found (acked or durable-unacked) is what the next generation builds on.
        GraphCheck got = check_recovery(tmp.path, res, gen * 8, 8, acked);
        for (int64_t w = gen * 8; w < gen * 8 + 8; ++w)
            acked[w] = got.whole.count(w) ? static_cast<int64_t>(got.whole[w].size()) - 1 : -1;
    }
}

TEST_CASE("a crash never leaves a many-pair statement half applied", "[durability][crash]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    // Each statement creates 40 pairs across all shards; the crash comes from the test at a
    // random moment, or after a commit is durable but before the shards install it.
    const std::string fault = GENERATE(as<std::string>{}, "", "commit_crash_before_install@12",
                                       "wal_crash_after_write@9");
    INFO("LORA_FAULT=" << fault);
    TempDir tmp;
    const std::vector<std::string> args{"--writers", "4",  "--shards", "4",
                                        "--batch",   "40", "--max",    "400"};
    ChildResult res;
    if (fault.empty()) {
        res = kill_after(tmp.path, std::uniform_int_distribution<int64_t>(3, 40)(rng), args);
    } else {
        res = run_to_crash(tmp.path, fault, args);
        INFO(res.describe());
        REQUIRE(res.killed_by_sigkill);
        REQUIRE(res.errors.empty());
    }
    check_recovery(tmp.path, res, 0, 4, {}, 40);
}

TEST_CASE("SIGKILL loop under 8 writers with checkpoints", "[durability][crash][slow][.]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    const char* syncs[] = {"per-commit", "per-commit", "interval:5", "none"};
    for (int round = 0; round < 24; ++round) {
        TempDir tmp;
        const int64_t target = std::uniform_int_distribution<int64_t>(1, 2000)(rng);
        const bool ckpt = round % 2 == 1;
        const std::string sync = syncs[(round / 2) % 4];
        INFO("round " << round << ", kill after " << target << " acks, checkpoints " << ckpt
                      << ", sync " << sync);
        std::vector<std::string> args{"--writers", "8", "--shards", "4", "--sync", sync};
        if (ckpt) args.insert(args.end(), {"--checkpoint-ms", "7"});
        ChildResult res = kill_after(tmp.path, target, args);
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
    ChildResult res =
        run_to_crash(tmp.path, fault, {"--writers", "8", "--shards", "4", "--max", "2000"});
    INFO(res.describe());
    REQUIRE(res.killed_by_sigkill);  // the fault point fired (the child did not run to "done")
    REQUIRE(res.errors.empty());
    CHECK(res.acks > 0);
    check_recovery(tmp.path, res);
}

TEST_CASE("a crash inside a checkpoint leaves the old or the new checkpoint usable",
          "[durability][crash][fault][checkpoint]") {
    const std::string fault =
        GENERATE(as<std::string>{}, "checkpoint_crash_mid@3", "checkpoint_crash_before_manifest@3",
                 "checkpoint_crash_mid@1", "checkpoint_crash_before_manifest@1");
    INFO("LORA_FAULT=" << fault);
    TempDir tmp;
    ChildResult res =
        run_to_crash(tmp.path, fault,
                     {"--writers", "8", "--shards", "4", "--max", "5000", "--checkpoint-ms", "10"});
    INFO(res.describe());
    REQUIRE(res.killed_by_sigkill);
    REQUIRE(res.errors.empty());
    // @3 follows at least two finished checkpoints (a checkpoint with nothing new to write
    // is a no-op that does not reach the fault point); @1 crashes the first real one.
    if (fault.back() == '3') CHECK(res.checkpoints >= 2);
    check_recovery(tmp.path, res);
}

TEST_CASE("crash fault points in a loop", "[durability][crash][fault][slow][.]") {
    std::random_device rd;
    const unsigned seed = rd();
    std::mt19937 rng(seed);
    INFO("seed " << seed);
    const char* points[] = {"wal_crash_after_write", "wal_crash_after_sync",
                            "commit_crash_before_install", "checkpoint_crash_mid",
                            "checkpoint_crash_before_manifest"};
    for (int round = 0; round < 20; ++round) {
        std::string point = points[round % 5];
        bool ckpt_point = point.rfind("checkpoint", 0) == 0;
        int n = ckpt_point ? std::uniform_int_distribution<int>(1, 6)(rng)
                           : std::uniform_int_distribution<int>(1, 300)(rng);
        std::string fault = point + "@" + std::to_string(n);
        INFO("round " << round << " LORA_FAULT=" << fault);
        TempDir tmp;
        ChildResult res = run_to_crash(
            tmp.path, fault,
            {"--writers", "8", "--shards", "4", "--max", "20000", "--checkpoint-ms", "5"});
        INFO(res.describe());
        REQUIRE(res.killed_by_sigkill);
        check_recovery(tmp.path, res);
    }
}
