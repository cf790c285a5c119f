// Rfc3339Parser: reads an RFC 3339 date-time (section 5.6) in the form the gateway accepts in a
// record's "timestamp", as microseconds since the Unix epoch. The gateway validates records with
// it; the WebSocket client and the benchmark's load client measure latency with it. It keeps the
// last date it read, so a stream of timestamps from the same day costs a few dozen character
// comparisons each. Owns no resources. Thread-compatible: one parser per thread; the free
// function parse_rfc3339() is thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace iiot::text_formats {

using UnixMicros = std::chrono::sys_time<std::chrono::microseconds>;

class Rfc3339Parser {
 public:
  // "YYYY-MM-DDTHH:MM:SS" ('T' or 't'), an optional fraction of 1..9 digits (digits past the sixth
  // are truncated), then 'Z', 'z' or +hh:mm / -hh:mm. A leap second :60 is accepted and lands on
  // the next minute's :00. nullopt for anything else, including impossible dates.
  std::optional<UnixMicros> parse(std::string_view text);

 private:
  std::array<char, 10> cached_date_{};  // "YYYY-MM-DD" of cached_days_, valid when has_cache_
  std::int64_t cached_days_ = 0;
  bool has_cache_ = false;
};

// One timestamp with a parser of its own (no cache to reuse).
std::optional<UnixMicros> parse_rfc3339(std::string_view text);

}  // namespace iiot::text_formats
