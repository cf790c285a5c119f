// JSON numbers as people and the gateway's clients expect to read them. Boost.JSON 1.81 writes
// every double in exponent form ("6.0042E0", "2.553E1"); these write "6.0042" and "25.53".
// Pure functions; thread-safe.
#pragma once

#include <string>

namespace iiot::text_formats {

enum class NumberStyle {
  kShortest,     // the shortest text that reads back to the same double: 25.5, 60, 1e-05
  kFixed,        // the same digits without an exponent: 0.00001
  kFixedMicros,  // rounded to six decimals, then kFixed: 6.0042, 0.000025
};

// Appends value, which must be finite (JSON has no infinities or NaN).
void append_json_number(std::string& out, double value, NumberStyle style);

std::string json_number_text(double value, NumberStyle style);

}  // namespace iiot::text_formats
