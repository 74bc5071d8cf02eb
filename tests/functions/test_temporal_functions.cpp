// The temporal functions: construction from maps over other temporal values, truncation,
// duration.between across a daylight-saving change, arithmetic and accessors.
#include <lora/functions/functions.hpp>
#include "call_support.hpp"

#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>

#include <catch2/catch.hpp>

#include <limits>

using namespace lora;
using lora::test::call_error;
using lora::test::callf;

namespace {

Value text(ValueKind k, std::string_view s) { return temporal::parse(k, s); }

std::string str(const Value& v) { return v.to_string(); }

Value map(std::initializer_list<std::pair<const std::string, Value>> kv) { return Value(Map(kv)); }

}  // namespace

TEST_CASE("temporal constructors take maps of fields over other temporal values",
          "[functions][temporal]") {
    CHECK(str(callf("date", {map({{"year", Value(1817)}, {"week", Value(1)}})})) == "1816-12-30");
    CHECK(str(callf("date", {map({{"year", Value(1984)},
                                  {"quarter", Value(3)},
                                  {"dayOfQuarter", Value(45)}})})) == "1984-08-14");
    const Value dt = callf("datetime", {map({{"year", Value(1984)},
                                             {"month", Value(10)},
                                             {"day", Value(11)},
                                             {"hour", Value(12)},
                                             {"timezone", Value("Europe/Stockholm")}})});
    CHECK(str(dt) == "1984-10-11T12:00+01:00[Europe/Stockholm]");
    // A new zone keeps the instant of a zoned base; a local base just takes the zone.
    CHECK(str(callf("datetime", {map({{"datetime", dt}, {"timezone", Value("+05:00")}})})) ==
          "1984-10-11T16:00+05:00");
    CHECK(str(callf("time", {map({{"time", text(ValueKind::LocalTime, "12:31:14")},
                                  {"timezone", Value("+05:00")}})})) == "12:31:14+05:00");
    CHECK(str(callf("localtime", {dt})) == "12:00");
    CHECK(str(callf("date", {dt})) == "1984-10-11");
    CHECK(callf("date", {Value()}).is_null());
    CHECK(
        call_error("date", {map({{"year", Value(2020)}, {"month", Value(2)}, {"day", Value(30)}})})
            .rfind("ArgumentError.InvalidArgumentValue", 0) == 0);
    CHECK(call_error("date", {map({{"year", Value(2020)}, {"moon", Value(2)}})}).find("moon") !=
          std::string::npos);
    CHECK(
        call_error("datetime", {map({{"year", Value(2020)}, {"timezone", Value("Mars/Olympus")}})})
            .find("Mars/Olympus") != std::string::npos);
}

TEST_CASE("datetime takes epochSeconds or epochMillis, and epoch instants stay in range",
          "[functions][temporal]") {
    CHECK(str(callf("datetime",
                    {map({{"epochSeconds", Value(1479304170)}, {"nanosecond", Value(5)}})})) ==
          "2016-11-16T13:49:30.000000005Z");
    CHECK(str(callf("datetime", {map({{"epochMillis", Value(int64_t{424797300000})},
                                      {"timezone", Value("Europe/Stockholm")}})})) ==
          "1983-06-18T17:15+02:00[Europe/Stockholm]");
    CHECK(str(callf("datetime", {map({{"epochMillis", Value(-1)}})})) ==
          "1969-12-31T23:59:59.999Z");
    CHECK(call_error("datetime", {map({{"epochSeconds", Value(1)}, {"year", Value(2020)}})})
              .find("'year' cannot be combined with epochSeconds") != std::string::npos);
    CHECK(call_error("date", {map({{"epochSeconds", Value(1)}})}).find("epochSeconds") !=
          std::string::npos);
    // Instants past the years a temporal value may have, or past int64 seconds, are errors,
    // as are FLOATs that no int64 holds.
    const int64_t big = std::numeric_limits<int64_t>::max();
    CHECK(call_error("datetime.fromepoch", {Value(big), Value(0)}).find("EpochSecond") !=
          std::string::npos);
    CHECK(call_error("datetime.fromepoch", {Value(big), Value(int64_t{1999999999})})
              .find("EpochSecond") != std::string::npos);
    CHECK(call_error("datetime.fromepoch", {Value(1e300), Value(0)}).find("EpochSecond") !=
          std::string::npos);
    // Milliseconds reach about 292 million years from 1970 only: all valid.
    CHECK(str(callf("datetime.fromepochmillis", {Value(-big)})) ==
          "-292275055-05-16T16:47:04.193Z");
    CHECK(call_error("date", {map({{"year", Value(1e300)}})}).find("year") != std::string::npos);
    CHECK(str(callf("datetime.fromepoch", {Value(int64_t{31556889832780799}), Value(0)})) ==
          "+999999999-12-31T23:59:59Z");
}

