// The temporal functions of Cypher: date(), localtime(), time(), localdatetime(),
// datetime() and duration() (from text, maps, other temporal values or the clock), their
// .truncate / .statement / .transaction / .realtime / .fromepoch forms, duration.between
// and its in* variants, the accessors (d.year, ...) and duration arithmetic.
#include "internal.hpp"

#include <lora/errors.hpp>
#include <lora/functions/functions.hpp>
#include <lora/temporal_ops.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace lora::fn {

namespace {

using namespace lora::temporal;
using Args = std::span<const Value>;

constexpr int64_t kNanosPerHour = 3600 * kNanosPerSecond;
constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;

[[noreturn]] void invalid(std::string message) {
    throw errors::invalid_temporal(std::move(message));
}

bool has_date(ValueKind k) {
    return k == ValueKind::Date || k == ValueKind::LocalDateTime || k == ValueKind::DateTime;
}
bool has_time(ValueKind k) {
    return k == ValueKind::LocalTime || k == ValueKind::Time || k == ValueKind::LocalDateTime ||
           k == ValueKind::DateTime;
}
bool has_zone(ValueKind k) { return k == ValueKind::Time || k == ValueKind::DateTime; }

// The parts every temporal value is made of: a day, a wall-clock time of day and a zone.
struct Parts {
    std::optional<int64_t> days;
    std::optional<int64_t> nanos;  // of the day, on the wall clock
    std::optional<Zone> zone;
};

Parts parts_of(const Value& v) {
    Parts p;
    switch (v.kind()) {
        case ValueKind::Date: p.days = v.as_date().days; break;
        case ValueKind::LocalTime: p.nanos = v.as_local_time().nanos; break;
        case ValueKind::Time:
            p.nanos = v.as_time().nanos;
            p.zone = Zone{v.as_time().offset, {}};
            break;
        case ValueKind::LocalDateTime: {
            const auto& t = v.as_local_date_time();
            p.days = floor_div(t.seconds, kSecondsPerDay);
            p.nanos = floor_mod(t.seconds, kSecondsPerDay) * kNanosPerSecond + t.nanos;
            break;
        }
        case ValueKind::DateTime: {
            const auto& t = v.as_date_time();
            const int64_t local = local_seconds(t);
            p.days = floor_div(local, kSecondsPerDay);
            p.nanos = floor_mod(local, kSecondsPerDay) * kNanosPerSecond + t.nanos;
            p.zone = zone_of(t);
            break;
        }
        default: break;
    }
    return p;
}

Value make(ValueKind kind, int64_t days, int64_t nanos, const Zone& zone) {
    switch (kind) {
        case ValueKind::Date: return Value(Date{days});
        case ValueKind::LocalTime: return Value(LocalTime{nanos});
        case ValueKind::Time: {
            int32_t offset = zone.offset;
            if (!zone.name.empty())
                offset = zone_offset_at(zone.name, days * kSecondsPerDay + nanos / kNanosPerSecond);
            return Value(Time{nanos, offset});
        }
        case ValueKind::LocalDateTime:
            return Value(LocalDateTime{days * kSecondsPerDay + nanos / kNanosPerSecond,
                                       static_cast<int32_t>(nanos % kNanosPerSecond)});
        default:
            return Value(date_time_at_local(days * kSecondsPerDay + nanos / kNanosPerSecond,
                                            static_cast<int32_t>(nanos % kNanosPerSecond), zone));
    }
}

// The statement clock of the call running on this thread (0: none), see StatementClock.
thread_local int64_t statement_clock = 0;

// The current instant: the statement's (also for .transaction()), or the system clock's
// for .realtime() and when no statement clock is set.
std::pair<int64_t, int32_t> now(bool realtime) {
    const int64_t ns = !realtime && statement_clock != 0
                           ? statement_clock
                           : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    return {floor_div(ns, kNanosPerSecond), static_cast<int32_t>(floor_mod(ns, kNanosPerSecond))};
}

Value current(ValueKind kind, const Zone& zone, bool realtime = false) {
    auto [secs, nanos] = now(realtime);
    const DateTime t = date_time_at_instant(secs, nanos, zone);
    const Parts p = parts_of(Value(t));
    return make(kind, *p.days, *p.nanos, zone);
}

Zone zone_arg(std::string_view fn, const Value& v) {
    if (!v.is_string()) detail::bad_argument(fn, v, "a time zone STRING");
    return parse_zone(v.as_string());
}

// Whether `d` converts to int64 (false for NaN).
bool fits_int64(double d) { return d >= -9223372036854775808.0 && d < 9223372036854775808.0; }

int64_t int_field(const Map& m, std::string_view key, const Value& v) {
    if (v.is_int()) return v.as_int();
    if (v.is_float() && std::trunc(v.as_float()) == v.as_float() && fits_int64(v.as_float()))
        return static_cast<int64_t>(v.as_float());
    invalid("the temporal field '" + std::string(key) + "' must be an INTEGER, got " +
            v.to_string());
    (void)m;
}

void check_range(std::string_view field, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi)
        invalid("Invalid value for " + std::string(field) + ": " + std::to_string(v) +
                " (valid values " + std::to_string(lo) + " - " + std::to_string(hi) + ")");
}

