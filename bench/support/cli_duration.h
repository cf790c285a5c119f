// Durations on the benchmark command lines: "10s", "500ms", "2m", "1.5s" or a bare number of
// seconds. Pure function; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace iiot::bench {

// Seconds, or nullopt when malformed or negative.
std::optional<double> parse_seconds(std::string_view text);

}  // namespace iiot::bench
