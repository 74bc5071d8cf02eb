// `=~`: patterns compiled by PCRE2 in UTF mode, matched against the whole string (Java's
// matches()) under match, depth and heap limits, so no input can crash or stall a query.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace lora::exec {

// The limits of one match; hitting one is an ArgumentError naming it.
inline constexpr uint32_t kRegexMatchLimit = 10'000'000;   // backtracking steps
inline constexpr uint32_t kRegexDepthLimit = 1'000'000;    // nested backtracking points
inline constexpr uint32_t kRegexHeapLimitKiB = 64 * 1024;  // memory for those points

class Regex {
public:
    // Compiles `pattern`; an invalid one throws ArgumentError.InvalidArgumentValue with
    // the pattern and PCRE2's message.
    explicit Regex(std::string pattern);

    const std::string& pattern() const noexcept { return pattern_; }
    // Whether the whole of `subject` matches. Safe to call from many threads at once.
    bool matches(std::string_view subject) const;

private:
    struct CodeFree {
        void operator()(pcre2_real_code_8* code) const noexcept;
    };
    std::string pattern_;
    std::unique_ptr<pcre2_real_code_8, CodeFree> code_;
};

// The pattern an `=~` expression compiled last, shared by the shards evaluating it: a
// literal or parameter pattern is compiled once, not once per row.
class RegexSlot {
public:
    std::shared_ptr<const Regex> get(const std::string& pattern) const;

private:
    mutable std::mutex mu_;
    mutable std::shared_ptr<const Regex> last_;
};

}  // namespace lora::exec