// The instant `seconds` + `nanos` after the UTC epoch in `zone`; InvalidArgumentValue when
// it lies outside the years a temporal value may have (or past what int64 seconds hold).
DateTime epoch_instant(int64_t seconds, int64_t nanos, const Zone& zone) {
    int64_t s = 0;
    if (__builtin_add_overflow(seconds, floor_div(nanos, kNanosPerSecond), &s))
        invalid("Invalid value for EpochSecond: " + std::to_string(seconds) + " seconds and " +
                std::to_string(nanos) + " nanoseconds are past the largest instant");
    if (!day_in_range(floor_div(s, kSecondsPerDay)))
        invalid("Invalid value for EpochSecond: " + std::to_string(s) + " lies in the year " +
                std::to_string(civil_from_days(floor_div(s, kSecondsPerDay)).year) +
                " (valid years " + std::to_string(kMinYear) + " - " + std::to_string(kMaxYear) +
                ")");
    return date_time_at_instant(s, static_cast<int32_t>(floor_mod(nanos, kNanosPerSecond)), zone);
}

// A whole number of epoch units from an INTEGER or a FLOAT (truncated); a FLOAT that is not
// finite or past int64 is InvalidArgumentValue.
int64_t epoch_number(std::string_view what, const Value& v) {
    if (v.is_int()) return v.as_int();
    const double d = std::trunc(v.as_float());
    if (!fits_int64(d)) invalid("Invalid value for " + std::string(what) + ": " + v.to_string());
    return static_cast<int64_t>(d);
}

