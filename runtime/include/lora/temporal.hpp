// The temporal values of the query language (DATE, LOCAL TIME, ZONED TIME, LOCAL DATETIME,
// ZONED DATETIME, DURATION) as plain structs, with their std::chrono equivalents.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lora {

// A calendar date (proleptic Gregorian): days since 1970-01-01.
struct Date {
    int64_t days = 0;
};

// A time of day without an offset: nanoseconds since midnight, in [0, 86400 s).
struct LocalTime {
    int64_t nanos = 0;
};

// A time of day at an offset from UTC: local nanoseconds since midnight, in [0, 86400 s),
// and the offset in seconds east of UTC.
struct Time {
    int64_t nanos = 0;
    int32_t offset = 0;
};

// A date and time without an offset: seconds since 1970-01-01T00:00 on the wall clock and
// the nanoseconds of that second, in [0, 10^9).
struct LocalDateTime {
    int64_t seconds = 0;
    int32_t nanos = 0;
};

// An instant with the offset or named time zone it is seen in: seconds since the UTC epoch,
// the nanoseconds of that second in [0, 10^9), the offset from UTC in effect at that instant
// (seconds east), and the IANA zone name ("Europe/Stockholm"), empty for a fixed offset.
struct DateTime {
    int64_t seconds = 0;
    int32_t nanos = 0;
    int32_t offset = 0;
    std::string zone;
};

// An amount of time in calendar months, days, seconds and nanoseconds, each kept apart
// because a month has no fixed number of days nor a day of seconds. nanos is in
// [0, 10^9): a negative fraction of a second is one second less and a positive remainder.
struct Duration {
    int64_t months = 0;
    int64_t days = 0;
    int64_t seconds = 0;
    int32_t nanos = 0;
};

inline std::chrono::sys_days to_sys_days(Date d) {
    return std::chrono::sys_days(std::chrono::days(d.days));
}
inline std::chrono::nanoseconds time_of_day(LocalTime t) {
    return std::chrono::nanoseconds(t.nanos);
}
inline std::chrono::nanoseconds time_of_day(const Time& t) {
    return std::chrono::nanoseconds(t.nanos);
}
inline std::chrono::local_time<std::chrono::nanoseconds> to_local_time(const LocalDateTime& t) {
    return std::chrono::local_time<std::chrono::nanoseconds>(std::chrono::seconds(t.seconds) +
                                                             std::chrono::nanoseconds(t.nanos));
}
inline std::chrono::sys_time<std::chrono::nanoseconds> to_sys_time(const DateTime& t) {
    return std::chrono::sys_time<std::chrono::nanoseconds>(std::chrono::seconds(t.seconds) +
                                                           std::chrono::nanoseconds(t.nanos));
}

}  // namespace lora
