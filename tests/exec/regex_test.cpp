// The `=~` matcher on its own: error messages, limits, and the per-expression cache.
#include <catch2/catch.hpp>
#include "engine/helpers.hpp"

#include <lora/error.hpp>
#include <lora/exec/regex.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using lora::exec::Regex;
using lora::exec::RegexSlot;
using lora::test::error_of;

TEST_CASE("an invalid pattern names itself and PCRE2's reason", "[exec][regex]") {
    auto e = error_of([] { Regex r("a(b"); });
    CHECK(e.code() == "ArgumentError.InvalidArgumentValue");
    CHECK(e.phase() == lora::ErrorPhase::Runtime);
    CHECK(e.message().find("'a(b'") != std::string::npos);
    CHECK(e.message().find("missing closing parenthesis") != std::string::npos);
}

TEST_CASE("a runaway pattern stops at the match limit with a client error", "[exec][regex]") {
    Regex r("(a|aa)+");
    auto e = error_of([&] { (void)r.matches(std::string(40, 'a') + "b"); });
    CHECK(e.code() == "ArgumentError.InvalidArgumentValue");
    CHECK(e.error_class() == lora::ErrorClass::Semantic);
    CHECK(e.message().find("match limit") != std::string::npos);
    // The same pattern still answers on inputs within the limits.
    CHECK(r.matches(std::string(40, 'a')));
    CHECK_FALSE(r.matches("ab"));
}

TEST_CASE("matching is anchored at both ends and works on characters", "[exec][regex]") {
    CHECK_FALSE(Regex("b").matches("abc"));
    CHECK(Regex("a|ab").matches("ab"));
    CHECK(Regex(".").matches("\xC3\xA9"));  // é
    CHECK_FALSE(Regex("..").matches("\xC3\xA9"));
    CHECK(Regex(".*").matches(std::string(1 << 20, 'x')));
    CHECK_FALSE(Regex("x*").matches(std::string("ab\xFFz")));  // malformed UTF-8: no match
}

TEST_CASE("a regex slot compiles a pattern once and recompiles when it changes", "[exec][regex]") {
    RegexSlot slot;
    auto a = slot.get("a.c");
    CHECK(slot.get("a.c") == a);
    auto b = slot.get("x");
    CHECK(b != a);
    CHECK(b->pattern() == "x");
    CHECK(slot.get("x") == b);

    // Shards share the slot and the compiled code.
    std::vector<std::thread> threads;
    std::vector<int> hits(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i)
                hits[static_cast<size_t>(t)] +=
                    slot.get(i % 2 ? "a.c" : "(?i)A.C")->matches("abc") ? 1 : 0;
        });
    for (auto& th : threads) th.join();
    for (int h : hits) CHECK(h == 1000);
}