TEST_CASE("truncate keeps the zone and applies the map's fields", "[functions][temporal]") {
    const Value dt = text(ValueKind::DateTime, "1984-10-11T12:31:14.645876123-01:00");
    CHECK(str(callf("datetime.truncate", {Value("week"), dt})) == "1984-10-08T00:00-01:00");
    CHECK(str(callf("datetime.truncate", {Value("minute"), dt, map({{"nanosecond", Value(2)}})})) ==
          "1984-10-11T12:31:00.000000002-01:00");
    CHECK(str(callf("localtime.truncate",
                    {Value("microsecond"), dt, map({{"nanosecond", Value(2)}})})) ==
          "12:31:14.645876002");
    CHECK(str(callf("date.truncate", {Value("weekYear"), text(ValueKind::Date, "1984-01-01")})) ==
          "1983-01-03");
    CHECK(call_error("date.truncate", {Value("fortnight"), dt}).find("fortnight") !=
          std::string::npos);
}

TEST_CASE("duration.between counts months and days on the wall clock, the rest as elapsed time",
          "[functions][temporal]") {
    const Value a = text(ValueKind::DateTime, "2017-10-28T23:00+02:00[Europe/Stockholm]");
    const Value b = text(ValueKind::DateTime, "2017-10-29T04:00+01:00[Europe/Stockholm]");
    CHECK(str(callf("duration.between", {a, b})) == "PT6H");
    CHECK(str(callf("duration.between", {b, a})) == "PT-6H");
    CHECK(str(callf("duration.between", {text(ValueKind::Date, "1984-10-11"),
                                         text(ValueKind::Date, "2015-06-24")})) == "P30Y8M13D");
    CHECK(str(callf("duration.inMonths", {text(ValueKind::Date, "2018-03-11"),
                                          text(ValueKind::Date, "2016-06-24")})) == "P-1Y-8M");
    CHECK(str(callf("duration.inDays", {text(ValueKind::LocalDateTime, "2015-07-21T21:40:32.142"),
                                        text(ValueKind::Date, "2015-06-24")})) == "P-27D");
    CHECK(str(callf("duration.inSeconds", {text(ValueKind::LocalTime, "12:34:54.7"),
                                           text(ValueKind::LocalTime, "12:44:55.3")})) ==
          "PT10M0.6S");
    CHECK(callf("duration.between", {Value(), a}).is_null());
}

TEST_CASE("durations: from maps, arithmetic and accessors", "[functions][temporal]") {
    const Value d = callf("duration", {map({{"months", Value(0.75)}})});
    CHECK(str(d) == "P22DT19H51M49.5S");
    CHECK(str(callf("duration", {map({{"minutes", Value(1.5)}, {"seconds", Value(1)}})})) ==
          "PT1M31S");
    CHECK(str(fn::add(text(ValueKind::Date, "2020-01-31"), text(ValueKind::Duration, "P1M"))) ==
          "2020-02-29");
    CHECK(str(fn::subtract(text(ValueKind::LocalTime, "01:00"),
                           text(ValueKind::Duration, "PT2H"))) == "23:00");
    CHECK(str(fn::multiply(text(ValueKind::Duration, "P1DT1H"), Value(1.5))) == "P1DT13H30M");
    CHECK(str(fn::divide(text(ValueKind::Duration, "PT1H"), Value(int64_t{4}))) == "PT15M");
    CHECK_THROWS_AS(
        fn::add(text(ValueKind::Date, "2020-01-01"), text(ValueKind::Date, "2020-01-01")), Error);
    // A result past the years a date may have is an error, however far past (no overflow).
    const Value one_day = text(ValueKind::Duration, "P1D");
    const Value huge = callf("duration", {map({{"days", Value(int64_t{9223372036854775000})}})});
    for (const char* kind_text :
         {"+999999999-12-31", "+999999999-12-31T23:59:59", "+999999999-12-31T23:59:59Z"}) {
        const std::string t = kind_text;
        const ValueKind kind = t.size() == 16    ? ValueKind::Date
                               : t.back() == 'Z' ? ValueKind::DateTime
                                                 : ValueKind::LocalDateTime;
        INFO(t);
        CHECK_THROWS_AS(fn::add(text(kind, t), one_day), Error);
        CHECK_THROWS_AS(fn::add(text(kind, t), huge), Error);
        CHECK_THROWS_AS(fn::subtract(text(kind, t), huge), Error);
        CHECK(str(fn::subtract(text(kind, t), one_day)).rfind("+999999999-12-30", 0) == 0);
    }
    const Value dur = text(ValueKind::Duration, "P1Y4M10DT1H1M1.111111111S");
    CHECK(fn::temporal_property(dur, "months") == Value(int64_t{16}));
    CHECK(fn::temporal_property(dur, "minutes") == Value(int64_t{61}));
    CHECK(fn::temporal_property(dur, "nanosecondsOfSecond") == Value(int64_t{111111111}));
    const Value dt =
        text(ValueKind::DateTime, "1984-11-11T12:31:14.645876123+01:00[Europe/Stockholm]");
    CHECK(fn::temporal_property(dt, "epochMillis") == Value(int64_t{469020674645}));
    CHECK(fn::temporal_property(dt, "timezone") == Value("Europe/Stockholm"));
    CHECK(fn::temporal_property(dt, "offsetMinutes") == Value(int64_t{60}));
    CHECK(fn::temporal_property(dt, "weekYear") == Value(int64_t{1984}));
    CHECK_THROWS_AS(fn::temporal_property(dt, "colour"), Error);
}
