#include "text_formats/json_number_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

namespace iiot::text_formats {

void append_json_number(std::string& out, double value, NumberStyle style) {
  // Fixed notation of the largest double takes 309 digits before the point.
  std::array<char, 400> buffer{};
  char* const first = buffer.data();
  char* const last = first + buffer.size();
  std::to_chars_result result{};
  switch (style) {
    case NumberStyle::kShortest:
      result = std::to_chars(first, last, value);
      break;
    case NumberStyle::kFixed:
      result = std::to_chars(first, last, value, std::chars_format::fixed);
      break;
    case NumberStyle::kFixedMicros:
      result = std::to_chars(first, last, std::round(value * 1e6) / 1e6, std::chars_format::fixed);
      break;
  }
  out.append(first, result.ec == std::errc() ? result.ptr : first);
}

std::string json_number_text(double value, NumberStyle style) {
  std::string out;
  append_json_number(out, value, style);
  return out;
}

}  // namespace iiot::text_formats
