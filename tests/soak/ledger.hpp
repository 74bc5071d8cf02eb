// What the soak driver knows of the database: every writer's acknowledged pairs, what the
// workloads counted and the failures they reported. Thread-safe (the lorad workload's
// threads report to it directly; an embedded child's report lines are read into it).
#pragma once

#include "workload.hpp"

#include <array>
#include <map>
#include <mutex>
#include <optional>

namespace soak {

struct WriterState {
    int64_t acked = -1;            // the last acknowledged pair
    std::optional<int64_t> exact;  // the pairs found by the recovery after its cycle
    bool retired = false;          // its pairs were deleted (and must stay deleted)
};

class Ledger : public Events {
public:
    void ack(int64_t w, int64_t last_pair) override {
        std::lock_guard lock(mu_);
        WriterState& s = writers_[w];
        if (last_pair > s.acked) s.acked = last_pair;
        ++acks_;
    }
    void count(Counter c) override {
        std::lock_guard lock(mu_);
        ++counts_[static_cast<size_t>(c)];
    }
    void failure(const std::string& what) override {
        std::lock_guard lock(mu_);
        failures_.push_back(what);
    }

    // Registers the cycle's writers (a writer whose first statement was never acknowledged
    // may still have it durable).
    void start_cycle(int64_t cycle) {
        std::lock_guard lock(mu_);
        for (int64_t k = 0; k < kWriters; ++k) writers_.try_emplace(writer_id(cycle, k));
    }

    // For the recovery check, between cycles (no workload running).
    std::map<int64_t, WriterState>& writers() { return writers_; }
    uint64_t acks() const { return acks_; }
    uint64_t counted(Counter c) const { return counts_[static_cast<size_t>(c)]; }
    const std::vector<std::string>& failures() const { return failures_; }

private:
    std::mutex mu_;
    std::map<int64_t, WriterState> writers_;
    std::array<uint64_t, static_cast<size_t>(Counter::Count)> counts_{};
    uint64_t acks_ = 0;
    std::vector<std::string> failures_;
};

// Checks a recovered database against the ledger and returns the problems found (none when
// every invariant holds):
// - the bank's total and account count, and one account per id;
// - every pair whole (both nodes and the relationship, properties agreeing) and each
//   writer's pairs numbered 0 .. n-1 without a hole;
// - every acknowledged pair present: a writer of the cycle just killed has at least its
//   acknowledged pairs and at most one statement more; earlier writers have exactly what
//   the recovery after their cycle found; deleted writers have none;
// - indexes equal to scans: the W.k index (when the workload left it) and the Acct.id
//   constraint's index answer like a label scan, and the plans do use them;
// - the saved snapshot, if any, loads and holds the bank's total and whole pairs.
// Then settles the cycle's writers and deletes the pairs of writers `keep_cycles` or more
// cycles old (retiring them), so the graph stays small over a long soak.
std::vector<std::string> check_recovery(lora::Database& db, Ledger& ledger, int64_t cycle,
                                        const std::string& data_dir, int64_t keep_cycles = 3);

// The bank's accounts and the constraint the soak's data directory starts with.
void set_up(lora::Database& db);

}  // namespace soak
