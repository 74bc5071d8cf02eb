// The executor's core: routing a row to where its next step runs, the dispatch of a step to
// its operator (exec/ops/, one file per family; logged writes in exec/writes.cpp), the row
// budget of source steps, cancellation, and PROFILE's per-step counts and times.
#include <lora/exec/executor.hpp>

#include <lora/errors.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>

#include <chrono>
#include <limits>
#include <variant>

namespace lora::exec {

using plan::LocKind;
using plan::OpKind;
using plan::Step;

Executor::Executor(const ExecEnv& env) : env_(env), kept_(env.memory) {
    eval_ = eval_env();
    reset_budget();
}

void Executor::reset_budget() {
    budget_ = env_.chunk_rows ? static_cast<int64_t>(env_.chunk_rows)
                              : std::numeric_limits<int64_t>::max();
}

namespace {
using ProfClock = std::chrono::steady_clock;
}  // namespace

bool Executor::take_budget() { return budget_-- > 0; }

void Executor::check_cancelled(size_t i) const {
    if ((i & 4095) == 0 && env_.cancelled && env_.cancelled->load(std::memory_order_relaxed))
        throw errors::cancelled();
}

EvalEnv Executor::eval_env() const {
    EvalEnv e;
    e.params = env_.params;
    e.clock_nanos = env_.clock_nanos;
    e.part = env_.part;
    e.catalog = env_.catalog;
    e.snap = snap();
    return e;
}

void Executor::push(size_t step, Row& row) {
    const Step& s = env_.plan->steps[step];
    if (s.guard.slot >= 0) {
        const Value& g = row[static_cast<size_t>(s.guard.slot)];
        if (!g.is_bool() || g.as_bool() != s.guard.value) {
            push(step + 1, row);
            return;
        }
    }
    switch (s.loc.kind) {
        case LocKind::Any: break;
        case LocKind::Shard: {
            const Value& v = row[static_cast<size_t>(s.loc.slot)];
            uint64_t id;
            if (v.is_node())
                id = v.as_node().id;
            else if (v.is_relationship())
                id = v.as_relationship().id;
            else
                break;  // null (optional match) or not an entity: run wherever we are
            uint32_t owner = shard_of(id);
            if (env_.here == static_cast<int32_t>(owner)) break;
            env_.runtime->send_row(step, Dest{Dest::Kind::Shard, owner}, std::move(row));
            return;
        }
        case LocKind::AllShards:
            env_.runtime->send_row(step, Dest{Dest::Kind::Broadcast, 0}, std::move(row));
            return;
        case LocKind::NewNode: {
            uint32_t target =
                env_.round_robin->fetch_add(1, std::memory_order_relaxed) % env_.shard_count;
            if (env_.here == static_cast<int32_t>(target)) break;
            env_.runtime->send_row(step, Dest{Dest::Kind::Shard, target}, std::move(row));
            return;
        }
        case LocKind::Coordinator:
            if (env_.here >= 0) {
                env_.runtime->send_row(step, Dest{Dest::Kind::Coordinator, 0}, std::move(row));
                return;
            }
            if (s.barrier) {
                env_.runtime->hold_row(step, std::move(row));
                return;
            }
            break;
    }
    run_here(step, row);
}

// PROFILE measures each step's own time: a step's call includes the steps it pushes into,
// so their time (child_ns_) is taken out of it.
void Executor::run_here(size_t step, Row& row) {
    if (!env_.step_ns) return run_step(step, row);
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run_step(step, row);
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::run_barrier(size_t step, std::vector<Row>& rows) {
    if (!env_.step_ns) return run_barrier_step(step, rows);
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run_barrier_step(step, rows);
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::resume(Continuation& c) {
    reset_budget();
    if (env_.cancelled && env_.cancelled->load(std::memory_order_relaxed)) return;
    const Step& s = env_.plan->steps[c.step];
    auto run = [&] {
        if (s.kind() == OpKind::ScanNodes)
            produce_scan(std::get<plan::ScanNodes>(s.op), c.step, c.row, c.ids, c.pos);
        else if (s.kind() == OpKind::LoadCsv)
            produce_csv(std::get<plan::LoadCsv>(s.op), c.step, c.row, c.csv);
        else
            produce_unwind(std::get<plan::Unwind>(s.op), c.step, c.row, c.list, c.pos);
    };
    if (!env_.step_ns) return run();
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run();
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[c.step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::run_step(size_t step, Row& row) {
    const Step& s = env_.plan->steps[step];
    if (env_.step_rows) ++(*env_.step_rows)[step];
    const size_t next = step + 1;
    switch (s.kind()) {
        case OpKind::ScanNodes: scan(std::get<plan::ScanNodes>(s.op), step, row); return;
        case OpKind::NodeIndexSeek:
            index_seek(std::get<plan::NodeIndexSeek>(s.op), step, row);
            return;
        case OpKind::Expand: expand(std::get<plan::Expand>(s.op), step, row); return;
        case OpKind::VarExpand: var_expand(std::get<plan::VarExpand>(s.op), step, row); return;
        case OpKind::ShortestPath:
            shortest_path(std::get<plan::ShortestPath>(s.op), step, row);
            return;
        case OpKind::Filter: filter(std::get<plan::Filter>(s.op), step, row); return;
        case OpKind::Project: project(std::get<plan::Project>(s.op), step, row); return;
        case OpKind::Unwind: unwind(std::get<plan::Unwind>(s.op), step, row); return;
        case OpKind::LoadCsv: load_csv(std::get<plan::LoadCsv>(s.op), step, row); return;
        case OpKind::Attach: attach(std::get<plan::Attach>(s.op), step, row); return;
        case OpKind::AttachDeep:
            // Only reached when the runtime has no entities to fetch (single process tests);
            // the coordinator actor fetches before releasing the barrier.
            push(next, row);
            return;
        case OpKind::CreateNode: create_node(std::get<plan::CreateNode>(s.op), step, row); return;
        case OpKind::CreateRel: create_rel(std::get<plan::CreateRel>(s.op), step, row); return;
        case OpKind::SetProperty:
            set_property(std::get<plan::SetProperty>(s.op), row);
            push(next, row);
            return;
        case OpKind::SetProperties:
            set_properties(std::get<plan::SetProperties>(s.op), row);
            push(next, row);
            return;
        case OpKind::SetLabels:
            set_labels(std::get<plan::SetLabels>(s.op), row);
            push(next, row);
            return;
        case OpKind::RemoveLabels:
            remove_labels(std::get<plan::RemoveLabels>(s.op), row);
            push(next, row);
            return;
        case OpKind::RemoveProperty:
            remove_property(std::get<plan::RemoveProperty>(s.op), row);
            push(next, row);
            return;
        case OpKind::DeleteRel:
            delete_rel(std::get<plan::DeleteRel>(s.op), row);
            push(next, row);
            return;
        case OpKind::DeleteNode:
            delete_node(std::get<plan::DeleteNode>(s.op), row);
            push(next, row);
            return;
        case OpKind::OptionalBegin:
            optional_begin(std::get<plan::OptionalBegin>(s.op), step, row);
            return;
        case OpKind::Distinct: distinct(std::get<plan::Distinct>(s.op), step, row); return;
        case OpKind::Skip: skip(std::get<plan::Skip>(s.op), step, row); return;
        case OpKind::Limit: limit(std::get<plan::Limit>(s.op), step, row); return;
        case OpKind::Produce: produce(std::get<plan::Produce>(s.op), row); return;
        case OpKind::CallProcedure:
            call_procedure(std::get<plan::CallProcedure>(s.op), step, row);
            return;
        case OpKind::VectorBegin:
            vector_begin(std::get<plan::VectorBegin>(s.op), step, row);
            return;
        case OpKind::VectorSearch:
            vector_search(std::get<plan::VectorSearch>(s.op), step, row);
            return;
        case OpKind::VectorTopK:
        case OpKind::OptionalEnd:
        case OpKind::SubqueryEnd:
        case OpKind::MergeEnd:
        case OpKind::MergeJoin:
        case OpKind::Aggregate:
        case OpKind::Sort:
        case OpKind::Eager: internal("barrier step run outside a barrier");
    }
}

void Executor::run_barrier_step(size_t step, std::vector<Row>& rows) {
    const Step& s = env_.plan->steps[step];
    if (env_.step_rows) (*env_.step_rows)[step] += static_cast<int64_t>(rows.size());
    switch (s.kind()) {
        case OpKind::VectorTopK: vector_topk(std::get<plan::VectorTopK>(s.op), step, rows); return;
        case OpKind::Eager:
        case OpKind::AttachDeep: eager(step, rows); return;
        case OpKind::Sort: sort(std::get<plan::Sort>(s.op), step, rows); return;
        case OpKind::Aggregate: aggregate(std::get<plan::Aggregate>(s.op), step, rows); return;
        case OpKind::OptionalEnd:
            optional_end(std::get<plan::OptionalEnd>(s.op), step, rows);
            return;
        case OpKind::SubqueryEnd:
            subquery_end(std::get<plan::SubqueryEnd>(s.op), step, rows);
            return;
        case OpKind::MergeEnd: merge_end(std::get<plan::MergeEnd>(s.op), step, rows); return;
        case OpKind::MergeJoin: merge_join(std::get<plan::MergeJoin>(s.op), step, rows); return;
        default: internal("step is not a barrier");
    }
}

}  // namespace lora::exec
