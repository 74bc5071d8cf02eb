// Bolt's temporal structures -> lora's temporal values, every field checked.
#include "temporal_structs.hpp"

#include <lora/net/bolt/packstream.hpp>
#include <lora/temporal_ops.hpp>

#include <string>

namespace lora::net::bolt {

using namespace lora::temporal;

namespace {

const char* struct_name(uint8_t signature) {
    switch (signature) {
        case kDateSig: return "Date";
        case kTimeSig: return "Time";
        case kLocalTimeSig: return "LocalTime";
        case kLocalDateTimeSig: return "LocalDateTime";
        case kDateTimeSig: return "DateTime";
        case kDateTimeZoneIdSig: return "DateTimeZoneId";
        case kLegacyDateTimeSig: return "legacy DateTime";
        case kLegacyDateTimeZoneIdSig: return "legacy DateTimeZoneId";
        default: return "Duration";
    }
}

// The structure's fields, each an INTEGER but the last when `zone_last`.
class Fields {
public:
    Fields(uint8_t signature, const std::vector<Value>& f, size_t count, bool zone_last)
        : sig_(signature), f_(f) {
        if (f.size() != count)
            fail("has " + std::to_string(f.size()) + " field(s), not " + std::to_string(count));
        for (size_t i = 0; i < count; ++i) {
            const bool zone = zone_last && i + 1 == count;
            if (zone ? !f[i].is_string() : !f[i].is_int())
                fail("field " + std::to_string(i + 1) + " is " + f[i].to_string() + ", not " +
                     (zone ? "a zone id STRING" : "an INTEGER"));
        }
    }
    int64_t n(size_t i) const { return f_[i].as_int(); }
    const std::string& zone(size_t i) const {
        const std::string& z = f_[i].as_string();
        if (!is_zone_name(z))
            fail("names the time zone '" + z + "', which the tz database has not");
        return z;
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw UnsupportedValue(std::string("the temporal structure ") + struct_name(sig_) + " " +
                               what);
    }
    int64_t nanos_of_second(size_t i) const {
        if (n(i) < 0 || n(i) >= kNanosPerSecond)
            fail("has " + std::to_string(n(i)) + " nanoseconds of a second (0 - 999999999)");
        return n(i);
    }
    int64_t nanos_of_day(size_t i) const {
        if (n(i) < 0 || n(i) >= kNanosPerDay)
            fail("has " + std::to_string(n(i)) + " nanoseconds of the day (0 - 86399999999999)");
        return n(i);
    }
    int32_t offset(size_t i) const {
        if (n(i) < -kMaxOffset || n(i) > kMaxOffset)
            fail("has an offset of " + std::to_string(n(i)) + " seconds (at most 18 hours)");
        return static_cast<int32_t>(n(i));
    }
    // Seconds since the epoch whose day lies in the years a date may have.
    int64_t seconds(int64_t s) const {
        day(floor_div(s, kSecondsPerDay));
        return s;
    }
    int64_t day(int64_t d) const {
        if (!day_in_range(d))
            fail("lies past the years a date may have (" + std::to_string(kMinYear) + " - " +
                 std::to_string(kMaxYear) + ")");
        return d;
    }

private:
    uint8_t sig_;
    const std::vector<Value>& f_;
};

}  // namespace

bool is_temporal_signature(uint8_t signature) {
    switch (signature) {
        case kDateSig:
        case kTimeSig:
        case kLocalTimeSig:
        case kLocalDateTimeSig:
        case kDateTimeSig:
        case kDateTimeZoneIdSig:
        case kLegacyDateTimeSig:
        case kLegacyDateTimeZoneIdSig:
        case kDurationSig: return true;
        default: return false;
    }
}

Value temporal_from_struct(uint8_t signature, const std::vector<Value>& fields) {
    switch (signature) {
        case kDateSig: {
            Fields f(signature, fields, 1, false);
            return Value(Date{f.day(f.n(0))});
        }
        case kLocalTimeSig: {
            Fields f(signature, fields, 1, false);
            return Value(LocalTime{f.nanos_of_day(0)});
        }
        case kTimeSig: {
            Fields f(signature, fields, 2, false);
            return Value(Time{f.nanos_of_day(0), f.offset(1)});
        }
        case kLocalDateTimeSig: {
            Fields f(signature, fields, 2, false);
            return Value(
                LocalDateTime{f.seconds(f.n(0)), static_cast<int32_t>(f.nanos_of_second(1))});
        }
        case kDateTimeSig: {
            Fields f(signature, fields, 3, false);
            return Value(DateTime{
                f.seconds(f.n(0)), static_cast<int32_t>(f.nanos_of_second(1)), f.offset(2), {}});
        }
        case kDateTimeZoneIdSig: {
            Fields f(signature, fields, 3, true);
            return Value(date_time_at_instant(
                f.seconds(f.n(0)), static_cast<int32_t>(f.nanos_of_second(1)), Zone{0, f.zone(2)}));
        }
        case kLegacyDateTimeSig: {
            Fields f(signature, fields, 3, false);
            const int64_t local = f.seconds(f.n(0));
            const int32_t offset = f.offset(2);
            return Value(DateTime{
                f.seconds(local - offset), static_cast<int32_t>(f.nanos_of_second(1)), offset, {}});
        }
        case kLegacyDateTimeZoneIdSig: {
            Fields f(signature, fields, 3, true);
            return Value(date_time_at_local(
                f.seconds(f.n(0)), static_cast<int32_t>(f.nanos_of_second(1)), Zone{0, f.zone(2)}));
        }
        default: {
            Fields f(signature, fields, 4, false);
            int64_t seconds = 0;
            if (__builtin_add_overflow(f.n(2), floor_div(f.n(3), kNanosPerSecond), &seconds))
                f.fail("has more seconds than 64 bits hold");
            return Value(
                make_duration(f.n(0), f.n(1), seconds, floor_mod(f.n(3), kNanosPerSecond)));
        }
    }
}

}  // namespace lora::net::bolt
