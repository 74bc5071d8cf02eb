// Catalog: interning, lookup without growth, recovery, and concurrent use from many threads.
#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using lora::storage::Catalog;
using Kind = Catalog::Kind;

TEST_CASE("catalog interns names to stable dense ids", "[catalog]") {
    Catalog c;
    CHECK(c.intern(Kind::Label, "Person") == 0);
    CHECK(c.intern(Kind::Label, "City") == 1);
    CHECK(c.intern(Kind::Label, "Person") == 0);
    CHECK(c.size(Kind::Label) == 2);
    CHECK(c.name(Kind::Label, 0) == "Person");
    CHECK(c.name(Kind::Label, 1) == "City");

    bool inserted = false;
    CHECK(c.intern(Kind::Label, "Film", &inserted) == 2);
    CHECK(inserted);
    CHECK(c.intern(Kind::Label, "Film", &inserted) == 2);
    CHECK_FALSE(inserted);

    // References stay valid while the catalog grows across many chunks.
    const std::string& person = c.name(Kind::Label, 0);
    for (int i = 0; i < 5000; ++i) c.intern(Kind::Label, "L" + std::to_string(i));
    CHECK(person == "Person");
    CHECK(&person == &c.name(Kind::Label, 0));
    CHECK(c.name(Kind::Label, 3 + 4321) == "L4321");
    CHECK(c.lookup(Kind::Label, "L4999") == 3u + 4999u);
}

TEST_CASE("catalog kinds are separate namespaces", "[catalog]") {
    Catalog c;
    CHECK(c.intern(Kind::Label, "name") == 0);
    CHECK(c.intern(Kind::Key, "age") == 0);
    CHECK(c.intern(Kind::Key, "name") == 1);
    CHECK(c.intern(Kind::Type, "KNOWS") == 0);
    CHECK(c.size(Kind::Label) == 1);
    CHECK(c.size(Kind::Key) == 2);
    CHECK(c.size(Kind::Type) == 1);
    CHECK_FALSE(c.lookup(Kind::Type, "name").has_value());
    CHECK(c.names(Kind::Key) == std::vector<std::string>{"age", "name"});
}

TEST_CASE("catalog lookup does not intern", "[catalog]") {
    Catalog c;
    c.intern(Kind::Label, "A");
    CHECK(c.lookup(Kind::Label, "A") == 0u);
    CHECK_FALSE(c.lookup(Kind::Label, "Missing").has_value());
    CHECK(c.size(Kind::Label) == 1);
    CHECK(c.names(Kind::Label) == std::vector<std::string>{"A"});
}

TEST_CASE("catalog rejects unknown ids with a lora::Error", "[catalog]") {
    Catalog c;
    c.intern(Kind::Type, "T");
    CHECK_THROWS_AS(c.name(Kind::Type, 1), lora::Error);
    CHECK_THROWS_WITH(c.name(Kind::Type, 7), Catch::Contains("relationship type id 7"));
}

TEST_CASE("catalog restore replays ids in order and refuses disagreement", "[catalog]") {
    Catalog c;
    c.restore(Kind::Key, 0, "a");
    c.restore(Kind::Key, 1, "b");
    c.restore(Kind::Key, 1, "b");  // repeating a known pair is fine
    CHECK(c.names(Kind::Key) == std::vector<std::string>{"a", "b"});
    CHECK_THROWS_AS(c.restore(Kind::Key, 1, "c"), lora::Error);  // id taken by another name
    CHECK_THROWS_AS(c.restore(Kind::Key, 5, "c"), lora::Error);  // gap
    CHECK_THROWS_AS(c.restore(Kind::Key, 2, "a"), lora::Error);  // name already has an id
    CHECK(c.intern(Kind::Key, "c") == 2);
}

TEST_CASE("catalog: 8 threads interning and reading agree on every id", "[catalog]") {
    Catalog c;
    constexpr int kThreads = 8;
    constexpr int kNames = 2000;
    std::vector<std::vector<uint32_t>> seen(kThreads, std::vector<uint32_t>(kNames));
    std::atomic<int> bad_reads{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            // Each thread walks the names in a different order so the first interner varies.
            for (int i = 0; i < kNames; ++i) {
                const int n = (i * 7 + t * 263) % kNames;
                const std::string name = "name" + std::to_string(n);
                const uint32_t id = c.intern(Kind::Key, name);
                seen[t][n] = id;
                if (c.name(Kind::Key, id) != name) ++bad_reads;
                if (c.lookup(Kind::Key, name) != id) ++bad_reads;
                // Read a few names other threads may be publishing right now.
                const size_t size = c.size(Kind::Key);
                if (size > 0 && c.name(Kind::Key, static_cast<uint32_t>(size - 1)).empty()) {
                    ++bad_reads;
                }
            }
        });
    }
    go = true;
    for (auto& th : threads) th.join();

    CHECK(bad_reads == 0);
    CHECK(c.size(Kind::Key) == size_t{kNames});
    for (int t = 1; t < kThreads; ++t) CHECK(seen[t] == seen[0]);
    std::vector<bool> used(kNames, false);
    for (int n = 0; n < kNames; ++n) {
        const uint32_t id = seen[0][n];
        REQUIRE(id < uint32_t{kNames});
        CHECK_FALSE(used[id]);
        used[id] = true;
        CHECK(c.name(Kind::Key, id) == "name" + std::to_string(n));
    }
}