// datetime({epochSeconds | epochMillis, [millisecond, microsecond, nanosecond,] [timezone]}).
Value from_epoch_fields(const std::map<std::string, const Value*, std::less<>>& f,
                        const std::optional<Zone>& tz) {
    const bool secs = f.count("epochseconds") > 0;
    if (secs && f.count("epochmillis"))
        invalid("epochSeconds and epochMillis cannot both build one datetime");
    for (const auto& [k, v] : f)
        if (k != "epochseconds" && k != "epochmillis" && k != "millisecond" && k != "microsecond" &&
            k != "nanosecond" && k != "timezone")
            invalid("the field '" + k + "' cannot be combined with " +
                    (secs ? "epochSeconds" : "epochMillis"));
    auto number = [&](std::string_view k, std::string_view what) -> std::optional<int64_t> {
        auto it = f.find(k);
        if (it == f.end()) return std::nullopt;
        if (!it->second->is_number())
            invalid("the temporal field '" + std::string(what) + "' must be a number, got " +
                    it->second->to_string());
        return epoch_number(what, *it->second);
    };
    int64_t seconds = 0, nanos = 0;
    if (secs) {
        seconds = *number("epochseconds", "epochSeconds");
    } else {
        const int64_t ms = *number("epochmillis", "epochMillis");
        seconds = floor_div(ms, 1000);
        nanos = floor_mod(ms, 1000) * 1'000'000;
    }
    const auto ms = number("millisecond", "millisecond");
    const auto us = number("microsecond", "microsecond");
    const auto ns = number("nanosecond", "nanosecond");
    if (ms) check_range("MilliOfSecond", *ms, 0, 999);
    if (us) check_range("MicroOfSecond", *us, 0, ms ? 999 : 999'999);
    if (ns) check_range("NanoOfSecond", *ns, 0, (ms || us) ? 999 : 999'999'999);
    nanos += ms.value_or(0) * 1'000'000 + us.value_or(0) * 1'000 + ns.value_or(0);
    return Value(epoch_instant(seconds, nanos, tz.value_or(Zone{})));
}

// A temporal value of `kind` from a map of fields and base values (date, time, datetime).
Value from_map(ValueKind kind, const Map& m) {
    static const std::string_view kKnown[] = {
        "year",         "month", "day",    "week",     "dayofweek",    "ordinalday",  "quarter",
        "dayofquarter", "hour",  "minute", "second",   "millisecond",  "microsecond", "nanosecond",
        "timezone",     "date",  "time",   "datetime", "epochseconds", "epochmillis"};
    std::map<std::string, const Value*, std::less<>> f;
    for (const auto& [k, v] : m) {
        std::string low;
        for (char c : k) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (std::find(std::begin(kKnown), std::end(kKnown), low) == std::end(kKnown))
            invalid("No such field: '" + k + "' for a " + std::string(kind_name(kind)));
        if (v.is_null()) return Value();
        f[low] = &v;
    }
    auto get = [&](std::string_view k) -> std::optional<int64_t> {
        auto it = f.find(k);
        if (it == f.end()) return std::nullopt;
        return int_field(m, k, *it->second);
    };
    auto base = [&](std::string_view k) -> const Value* {
        auto it = f.find(k);
        if (it == f.end()) return nullptr;
        if (!it->second->is_temporal() || it->second->kind() == ValueKind::Duration)
            invalid("the field '" + std::string(k) + "' must be a temporal value, got " +
                    it->second->to_string());
        return it->second;
    };
    Parts date_base, time_base;
    if (const Value* dt = base("datetime")) date_base = time_base = parts_of(*dt);
    if (const Value* d = base("date")) date_base.days = parts_of(*d).days;
    if (const Value* t = base("time")) time_base = parts_of(*t);

    std::optional<Zone> tz;
    if (auto it = f.find("timezone"); it != f.end()) tz = zone_arg("timezone", *it->second);

    // Only a time zone: now, in that zone.
    if (f.size() == 1 && tz) return current(kind, *tz);
    if (f.count("epochseconds") || f.count("epochmillis")) {
        if (kind != ValueKind::DateTime)
            invalid("a " + std::string(kind_name(kind)) +
                    " has no field epochSeconds or epochMillis (datetime has)");
        return from_epoch_fields(f, tz);
    }

    int64_t days = 0;
    if (has_date(kind)) {
        const std::optional<int64_t> year = get("year");
        if (!year && !date_base.days)
            invalid("year must be specified to build a " + std::string(kind_name(kind)));
        const int64_t bd = date_base.days.value_or(0);
        const Ymd by = civil_from_days(bd);
        if (year) check_year(*year);
        if (f.count("week") || (f.count("dayofweek") && date_base.days)) {
            const IsoWeek bw = iso_week(bd);
            const int64_t wy = year.value_or(bw.year);
            if (!f.count("week") && !date_base.days)
                invalid("dayOfWeek needs week to build a date");
            const int64_t week = get("week").value_or(bw.week);
            check_range("Week", week, 1, iso_weeks_in_year(wy));
            const int64_t dow = get("dayofweek").value_or(date_base.days ? bw.day : 1);
            check_range("DayOfWeek", dow, 1, 7);
            days = days_from_iso_week(wy, static_cast<int>(week), static_cast<int>(dow));
        } else if (f.count("ordinalday")) {
            const int64_t y = year.value_or(by.year);
            const int64_t od = *get("ordinalday");
            check_range("DayOfYear", od, 1, is_leap(y) ? 366 : 365);
            days = days_from_civil(y, 1, 1) + od - 1;
        } else if (f.count("quarter") || f.count("dayofquarter")) {
            const int64_t y = year.value_or(by.year);
            const int bq = (by.month - 1) / 3 + 1;
            const int64_t bdq = bd - days_from_civil(by.year, (bq - 1) * 3 + 1, 1) + 1;
            const int64_t q = get("quarter").value_or(date_base.days ? bq : 1);
            check_range("QuarterOfYear", q, 1, 4);
            const int64_t dq = get("dayofquarter").value_or(date_base.days ? bdq : 1);
            const int64_t start = days_from_civil(y, static_cast<int>((q - 1) * 3 + 1), 1);
            const int64_t len =
                days_from_civil(q == 4 ? y + 1 : y, q == 4 ? 1 : static_cast<int>(q * 3 + 1), 1) -
                start;
            check_range("DayOfQuarter", dq, 1, len);
            days = start + dq - 1;
        } else {
            const int64_t y = year.value_or(by.year);
            const int64_t mo = get("month").value_or(date_base.days ? by.month : 1);
            const int64_t d = get("day").value_or(date_base.days ? by.day : 1);
            if (f.count("dayofweek")) invalid("dayOfWeek needs week to build a date");
            days = checked_date(y, mo, d);
        }
    }
    int64_t nanos = 0;
    if (has_time(kind)) {
        const int64_t bn = time_base.nanos.value_or(0);
        const int64_t h = get("hour").value_or(bn / kNanosPerHour);
        const int64_t mi = get("minute").value_or(bn / kNanosPerMinute % 60);
        const int64_t s = get("second").value_or(bn / kNanosPerSecond % 60);
        int64_t sub = bn % kNanosPerSecond;
        const auto ms = get("millisecond");
        const auto us = get("microsecond");
        const auto ns = get("nanosecond");
        if (ms || us || ns) {
            sub = 0;
            if (ms) {
                check_range("MilliOfSecond", *ms, 0, 999);
                sub = *ms * 1'000'000;
            }
            if (us) {
                check_range("MicroOfSecond", *us, 0, ms ? 999 : 999'999);
                sub += *us * 1'000;
            }
            if (ns) {
                check_range("NanoOfSecond", *ns, 0, (ms || us) ? 999 : 999'999'999);
                sub += *ns;
            }
        }
        check_range("HourOfDay", h, 0, 23);
        check_range("MinuteOfHour", mi, 0, 59);
        check_range("SecondOfMinute", s, 0, 59);
        nanos = h * kNanosPerHour + mi * kNanosPerMinute + s * kNanosPerSecond + sub;
    } else {
        for (std::string_view k :
             {"hour", "minute", "second", "millisecond", "microsecond", "nanosecond"})
            if (f.count(k))
                invalid("a " + std::string(kind_name(kind)) + " has no field " + std::string(k));
    }
    if (!has_zone(kind)) return make(kind, days, nanos, Zone{});
    // Zoned: built in the base's zone, then moved to the asked zone when the base had one.
    const std::optional<Zone>& bz = time_base.zone;
    if (!bz) return make(kind, days, nanos, tz.value_or(Zone{}));
    if (kind == ValueKind::Time) {
        if (!tz) return Value(Time{nanos, bz->offset});
        const int64_t utc = floor_mod(nanos - int64_t{bz->offset} * kNanosPerSecond, kNanosPerDay);
        int32_t off = tz->offset;
        if (!tz->name.empty()) off = zone_offset_at(tz->name, days * kSecondsPerDay);
        return Value(Time{floor_mod(utc + int64_t{off} * kNanosPerSecond, kNanosPerDay), off});
    }
    Value built = make(kind, days, nanos, *bz);
    if (!tz) return built;
    const DateTime& t = built.as_date_time();
    return Value(date_time_at_instant(t.seconds, t.nanos, *tz));
}

// A temporal value of `kind` from another: its date and time parts as a map would select.
Value convert(ValueKind kind, const Value& v) {
    Map m;
    const Parts p = parts_of(v);
    if (has_date(kind) && has_time(kind) && p.days && p.nanos)
        m.emplace("datetime", v);
    else {
        if (has_date(kind)) {
            if (!p.days)
                invalid("cannot build a " + std::string(kind_name(kind)) + " from a " +
                        std::string(kind_name(v.kind())));
            m.emplace("date", v);
        }
        if (has_time(kind) && p.nanos) m.emplace("time", v);
    }
    if (has_time(kind) && !has_date(kind) && !p.nanos)
        invalid("cannot build a " + std::string(kind_name(kind)) + " from a " +
                std::string(kind_name(v.kind())));
    return from_map(kind, m);
}

Value construct(ValueKind kind, std::string_view fn, Args a) {
    if (a.empty()) return current(kind, Zone{});
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_string()) return parse(kind, v.as_string());
    if (v.is_map()) return from_map(kind, v.as_map());
    if (v.is_temporal() && v.kind() != ValueKind::Duration) return convert(kind, v);
    detail::bad_argument(fn, v, "a STRING, MAP or temporal value");
}

Value clock(ValueKind kind, std::string_view fn, Args a, bool realtime) {
    if (a.empty()) return current(kind, Zone{}, realtime);
    if (a[0].is_null()) return Value();
    return current(kind, zone_arg(fn, a[0]), realtime);
}

// ---- truncate

Value truncate(ValueKind kind, std::string_view fn, Args a) {
    if (a.size() < 2 || a[1].is_null()) return Value();
    if (!a[0].is_string()) detail::bad_argument(fn, a[0], "a unit STRING");
    const Value& v = a[1];
    if (!v.is_temporal() || v.kind() == ValueKind::Duration)
        detail::bad_argument(fn, v, "a temporal value");
    std::string unit;
    for (char c : a[0].as_string())
        unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Parts p = parts_of(v);
    int64_t days = p.days.value_or(0);
    int64_t nanos = p.nanos.value_or(0);
    const Ymd ymd = civil_from_days(days);
    auto year_start = [&](int64_t y) { return days_from_civil(y, 1, 1); };
    bool date_unit = true;
    if (unit == "millennium")
        days = year_start(floor_div(ymd.year, 1000) * 1000);
    else if (unit == "century")
        days = year_start(floor_div(ymd.year, 100) * 100);
    else if (unit == "decade")
        days = year_start(floor_div(ymd.year, 10) * 10);
    else if (unit == "year")
        days = year_start(ymd.year);
    else if (unit == "weekyear")
        days = days_from_iso_week(iso_week(days).year, 1, 1);
    else if (unit == "quarter")
        days = days_from_civil(ymd.year, (ymd.month - 1) / 3 * 3 + 1, 1);
    else if (unit == "month")
        days = days_from_civil(ymd.year, ymd.month, 1);
    else if (unit == "week")
        days -= day_of_week(days) - 1;
    else if (unit == "day") {
    } else {
        date_unit = false;
        int64_t step = 0;
        if (unit == "hour")
            step = kNanosPerHour;
        else if (unit == "minute")
            step = kNanosPerMinute;
        else if (unit == "second")
            step = kNanosPerSecond;
        else if (unit == "millisecond")
            step = 1'000'000;
        else if (unit == "microsecond")
            step = 1'000;
        else
            invalid("Unit '" + a[0].as_string() + "' is not supported for truncate");
        nanos -= nanos % step;
    }
    if (date_unit) {
        // A time truncated to its day is midnight; coarser units need a date.
        if ((!has_date(kind) && unit != "day") || (has_date(kind) && !p.days))
            invalid("cannot truncate a " + std::string(kind_name(v.kind())) + " to " +
                    a[0].as_string() + " for " + std::string(fn));
        nanos = 0;
    }
    Map m;
    if (has_date(kind)) m.emplace("date", Value(Date{days}));
    if (has_time(kind)) m.emplace("time", Value(LocalTime{nanos}));
    if (has_zone(kind) && p.zone)
        m.emplace("timezone", Value(p.zone->name.empty() ? format_offset(p.zone->offset, false)
                                                         : p.zone->name));
    if (a.size() > 2 && !a[2].is_null()) {
        if (!a[2].is_map()) detail::bad_argument(fn, a[2], "a MAP");
        // The map's fields set those of the truncated value; a nanosecond under a
        // millisecond or microsecond unit counts within that unit (.645 + 2 ns).
        for (const auto& [k, x] : a[2].as_map()) {
            std::string low;
            for (char c : k) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (low == "nanosecond" && x.is_int() && has_time(kind) &&
                (unit == "millisecond" || unit == "microsecond")) {
                const int64_t step = unit == "millisecond" ? 1'000'000 : 1'000;
                check_range("NanoOfSecond", x.as_int(), 0, step - 1);
                m.insert_or_assign("time", Value(LocalTime{nanos + x.as_int()}));
                continue;
            }
            m.insert_or_assign(k, x);
        }
    }
    return from_map(kind, m);
}

// ---- durations

Value duration_from_map(const Map& m) {
    static const std::pair<std::string_view, DurationUnit> kUnits[] = {
        {"years", DurationUnit::Years},
        {"quarters", DurationUnit::Quarters},
        {"months", DurationUnit::Months},
        {"weeks", DurationUnit::Weeks},
        {"days", DurationUnit::Days},
        {"hours", DurationUnit::Hours},
        {"minutes", DurationUnit::Minutes},
        {"seconds", DurationUnit::Seconds},
        {"milliseconds", DurationUnit::Milliseconds},
        {"microseconds", DurationUnit::Microseconds},
        {"nanoseconds", DurationUnit::Nanoseconds}};
    DurationBuilder b;
    for (const auto& [k, v] : m) {
        std::string low;
        for (char c : k) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto it = std::find_if(std::begin(kUnits), std::end(kUnits),
                               [&](const auto& u) { return u.first == low; });
        if (it == std::end(kUnits)) invalid("No such field: '" + k + "' for a DURATION");
        if (v.is_null()) return Value();
        if (v.is_int())
            b.add_whole(it->second, v.as_int());
        else if (v.is_float())
            b.add(it->second, v.as_float());
        else
            invalid("the duration field '" + k + "' must be a number, got " + v.to_string());
    }
    return Value(b.build());
}

Value f_duration(Args a) {
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.is_string()) return parse(ValueKind::Duration, v.as_string());
    if (v.is_map()) return duration_from_map(v.as_map());
    detail::bad_argument("duration", v, "a STRING or MAP");
}

