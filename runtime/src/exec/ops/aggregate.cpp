// Aggregate: a coordinator barrier grouping its rows by the key slots and feeding each
// group's aggregators; one row per group goes on (and per outer row of a subquery).
#include <lora/exec/executor.hpp>

#include <memory>
#include <unordered_map>

namespace lora::exec {

// What a group costs besides its keys' payloads, for the memory limits: each slot of its row
// (a Value and the index's share of the row's hash node), and each aggregator's object.
constexpr uint64_t kGroupSlotOverhead = sizeof(Value) + 48;
constexpr uint64_t kAggregatorBytes = 64;

void Executor::aggregate(const plan::Aggregate& op, size_t step, std::vector<Row>& rows) {
    const size_t next = step + 1;
    struct Group {
        Row row;
        std::vector<std::unique_ptr<fn::Aggregator>> aggs;
    };
    std::unordered_map<Row, size_t, ValueEquivHash, ValueEquiv> index;
    std::vector<Group> groups;
    // The groups: each key twice (the index and the group's row) and the aggregators.
    MemoryLease memory(env_.memory);
    auto make_group = [&](const Row& r) {
        uint64_t bytes = sizeof(Group) + sizeof(Row) +
                         kGroupSlotOverhead * static_cast<size_t>(env_.plan->slot_count) +
                         kAggregatorBytes * op.aggs.size();
        for (int k : op.keys) bytes += 2 * r[static_cast<size_t>(k)].footprint();
        memory.grow(bytes, "the aggregation's groups");
        Group g;
        g.row.assign(static_cast<size_t>(env_.plan->slot_count), Value());
        for (int k : op.keys) g.row[static_cast<size_t>(k)] = r[static_cast<size_t>(k)];
        for (const auto& a : op.aggs)
            g.aggs.push_back(fn::make_aggregator(*a.fn, a.distinct, a.count_star, env_.memory));
        groups.push_back(std::move(g));
    };
    std::vector<Value> args;
    size_t seen = 0;
    for (auto& r : rows) {
        check_cancelled(seen++);
        Row key;
        key.reserve(op.keys.size());
        for (int k : op.keys) key.push_back(r[static_cast<size_t>(k)]);
        auto [it, fresh] = index.try_emplace(std::move(key), groups.size());
        if (fresh) make_group(r);
        Group& g = groups[it->second];
        for (size_t i = 0; i < op.aggs.size(); ++i) {
            args.clear();
            for (int a : op.aggs[i].arg_slots) args.push_back(r[static_cast<size_t>(a)]);
            g.aggs[i]->add(args);
        }
    }
    // Aggregation without grouping keys yields one row even over no input: inside a
    // subquery, one for each outer row (the remembered inputs carry its tags).
    if (groups.empty() && op.keys.empty())
        make_group(Row(static_cast<size_t>(env_.plan->slot_count)));
    if (op.per_input >= 0) {
        for (const Row& input : optional_inputs_[static_cast<size_t>(op.per_input)]) {
            Row key;
            key.reserve(op.keys.size());
            for (int k : op.keys) key.push_back(input[static_cast<size_t>(k)]);
            auto [it, fresh] = index.try_emplace(std::move(key), groups.size());
            if (fresh) make_group(input);
        }
    }
    rows.clear();
    for (auto& g : groups) {
        for (size_t i = 0; i < op.aggs.size(); ++i)
            g.row[static_cast<size_t>(op.aggs[i].slot)] = g.aggs[i]->result();
        push(next, g.row);
    }
}

}  // namespace lora::exec
