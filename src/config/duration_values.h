// Configuration durations: the text of a duration key read as whole milliseconds, with the
// messages every duration error shares. The grammar is text_formats::parse_go_duration()'s (Go's
// time.ParseDuration without a sign; see docs/operations.md, "Duration values in the
// configuration"): the contract's "500ms", "10s", "1m", "24h", and also fractions ("1.5s"), sums
// ("1m30s"), the units ns, us, µs and μs, and a bare "0"; a value must come to a whole number of
// milliseconds. Internal to iiot_config (parse_duration() and format_duration() in config.h are the
// public face). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"

namespace iiot::config {

enum class DurationError {
  kInvalid,         // not in the grammar, or out of range
  kNotWholeMillis,  // e.g. "500us"
};

std::variant<Duration, DurationError> read_duration(std::string_view text);

// `invalid duration "<text>" (use e.g. 500ms, 10s, 1m)`.
std::string invalid_duration_message(std::string_view text);

}  // namespace iiot::config
