// lora-bench-index: point and range lookups on one property, by label scan + filter and by
// NodeIndexSeek, on the same data. Prints figures; not a test.
#include <lora/lora.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Figures {
    double per_s;
    double p50_us;
    double p99_us;
};

Figures run(lora::Database& db, const std::string& q, int64_t nodes, int queries, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<double> us;
    us.reserve(static_cast<size_t>(queries));
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < queries; ++i) {
        lora::Params p{
            {"v", lora::Value(static_cast<int64_t>(rng() % static_cast<uint64_t>(nodes)))}};
        auto a = std::chrono::steady_clock::now();
        auto r = db.execute(q, p);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a)
                         .count());
        if (r.rows.empty()) std::abort();
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::sort(us.begin(), us.end());
    return {queries / total, us[us.size() / 2], us[us.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t nodes = argc > 1 ? std::atoll(argv[1]) : 100000;
    const int queries = argc > 2 ? std::atoi(argv[2]) : 2000;
    const uint32_t shards = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[3])) : 4;
    lora::Options o;
    o.shards = shards;
    auto db = lora::Database::open(o);
    db->execute("UNWIND range(0, $n - 1) AS i CREATE (:P {v: i, g: i % 100})",
                {{"n", lora::Value(nodes)}});
    db->execute("UNWIND range(0, $n / 10) AS i CREATE (:Q {v: i})", {{"n", lora::Value(nodes)}});
    const std::string point = "MATCH (n:P) WHERE n.v = $v RETURN n.g";
    const std::string range = "MATCH (n:P) WHERE n.v >= $v AND n.v < $v + 10 RETURN count(*)";
    std::printf("%lld :P nodes, %u shards, %d queries each\n", static_cast<long long>(nodes),
                shards, queries);
    std::printf("%-28s %12s %12s %12s\n", "", "queries/s", "p50 (us)", "p99 (us)");
    auto line = [](const char* name, Figures f) {
        std::printf("%-28s %12.1f %12.1f %12.1f\n", name, f.per_s, f.p50_us, f.p99_us);
    };
    int scan_queries = std::max(20, queries / 20);
    line("point, label scan", run(*db, point, nodes, scan_queries, 1));
    line("range of 10, label scan", run(*db, range, nodes, scan_queries, 2));
    auto t0 = std::chrono::steady_clock::now();
    db->execute("CREATE INDEX p_v FOR (n:P) ON (n.v)");
    double build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    line("point, index seek", run(*db, point, nodes, queries, 1));
    line("range of 10, index seek", run(*db, range, nodes, queries, 2));
    std::printf("CREATE INDEX over %lld nodes: %.1f ms\n", static_cast<long long>(nodes), build_ms);
    return 0;
}