int64_t checked(__int128 v) {
    if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min())
        invalid("the duration is too large to be represented");
    return static_cast<int64_t>(v);
}

// A date `months` later, its day cut to the end of a shorter month.
int64_t plus_months(int64_t days, int64_t months) {
    if (months == 0) return days;
    const Ymd d = civil_from_days(days);
    const __int128 total = __int128{d.year} * 12 + (d.month - 1) + months;
    const int64_t y = checked(total >= 0 ? total / 12 : (total - 11) / 12);
    const int mo = static_cast<int>(total - __int128{y} * 12) + 1;
    check_year(y);
    return days_from_civil(y, mo, std::min(d.day, days_in_month(y, mo)));
}

// a / b rounded down, for the 128-bit sums of the arithmetic below.
__int128 floor_div_wide(__int128 a, int64_t b) { return a >= 0 ? a / b : (a - (b - 1)) / b; }

// A day number of the result of arithmetic, when it lies in the years a date may have.
int64_t checked_day(__int128 day) {
    if (!day_in_range(day))
        invalid("Invalid value for Year: the result lies past the years a date may have (" +
                std::to_string(kMinYear) + " - " + std::to_string(kMaxYear) + ")");
    return static_cast<int64_t>(day);
}

Value plus_duration(const Value& t, const Duration& d, int sign) {
    const int64_t months = checked(__int128{d.months} * sign);
    const __int128 ddays = __int128{d.days} * sign;
    const __int128 dn = duration_nanos(d) * sign;
    switch (t.kind()) {
        case ValueKind::Date:
            return Value(Date{checked_day(__int128{plus_months(t.as_date().days, months)} + ddays +
                                          dn / kNanosPerDay)});
        case ValueKind::LocalTime:
            return Value(LocalTime{static_cast<int64_t>(
                ((t.as_local_time().nanos + dn) % kNanosPerDay + kNanosPerDay) % kNanosPerDay)});
        case ValueKind::Time:
            return Value(
                Time{static_cast<int64_t>(((t.as_time().nanos + dn) % kNanosPerDay + kNanosPerDay) %
                                          kNanosPerDay),
                     t.as_time().offset});
        case ValueKind::LocalDateTime: {
            const auto& x = t.as_local_date_time();
            const int64_t day = checked_day(
                __int128{plus_months(floor_div(x.seconds, kSecondsPerDay), months)} + ddays);
            const __int128 total =
                (__int128{day} * kSecondsPerDay + floor_mod(x.seconds, kSecondsPerDay)) *
                    kNanosPerSecond +
                x.nanos + dn;
            const __int128 secs = floor_div_wide(total, kNanosPerSecond);
            checked_day(floor_div_wide(secs, kSecondsPerDay));
            return Value(LocalDateTime{static_cast<int64_t>(secs),
                                       static_cast<int32_t>(total - secs * kNanosPerSecond)});
        }
        case ValueKind::DateTime: {
            const auto& x = t.as_date_time();
            const int64_t local = local_seconds(x);
            const int64_t day = checked_day(
                __int128{plus_months(floor_div(local, kSecondsPerDay), months)} + ddays);
            DateTime moved = date_time_at_local(
                day * kSecondsPerDay + floor_mod(local, kSecondsPerDay), x.nanos, zone_of(x));
            const __int128 total = __int128{moved.seconds} * kNanosPerSecond + moved.nanos + dn;
            const __int128 secs = floor_div_wide(total, kNanosPerSecond);
            checked_day(floor_div_wide(secs, kSecondsPerDay));
            return Value(date_time_at_instant(static_cast<int64_t>(secs),
                                              static_cast<int32_t>(total - secs * kNanosPerSecond),
                                              zone_of(x)));
        }
        default: return Value();
    }
}

