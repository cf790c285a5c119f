// RFC 3339 timestamps for the benchmark: formatting "now" with microseconds (what the injector
// writes, like the device simulator) and a cheap parse back to microseconds since the epoch (what
// the load client does for every received frame). The parse caches the last date it saw, so a
// frame costs a few dozen character comparisons. Thread-compatible: each thread keeps its own
// TimestampParser.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iiot::bench {

using MicrosSinceEpoch = std::int64_t;

// "2024-08-01T12:50:09.123456Z" (UTC, six fraction digits).
std::string format_rfc3339_micros(std::chrono::system_clock::time_point time);
// Appends the same text to out (no allocation once out has room).
void append_rfc3339_micros(std::string& out, std::chrono::system_clock::time_point time);

MicrosSinceEpoch micros_since_epoch(std::chrono::system_clock::time_point time);

class TimestampParser {
 public:
  // Accepts YYYY-MM-DDTHH:MM:SS, an optional fraction of 1..9 digits (digits past the sixth are
  // dropped), then Z or +hh:mm / -hh:mm. nullopt for anything else.
  std::optional<MicrosSinceEpoch> parse(std::string_view text);

 private:
  char cached_date_[10] = {};
  std::int64_t cached_days_ = 0;
  bool has_cache_ = false;
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

}  // namespace iiot::bench
