// Constraints through lorad: 32 HTTP clients MERGE-ing the same keys under a uniqueness
// constraint, and a violation's answer (status, code, message).
#include "net_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

using lora::test::HttpClient;
using lora::test::Lorad;
using nlohmann::json;

TEST_CASE("32 HTTP clients MERGE-ing the same 100 keys under a uniqueness constraint",
          "[net][lorad][constraints]") {
    Lorad d({"--shards", "4"});
    HttpClient admin(d.port());
    REQUIRE(
        admin.query({{"query", "CREATE CONSTRAINT k FOR (n:Key) REQUIRE n.k IS UNIQUE"}}).status ==
        200);
    constexpr int kClients = 32, kKeys = 100;
    std::atomic<int> failures{0};
    std::string first_failure;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            std::vector<int> keys(kKeys);
            for (int i = 0; i < kKeys; ++i) keys[static_cast<size_t>(i)] = i;
            std::shuffle(keys.begin(), keys.end(), std::mt19937(static_cast<unsigned>(t)));
            HttpClient c(d.port());
            for (int k : keys) {
                auto r = c.query(
                    {{"query", "MERGE (n:Key {k: $k}) RETURN n.k AS k"}, {"params", {{"k", k}}}});
                if (r.status != 200 && failures.fetch_add(1) == 0) {
                    std::lock_guard lock(mu);
                    first_failure = std::to_string(r.status) + " " + r.body;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    INFO(first_failure);
    CHECK(failures == 0);
    // A new connection: the first one may have idled past the keep-alive timeout meanwhile.
    HttpClient after(d.port());
    auto n = after.query({{"query", "MATCH (n:Key) RETURN count(n) AS n"}});
    REQUIRE(n.status == 200);
    CHECK(n.json()["rows"][0][0] == kKeys);

    auto dup = after.query({{"query", "CREATE (:Key {k: 42})"}});
    CHECK(dup.status == 400);
    CHECK(dup.json()["error"]["code"] == "Schema.ConstraintValidationFailed");
    CHECK(dup.json()["error"]["message"].get<std::string>().find(
              "already exists with label `Key` and property `k` = 42") != std::string::npos);
}
