// Durations written as text, in the two grammars the project reads:
// - the configuration file's (Go's time.ParseDuration without a sign): "500ms", "1m30s", "0.1s";
//   a superset of the contract's "500ms", "10s", "1m", documented in docs/operations.md ("Duration
//   values in the configuration");
// - the command lines' (the device simulator, the WebSocket client, the benchmark): one decimal
//   number with an optional unit, a bare number meaning seconds: "10s", "1.5s", "250ms", "3".
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <variant>

namespace iiot::text_formats {

// One or more <number><unit> (units ns, us, µs, μs, ms, s, m, h; the number may have a fraction),
// or "0". Integer arithmetic only, so "0.1s" is exactly 100ms; digits finer than 1ns are ignored.
// No sign, no spaces, units in lower case only. nullopt on any error, including overflow beyond
// int64 nanoseconds (about 292 years).
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

using DecimalDuration = std::chrono::duration<double, std::milli>;

enum class DecimalDurationError {
  kNotANumber,   // no number at the start
  kUnknownUnit,  // a unit other than ms, s, m, h
  kOutOfRange,   // negative, not finite, or beyond half of the int64 range of milliseconds
};

// <number>[ms|s|m|h]; the number is what std::from_chars reads as a double.
std::variant<DecimalDuration, DecimalDurationError> parse_decimal_duration(std::string_view text);

// The same, nullopt on any error.
std::optional<DecimalDuration> decimal_duration(std::string_view text);

// To whole milliseconds, halves rounded away from zero.
std::chrono::milliseconds round_to_millis(DecimalDuration duration);

}  // namespace iiot::text_formats
