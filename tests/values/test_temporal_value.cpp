// The temporal values: ISO-8601 text both ways (every form the openCypher TCK uses), the
// calendar arithmetic under them, time zones from the tz database, equality, comparison,
// orderability, equivalence, and the encoders' form.
#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>
#include <lora/value.hpp>

#include <catch2/catch.hpp>

#include <unordered_set>

using namespace lora;
namespace t = lora::temporal;

namespace {

std::string iso(ValueKind k, std::string_view text) { return t::parse(k, text).to_string(); }

std::string error_of(ValueKind k, std::string_view text) {
    try {
        t::parse(k, text);
    } catch (const Error& e) {
        return e.code() + ": " + e.message();
    }
    return "";
}

}  // namespace

TEST_CASE("the civil calendar: days, ISO weeks, leap years", "[values][temporal]") {
    CHECK(t::days_from_civil(1970, 1, 1) == 0);
    CHECK(t::days_from_civil(2000, 3, 1) == 11017);
    CHECK(t::days_from_civil(1969, 12, 31) == -1);
    for (int64_t d : {int64_t{-800000}, int64_t{-1}, int64_t{0}, int64_t{59}, int64_t{11016},
                      int64_t{2932896}}) {
        const t::Ymd c = t::civil_from_days(d);
        CHECK(t::days_from_civil(c.year, c.month, c.day) == d);
    }
    CHECK(t::day_of_week(0) == 4);  // 1970-01-01 was a Thursday
    const t::IsoWeek w = t::iso_week(t::days_from_civil(1984, 1, 1));
    CHECK(w.year == 1983);
    CHECK(w.week == 52);
    CHECK(w.day == 7);
    CHECK(t::iso_weeks_in_year(2015) == 53);
    CHECK(t::iso_weeks_in_year(2016) == 52);
    CHECK(t::days_from_iso_week(2015, 30, 2) == t::days_from_civil(2015, 7, 21));
    CHECK(t::is_leap(2000));
    CHECK_FALSE(t::is_leap(1900));
}

TEST_CASE("ISO-8601 text in and out as Neo4j prints it", "[values][temporal]") {
    CHECK(iso(ValueKind::Date, "20150721") == "2015-07-21");
    CHECK(iso(ValueKind::Date, "2015-07") == "2015-07-01");
    CHECK(iso(ValueKind::Date, "2015W302") == "2015-07-21");
    CHECK(iso(ValueKind::Date, "2015-W30") == "2015-07-20");
    CHECK(iso(ValueKind::Date, "2015-202") == "2015-07-21");
    CHECK(iso(ValueKind::Date, "2015") == "2015-01-01");
    CHECK(iso(ValueKind::Date, "-999999999-01-01") == "-999999999-01-01");
    CHECK(iso(ValueKind::Date, "0028-11-11") == "0028-11-11");
    CHECK(iso(ValueKind::LocalTime, "214032.142") == "21:40:32.142");
    CHECK(iso(ValueKind::LocalTime, "21") == "21:00");
    CHECK(iso(ValueKind::LocalTime, "21:40:32.1") == "21:40:32.100");
    CHECK(iso(ValueKind::LocalTime, "12:31:14.645876") == "12:31:14.645876");
    CHECK(iso(ValueKind::LocalTime, "12:31:14.645876123") == "12:31:14.645876123");
    CHECK(iso(ValueKind::Time, "2140-00:00") == "21:40Z");
    CHECK(iso(ValueKind::Time, "2140-02") == "21:40-02:00");
    CHECK(iso(ValueKind::Time, "22+18:00") == "22:00+18:00");
    CHECK(iso(ValueKind::Time, "21:40") == "21:40Z");
    CHECK(iso(ValueKind::LocalDateTime, "2015-W30-2T214032.142") == "2015-07-21T21:40:32.142");
    CHECK(iso(ValueKind::LocalDateTime, "2015T214032") == "2015-01-01T21:40:32");
    CHECK(iso(ValueKind::DateTime, "2015-W30T2140-02") == "2015-07-20T21:40-02:00");
    CHECK(iso(ValueKind::DateTime, "2015-07-21T21:40:32.142+0845[Australia/Eucla]") ==
          "2015-07-21T21:40:32.142+08:45[Australia/Eucla]");
    CHECK(iso(ValueKind::DateTime, "2015-07-21T21:40:32.142[Europe/London]") ==
          "2015-07-21T21:40:32.142+01:00[Europe/London]");
    CHECK(iso(ValueKind::DateTime, "2015-01-21T21:40:32.142[Europe/London]") ==
          "2015-01-21T21:40:32.142Z[Europe/London]");
    CHECK(iso(ValueKind::DateTime, "2015-07-21") == "2015-07-21T00:00Z");
    CHECK(iso(ValueKind::Duration, "P14DT16H12M") == "P14DT16H12M");
    CHECK(iso(ValueKind::Duration, "P5M1.5D") == "P5M1DT12H");
    CHECK(iso(ValueKind::Duration, "P0.75M") == "P22DT19H51M49.5S");
    CHECK(iso(ValueKind::Duration, "PT0.75M") == "PT45S");
    CHECK(iso(ValueKind::Duration, "P2.5W") == "P17DT12H");
    CHECK(iso(ValueKind::Duration, "P12Y5M14DT16H12M70S") == "P12Y5M14DT16H13M10S");
    CHECK(iso(ValueKind::Duration, "P2012-02-02T14:37:21.545") == "P2012Y2M2DT14H37M21.545S");
    CHECK(iso(ValueKind::Duration, "PT-0.4S") == "PT-0.4S");
    CHECK(iso(ValueKind::Duration, "-P1Y") == "P-1Y");
    CHECK(iso(ValueKind::Duration, "PT0S") == "PT0S");
}

