// Calendar, clock and time-zone arithmetic of the temporal values, their ISO-8601 text and
// their encoders' form. Zones come from the system's tz database through date/tz.
#include <lora/temporal_ops.hpp>

#include <lora/errors.hpp>

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lora::temporal {

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// a % b moved to b's sign: no product that could overflow near the ends of int64.
int64_t floor_mod(int64_t a, int64_t b) {
    const int64_t r = a % b;
    return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date, counted in 400-year eras (146097
// days each) whose years start on March 1 so the leap day ends them.
int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t mp = m > 2 ? m - 3 : m + 9;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Ymd civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    Ymd out;
    out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
    return out;
}

int day_of_week(int64_t days) { return static_cast<int>(floor_mod(days + 3, 7)) + 1; }

int day_of_year(int64_t days) {
    return static_cast<int>(days - days_from_civil(civil_from_days(days).year, 1, 1)) + 1;
}

IsoWeek iso_week(int64_t days) {
    // The week belongs to the year its Thursday is in.
    const int dow = day_of_week(days);
    const int64_t thursday = days - (dow - 1) + 3;
    IsoWeek w;
    w.year = civil_from_days(thursday).year;
    w.week = static_cast<int>((thursday - days_from_civil(w.year, 1, 1)) / 7) + 1;
    w.day = dow;
    return w;
}

int iso_weeks_in_year(int64_t year) { return iso_week(days_from_civil(year, 12, 28)).week; }

int64_t days_from_iso_week(int64_t week_year, int week, int dow) {
    const int64_t jan4 = days_from_civil(week_year, 1, 4);
    const int64_t monday = jan4 - (day_of_week(jan4) - 1);
    return monday + int64_t{week - 1} * 7 + (dow - 1);
}

void check_year(int64_t year) {
    if (year < kMinYear || year > kMaxYear)
        throw errors::invalid_temporal("Invalid value for Year: " + std::to_string(year) +
                                       " (valid values " + std::to_string(kMinYear) + " - " +
                                       std::to_string(kMaxYear) + ")");
}

bool day_in_range(__int128 days) {
    static const int64_t first = days_from_civil(kMinYear, 1, 1);
    static const int64_t last = days_from_civil(kMaxYear, 12, 31);
    return days >= first && days <= last;
}

namespace {

[[noreturn]] void field_out_of_range(std::string_view field, int64_t v, int64_t lo, int64_t hi) {
    throw errors::invalid_temporal("Invalid value for " + std::string(field) + ": " +
                                   std::to_string(v) + " (valid values " + std::to_string(lo) +
                                   " - " + std::to_string(hi) + ")");
}

}  // namespace

int64_t checked_date(int64_t year, int64_t month, int64_t day) {
    check_year(year);
    if (month < 1 || month > 12) field_out_of_range("MonthOfYear", month, 1, 12);
    const int dim = days_in_month(year, static_cast<int>(month));
    if (day < 1 || day > dim) field_out_of_range("DayOfMonth", day, 1, dim);
    return days_from_civil(year, static_cast<int>(month), static_cast<int>(day));
}

int64_t utc_nanos_of_day(const Time& t) {
    return floor_mod(t.nanos - int64_t{t.offset} * kNanosPerSecond, kNanosPerDay);
}

// ---------------------------------------------------------------------------------------
// Time zones

namespace {

const date::time_zone* find_zone(std::string_view name) {
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

const date::time_zone& zone_named(const std::string& name) {
    const auto* z = find_zone(name);
    if (!z) throw errors::invalid_temporal("Invalid time zone: '" + name + "'");
    return *z;
}

}  // namespace

bool is_zone_name(std::string_view name) { return !name.empty() && find_zone(name) != nullptr; }

int32_t zone_offset_at(const std::string& zone, int64_t utc_seconds) {
    const auto info =
        zone_named(zone).get_info(date::sys_seconds(std::chrono::seconds(utc_seconds)));
    return static_cast<int32_t>(info.offset.count());
}

int32_t zone_offset_for_local(const std::string& zone, int64_t local_seconds) {
    const auto info =
        zone_named(zone).get_info(date::local_seconds(std::chrono::seconds(local_seconds)));
    // unique: its offset; ambiguous (an overlap): the earlier; nonexistent (a gap): the one
    // before the gap, so the time moves forward by the gap's length.
    return static_cast<int32_t>(info.first.offset.count());
}

std::optional<int32_t> parse_offset(std::string_view s) {
    if (s == "Z" || s == "z") return 0;
    if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int parts[3] = {0, 0, 0};
    int n = 0;
    while (!s.empty() && n < 3) {
        if (n > 0 && s[0] == ':') s.remove_prefix(1);
        if (s.size() < 2 || !std::isdigit(static_cast<unsigned char>(s[0])) ||
            !std::isdigit(static_cast<unsigned char>(s[1])))
            return std::nullopt;
        parts[n++] = (s[0] - '0') * 10 + (s[1] - '0');
        s.remove_prefix(2);
    }
    if (!s.empty() || parts[1] > 59 || parts[2] > 59) return std::nullopt;
    const int32_t total = parts[0] * 3600 + parts[1] * 60 + parts[2];
    if (total > kMaxOffset) return std::nullopt;
    return sign * total;
}

Zone parse_zone(std::string_view text) {
    if (auto off = parse_offset(text)) return Zone{*off, {}};
    if (text == "UTC" || text == "GMT") return Zone{0, std::string(text)};
    if (!is_zone_name(text))
        throw errors::invalid_temporal("Invalid time zone: '" + std::string(text) + "'");
    return Zone{0, std::string(text)};
}

namespace {

void append_2(std::string& out, int64_t v) {
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
}

}  // namespace

std::string format_offset(int32_t offset, bool z_for_zero) {
    if (offset == 0 && z_for_zero) return "Z";
    std::string out(1, offset < 0 ? '-' : '+');
    const int32_t a = offset < 0 ? -offset : offset;
    append_2(out, a / 3600);
    out += ':';
    append_2(out, a / 60 % 60);
    if (a % 60) {
        out += ':';
        append_2(out, a % 60);
    }
    return out;
}

DateTime date_time_at_local(int64_t local, int32_t nanos, const Zone& zone) {
    DateTime t;
    t.nanos = nanos;
    if (zone.name.empty()) {
        t.seconds = local - zone.offset;
        t.offset = zone.offset;
        return t;
    }
    t.zone = zone.name;
    t.seconds = local - zone_offset_for_local(zone.name, local);
    t.offset = zone_offset_at(zone.name, t.seconds);
    return t;
}

DateTime date_time_at_instant(int64_t seconds, int32_t nanos, const Zone& zone) {
    DateTime t;
    t.seconds = seconds;
    t.nanos = nanos;
    t.zone = zone.name;
    t.offset = zone.name.empty() ? zone.offset : zone_offset_at(zone.name, seconds);
    return t;
}

Zone zone_of(const DateTime& t) { return Zone{t.offset, t.zone}; }

// ---------------------------------------------------------------------------------------
// Durations

Duration make_duration(int64_t months, int64_t days, int64_t seconds, int64_t nanos) {
    Duration d;
    d.months = months;
    d.days = days;
    d.seconds = seconds + floor_div(nanos, kNanosPerSecond);
    d.nanos = static_cast<int32_t>(floor_mod(nanos, kNanosPerSecond));
    return d;
}

namespace {

__int128 unit_nanos(DurationUnit u) {
    switch (u) {
        case DurationUnit::Hours: return __int128{3600} * kNanosPerSecond;
        case DurationUnit::Minutes: return __int128{60} * kNanosPerSecond;
        case DurationUnit::Seconds: return kNanosPerSecond;
        case DurationUnit::Milliseconds: return 1'000'000;
        case DurationUnit::Microseconds: return 1'000;
        default: return 1;
    }
}

constexpr __int128 kBillion = 1'000'000'000;

}  // namespace

void DurationBuilder::add_whole(DurationUnit u, int64_t v) {
    switch (u) {
        case DurationUnit::Years: months_ += __int128{v} * 12; return;
        case DurationUnit::Quarters: months_ += __int128{v} * 3; return;
        case DurationUnit::Months: months_ += v; return;
        case DurationUnit::Weeks: days_ += __int128{v} * 7; return;
        case DurationUnit::Days: days_ += v; return;
        default: nanos_ += unit_nanos(u) * v; return;
    }
}

void DurationBuilder::add_billionths(DurationUnit u, int64_t v) {
    switch (u) {
        case DurationUnit::Years:
        case DurationUnit::Quarters:
        case DurationUnit::Months: {
            const __int128 b = __int128{v} * (u == DurationUnit::Years      ? 12
                                              : u == DurationUnit::Quarters ? 3
                                                                            : 1);
            months_ += b / kBillion;
            // The rest of a month as nanoseconds of the average month, then days of them.
            const __int128 ns = b % kBillion * kSecondsPerAverageMonth;
            days_ += ns / kNanosPerDay;
            nanos_ += ns % kNanosPerDay;
            return;
        }
        case DurationUnit::Weeks:
        case DurationUnit::Days: {
            const __int128 b = __int128{v} * (u == DurationUnit::Weeks ? 7 : 1);
            days_ += b / kBillion;
            nanos_ += b % kBillion * kSecondsPerDay;
            return;
        }
        default: nanos_ += unit_nanos(u) * v / kBillion; return;
    }
}

void DurationBuilder::add(DurationUnit u, double v) {
    if (!std::isfinite(v) || std::fabs(v) > 9.2e18)
        throw errors::invalid_temporal("a duration component must be a finite number in range");
    const double whole = std::trunc(v);
    add_whole(u, static_cast<int64_t>(whole));
    const auto b = static_cast<int64_t>(std::llround((v - whole) * 1e9));
    if (b) add_billionths(u, b);
}

Duration DurationBuilder::build() const {
    const __int128 lim = std::numeric_limits<int64_t>::max();
    __int128 secs = nanos_ / kNanosPerSecond;
    __int128 ns = nanos_ % kNanosPerSecond;
    if (ns < 0) {
        ns += kNanosPerSecond;
        --secs;
    }
    if (months_ > lim || months_ < -lim || days_ > lim || days_ < -lim || secs > lim || secs < -lim)
        throw errors::invalid_temporal("the duration is too large to be represented");
    return Duration{static_cast<int64_t>(months_), static_cast<int64_t>(days_),
                    static_cast<int64_t>(secs), static_cast<int32_t>(ns)};
}

__int128 duration_nanos(const Duration& d) {
    return static_cast<__int128>(d.seconds) * kNanosPerSecond + d.nanos;
}

// ---------------------------------------------------------------------------------------
// Encoders' form

int field_count(ValueKind kind) {
    switch (kind) {
        case ValueKind::Date:
        case ValueKind::LocalTime: return 1;
        case ValueKind::Time:
        case ValueKind::LocalDateTime: return 2;
        case ValueKind::DateTime: return 3;
        default: return 4;
    }
}

Fields to_fields(const Value& v) {
    Fields f;
    switch (v.kind()) {
        case ValueKind::Date: f.n[0] = v.as_date().days; break;
        case ValueKind::LocalTime: f.n[0] = v.as_local_time().nanos; break;
        case ValueKind::Time:
            f.n[0] = v.as_time().nanos;
            f.n[1] = v.as_time().offset;
            break;
        case ValueKind::LocalDateTime:
            f.n[0] = v.as_local_date_time().seconds;
            f.n[1] = v.as_local_date_time().nanos;
            break;
        case ValueKind::DateTime:
            f.n[0] = v.as_date_time().seconds;
            f.n[1] = v.as_date_time().nanos;
            f.n[2] = v.as_date_time().offset;
            f.zone = v.as_date_time().zone;
            break;
        case ValueKind::Duration:
            f.n[0] = v.as_duration().months;
            f.n[1] = v.as_duration().days;
            f.n[2] = v.as_duration().seconds;
            f.n[3] = v.as_duration().nanos;
            break;
        default: break;
    }
    return f;
}

std::optional<Value> from_fields(ValueKind kind, const Fields& f) {
    auto nanos_ok = [](int64_t n) { return n >= 0 && n < kNanosPerSecond; };
    auto offset_ok = [](int64_t o) { return o >= -kMaxOffset && o <= kMaxOffset; };
    switch (kind) {
        case ValueKind::Date: return Value(Date{f.n[0]});
        case ValueKind::LocalTime:
            if (f.n[0] < 0 || f.n[0] >= kNanosPerDay) return std::nullopt;
            return Value(LocalTime{f.n[0]});
        case ValueKind::Time:
            if (f.n[0] < 0 || f.n[0] >= kNanosPerDay || !offset_ok(f.n[1])) return std::nullopt;
            return Value(Time{f.n[0], static_cast<int32_t>(f.n[1])});
        case ValueKind::LocalDateTime:
            if (!nanos_ok(f.n[1])) return std::nullopt;
            return Value(LocalDateTime{f.n[0], static_cast<int32_t>(f.n[1])});
        case ValueKind::DateTime:
            if (!nanos_ok(f.n[1]) || !offset_ok(f.n[2])) return std::nullopt;
            if (!f.zone.empty() && !is_zone_name(f.zone)) return std::nullopt;
            return Value(DateTime{f.n[0], static_cast<int32_t>(f.n[1]),
                                  static_cast<int32_t>(f.n[2]), f.zone});
        case ValueKind::Duration:
            if (!nanos_ok(f.n[3])) return std::nullopt;
            return Value(Duration{f.n[0], f.n[1], f.n[2], static_cast<int32_t>(f.n[3])});
        default: return std::nullopt;
    }
}

// ---------------------------------------------------------------------------------------
// Printing

namespace {

void append_year(std::string& out, int64_t y) {
    if (y >= 0 && y <= 9999) {
        const std::string s = std::to_string(y);
        out.append(4 - s.size(), '0');
        out += s;
        return;
    }
    out += y < 0 ? '-' : '+';
    const std::string s = std::to_string(y < 0 ? -y : y);
    if (s.size() < 4) out.append(4 - s.size(), '0');
    out += s;
}

void append_date(std::string& out, int64_t days) {
    const Ymd d = civil_from_days(days);
    append_year(out, d.year);
    out += '-';
    append_2(out, d.month);
    out += '-';
    append_2(out, d.day);
}

// HH:MM, then :SS when seconds or a fraction are set, the fraction in groups of three
// digits (as java.time prints it).
void append_time(std::string& out, int64_t nanos_of_day) {
    const int64_t secs = nanos_of_day / kNanosPerSecond;
    const int64_t frac = nanos_of_day % kNanosPerSecond;
    append_2(out, secs / 3600);
    out += ':';
    append_2(out, secs / 60 % 60);
    if (secs % 60 == 0 && frac == 0) return;
    out += ':';
    append_2(out, secs % 60);
    if (frac == 0) return;
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    if (frac % 1'000'000 == 0)
        f.resize(3);
    else if (frac % 1'000 == 0)
        f.resize(6);
    out += '.';
    out += f;
}

// Seconds and nanoseconds of one sign as a decimal with no trailing zeros ("-59.4").
void append_seconds(std::string& out, __int128 nanos) {
    if (nanos < 0) out += '-';
    const __int128 a = nanos < 0 ? -nanos : nanos;
    out += std::to_string(static_cast<int64_t>(a / kNanosPerSecond));
    auto frac = static_cast<int64_t>(a % kNanosPerSecond);
    if (frac == 0) return;
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.';
    out += f;
}

std::string duration_iso(const Duration& d) {
    std::string out = "P";
    const int64_t years = d.months / 12;
    const int64_t months = d.months % 12;
    if (years) out += std::to_string(years) + "Y";
    if (months) out += std::to_string(months) + "M";
    if (d.days) out += std::to_string(d.days) + "D";
    const __int128 total = duration_nanos(d);
    if (total != 0) {
        out += 'T';
        const __int128 per_hour = __int128{3600} * kNanosPerSecond;
        const __int128 per_minute = __int128{60} * kNanosPerSecond;
        const auto hours = static_cast<int64_t>(total / per_hour);
        const auto minutes = static_cast<int64_t>(total % per_hour / per_minute);
        const __int128 rest = total % per_minute;
        if (hours) out += std::to_string(hours) + "H";
        if (minutes) out += std::to_string(minutes) + "M";
        if (rest != 0) {
            append_seconds(out, rest);
            out += 'S';
        }
    }
    if (out == "P") out += "T0S";
    return out;
}

}  // namespace

std::string to_iso(const Value& v) {
    std::string out;
    switch (v.kind()) {
        case ValueKind::Date: append_date(out, v.as_date().days); break;
        case ValueKind::LocalTime: append_time(out, v.as_local_time().nanos); break;
        case ValueKind::Time:
            append_time(out, v.as_time().nanos);
            out += format_offset(v.as_time().offset);
            break;
        case ValueKind::LocalDateTime: {
            const auto& t = v.as_local_date_time();
            append_date(out, floor_div(t.seconds, kSecondsPerDay));
            out += 'T';
            append_time(out, floor_mod(t.seconds, kSecondsPerDay) * kNanosPerSecond + t.nanos);
            break;
        }
        case ValueKind::DateTime: {
            const auto& t = v.as_date_time();
            const int64_t local = local_seconds(t);
            append_date(out, floor_div(local, kSecondsPerDay));
            out += 'T';
            append_time(out, floor_mod(local, kSecondsPerDay) * kNanosPerSecond + t.nanos);
            out += format_offset(t.offset);
            if (!t.zone.empty()) out += "[" + t.zone + "]";
            break;
        }
        case ValueKind::Duration: out = duration_iso(v.as_duration()); break;
        default: break;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Parsing

namespace {

[[noreturn]] void unparsable(ValueKind kind, std::string_view text) {
    throw errors::invalid_temporal("Text cannot be parsed to a " + std::string(kind_name(kind)) +
                                   ": '" + std::string(text) + "'");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits.
std::optional<int64_t> digits(std::string_view& s, size_t n) {
    if (s.size() < n) return std::nullopt;
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!is_digit(s[i])) return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    s.remove_prefix(n);
    return v;
}

size_t digit_run(std::string_view s) {
    size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    return n;
}

// A date: year (4 digits, or a sign and up to 9), then nothing, -MM, -MM-DD, -Www, -Www-D,
// -DDD or their forms without dashes.
std::optional<int64_t> parse_date(std::string_view s) {
    int64_t year = 0;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        const bool neg = s[0] == '-';
        s.remove_prefix(1);
        size_t n = digit_run(s);
        // Without dashes the year's digits cannot be told from the rest: take 4 then.
        if (n > 4 && s.size() > n && s[n] != '-') n = 4;
        if (n < 4 || n > 9) return std::nullopt;
        year = *digits(s, n);
        if (neg) year = -year;
    } else {
        auto y = digits(s, 4);
        if (!y) return std::nullopt;
        year = *y;
    }
    if (s.empty()) return days_from_civil(year, 1, 1);
    const bool extended = s[0] == '-';
    if (extended) s.remove_prefix(1);
    if (!s.empty() && s[0] == 'W') {
        s.remove_prefix(1);
        auto week = digits(s, 2);
        if (!week) return std::nullopt;
        int64_t dow = 1;
        if (!s.empty()) {
            if (extended) {
                if (s[0] != '-') return std::nullopt;
                s.remove_prefix(1);
            }
            auto d = digits(s, 1);
            if (!d || !s.empty()) return std::nullopt;
            dow = *d;
        }
        if (*week < 1 || *week > iso_weeks_in_year(year))
            field_out_of_range("Week", *week, 1, iso_weeks_in_year(year));
        if (dow < 1 || dow > 7) field_out_of_range("DayOfWeek", dow, 1, 7);
        return days_from_iso_week(year, static_cast<int>(*week), static_cast<int>(dow));
    }
    const size_t n = digit_run(s);
    if (n != s.size()) {
        // Extended -MM-DD
        if (!extended || n != 2 || s[2] != '-') return std::nullopt;
        auto m = digits(s, 2);
        s.remove_prefix(1);
        auto d = digits(s, 2);
        if (!d || !s.empty()) return std::nullopt;
        return checked_date(year, *m, *d);
    }
    if (n == 2) return checked_date(year, *digits(s, 2), 1);
    if (n == 3) {
        const int64_t doy = *digits(s, 3);
        const int64_t max = is_leap(year) ? 366 : 365;
        if (doy < 1 || doy > max) field_out_of_range("DayOfYear", doy, 1, max);
        return days_from_civil(year, 1, 1) + doy - 1;
    }
    if (n == 4 && !extended) {
        auto m = digits(s, 2);
        auto d = digits(s, 2);
        return checked_date(year, *m, *d);
    }
    return std::nullopt;
}

// A time of day: HH, HH:MM, HH:MM:SS, HH:MM:SS.fffffffff or the forms without colons;
// `rest` gets what follows (an offset, a zone).
std::optional<int64_t> parse_clock(std::string_view s, std::string_view& rest) {
    auto h = digits(s, 2);
    if (!h) return std::nullopt;
    int64_t m = 0, sec = 0, frac = 0;
    auto field = [&](int64_t& out) {
        std::string_view t = s;
        if (!t.empty() && t[0] == ':') t.remove_prefix(1);
        auto v = digits(t, 2);
        if (!v) return false;
        out = *v;
        s = t;
        return true;
    };
    if (field(m) && field(sec) && !s.empty() && (s[0] == '.' || s[0] == ',')) {
        s.remove_prefix(1);
        const size_t n = digit_run(s);
        if (n == 0 || n > 9) return std::nullopt;
        frac = *digits(s, n);
        for (size_t i = n; i < 9; ++i) frac *= 10;
    }
    if (*h > 23) field_out_of_range("HourOfDay", *h, 0, 23);
    if (m > 59) field_out_of_range("MinuteOfHour", m, 0, 59);
    if (sec > 59) field_out_of_range("SecondOfMinute", sec, 0, 59);
    rest = s;
    return ((*h * 60 + m) * 60 + sec) * kNanosPerSecond + frac;
}

// What may follow a time: nothing, an offset, an offset and [Zone], or [Zone].
struct ZonePart {
    std::optional<int32_t> offset;
    std::string name;
};

std::optional<ZonePart> parse_zone_part(std::string_view s) {
    ZonePart z;
    const auto bracket = s.find('[');
    std::string_view off = s.substr(0, bracket);
    if (bracket != std::string_view::npos) {
        if (s.back() != ']') return std::nullopt;
        z.name = std::string(s.substr(bracket + 1, s.size() - bracket - 2));
        if (!is_zone_name(z.name))
            throw errors::invalid_temporal("Invalid time zone: '" + z.name + "'");
    }
    if (!off.empty()) {
        z.offset = parse_offset(off);
        if (!z.offset) return std::nullopt;
    }
    return z;
}

// Seconds in a duration designator's number, which may have a fraction and a sign.
struct Number {
    bool negative = false;
    int64_t whole = 0;
    int64_t nanos = 0;  // the fraction as billionths, of the same sign as whole
};

std::optional<Number> parse_number(std::string_view& s) {
    Number n;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        n.negative = s[0] == '-';
        s.remove_prefix(1);
    }
    const size_t w = digit_run(s);
    if (w == 0 || w > 18) return std::nullopt;
    n.whole = *digits(s, w);
    if (!s.empty() && (s[0] == '.' || s[0] == ',')) {
        s.remove_prefix(1);
        const size_t f = digit_run(s);
        if (f == 0) return std::nullopt;
        const size_t kept = std::min<size_t>(f, 9);  // finer digits than nanoseconds drop
        std::string_view fr = s.substr(0, kept);
        n.nanos = *digits(fr, kept);
        for (size_t i = kept; i < 9; ++i) n.nanos *= 10;
        s.remove_prefix(f);
    }
    return n;
}

std::optional<Duration> parse_duration(std::string_view s) {
    bool negate = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        negate = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty() || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
    s.remove_prefix(1);
    DurationBuilder b;
    // The alternative form PYYYY-MM-DDThh:mm:ss.
    if (s.size() >= 5 && digit_run(s) == 4 && s[4] == '-') {
        std::string_view t = s;
        auto y = digits(t, 4);
        t.remove_prefix(1);
        auto mo = digits(t, 2);
        if (!mo || t.empty() || t[0] != '-') return std::nullopt;
        t.remove_prefix(1);
        auto d = digits(t, 2);
        if (!d) return std::nullopt;
        b.add_whole(DurationUnit::Years, *y);
        b.add_whole(DurationUnit::Months, *mo);
        b.add_whole(DurationUnit::Days, *d);
        if (!t.empty()) {
            if (t[0] != 'T') return std::nullopt;
            t.remove_prefix(1);
            std::string_view rest;
            auto clock = parse_clock(t, rest);
            if (!clock || !rest.empty()) return std::nullopt;
            b.add_whole(DurationUnit::Nanoseconds, *clock);
        }
    } else {
        bool time = false, any = false;
        static constexpr std::string_view kDate = "YMWD", kTime = "HMS";
        size_t next_date = 0, next_time = 0;  // designators come in order, each once
        while (!s.empty()) {
            if (s[0] == 'T' || s[0] == 't') {
                if (time) return std::nullopt;
                time = true;
                s.remove_prefix(1);
                continue;
            }
            auto n = parse_number(s);
            if (!n || s.empty()) return std::nullopt;
            const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
            s.remove_prefix(1);
            const std::string_view order = time ? kTime : kDate;
            size_t& next = time ? next_time : next_date;
            const size_t at = order.find(u, next);
            if (at == std::string_view::npos) return std::nullopt;
            next = at + 1;
            DurationUnit unit{};
            if (!time) {
                unit = u == 'Y'   ? DurationUnit::Years
                       : u == 'M' ? DurationUnit::Months
                       : u == 'W' ? DurationUnit::Weeks
                                  : DurationUnit::Days;
            } else {
                unit = u == 'H'   ? DurationUnit::Hours
                       : u == 'M' ? DurationUnit::Minutes
                                  : DurationUnit::Seconds;
            }
            const int sign = n->negative ? -1 : 1;
            b.add_whole(unit, sign * n->whole);
            if (n->nanos) b.add_billionths(unit, sign * n->nanos);
            any = true;
        }
        if (!any) return std::nullopt;
    }
    Duration d = b.build();
    if (negate) d = make_duration(-d.months, -d.days, -d.seconds, -int64_t{d.nanos});
    return d;
}

}  // namespace

Value parse(ValueKind kind, std::string_view text) {
    std::string_view s = text;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (kind == ValueKind::Duration) {
        auto d = parse_duration(s);
        if (!d) unparsable(kind, text);
        return Value(*d);
    }
    const bool has_date =
        kind == ValueKind::Date || kind == ValueKind::LocalDateTime || kind == ValueKind::DateTime;
    const bool has_time = kind != ValueKind::Date;
    int64_t days = 0;
    std::string_view clock_text = s;
    if (has_date) {
        const auto t = s.find_first_of("Tt");
        if (t == std::string_view::npos && kind != ValueKind::Date && kind != ValueKind::DateTime &&
            kind != ValueKind::LocalDateTime)
            unparsable(kind, text);
        auto d = parse_date(s.substr(0, t));
        if (!d) unparsable(kind, text);
        days = *d;
        if (kind == ValueKind::Date) return Value(Date{days});
        clock_text = t == std::string_view::npos ? std::string_view() : s.substr(t + 1);
    }
    int64_t nanos = 0;
    std::string_view rest = clock_text;
    if (has_time && !clock_text.empty()) {
        auto c = parse_clock(clock_text, rest);
        if (!c) unparsable(kind, text);
        nanos = *c;
    }
    auto zone = parse_zone_part(rest);
    if (!zone) unparsable(kind, text);
    switch (kind) {
        case ValueKind::LocalTime: return Value(LocalTime{nanos});
        case ValueKind::LocalDateTime:
            return Value(LocalDateTime{days * kSecondsPerDay + nanos / kNanosPerSecond,
                                       static_cast<int32_t>(nanos % kNanosPerSecond)});
        case ValueKind::Time: {
            int32_t offset = zone->offset.value_or(0);
            if (!zone->offset && !zone->name.empty())
                offset = zone_offset_at(
                    zone->name, date::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                                    .time_since_epoch()
                                    .count());
            return Value(Time{nanos, offset});
        }
        default: {
            const int64_t local = days * kSecondsPerDay + nanos / kNanosPerSecond;
            const auto frac = static_cast<int32_t>(nanos % kNanosPerSecond);
            Zone z{zone->offset.value_or(0), zone->name};
            // An offset with a named zone picks between the two times of an overlap.
            if (zone->offset && !zone->name.empty() &&
                zone_offset_at(zone->name, local - *zone->offset) == *zone->offset)
                return Value(DateTime{local - *zone->offset, frac, *zone->offset, zone->name});
            return Value(date_time_at_local(local, frac, z));
        }
    }
}

}  // namespace lora::temporal
