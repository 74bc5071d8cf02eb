// The executor's core: routing a row to where its next step runs, the dispatch of a step to
// its operator (exec/ops/, one file per family; logged writes in exec/writes.cpp), the row
// budget of source steps, cancellation, and PROFILE's per-step counts and times.
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

#include <lora/error.hpp>

#include <chrono>
#include <limits>

namespace lora::exec {

using plan::LocKind;
using plan::OpKind;
using plan::Step;

Executor::Executor(const ExecEnv& env) : env_(env) {
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
        throw Error(ErrorClass::Transient, ErrorPhase::Runtime, "TransactionError", "Cancelled",
                    "the query was cancelled");
}

EvalEnv Executor::eval_env() const {
    EvalEnv e;
    e.params = env_.params;
    e.part = env_.part;
    e.catalog = env_.catalog;
    e.snap = snap();
    return e;
}

void Executor::push(size_t step, Row& row) {
    const Step& s = env_.plan->steps[step];
    if (s.guard_slot >= 0) {
        const Value& g = row[static_cast<size_t>(s.guard_slot)];
        if (!g.is_bool() || g.as_bool() != s.guard_value) {
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
        if (s.op == OpKind::ScanNodes)
            produce_scan(s, c.step, c.row, c.ids, c.pos);
        else
            produce_unwind(s, c.step, c.row, c.list, c.pos);
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
    switch (s.op) {
        case OpKind::ScanNodes: scan(s, step, row); return;
        case OpKind::NodeIndexSeek: index_seek(s, step, row); return;
        case OpKind::Expand: expand(s, step, row); return;
        case OpKind::VarExpand: var_expand(s, step, row); return;
        case OpKind::Filter: filter(s, step, row); return;
        case OpKind::Project: project(s, step, row); return;
        case OpKind::Unwind: unwind(s, step, row); return;
        case OpKind::Attach: attach(s, step, row); return;
        case OpKind::AttachDeep:
            // Only reached when the runtime has no entities to fetch (single process tests);
            // the coordinator actor fetches before releasing the barrier.
            push(next, row);
            return;
        case OpKind::CreateNode: create_node(s, step, row); return;
        case OpKind::CreateRel: create_rel(s, step, row); return;
        case OpKind::SetProperty:
            set_property(s, row);
            push(next, row);
            return;
        case OpKind::SetProperties:
            set_properties(s, row);
            push(next, row);
            return;
        case OpKind::SetLabels:
            labels(s, row, true);
            push(next, row);
            return;
        case OpKind::RemoveLabels:
            labels(s, row, false);
            push(next, row);
            return;
        case OpKind::RemoveProperty:
            remove_property(s, row);
            push(next, row);
            return;
        case OpKind::DeleteRel:
            delete_rel(s, row);
            push(next, row);
            return;
        case OpKind::DeleteNode:
            delete_node(s, row);
            push(next, row);
            return;
        case OpKind::OptionalBegin: optional_begin(s, step, row); return;
        case OpKind::Distinct: distinct(s, step, row); return;
        case OpKind::Skip: skip(s, step, row); return;
        case OpKind::Limit: limit(s, step, row); return;
        case OpKind::Produce: produce(s, row); return;
        case OpKind::CallProcedure: call_procedure(s, step, row); return;
        case OpKind::VectorBegin: vector_begin(s, step, row); return;
        case OpKind::VectorSearch: vector_search(s, step, row); return;
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
    switch (s.op) {
        case OpKind::VectorTopK: vector_topk(s, step, rows); return;
        case OpKind::Eager:
        case OpKind::AttachDeep: eager(step, rows); return;
        case OpKind::Sort: sort(s, step, rows); return;
        case OpKind::Aggregate: aggregate(s, step, rows); return;
        case OpKind::OptionalEnd: optional_end(s, step, rows); return;
        case OpKind::SubqueryEnd: subquery_end(s, step, rows); return;
        case OpKind::MergeEnd: merge_end(s, step, rows); return;
        case OpKind::MergeJoin: merge_join(s, step, rows); return;
        default: internal("step is not a barrier");
    }
}

}  // namespace lora::exec