TEST_CASE("named zones take their offsets and history from the tz database", "[values][temporal]") {
    // Before standard time a zone's offset is its local mean time, to the second (which
    // one depends on the tzdata build: Stockholm's own +01:12:12, or Berlin's +00:53:28
    // where Stockholm is a link to Berlin).
    const std::string lmt = iso(ValueKind::DateTime, "1818-07-21T21:40:32.142[Europe/Stockholm]");
    CHECK(lmt.rfind("1818-07-21T21:40:32.142+0", 0) == 0);
    CHECK(lmt.size() == std::string("1818-07-21T21:40:32.142+01:12:12[Europe/Stockholm]").size());
    // 02:30 on 2017-03-26 does not exist in Stockholm: the clock moves forward by the gap.
    CHECK(iso(ValueKind::DateTime, "2017-03-26T02:30[Europe/Stockholm]") ==
          "2017-03-26T03:30+02:00[Europe/Stockholm]");
    // 02:30 on 2017-10-29 happens twice: the earlier offset.
    CHECK(iso(ValueKind::DateTime, "2017-10-29T02:30[Europe/Stockholm]") ==
          "2017-10-29T02:30+02:00[Europe/Stockholm]");
    CHECK(t::is_zone_name("America/New_York"));
    CHECK_FALSE(t::is_zone_name("Nowhere/City"));
    CHECK(t::format_offset(-(2 * 3600 + 5 * 60 + 7)) == "-02:05:07");
    CHECK(t::format_offset(0) == "Z");
    CHECK(t::format_offset(0, false) == "+00:00");
}

TEST_CASE("text that is not ISO-8601 or out of range is an ArgumentError naming it",
          "[values][temporal]") {
    CHECK(error_of(ValueKind::Date, "2015-13-01").rfind("ArgumentError.InvalidArgumentValue", 0) ==
          0);
    CHECK(error_of(ValueKind::Date, "2015-02-29").find("DayOfMonth") != std::string::npos);
    CHECK(error_of(ValueKind::Date, "yesterday").find("'yesterday'") != std::string::npos);
    CHECK(error_of(ValueKind::LocalTime, "25:00").find("HourOfDay") != std::string::npos);
    CHECK(error_of(ValueKind::Time, "12:00+19:00") != "");
    CHECK(error_of(ValueKind::DateTime, "2015-07-21T10:00[Nowhere/City]").find("Nowhere/City") !=
          std::string::npos);
    CHECK(error_of(ValueKind::Duration, "P1S") != "");
    CHECK(error_of(ValueKind::Duration, "P") != "");
    CHECK(error_of(ValueKind::Duration, "PT1S1H") != "");
}

