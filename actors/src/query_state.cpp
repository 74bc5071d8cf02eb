// RunBook and the commit decisions (query_state.hpp).
#include "lora/actors/query_state.hpp"

namespace lora::actors {

std::vector<int64_t> stats_vector(const QueryStats& s) {
    return {s.nodes_created,  s.nodes_deleted, s.relationships_created, s.relationships_deleted,
            s.properties_set, s.labels_added,  s.labels_removed};
}

void add_stats(QueryStats& into, const std::vector<int64_t>& d) {
    if (d.size() < 7) return;  // PROFILE row counts may follow the 7 counters
    into.nodes_created += d[0];
    into.nodes_deleted += d[1];
    into.relationships_created += d[2];
    into.relationships_deleted += d[3];
    into.properties_set += d[4];
    into.labels_added += d[5];
    into.labels_removed += d[6];
}

void RunBook::begin_part(std::vector<size_t> barrier_steps) {
    barriers = std::move(barrier_steps);
    next_barrier = 0;
    held.clear();
}

void RunBook::on_progress(int64_t produced, int64_t consumed, const std::vector<int64_t>& delta) {
    in_flight += produced - consumed;
    add_stats(stats, delta);
    // PROFILE: the 7 counters are followed by rows, then times, per step.
    size_t n = step_rows.size();
    if (n && delta.size() == 7 + 2 * n) {
        for (size_t i = 0; i < n; ++i) {
            step_rows[i] += delta[7 + i];
            step_ns[i] += delta[7 + n + i];
        }
    }
}

NextStep RunBook::next(bool failed, uint8_t stop, bool autocommit_write) const {
    if (waiting()) return NextStep::Wait;
    if (failed) return NextStep::Abort;
    // Stopped from outside: shards may have dropped rows, so never commit or answer as if
    // complete.
    if (stop) return NextStep::Stop;
    if (next_barrier < barriers.size()) return NextStep::Barrier;
    if (part + 1 < part_count) return NextStep::NextPart;
    return autocommit_write ? NextStep::Commit : NextStep::Succeed;
}

std::pair<size_t, std::vector<exec::Row>> RunBook::take_barrier() {
    size_t b = barriers[next_barrier++];
    std::vector<exec::Row> rows = std::move(held[b]);
    held.erase(b);
    return {b, std::move(rows)};
}

CommitPath commit_path(std::span<const std::vector<exec::RedoOp>* const> parts, bool has_wal) {
    bool empty = true;
    for (const auto* p : parts) empty = empty && p->empty();
    if (empty && has_wal) return CommitPath::Visible;
    if (empty || !has_wal) return CommitPath::Counter;
    return CommitPath::Wal;
}

}  // namespace lora::actors
