// `=~` on PCRE2. Matching uses PCRE2's interpreter, whose backtracking lives on the heap
// (not the stack) and is bounded by the limits below; the compiled code is read-only, so
// the shards share it.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <lora/exec/regex.hpp>

#include <lora/error.hpp>

#include <pcre2.h>

#include <array>

namespace lora::exec {

namespace {

// A pattern as error messages quote it: cut to a few hundred bytes, on a character edge.
std::string quoted(const std::string& pattern) {
    constexpr size_t kMax = 200;
    if (pattern.size() <= kMax) return "'" + pattern + "'";
    size_t end = kMax;
    while (end > 0 && (static_cast<unsigned char>(pattern[end]) & 0xC0) == 0x80) --end;
    return "'" + pattern.substr(0, end) + "...'";
}

std::string pcre2_message(int code) {
    std::array<PCRE2_UCHAR, 256> buf{};
    int n = pcre2_get_error_message(code, buf.data(), buf.size());
    if (n < 0) return "PCRE2 error " + std::to_string(code);
    return std::string(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

// Never changed once built, so every thread may pass it to pcre2_match (which only reads
// it, though its signature takes a non-const pointer).
pcre2_match_context* match_context() {
    static pcre2_match_context* const ctx = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        if (c == nullptr) throw std::bad_alloc();
        pcre2_set_match_limit(c, kRegexMatchLimit);
        pcre2_set_depth_limit(c, kRegexDepthLimit);
        pcre2_set_heap_limit(c, kRegexHeapLimitKiB);
        return c;
    }();
    return ctx;
}

struct MatchDataFree {
    void operator()(pcre2_match_data* d) const noexcept { pcre2_match_data_free(d); }
};

// One pair of offsets is all a yes/no match needs; pcre2_match returns 0 (still a
// match) when the pattern has more groups than that.
pcre2_match_data* thread_match_data() {
    thread_local std::unique_ptr<pcre2_match_data, MatchDataFree> data(
        pcre2_match_data_create(1, nullptr));
    if (!data) throw std::bad_alloc();
    return data.get();
}

}  // namespace

void Regex::CodeFree::operator()(pcre2_real_code_8* code) const noexcept { pcre2_code_free(code); }

Regex::Regex(std::string pattern) : pattern_(std::move(pattern)) {
    // Java's matches(): anchored at both ends. UTF + UCP: `.`, \w, \d, \p{..} and (?i) work
    // on Unicode characters; MATCH_INVALID_UTF keeps a malformed subject from erroring.
    const uint32_t options =
        PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(),
                              options, &error, &offset, nullptr));
    if (!code_)
        throw_argument_error("InvalidArgumentValue",
                             "Invalid regular expression " + quoted(pattern_) + ": " +
                                 pcre2_message(error) + " at offset " + std::to_string(offset));
}

bool Regex::matches(std::string_view subject) const {
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                         0, 0, thread_match_data(), match_context());
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    std::string limit;
    switch (rc) {
        case PCRE2_ERROR_MATCHLIMIT:
            limit = "the match limit (" + std::to_string(kRegexMatchLimit) + " backtracking steps)";
            break;
        case PCRE2_ERROR_DEPTHLIMIT:
            limit = "the depth limit (" + std::to_string(kRegexDepthLimit) +
                    " nested backtracking points)";
            break;
        case PCRE2_ERROR_HEAPLIMIT:
            limit = "the heap limit (" + std::to_string(kRegexHeapLimitKiB / 1024) +
                    " MiB of backtracking memory)";
            break;
        default:
            throw_argument_error("InvalidArgumentValue", "Regular expression " + quoted(pattern_) +
                                                             " failed: " + pcre2_message(rc));
    }
    throw_argument_error("InvalidArgumentValue",
                         "Regular expression " + quoted(pattern_) + " exceeded " + limit +
                             " on a string of " + std::to_string(subject.size()) +
                             " bytes; simplify the pattern (nested repetition such as "
                             "(a+)+ backtracks exponentially)");
}

std::shared_ptr<const Regex> RegexSlot::get(const std::string& pattern) const {
    {
        std::lock_guard lock(mu_);
        if (last_ && last_->pattern() == pattern) return last_;
    }
    auto compiled = std::make_shared<const Regex>(pattern);
    std::lock_guard lock(mu_);
    last_ = compiled;
    return compiled;
}

}  // namespace lora::exec