TEST_CASE("temporal equality, comparison, orderability and equivalence", "[values][temporal]") {
    const Value d1 = t::parse(ValueKind::Date, "2020-01-01");
    const Value d2 = t::parse(ValueKind::Date, "2020-01-02");
    CHECK(cypher_compare(d1, d2) == -1);
    CHECK(cypher_equals(d1, d1) == Tri::True);
    CHECK(cypher_equals(d1, Value("2020-01-01")) == Tri::False);
    CHECK_FALSE(cypher_compare(d1, Value(int64_t{1})).has_value());
    // Zoned datetimes compare as instants; equal only with the same offset and zone.
    const Value a = t::parse(ValueKind::DateTime, "2020-01-01T01:00+01:00");
    const Value b = t::parse(ValueKind::DateTime, "2020-01-01T00:00Z");
    CHECK(cypher_compare(a, b) == 0);
    CHECK(cypher_equals(a, b) == Tri::False);
    CHECK(order_compare(a, b) != 0);
    // Durations do not compare, equal per component.
    const Value m = t::parse(ValueKind::Duration, "PT1M");
    CHECK_FALSE(cypher_compare(m, t::parse(ValueKind::Duration, "PT2M")).has_value());
    CHECK(cypher_equals(m, t::parse(ValueKind::Duration, "PT60S")) == Tri::True);
    CHECK(cypher_equals(t::parse(ValueKind::Duration, "P1D"),
                        t::parse(ValueKind::Duration, "PT24H")) == Tri::False);
    // Kinds order after vectors, before strings, in Neo4j's order.
    const Value lt = t::parse(ValueKind::LocalTime, "12:00");
    const Value ldt = t::parse(ValueKind::LocalDateTime, "2020-01-01T12:00");
    const Value tm = t::parse(ValueKind::Time, "12:00Z");
    std::vector<Value> sorted{Value("s"),           m, lt, tm, d1, ldt, a, Value(List{}),
                              Value(Vector{{1.0f}})};
    std::sort(sorted.begin(), sorted.end(),
              [](const Value& x, const Value& y) { return order_compare(x, y) < 0; });
    std::vector<ValueKind> kinds;
    for (const auto& v : sorted) kinds.push_back(v.kind());
    CHECK(kinds == std::vector<ValueKind>{ValueKind::List, ValueKind::Vector, ValueKind::DateTime,
                                          ValueKind::LocalDateTime, ValueKind::Date,
                                          ValueKind::Time, ValueKind::LocalTime,
                                          ValueKind::Duration, ValueKind::String});
    std::unordered_set<Value, ValueEquivHash, ValueEquiv> set{
        d1, t::parse(ValueKind::Date, "2020-01-01"), d2, m, t::parse(ValueKind::Duration, "PT60S")};
    CHECK(set.size() == 3);
}

TEST_CASE("the encoders' form reads back every kind and refuses out-of-range fields",
          "[values][temporal]") {
    for (auto [k, text] : std::vector<std::pair<ValueKind, std::string>>{
             {ValueKind::Date, "-0044-03-15"},
             {ValueKind::LocalTime, "23:59:59.999999999"},
             {ValueKind::Time, "12:00-02:05:07"},
             {ValueKind::LocalDateTime, "1900-02-28T01:02:03.4"},
             {ValueKind::DateTime, "2017-10-29T02:30+01:00[Europe/Stockholm]"},
             {ValueKind::Duration, "P-1Y2M-3DT-4.5S"}}) {
        const Value v = t::parse(k, text);
        const t::Fields f = t::to_fields(v);
        const auto back = t::from_fields(k, f);
        REQUIRE(back);
        CHECK(*back == v);
        CHECK(back->to_string() == v.to_string());
    }
    t::Fields bad;
    bad.n[0] = t::kNanosPerDay;
    CHECK_FALSE(t::from_fields(ValueKind::LocalTime, bad));
    t::Fields zone;
    zone.zone = "Nowhere/City";
    CHECK_FALSE(t::from_fields(ValueKind::DateTime, zone));
}
