#include "text_formats/rfc3339_parser.h"

#include <cstddef>
#include <cstring>

namespace iiot::text_formats {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The number written by the digits s[pos, pos + n); the caller has checked they are digits.
int number_at(std::string_view s, std::size_t pos, std::size_t n) {
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

}  // namespace

std::optional<UnixMicros> Rfc3339Parser::parse(std::string_view s) {
  using namespace std::chrono;
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size() + 1) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const char want = kShape[i];
    const bool ok = want == 'd'   ? is_digit(s[i])
                    : want == 'T' ? (s[i] == 'T' || s[i] == 't')
                                  : s[i] == want;
    if (!ok) return std::nullopt;
  }
  if (!has_cache_ || std::memcmp(cached_date_.data(), s.data(), cached_date_.size()) != 0) {
    const year_month_day date{year{number_at(s, 0, 4)},
                              month{static_cast<unsigned>(number_at(s, 5, 2))},
                              day{static_cast<unsigned>(number_at(s, 8, 2))}};
    if (!date.ok()) return std::nullopt;
    cached_days_ = sys_days{date}.time_since_epoch().count();
    std::memcpy(cached_date_.data(), s.data(), cached_date_.size());
    has_cache_ = true;
  }
  const int hour = number_at(s, 11, 2);
  const int minute = number_at(s, 14, 2);
  const int second = number_at(s, 17, 2);
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;

  std::size_t pos = kShape.size();
  std::int64_t micros = 0;
  if (s[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    const std::size_t digits = pos - first;
    if (digits < 1 || digits > 9) return std::nullopt;
    for (std::size_t i = 0; i < 6; ++i) {
      micros = micros * 10 + (i < digits ? s[first + i] - '0' : 0);
    }
  }

  const std::string_view zone = s.substr(pos);
  std::int64_t offset_minutes = 0;
  if (zone == "Z" || zone == "z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && is_digit(zone[1]) &&
             is_digit(zone[2]) && zone[3] == ':' && is_digit(zone[4]) && is_digit(zone[5])) {
    const std::int64_t hours = number_at(zone, 1, 2);
    const std::int64_t minutes = number_at(zone, 4, 2);
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  // Local wall time minus its offset from UTC is UTC.
  const std::int64_t seconds =
      cached_days_ * 86'400 + hour * 3'600LL + minute * 60LL + second - offset_minutes * 60;
  return UnixMicros{microseconds{seconds * 1'000'000 + micros}};
}

std::optional<UnixMicros> parse_rfc3339(std::string_view text) {
  Rfc3339Parser parser;
  return parser.parse(text);
}

}  // namespace iiot::text_formats
