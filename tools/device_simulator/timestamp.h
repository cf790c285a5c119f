// RFC 3339 timestamps for records. Pure function; thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace iiot::simulator {

// UTC with microseconds, e.g. "2026-11-26T05:41:22.123456Z".
std::string format_rfc3339_micros(std::chrono::system_clock::time_point time);

}  // namespace iiot::simulator