Duration scaled(const Duration& d, double f) {
    DurationBuilder b;
    b.add(DurationUnit::Months, static_cast<double>(d.months) * f);
    b.add(DurationUnit::Days, static_cast<double>(d.days) * f);
    b.add(DurationUnit::Seconds, static_cast<double>(d.seconds) * f);
    b.add(DurationUnit::Nanoseconds, static_cast<double>(d.nanos) * f);
    return b.build();
}

// ---- duration.between

enum class Between { All, Months, Days, Seconds };

// The UTC instant (nanoseconds) of a wall-clock time in `zone`, or the wall clock itself
// when there is no zone.
__int128 instant_of(__int128 wall, const std::optional<Zone>& zone) {
    if (!zone) return wall;
    int32_t off = zone->offset;
    if (!zone->name.empty())
        off = zone_offset_for_local(
            zone->name,
            static_cast<int64_t>(wall >= 0 ? wall / kNanosPerSecond
                                           : (wall - kNanosPerSecond + 1) / kNanosPerSecond));
    return wall - __int128{off} * kNanosPerSecond;
}

// The wall clock in `zone` at a UTC instant (nanoseconds).
__int128 wall_of(__int128 instant, const std::optional<Zone>& zone) {
    if (!zone) return instant;
    int32_t off = zone->offset;
    if (!zone->name.empty())
        off = zone_offset_at(
            zone->name,
            static_cast<int64_t>(instant >= 0 ? instant / kNanosPerSecond
                                              : (instant - kNanosPerSecond + 1) / kNanosPerSecond));
    return instant + __int128{off} * kNanosPerSecond;
}

