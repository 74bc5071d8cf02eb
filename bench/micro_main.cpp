// lora-micro: Google Benchmark micro-benchmarks of the engine's parts in isolation:
// parse + plan, compiled expressions, the row-batch codec and an actor hop, WAL appends.
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/exec/expr.hpp>
#include <lora/plan/planner.hpp>
#include "lora/actors/codec.hpp"
#include "lora/actors/protocol.hpp"

#include <lora/wal/writer.hpp>

#include <benchmark/benchmark.h>
#include <caf/all.hpp>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

using namespace lora;

namespace {

const char* const kQueries[] = {
    "MATCH (p:Person {id: $id}) RETURN p.name",
    "MATCH (p:Person {id: $id})-[:KNOWS]->()-[:KNOWS]->(q) RETURN count(q)",
    "UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age})",
    "MATCH (a:Person)-[k:KNOWS]->(b:Person) WHERE a.age > 30 AND b.name STARTS WITH 'p' "
    "WITH a, count(b) AS friends ORDER BY friends DESC LIMIT 10 "
    "RETURN a.name, friends",
};

// Parse, analyze and plan: what a plan-cache miss costs.
void BM_ParsePlan(benchmark::State& state) {
    const std::string text = kQueries[state.range(0)];
    for (auto _ : state) {
        auto stmt = cypher::parse(text);
        cypher::analyze(stmt);
        auto plan = plan::build_plan(stmt, text);
        benchmark::DoNotOptimize(plan);
    }
    state.SetLabel(text.substr(0, 40));
}
BENCHMARK(BM_ParsePlan)->DenseRange(0, 3);

void BM_Parse(benchmark::State& state) {
    const std::string text = kQueries[state.range(0)];
    for (auto _ : state) {
        auto stmt = cypher::parse(text);
        benchmark::DoNotOptimize(stmt);
    }
}
BENCHMARK(BM_Parse)->DenseRange(0, 3);

// A planned `UNWIND $rows AS r RETURN <expr>`: the Project step's compiled expression is
// evaluated against a row whose slot of r holds a map, as the executor does.
struct CompiledExpr {
    plan::PlanPtr plan;
    const exec::CExpr* expr = nullptr;
    int r_slot = -1;
};

CompiledExpr compile_return(const std::string& expr_text) {
    const std::string text = "UNWIND $rows AS r RETURN " + expr_text + " AS v";
    auto stmt = cypher::parse(text);
    cypher::analyze(stmt);
    CompiledExpr c;
    c.plan = plan::build_plan(stmt, text);
    for (const auto& step : c.plan->steps) {
        if (const auto* u = std::get_if<plan::Unwind>(&step.op)) c.r_slot = u->slot;
        if (const auto* p = std::get_if<plan::Project>(&step.op); p && !p->outputs.empty())
            c.expr = p->outputs.back().expr.get();
    }
    if (!c.expr || c.r_slot < 0) throw std::runtime_error("no Project step in the plan of " + text);
    return c;
}

void run_expr(benchmark::State& state, const std::string& expr_text) {
    CompiledExpr c;
    try {
        c = compile_return(expr_text);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    Map m{{"x", Value(int64_t{21})}, {"y", Value(2.5)}, {"name", Value("person-42")}};
    exec::Row row(static_cast<size_t>(c.plan->slot_count));
    row[static_cast<size_t>(c.r_slot)] = Value(m);
    Map params;
    exec::EvalEnv env;
    env.params = &params;
    for (auto _ : state) {
        Value v = exec::eval(*c.expr, row, env);
        benchmark::DoNotOptimize(v);
    }
}

void BM_ExprArithmetic(benchmark::State& state) {
    run_expr(state, "r.x * 2 + r.y > 10 AND r.x % 3 <> 1");
}
BENCHMARK(BM_ExprArithmetic);

void BM_ExprStrings(benchmark::State& state) {
    run_expr(state, "toUpper(r.name) + toString(r.x) STARTS WITH 'PERSON'");
}
BENCHMARK(BM_ExprStrings);

void BM_ExprListComprehension(benchmark::State& state) {
    run_expr(state, "size([i IN range(1, 10) WHERE i % 2 = 0 | i * r.x])");
}
BENCHMARK(BM_ExprListComprehension);

std::vector<exec::Row> sample_rows(size_t n) {
    std::vector<exec::Row> rows(n);
    for (size_t i = 0; i < n; ++i)
        rows[i] = {Value(Node{i * 2 + 1, nullptr}), Value(static_cast<int64_t>(i)),
                   Value("person-" + std::to_string(i))};
    return rows;
}

// A RowBatch of N rows x 3 values (node ref, int, short string).
void BM_RowBatchEncode(benchmark::State& state) {
    auto rows = sample_rows(static_cast<size_t>(state.range(0)));
    for (auto _ : state) {
        auto p = actors::encode_rows(1, 2, 3, rows);
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RowBatchEncode)->Arg(1)->Arg(64)->Arg(1024);

void BM_RowBatchDecode(benchmark::State& state) {
    auto p = actors::encode_rows(1, 2, 3, sample_rows(static_cast<size_t>(state.range(0))));
    for (auto _ : state) {
        auto d = actors::decode_rows(p);
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RowBatchDecode)->Arg(1)->Arg(64)->Arg(1024);

// Two event-based actors pass one RowBatch back and forth; each decodes it on arrival, as
// a shard does. One iteration is kHops hops; the figure is per hop.
constexpr int32_t kHops = 1000;

struct HopDone {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
};

caf::behavior hopper(caf::event_based_actor* self, HopDone* done) {
    return {
        [=](const actors::Payload& p, int32_t left, const caf::actor& peer) {
            auto rows = actors::decode_rows(p);
            benchmark::DoNotOptimize(rows);
            if (left == 0) {
                std::lock_guard lock(done->mu);
                done->done = true;
                done->cv.notify_one();
                return;
            }
            self->send(peer, p, left - 1, caf::actor_cast<caf::actor>(self));
        },
    };
}

void BM_ActorHop(benchmark::State& state) {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    HopDone done;
    auto a = sys.spawn(hopper, &done);
    auto b = sys.spawn(hopper, &done);
    auto payload = actors::encode_rows(1, 2, 3, sample_rows(static_cast<size_t>(state.range(0))));
    for (auto _ : state) {
        {
            std::lock_guard lock(done.mu);
            done.done = false;
        }
        caf::anon_send(a, payload, kHops - 1, b);
        std::unique_lock lock(done.mu);
        done.cv.wait(lock, [&] { return done.done; });
    }
    state.SetItemsProcessed(state.iterations() * kHops);
    state.counters["hop_ns"] =
        benchmark::Counter(static_cast<double>(state.iterations() * kHops),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_ActorHop)->Arg(1)->Arg(1024)->UseRealTime();

// One thread appending 128-byte records and waiting for each to be durable per the mode:
// per-commit pays an fdatasync per record (nothing to group with), none only the write.
void BM_WalAppend(benchmark::State& state) {
    const bool per_commit = state.range(0) == 0;
    std::string tmpl = (std::filesystem::temp_directory_path() / "lora-micro-wal-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        state.SkipWithError("mkdtemp failed");
        return;
    }
    {
        wal::WriterOptions opt;
        opt.db_id = wal::DbId::random();
        opt.segment_bytes = 64ull << 20;
        opt.sync_mode = per_commit ? wal::SyncMode::PerCommit : wal::SyncMode::None;
        auto writer = wal::Writer::open(tmpl, opt);
        std::vector<std::byte> payload(128, std::byte{0x5a});
        for (auto _ : state) writer->append_wait(1, payload);
        state.SetItemsProcessed(state.iterations());
        state.SetLabel(per_commit ? "sync per-commit" : "sync none");
        auto s = writer->stats();
        state.counters["fsyncs"] = static_cast<double>(s.fsyncs);
    }
    std::error_code ec;
    std::filesystem::remove_all(tmpl, ec);
}
BENCHMARK(BM_WalAppend)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
