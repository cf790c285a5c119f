// Parsing of RFC 3339 timestamps ("2024-08-01T20:50:09.123456+08:00", "...Z") into UTC
// time points, with std::chrono civil-calendar arithmetic. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace iiot::ws_client {

using UtcNanos = std::chrono::sys_time<std::chrono::nanoseconds>;

// Accepts date 'T' (or 't' or ' ') time, an optional fraction of any length (digits past the
// ninth are dropped), then 'Z', 'z' or +hh:mm / -hh:mm. A leap second (:60) is accepted and
// lands on the next minute's :00. Returns nullopt for anything else, including impossible dates.
std::optional<UtcNanos> parse_rfc3339(std::string_view text);

}  // namespace iiot::ws_client
