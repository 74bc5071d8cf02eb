// Helpers shared by the function library's translation units (not part of the contract).
#pragma once

#include <lora/error.hpp>
#include <lora/value.hpp>

#include <span>
#include <string>
#include <string_view>

namespace lora::fn::detail {

// A function got an argument of a kind it cannot take. The TCK expects
// TypeError.InvalidArgumentValue when this is found at runtime.
[[noreturn]] void bad_argument(std::string_view function, const Value& v,
                               std::string_view expected);

// A Node or Relationship without data reached a function that reads labels/properties:
// the executor should have hydrated it, so this is a fault of the database, not the query.
[[noreturn]] void not_hydrated(std::string_view function);

// Shortest round-trip text of a double, always with a '.' or exponent ("1.0", "0.1").
std::string float_text(double f);

// Unicode text (unicode.cpp): full case mappings of UTF-8 text (`fn` names the Cypher
// function in errors), and s without the leading and/or trailing Unicode whitespace.
std::string unicode_upper(std::string_view fn, std::string_view s);
std::string unicode_lower(std::string_view fn, std::string_view s);
std::string_view unicode_trim(std::string_view s, bool left, bool right);

// The vector functions (vector.cpp).
Value f_vector(std::span<const Value> a);
Value f_vector_similarity_cosine(std::span<const Value> a);
Value f_vector_similarity_euclidean(std::span<const Value> a);
Value f_vector_distance(std::span<const Value> a);
Value f_vector_norm(std::span<const Value> a);
Value f_vector_dimension(std::span<const Value> a);

// Makes the temporal functions read `clock_nanos` (when not 0) as the statement clock while
// it lives (temporal.cpp): set around each call by fn::call.
class StatementClock {
public:
    explicit StatementClock(int64_t clock_nanos);
    ~StatementClock();
    StatementClock(const StatementClock&) = delete;
    StatementClock& operator=(const StatementClock&) = delete;

private:
    int64_t saved_;
};

// Milliseconds since the UTC epoch on the statement clock (the system clock's when none is
// set): timestamp(), which is one value throughout a statement as in Neo4j.
int64_t statement_epoch_millis();

// The temporal functions (temporal.cpp).
Value f_date(std::span<const Value> a);
Value f_localtime(std::span<const Value> a);
Value f_time(std::span<const Value> a);
Value f_localdatetime(std::span<const Value> a);
Value f_datetime(std::span<const Value> a);
Value f_date_clock(std::span<const Value> a);
Value f_localtime_clock(std::span<const Value> a);
Value f_time_clock(std::span<const Value> a);
Value f_localdatetime_clock(std::span<const Value> a);
Value f_datetime_clock(std::span<const Value> a);
Value f_date_realtime(std::span<const Value> a);
Value f_localtime_realtime(std::span<const Value> a);
Value f_time_realtime(std::span<const Value> a);
Value f_localdatetime_realtime(std::span<const Value> a);
Value f_datetime_realtime(std::span<const Value> a);
Value f_date_truncate(std::span<const Value> a);
Value f_localtime_truncate(std::span<const Value> a);
Value f_time_truncate(std::span<const Value> a);
Value f_localdatetime_truncate(std::span<const Value> a);
Value f_datetime_truncate(std::span<const Value> a);
Value f_datetime_fromepoch(std::span<const Value> a);
Value f_datetime_fromepochmillis(std::span<const Value> a);
Value f_duration(std::span<const Value> a);
Value f_duration_between(std::span<const Value> a);
Value f_duration_in_months(std::span<const Value> a);
Value f_duration_in_days(std::span<const Value> a);
Value f_duration_in_seconds(std::span<const Value> a);
// `a op b` (op one of + - * /) where a or b is a temporal value: a temporal value plus or
// minus a duration, durations added, subtracted, multiplied or divided by a number.
Value temporal_arithmetic(char op, const Value& a, const Value& b);

}  // namespace lora::fn::detail