Value duration_of_nanos(__int128 n) {
    return Value(make_duration(0, 0, checked(n / kNanosPerSecond),
                               static_cast<int64_t>(n % kNanosPerSecond)));
}

// As Neo4j computes it: a value without a date takes the other's date, one without a time
// is at midnight, one without a zone is in the other's zone. Months and days count on the
// wall clock of the first value's zone, the rest is elapsed time; when either value has no
// date only the time between them counts.
Value between(const Value& a, const Value& b, Between mode) {
    if (a.is_null() || b.is_null()) return Value();
    for (const Value* v : {&a, &b})
        if (!v->is_temporal() || v->kind() == ValueKind::Duration)
            detail::bad_argument("duration.between", *v, "a temporal value");
    Parts pa = parts_of(a), pb = parts_of(b);
    const bool both_dates = pa.days && pb.days;
    if (!pa.days) pa.days = pb.days;
    if (!pb.days) pb.days = pa.days;
    if (!pa.zone) pa.zone = pb.zone;
    if (!pb.zone) pb.zone = pa.zone;
    const __int128 wa = __int128{pa.days.value_or(0)} * kNanosPerDay + pa.nanos.value_or(0);
    const __int128 wb0 = __int128{pb.days.value_or(0)} * kNanosPerDay + pb.nanos.value_or(0);
    auto exact = [](const Value& v, __int128 wall, const std::optional<Zone>& z) {
        if (v.kind() != ValueKind::DateTime) return instant_of(wall, z);
        return __int128{v.as_date_time().seconds} * kNanosPerSecond + v.as_date_time().nanos;
    };
    const __int128 ia = exact(a, wa, pa.zone);
    const __int128 ib = exact(b, wb0, pb.zone);
    if (mode == Between::Seconds) return duration_of_nanos(ib - ia);
    if (!both_dates) return mode == Between::All ? duration_of_nanos(ib - ia) : Value(Duration{});
    // b's wall clock in a's zone.
    const __int128 wb = pa.zone ? wall_of(ib, pa.zone) : wb0;
    if (mode == Between::Days) return Value(Duration{0, checked((wb - wa) / kNanosPerDay), 0, 0});
    const int64_t da = *pa.days;
    const __int128 na = wa - __int128{da} * kNanosPerDay;
    const Ymd ya = civil_from_days(da);
    const Ymd yb = civil_from_days(
        static_cast<int64_t>(wb >= 0 ? wb / kNanosPerDay : (wb - kNanosPerDay + 1) / kNanosPerDay));
    int64_t months = checked((__int128{yb.year} - ya.year) * 12 + (yb.month - ya.month));
    auto after = [&](int64_t m) { return __int128{plus_months(da, m)} * kNanosPerDay + na; };
    if (months > 0 && after(months) > wb) --months;
    if (months < 0 && after(months) < wb) ++months;
    if (mode == Between::Months) return Value(Duration{months, 0, 0, 0});
    const __int128 start = after(months);
    const int64_t days = checked((wb - start) / kNanosPerDay);
    const __int128 rest = ib - instant_of(start + __int128{days} * kNanosPerDay, pa.zone);
    return Value(make_duration(months, days, checked(rest / kNanosPerSecond),
                               static_cast<int64_t>(rest % kNanosPerSecond)));
}

}  // namespace

