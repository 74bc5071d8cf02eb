// Bolt's temporal structures read back into lora's temporal values: what a driver sends as a
// parameter (a JavaScript Date, a Python datetime, ...) and what lora's own Bolt client reads
// in results. Encoder::temporal (packstream.cpp) writes them.
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <vector>

namespace lora::net::bolt {

// Whether `signature` is one of the temporal structures (kDateSig ... kDurationSig).
bool is_temporal_signature(uint8_t signature);

// The value of temporal structure `signature` with its decoded `fields`: Date {days},
// LocalTime {nanos}, Time {nanos, offset}, LocalDateTime {seconds, nanos}, DateTime
// {UTC seconds, nanos, offset | zone id} (Bolt 5, and 4.4 with the utc patch), the legacy
// DateTime {wall-clock seconds, nanos, offset | zone id} (Bolt 4.4), Duration {months, days,
// seconds, nanos}. Throws UnsupportedValue naming the problem when the fields are not the
// structure's (their number or kinds), out of range (a date past the year 999,999,999, an
// offset past 18 hours, nanoseconds of a second past 10^9) or name no zone of the tz database.
Value temporal_from_struct(uint8_t signature, const std::vector<Value>& fields);

}  // namespace lora::net::bolt
