// The registry of running transactions (running_transactions.hpp).
#include "lora/actors/running_transactions.hpp"

#include <algorithm>
#include <charconv>

namespace lora::actors {

namespace {
constexpr std::string_view kIdPrefix = "lora-transaction-";
}  // namespace

RunningTxnPtr RunningTransactions::add(uint64_t id, bool explicit_txn, uint64_t start_ts,
                                       ClientInfo client) {
    auto t = std::make_shared<RunningTxn>(id, explicit_txn, start_ts, std::move(client));
    auto& s = stripe(id);
    std::lock_guard lock(s.mu);
    s.map[id] = t;
    return t;
}

RunningTxnPtr RunningTransactions::remove(uint64_t id) {
    auto& s = stripe(id);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    if (it == s.map.end()) return nullptr;
    RunningTxnPtr t = std::move(it->second);
    s.map.erase(it);
    return t;
}

RunningTxnPtr RunningTransactions::find(uint64_t id) const {
    const auto& s = stripe(id);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    return it == s.map.end() ? nullptr : it->second;
}

std::vector<RunningTxnPtr> RunningTransactions::list() const {
    std::vector<RunningTxnPtr> out;
    for (const auto& s : stripes_) {
        std::lock_guard lock(s.mu);
        for (const auto& [id, t] : s.map) out.push_back(t);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
    return out;
}

RunningTransactions::Terminated RunningTransactions::terminate(uint64_t id) {
    RunningTxnPtr t = find(id);
    if (!t) return Terminated::NotFound;
    std::lock_guard lock(t->mu);
    const bool again = t->terminated;
    t->terminated = true;
    const auto& s = t->statement;
    if (s.request) {
        // A commit or rollback under way has no stop flag: it ends as it would have.
        if (s.stop) stop_query(s.actor, s.stop, s.stream, kStopTerminated);
        return Terminated::Running;
    }
    // An idle explicit transaction is rolled back once, by its first termination.
    if (!t->explicit_txn || again) return Terminated::Running;
    t->rolled_back = true;
    return Terminated::IdleExplicit;
}

std::string transaction_id_text(uint64_t id) { return std::string(kIdPrefix) + std::to_string(id); }

std::optional<uint64_t> parse_transaction_id(std::string_view text) {
    if (!text.starts_with(kIdPrefix)) return std::nullopt;
    text.remove_prefix(kIdPrefix.size());
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return id;
}

}  // namespace lora::actors