// ---- the functions the registry names

namespace detail {

Value f_date(Args a) { return construct(ValueKind::Date, "date", a); }
Value f_localtime(Args a) { return construct(ValueKind::LocalTime, "localtime", a); }
Value f_time(Args a) { return construct(ValueKind::Time, "time", a); }
Value f_localdatetime(Args a) { return construct(ValueKind::LocalDateTime, "localdatetime", a); }
Value f_datetime(Args a) { return construct(ValueKind::DateTime, "datetime", a); }
StatementClock::StatementClock(int64_t clock_nanos) : saved_(statement_clock) {
    statement_clock = clock_nanos;
}
StatementClock::~StatementClock() { statement_clock = saved_; }

int64_t statement_epoch_millis() {
    auto [secs, nanos] = now(false);
    return secs * 1000 + nanos / 1'000'000;
}

Value f_date_clock(Args a) { return clock(ValueKind::Date, "date", a, false); }
Value f_localtime_clock(Args a) { return clock(ValueKind::LocalTime, "localtime", a, false); }
Value f_time_clock(Args a) { return clock(ValueKind::Time, "time", a, false); }
Value f_localdatetime_clock(Args a) {
    return clock(ValueKind::LocalDateTime, "localdatetime", a, false);
}
Value f_datetime_clock(Args a) { return clock(ValueKind::DateTime, "datetime", a, false); }
Value f_date_realtime(Args a) { return clock(ValueKind::Date, "date.realtime", a, true); }
Value f_localtime_realtime(Args a) {
    return clock(ValueKind::LocalTime, "localtime.realtime", a, true);
}
Value f_time_realtime(Args a) { return clock(ValueKind::Time, "time.realtime", a, true); }
Value f_localdatetime_realtime(Args a) {
    return clock(ValueKind::LocalDateTime, "localdatetime.realtime", a, true);
}
Value f_datetime_realtime(Args a) {
    return clock(ValueKind::DateTime, "datetime.realtime", a, true);
}
Value f_date_truncate(Args a) { return truncate(ValueKind::Date, "date.truncate", a); }
Value f_localtime_truncate(Args a) {
    return truncate(ValueKind::LocalTime, "localtime.truncate", a);
}
Value f_time_truncate(Args a) { return truncate(ValueKind::Time, "time.truncate", a); }
Value f_localdatetime_truncate(Args a) {
    return truncate(ValueKind::LocalDateTime, "localdatetime.truncate", a);
}
Value f_datetime_truncate(Args a) { return truncate(ValueKind::DateTime, "datetime.truncate", a); }

Value f_datetime_fromepoch(Args a) {
    if (a[0].is_null() || a[1].is_null()) return Value();
    if (!a[0].is_number()) bad_argument("datetime.fromepoch", a[0], "a number of seconds");
    if (!a[1].is_number()) bad_argument("datetime.fromepoch", a[1], "a number of nanoseconds");
    return Value(epoch_instant(epoch_number("EpochSecond", a[0]),
                               epoch_number("NanoOfSecond", a[1]), Zone{}));
}

Value f_datetime_fromepochmillis(Args a) {
    if (a[0].is_null()) return Value();
    if (!a[0].is_number())
        bad_argument("datetime.fromepochmillis", a[0], "a number of milliseconds");
    const int64_t ms = epoch_number("EpochMilli", a[0]);
    return Value(epoch_instant(floor_div(ms, 1000), floor_mod(ms, 1000) * 1'000'000, Zone{}));
}

Value f_duration(Args a) { return fn::f_duration(a); }
Value f_duration_between(Args a) { return between(a[0], a[1], Between::All); }
Value f_duration_in_months(Args a) { return between(a[0], a[1], Between::Months); }
Value f_duration_in_days(Args a) { return between(a[0], a[1], Between::Days); }
Value f_duration_in_seconds(Args a) { return between(a[0], a[1], Between::Seconds); }

Value temporal_arithmetic(char op, const Value& a, const Value& b) {
    if (op == '+' || op == '-') {
        if (a.kind() == ValueKind::Duration && b.kind() == ValueKind::Duration) {
            const Duration& x = a.as_duration();
            const Duration& y = b.as_duration();
            const int s = op == '+' ? 1 : -1;
            const __int128 n = duration_nanos(x) + s * duration_nanos(y);
            return Value(make_duration(checked(__int128{x.months} + s * __int128{y.months}),
                                       checked(__int128{x.days} + s * __int128{y.days}),
                                       checked(n / kNanosPerSecond),
                                       static_cast<int64_t>(n % kNanosPerSecond)));
        }
        if (b.kind() == ValueKind::Duration && a.is_temporal())
            return plus_duration(a, b.as_duration(), op == '+' ? 1 : -1);
        if (op == '+' && a.kind() == ValueKind::Duration && b.is_temporal())
            return plus_duration(b, a.as_duration(), 1);
    }
    if (op == '*') {
        if (a.kind() == ValueKind::Duration && b.is_number())
            return Value(scaled(a.as_duration(), b.as_number()));
        if (b.kind() == ValueKind::Duration && a.is_number())
            return Value(scaled(b.as_duration(), a.as_number()));
    }
    if (op == '/' && a.kind() == ValueKind::Duration && b.is_number()) {
        if (b.as_number() == 0)
            throw_argument_error("DivisionByZero", "a duration divided by zero");
        return Value(scaled(a.as_duration(), 1.0 / b.as_number()));
    }
    throw_type_error("InvalidArgumentType", "Type mismatch: cannot compute " +
                                                std::string(kind_name(a.kind())) + " " + op + " " +
                                                std::string(kind_name(b.kind())));
}

}  // namespace detail

