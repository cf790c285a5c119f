// Local wall-clock time of day as "HH:MM:SS.mmm", for message and status lines.
// A pure function; thread-safe (uses localtime_r).
#pragma once

#include <chrono>
#include <string>

namespace iiot::ws_client {

std::string format_time_of_day(std::chrono::system_clock::time_point when);

}  // namespace iiot::ws_client
