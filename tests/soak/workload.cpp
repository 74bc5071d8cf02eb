// The soak's workload threads (workload.hpp).
#include "workload.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace soak {
namespace {

const std::string kCreatePair =
    "CREATE (:W {w: $w, s: $s, k: $s % 7})-[:R]->(:W {w: $w, s: $s, t: 1})";
const std::string kCreateBatch =
    "UNWIND range($from, $to) AS s CREATE (:W {w: $w, s: s, k: s % 7})-[:R]->(:W {w: $w, s: s, "
    "t: 1})";
const std::string kReadTotal = "MATCH (a:Acct) RETURN sum(a.balance) AS total, count(a) AS n";
const std::string kWithdraw = "MATCH (a:Acct {id: $a}) SET a.balance = a.balance - $x";
const std::string kDeposit = "MATCH (b:Acct {id: $b}) SET b.balance = b.balance + $x";

std::string describe(const lora::Error& e) { return e.code() + ": " + e.message(); }

// Sleeps about `ms`, in steps, returning early once `stop` is set.
void nap(int ms, const std::atomic<bool>& stop) {
    for (int i = 0; i < ms && !stop.load(); i += 5)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void writer(Session& s, int64_t w, Events& events, const std::atomic<bool>& stop) {
    const int64_t b = writer_batch(w);
    for (int64_t st = 0; !stop.load(); ++st) {
        try {
            if (b == 1)
                s.run(kCreatePair, {{"w", w}, {"s", st}});
            else
                s.run(kCreateBatch, {{"w", w}, {"from", st * b}, {"to", st * b + b - 1}});
        } catch (const lora::Error& e) {
            events.failure("writer " + std::to_string(w) + " statement " + std::to_string(st) +
                           " failed: " + describe(e));
            return;
        }
        events.ack(w, (st + 1) * b - 1);
    }
}

bool check_total(const std::vector<int64_t>& row, const std::string& who, Events& events) {
    if (row.size() == 2 && row[0] == kTotal && row[1] == kAccounts) return true;
    std::string got;
    for (int64_t v : row) got += " " + std::to_string(v);
    events.failure(who + " read total and count" + got + ", expected " + std::to_string(kTotal) +
                   " " + std::to_string(kAccounts));
    return false;
}

void teller(Session& s, std::mt19937_64& rng, Events& events, const std::atomic<bool>& stop) {
    while (!stop.load()) {
        const int64_t a = static_cast<int64_t>(rng() % kAccounts);
        const int64_t b = (a + 1 + static_cast<int64_t>(rng() % (kAccounts - 1))) % kAccounts;
        const int64_t x = 1 + static_cast<int64_t>(rng() % 50);
        try {
            s.begin();
            s.tx_run(kWithdraw, {{"a", a}, {"x", x}});
            s.tx_run(kDeposit, {{"b", b}, {"x", x}});
            s.commit();
            events.count(Counter::Transfer);
        } catch (const lora::Error& e) {
            s.rollback();
            // Two tellers writing one account: the later one is refused, and tries again.
            if (e.error_class() != lora::ErrorClass::Transient) {
                events.failure("a transfer failed: " + describe(e));
                return;
            }
            events.count(Counter::Conflict);
        }
    }
}

void reader(Session& s, bool in_transaction, std::mt19937_64& rng, Events& events,
            const std::atomic<bool>& stop) {
    while (!stop.load()) {
        try {
            if (!in_transaction) {
                if (!check_total(s.run(kReadTotal), "a reader", events)) return;
                events.count(Counter::Read);
                continue;
            }
            // Two reads of one snapshot, transfers committing between them.
            s.begin();
            const auto first = s.tx_run(kReadTotal);
            std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 5));
            const auto second = s.tx_run(kReadTotal);
            s.rollback();
            if (!check_total(first, "a transaction", events) ||
                !check_total(second, "a transaction's second read", events))
                return;
            events.count(Counter::Read);
        } catch (const lora::Error& e) {
            s.rollback();
            events.failure("a balance read failed: " + describe(e));
            return;
        }
    }
}

void admin(Session& s, std::mt19937_64& rng, Events& events, const std::atomic<bool>& stop) {
    bool create = true;
    while (!stop.load()) {
        nap(20 + static_cast<int>(rng() % 60), stop);
        if (stop.load()) return;
        const unsigned pick = static_cast<unsigned>(rng() % 6);
        try {
            if (pick < 3) {
                s.checkpoint();
                events.count(Counter::Checkpoint);
            } else if (pick < 5) {
                s.run(create ? "CREATE INDEX w_k IF NOT EXISTS FOR (n:W) ON (n.k)"
                             : "DROP INDEX w_k IF EXISTS");
                create = !create;
                events.count(Counter::IndexChange);
            } else {
                s.snapshot_save();
                events.count(Counter::SnapshotSave);
            }
        } catch (const lora::Error& e) {
            events.failure("an admin step failed: " + describe(e));
            return;
        }
    }
}

}  // namespace

void run_workload(int64_t cycle, uint64_t seed,
                  const std::function<std::unique_ptr<Session>()>& connect, Events& events,
                  const std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    uint64_t n = 0;
    auto start = [&](auto body) {
        const uint64_t thread_seed = seed ^ (0x9e3779b97f4a7c15ull * ++n);
        threads.emplace_back([&connect, body, thread_seed] {
            std::mt19937_64 rng(thread_seed);
            try {
                auto s = connect();
                body(*s, rng);
            } catch (const Lost&) {
                // lorad was killed: what this thread had in flight is of unknown outcome.
            }
        });
    };
    for (int64_t k = 0; k < kWriters; ++k)
        start([&, w = writer_id(cycle, k)](Session& s, std::mt19937_64&) {
            writer(s, w, events, stop);
        });
    for (int i = 0; i < 2; ++i)
        start([&](Session& s, std::mt19937_64& rng) { teller(s, rng, events, stop); });
    start([&](Session& s, std::mt19937_64& rng) { reader(s, false, rng, events, stop); });
    start([&](Session& s, std::mt19937_64& rng) { reader(s, true, rng, events, stop); });
    start([&](Session& s, std::mt19937_64& rng) { admin(s, rng, events, stop); });
    for (auto& t : threads) t.join();
}

}  // namespace soak