Value temporal_property(const Value& v, std::string_view key) {
    std::string k;
    for (char c : key) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v.kind() == ValueKind::Duration) {
        const Duration& d = v.as_duration();
        const __int128 n = duration_nanos(d);
        if (k == "years") return Value(d.months / 12);
        if (k == "quarters") return Value(d.months / 3);
        if (k == "months") return Value(d.months);
        if (k == "weeks") return Value(d.days / 7);
        if (k == "days") return Value(d.days);
        if (k == "hours") return Value(d.seconds / 3600);
        if (k == "minutes") return Value(d.seconds / 60);
        if (k == "seconds") return Value(d.seconds);
        if (k == "milliseconds") return Value(checked(n / 1'000'000));
        if (k == "microseconds") return Value(checked(n / 1'000));
        if (k == "nanoseconds") return Value(checked(n));
        if (k == "quartersofyear") return Value(d.months % 12 / 3);
        if (k == "monthsofquarter") return Value(d.months % 3);
        if (k == "monthsofyear") return Value(d.months % 12);
        if (k == "daysofweek") return Value(d.days % 7);
        if (k == "minutesofhour") return Value(d.seconds / 60 % 60);
        if (k == "secondsofminute") return Value(d.seconds % 60);
        if (k == "millisecondsofsecond") return Value(int64_t{d.nanos / 1'000'000});
        if (k == "microsecondsofsecond") return Value(int64_t{d.nanos / 1'000});
        if (k == "nanosecondsofsecond") return Value(int64_t{d.nanos});
        invalid("No such field: '" + std::string(key) + "' of a DURATION");
    }
    const Parts p = parts_of(v);
    if (p.days) {
        const int64_t days = *p.days;
        const Ymd d = civil_from_days(days);
        if (k == "year") return Value(d.year);
        if (k == "quarter") return Value(int64_t{(d.month - 1) / 3 + 1});
        if (k == "month") return Value(int64_t{d.month});
        if (k == "week") return Value(int64_t{iso_week(days).week});
        if (k == "weekyear") return Value(iso_week(days).year);
        if (k == "day") return Value(int64_t{d.day});
        if (k == "ordinalday") return Value(int64_t{day_of_year(days)});
        if (k == "weekday" || k == "dayofweek") return Value(int64_t{day_of_week(days)});
        if (k == "dayofquarter")
            return Value(days - days_from_civil(d.year, (d.month - 1) / 3 * 3 + 1, 1) + 1);
    }
    if (p.nanos) {
        const int64_t n = *p.nanos;
        if (k == "hour") return Value(n / kNanosPerHour);
        if (k == "minute") return Value(n / kNanosPerMinute % 60);
        if (k == "second") return Value(n / kNanosPerSecond % 60);
        if (k == "millisecond") return Value(n % kNanosPerSecond / 1'000'000);
        if (k == "microsecond") return Value(n % kNanosPerSecond / 1'000);
        if (k == "nanosecond") return Value(n % kNanosPerSecond);
    }
    if (p.zone) {
        if (k == "timezone")
            return Value(p.zone->name.empty() ? format_offset(p.zone->offset) : p.zone->name);
        if (k == "offset") return Value(format_offset(p.zone->offset));
        if (k == "offsetminutes") return Value(int64_t{p.zone->offset / 60});
        if (k == "offsetseconds") return Value(int64_t{p.zone->offset});
    }
    if (v.kind() == ValueKind::DateTime) {
        const DateTime& t = v.as_date_time();
        if (k == "epochseconds") return Value(t.seconds);
        if (k == "epochmillis")
            return Value(checked(__int128{t.seconds} * 1000 + t.nanos / 1'000'000));
    }
    invalid("No such field: '" + std::string(key) + "' of a " + std::string(kind_name(v.kind())));
}

}  // namespace lora::fn
