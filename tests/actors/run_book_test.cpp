// The query actor's decisions (RunBook, commit path, answer route), driven without actors.
#include <lora/actors/messages.hpp>
#include <lora/actors/query_state.hpp>

#include <catch2/catch.hpp>

using namespace lora;
using lora::actors::AnswerRoute;
using lora::actors::CommitPath;
using lora::actors::NextStep;
using lora::actors::RunBook;

namespace {

RunBook one_part(std::vector<size_t> barriers = {}) {
    RunBook b;
    b.part_count = 1;
    b.begin_part(std::move(barriers));
    return b;
}

std::vector<int64_t> counters(int64_t nodes_created) { return {nodes_created, 0, 0, 0, 0, 0, 0}; }

}  // namespace

TEST_CASE("a run waits while batches are in flight and is done when none are",
          "[actors][run_book]") {
    RunBook b = one_part();
    b.in_flight = 1;  // the coordinator sent one batch to a shard
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Wait);
    // The shard consumed it and sent two more: its report comes before theirs.
    b.on_progress(2, 1, counters(0));
    CHECK(b.in_flight == 2);
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Wait);
    b.on_progress(0, 1, counters(1));
    b.on_progress(0, 1, counters(2));
    CHECK(b.in_flight == 0);
    CHECK(b.stats.nodes_created == 3);
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Succeed);
    CHECK(b.next(false, actors::kStopNone, true) == NextStep::Commit);
}

TEST_CASE("barriers are released in plan order with the rows held at each", "[actors][run_book]") {
    RunBook b = one_part({2, 5});
    b.held[5].push_back(exec::Row{Value(int64_t{50})});
    b.held[2].push_back(exec::Row{Value(int64_t{20})});
    b.held[2].push_back(exec::Row{Value(int64_t{21})});
    REQUIRE(b.next(false, actors::kStopNone, false) == NextStep::Barrier);
    auto [first, rows2] = b.take_barrier();
    CHECK(first == 2);
    CHECK(rows2.size() == 2);
    CHECK(b.held.count(2) == 0);
    // The released rows went to a shard: the next barrier waits for them.
    b.in_flight = 1;
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Wait);
    b.on_progress(0, 1, counters(0));
    REQUIRE(b.next(false, actors::kStopNone, false) == NextStep::Barrier);
    auto [second, rows5] = b.take_barrier();
    CHECK(second == 5);
    REQUIRE(rows5.size() == 1);
    CHECK(rows5[0][0].as_int() == 50);
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Succeed);
}

TEST_CASE("a failure aborts, a stop fails, before any barrier or commit", "[actors][run_book]") {
    RunBook b = one_part({1});
    CHECK(b.next(true, actors::kStopCancelled, true) == NextStep::Abort);
    CHECK(b.next(false, actors::kStopDeadline, true) == NextStep::Stop);
    // Nothing is decided while a fetch (AttachDeep) or a batch is out, or once committing
    // or answered.
    b.fetching = 1;
    CHECK(b.next(true, actors::kStopNone, true) == NextStep::Wait);
    b.fetching = 0;
    b.committing = true;
    CHECK(b.next(true, actors::kStopNone, true) == NextStep::Wait);
    b.committing = false;
    b.finished = true;
    CHECK(b.next(false, actors::kStopNone, false) == NextStep::Wait);
}

TEST_CASE("UNION parts run one after another, each with its own barriers", "[actors][run_book]") {
    RunBook b;
    b.part_count = 2;
    b.begin_part({3});
    b.held[3].push_back(exec::Row{});
    CHECK(b.next(false, actors::kStopNone, true) == NextStep::Barrier);
    b.take_barrier();
    CHECK(b.next(false, actors::kStopNone, true) == NextStep::NextPart);
    ++b.part;
    b.begin_part({});
    CHECK(b.held.empty());
    CHECK(b.next(false, actors::kStopNone, true) == NextStep::Commit);
}

TEST_CASE("PROFILE progress reports add rows and times per step", "[actors][run_book]") {
    RunBook b = one_part();
    b.step_rows.assign(2, 0);
    b.step_ns.assign(2, 0);
    auto delta = counters(1);
    delta.insert(delta.end(), {10, 20, 1000, 2000});
    b.on_progress(0, 0, delta);
    b.on_progress(0, 0, delta);
    CHECK(b.step_rows == std::vector<int64_t>{20, 40});
    CHECK(b.step_ns == std::vector<int64_t>{2000, 4000});
    CHECK(b.stats.nodes_created == 2);
    // A report without per-step figures (a shard of a non-PROFILE part) changes none.
    b.on_progress(0, 0, counters(1));
    CHECK(b.step_rows == std::vector<int64_t>{20, 40});
    CHECK(actors::stats_vector(b.stats) == counters(3));
}

TEST_CASE("the commit path depends on what changed and on the WAL", "[actors][commit]") {
    std::vector<exec::RedoOp> none, some(1);
    std::vector<const std::vector<exec::RedoOp>*> empty_parts{&none, &none};
    std::vector<const std::vector<exec::RedoOp>*> parts{&none, &some};
    CHECK(actors::commit_path(empty_parts, true) == CommitPath::Visible);
    CHECK(actors::commit_path(empty_parts, false) == CommitPath::Counter);
    CHECK(actors::commit_path({}, true) == CommitPath::Visible);
    CHECK(actors::commit_path(parts, false) == CommitPath::Counter);
    CHECK(actors::commit_path(parts, true) == CommitPath::Wal);
}

TEST_CASE("an auto-commit commits only at the shards that left a log", "[actors][commit]") {
    exec::TxnLog a, b;
    b.redo.resize(2);
    std::vector<exec::TxnLog*> logs{nullptr, &a, nullptr, &b};
    std::vector<size_t> shards;
    std::vector<size_t> ops;
    actors::for_each_commit_target(logs, [&](size_t i, const exec::TxnLog& log) {
        shards.push_back(i);
        ops.push_back(log.redo.size());
    });
    CHECK(shards == std::vector<size_t>{1, 3});
    CHECK(ops == std::vector<size_t>{0, 2});
    shards.clear();
    actors::for_each_commit_target(std::vector<exec::TxnLog*>(4, nullptr),
                                   [&](size_t i, const exec::TxnLog&) { shards.push_back(i); });
    CHECK(shards.empty());
}

TEST_CASE("only a plain auto-commit statement with a done callback is answered directly",
          "[actors][commit]") {
    AnswerRoute r;
    r.has_done = true;
    CHECK(r.direct());
    auto with = [&](bool AnswerRoute::*flag, bool v) {
        AnswerRoute x = r;
        x.*flag = v;
        return x.direct();
    };
    CHECK_FALSE(with(&AnswerRoute::has_done, false));
    CHECK_FALSE(with(&AnswerRoute::reply_owed, true));
    CHECK_FALSE(with(&AnswerRoute::streaming, true));
    CHECK_FALSE(with(&AnswerRoute::profile, true));
    CHECK_FALSE(with(&AnswerRoute::explicit_txn, true));
    CHECK_FALSE(with(&AnswerRoute::statement, false));
}
