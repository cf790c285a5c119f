#include "config/duration_values.h"

#include <chrono>
#include <stdexcept>

#include "config/key_error.h"
#include "text_formats/duration_text.h"

namespace iiot::config {
namespace {

constexpr std::string_view kDurationHint = "(use e.g. 500ms, 10s, 1m)";

}  // namespace

std::variant<Duration, DurationError> read_duration(std::string_view text) {
  const auto parsed = text_formats::parse_go_duration(text);
  if (!parsed) {
    return DurationError::kInvalid;
  }
  if (*parsed % std::chrono::milliseconds(1) != std::chrono::nanoseconds::zero()) {
    return DurationError::kNotWholeMillis;
  }
  return std::chrono::duration_cast<Duration>(*parsed);
}

std::string invalid_duration_message(std::string_view text) {
  return "invalid duration " + quote(text) + " " + std::string(kDurationHint);
}

Duration parse_duration(const std::string& text) {
  const auto parsed = read_duration(text);
  if (const auto* duration = std::get_if<Duration>(&parsed)) {
    return *duration;
  }
  if (std::get<DurationError>(parsed) == DurationError::kInvalid) {
    throw std::invalid_argument(invalid_duration_message(text));
  }
  throw std::invalid_argument("duration " + quote(text) + " is not a whole number of milliseconds");
}

std::string format_duration(Duration duration) {
  if (duration == Duration::zero()) {
    return "0s";
  }
  std::string out;
  if (duration < Duration::zero()) {
    out += '-';
    duration = -duration;
  }
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(duration);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(duration - hours);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration - hours - minutes);
  const auto millis = duration - hours - minutes - seconds;
  if (hours.count() != 0) {
    out += std::to_string(hours.count()) + "h";
  }
  if (minutes.count() != 0) {
    out += std::to_string(minutes.count()) + "m";
  }
  if (seconds.count() != 0) {
    out += std::to_string(seconds.count()) + "s";
  }
  if (millis.count() != 0) {
    out += std::to_string(millis.count()) + "ms";
  }
  return out;
}

}  // namespace iiot::config
