// Writes RFC 3339 UTC timestamps: "2024-08-01T12:50:09.123Z" (the gateway's control frames) or
// "2024-08-01T12:50:09.123456Z" (the device simulator's and the benchmark's records). The fraction
// is truncated, not rounded. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace iiot::text_formats {

enum class FractionDigits { kMillis = 3, kMicros = 6 };

// Appends the timestamp to out (no allocation once out has room).
void append_rfc3339_utc(std::string& out, std::chrono::system_clock::time_point time,
                        FractionDigits digits);

std::string format_rfc3339_utc(std::chrono::system_clock::time_point time, FractionDigits digits);

}  // namespace iiot::text_formats
