// The calendar, clock and time-zone arithmetic under the temporal values, and their ISO-8601
// text (printing as Neo4j prints, parsing every form the openCypher TCK uses). Internal to
// the engine: values, functions, decoders and the JSON surfaces use it.
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lora::temporal {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kSecondsPerDay = 86'400;
inline constexpr int64_t kNanosPerDay = kSecondsPerDay * kNanosPerSecond;
// The average Gregorian month (365.2425 / 12 days), for fractions of months and years.
inline constexpr int64_t kSecondsPerAverageMonth = 2'629'746;
// The years a date may have (Neo4j's range).
inline constexpr int64_t kMinYear = -999'999'999;
inline constexpr int64_t kMaxYear = 999'999'999;
// Offsets are at most 18 hours either way.
inline constexpr int32_t kMaxOffset = 18 * 3600;

int64_t floor_div(int64_t a, int64_t b);
int64_t floor_mod(int64_t a, int64_t b);

struct Ymd {
    int64_t year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
};

bool is_leap(int64_t year);
int days_in_month(int64_t year, int month);
int64_t days_from_civil(int64_t year, int month, int day);
Ymd civil_from_days(int64_t days);
int day_of_week(int64_t days);  // ISO: 1 = Monday .. 7 = Sunday
int day_of_year(int64_t days);  // 1..366

struct IsoWeek {
    int64_t year = 1970;  // the week-based year
    int week = 1;         // 1..53
    int day = 1;          // 1 = Monday .. 7 = Sunday
};
IsoWeek iso_week(int64_t days);
int iso_weeks_in_year(int64_t year);
int64_t days_from_iso_week(int64_t week_year, int week, int day_of_week);

// Checks a year, month and day (and throws errors::invalid_temporal naming the field).
void check_year(int64_t year);
// Whether day number `days` (since 1970-01-01, any width) lies in the years a date may have.
bool day_in_range(__int128 days);
int64_t checked_date(int64_t year, int64_t month, int64_t day);

// The UTC time of day of a zoned time, in [0, kNanosPerDay).
int64_t utc_nanos_of_day(const Time& t);

// ---- time zones (the system's tz database through Howard Hinnant's date/tz)

// True when `name` is a zone of the tz database.
bool is_zone_name(std::string_view name);
// The offset (seconds east of UTC) in effect in `zone` at `utc_seconds`.
int32_t zone_offset_at(const std::string& zone, int64_t utc_seconds);
// The offset a wall-clock time in `zone` has: in an overlap the earlier offset, in a gap
// the offset before it (the time then moves forward by the gap, as Java's ZonedDateTime).
int32_t zone_offset_for_local(const std::string& zone, int64_t local_seconds);

// A time zone as a query or a parser names it: an offset ("+01:00", "-0130", "Z", "+02")
// or an IANA zone name. Throws errors::invalid_temporal when it is neither.
struct Zone {
    int32_t offset = 0;
    std::string name;  // empty for a fixed offset
};
std::optional<int32_t> parse_offset(std::string_view text);
Zone parse_zone(std::string_view text);
// "+01:00", "-00:53:28"; "Z" for zero when z_for_zero.
std::string format_offset(int32_t offset, bool z_for_zero = true);

// A datetime seen in `zone` whose wall clock reads local_seconds + nanos.
DateTime date_time_at_local(int64_t local_seconds, int32_t nanos, const Zone& zone);
// A datetime at the UTC instant `seconds` + nanos, seen in `zone`.
DateTime date_time_at_instant(int64_t seconds, int32_t nanos, const Zone& zone);
// The wall-clock seconds of a datetime (its UTC seconds plus its offset).
inline int64_t local_seconds(const DateTime& t) { return t.seconds + t.offset; }
Zone zone_of(const DateTime& t);

// ---- durations

// A duration from its parts; seconds and nanoseconds are carried so nanos is in [0, 10^9).
Duration make_duration(int64_t months, int64_t days, int64_t seconds, int64_t nanos);
enum class DurationUnit {
    Years,
    Quarters,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds
};

// Sums the components of a duration, whole or with a fraction (as duration({days: 1.5})
// and 'P0.75M' give them): a fraction of a year or month becomes days and time of the
// average month, a fraction of a week or day becomes time, as Neo4j does.
class DurationBuilder {
public:
    void add_whole(DurationUnit u, int64_t v);
    // v billionths of the unit.
    void add_billionths(DurationUnit u, int64_t v);
    // A number of the unit (its fraction kept to billionths).
    void add(DurationUnit u, double v);
    // Throws errors::invalid_temporal when a component is past 64 bits.
    Duration build() const;

private:
    __int128 months_ = 0;
    __int128 days_ = 0;
    __int128 nanos_ = 0;
};

// Total nanoseconds of the seconds part, as a 128-bit count.
__int128 duration_nanos(const Duration& d);

// ---- the encoders' form

// A temporal value as four numbers and a zone name, the form every encoder writes (row
// batches, WAL records, checkpoints): Date {days}, LocalTime {nanos}, Time {nanos, offset},
// LocalDateTime {seconds, nanos}, DateTime {seconds, nanos, offset} + zone, Duration
// {months, days, seconds, nanos}; unused numbers are 0 and encoders write only the first
// field_count(kind) of them.
struct Fields {
    int64_t n[4] = {0, 0, 0, 0};
    std::string zone;
};
int field_count(ValueKind kind);
Fields to_fields(const Value& v);
// The value back, or nullopt when the fields are out of their ranges (a corrupt input).
std::optional<Value> from_fields(ValueKind kind, const Fields& f);

// ---- ISO-8601 text

// The value's text as Neo4j's toString prints it (only temporal kinds).
std::string to_iso(const Value& v);
// A temporal value of `kind` read from ISO-8601 text; throws errors::invalid_temporal when
// the text is not one of the forms the kind takes.
Value parse(ValueKind kind, std::string_view text);

}  // namespace lora::temporal
