// The fault registry: a small list of armed points, parsed from LORA_FAULT or set().
#include <lora/wal/fault.hpp>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace lora::fault {
namespace {

struct Point {
    std::string name;
    uint64_t nth = 0;  // 0: fires on every evaluation
    uint64_t seen = 0;
};

struct Registry {
    std::mutex mu;
    std::vector<Point> points;
    std::atomic<bool> armed{false};  // lets hit() skip the mutex on the hot path
    std::once_flag env_once;
};

Registry& registry() {
    static Registry r;
    return r;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Caller holds r.mu.
void parse_into(Registry& r, std::string_view spec) {
    r.points.clear();
    while (!spec.empty()) {
        auto comma = spec.find(',');
        auto item = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        if (item.empty()) continue;
        Point p;
        auto at = item.find('@');
        p.name = std::string(trim(item.substr(0, at)));
        if (at != std::string_view::npos) {
            p.nth = std::strtoull(std::string(item.substr(at + 1)).c_str(), nullptr, 10);
            // "point@0" or "point@junk" would otherwise mean "always": keep it disarmed.
            if (p.nth == 0) continue;
        }
        r.points.push_back(std::move(p));
    }
    r.armed.store(!r.points.empty(), std::memory_order_release);
}

void init_from_env(Registry& r) {
    std::call_once(r.env_once, [&r] {
        const char* env = std::getenv("LORA_FAULT");
        std::lock_guard lk(r.mu);
        parse_into(r, env ? env : "");
    });
}

}  // namespace

bool hit(std::string_view point) {
    auto& r = registry();
    init_from_env(r);
    if (!r.armed.load(std::memory_order_acquire)) return false;
    std::lock_guard lk(r.mu);
    for (auto& p : r.points) {
        if (p.name != point) continue;
        ++p.seen;
        if (p.nth == 0 || p.seen == p.nth) return true;
    }
    return false;
}

void set(std::string_view spec) {
    auto& r = registry();
    init_from_env(r);
    std::lock_guard lk(r.mu);
    parse_into(r, spec);
}

void clear() { set({}); }

void load_env() {
    const char* env = std::getenv("LORA_FAULT");
    set(env ? env : "");
}

void crash() {
    std::raise(SIGKILL);
    std::abort();  // unreachable: SIGKILL cannot be caught
}

}  // namespace lora::fault
