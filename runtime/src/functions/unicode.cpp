// The string functions that depend on what a character is: case mapping and whitespace.
// They follow Unicode through ICU, as Neo4j's follow Java: toUpper/toLower use the full
// (locale-independent) case mappings, so 'ß' upper-cases to "SS" and 'Σ' lower-cases by
// context; trim/ltrim/rtrim remove what Java's Character.isWhitespace calls whitespace
// (ICU's u_isWhitespace is defined to be the same: Unicode space separators other than
// the no-break spaces, and the ASCII controls \t \n \v \f \r and U+001C..U+001F).
#include <lora/errors.hpp>
#include "functions/internal.hpp"

#include <unicode/ucasemap.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <memory>

namespace lora::fn::detail {

namespace {

using CaseFn = int32_t (*)(const UCaseMap*, char*, int32_t, const char*, int32_t, UErrorCode*);

// One case map for the process: the root locale, shared read-only by every thread.
const UCaseMap* root_case_map() {
    static const std::unique_ptr<UCaseMap, void (*)(UCaseMap*)> map = [] {
        UErrorCode err = U_ZERO_ERROR;
        UCaseMap* m = ucasemap_open("", 0, &err);
        if (U_FAILURE(err))
            throw errors::internal(std::string("ICU case map: ") + u_errorName(err));
        return std::unique_ptr<UCaseMap, void (*)(UCaseMap*)>(m, ucasemap_close);
    }();
    return map.get();
}

std::string map_case(std::string_view fn, std::string_view s, CaseFn f) {
    if (s.size() > static_cast<size_t>(INT32_MAX / 3))
        throw_argument_error("InvalidArgumentValue",
                             std::string(fn) + "(): the string is too long to case-map (" +
                                 std::to_string(s.size()) + " bytes)");
    // Most mappings keep the length; one that grows past this room is told the exact
    // size by ICU (U_BUFFER_OVERFLOW_ERROR) and mapped again into that.
    std::string out(s.size() + s.size() / 2 + 16, '\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode err = U_ZERO_ERROR;
        int32_t n = f(root_case_map(), out.data(), static_cast<int32_t>(out.size()), s.data(),
                      static_cast<int32_t>(s.size()), &err);
        if (err == U_BUFFER_OVERFLOW_ERROR) {
            out.assign(static_cast<size_t>(n), '\0');
            continue;
        }
        if (U_FAILURE(err))
            throw_argument_error(
                "InvalidArgumentValue",
                std::string(fn) + "(): cannot case-map the string (" + u_errorName(err) + ")");
        out.resize(static_cast<size_t>(n));
        return out;
    }
    throw errors::internal(std::string(fn) + "(): case mapping did not fit its buffer");
}

// Byte offset after the leading whitespace of s (left) or of its trailing whitespace.
size_t trim_left(std::string_view s) {
    int32_t i = 0;
    const auto n = static_cast<int32_t>(s.size());
    while (i < n) {
        int32_t next = i;
        UChar32 c;
        U8_NEXT(s.data(), next, n, c);
        if (c < 0 || !u_isWhitespace(c)) break;
        i = next;
    }
    return static_cast<size_t>(i);
}

size_t trim_right(std::string_view s, size_t begin) {
    auto e = static_cast<int32_t>(s.size());
    const auto b = static_cast<int32_t>(begin);
    while (e > b) {
        int32_t prev = e;
        UChar32 c;
        U8_PREV(s.data(), b, prev, c);
        if (c < 0 || !u_isWhitespace(c)) break;
        e = prev;
    }
    return static_cast<size_t>(e);
}

}  // namespace

std::string unicode_upper(std::string_view fn, std::string_view s) {
    return map_case(fn, s, ucasemap_utf8ToUpper);
}

std::string unicode_lower(std::string_view fn, std::string_view s) {
    return map_case(fn, s, ucasemap_utf8ToLower);
}

std::string_view unicode_trim(std::string_view s, bool left, bool right) {
    size_t b = left ? trim_left(s) : 0;
    size_t e = right ? trim_right(s, b) : s.size();
    return s.substr(b, e - b);
}

}  // namespace lora::fn::detail
