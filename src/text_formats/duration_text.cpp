#include "text_formats/duration_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

namespace iiot::text_formats {

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  using Rep = std::chrono::nanoseconds::rep;
  constexpr Rep kMax = std::numeric_limits<Rep>::max();
  constexpr std::array<std::pair<std::string_view, Rep>, 8> kUnits{{
      {"ns", 1},
      {"us", 1'000},
      {"\u00b5s", 1'000},  // micro sign
      {"\u03bcs", 1'000},  // Greek mu
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };

  if (text == "0") {
    return std::chrono::nanoseconds::zero();
  }
  if (text.empty()) {
    return std::nullopt;
  }
  Rep total = 0;
  while (!text.empty()) {
    std::size_t pos = 0;
    Rep whole = 0;
    bool overflow = false;
    while (pos < text.size() && is_digit(text[pos])) {
      const Rep digit = text[pos] - '0';
      if (whole > (kMax - digit) / 10) {
        overflow = true;
      } else {
        whole = whole * 10 + digit;
      }
      ++pos;
    }
    const std::size_t whole_digits = pos;
    std::string_view fraction;
    if (pos < text.size() && text[pos] == '.') {
      const std::size_t start = ++pos;
      while (pos < text.size() && is_digit(text[pos])) {
        ++pos;
      }
      fraction = text.substr(start, pos - start);
    }
    if (overflow || (whole_digits == 0 && fraction.empty())) {
      return std::nullopt;
    }
    const std::size_t unit_start = pos;
    while (pos < text.size() && text[pos] != '.' && !is_digit(text[pos])) {
      ++pos;
    }
    const std::string_view unit_name = text.substr(unit_start, pos - unit_start);
    const auto unit = std::find_if(kUnits.begin(), kUnits.end(),
                                   [&](const auto& entry) { return entry.first == unit_name; });
    if (unit == kUnits.end()) {
      return std::nullopt;
    }
    const Rep scale = unit->second;
    // Each fraction digit adds digit * scale / 10^k; digits finer than 1ns are ignored. The sum
    // stays below `scale`, so it cannot overflow.
    Rep part = 0;
    Rep place = scale;
    for (const char c : fraction) {
      if (place < 10) {
        break;
      }
      place /= 10;
      part += (c - '0') * place;
    }
    if (whole > (kMax - part) / scale) {
      return std::nullopt;
    }
    const Rep value = whole * scale + part;
    if (total > kMax - value) {
      return std::nullopt;
    }
    total += value;
    text.remove_prefix(pos);
  }
  return std::chrono::nanoseconds(total);
}

std::variant<DecimalDuration, DecimalDurationError> parse_decimal_duration(std::string_view text) {
  double value = 0;
  const char* const end = text.data() + text.size();
  const auto [number_end, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc()) return DecimalDurationError::kNotANumber;
  const std::string_view unit(number_end, static_cast<std::size_t>(end - number_end));
  double millis_per_unit = 0;
  if (unit.empty() || unit == "s") {
    millis_per_unit = 1'000.0;
  } else if (unit == "ms") {
    millis_per_unit = 1.0;
  } else if (unit == "m") {
    millis_per_unit = 60'000.0;
  } else if (unit == "h") {
    millis_per_unit = 3'600'000.0;
  } else {
    return DecimalDurationError::kUnknownUnit;
  }
  const double millis = value * millis_per_unit;
  if (!std::isfinite(millis) || millis < 0 ||
      millis > static_cast<double>(std::numeric_limits<std::int64_t>::max()) / 2) {
    return DecimalDurationError::kOutOfRange;
  }
  return DecimalDuration{millis};
}

std::optional<DecimalDuration> decimal_duration(std::string_view text) {
  const auto parsed = parse_decimal_duration(text);
  if (const auto* duration = std::get_if<DecimalDuration>(&parsed)) return *duration;
  return std::nullopt;
}

std::chrono::milliseconds round_to_millis(DecimalDuration duration) {
  return std::chrono::milliseconds(std::llround(duration.count()));
}

}  // namespace iiot::text_formats
