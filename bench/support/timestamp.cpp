#include "support/timestamp.h"

#include <cstring>

namespace iiot::bench {
namespace {

void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool read_digits(std::string_view text, std::size_t pos, int width, unsigned& value) {
  if (pos + static_cast<std::size_t>(width) > text.size()) return false;
  value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

MicrosSinceEpoch micros_since_epoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

void append_rfc3339_micros(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto micros = floor<microseconds>(time);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss clock{micros - day};
  char buffer[27];
  put_digits(buffer, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  buffer[4] = '-';
  put_digits(buffer + 5, static_cast<unsigned>(date.month()), 2);
  buffer[7] = '-';
  put_digits(buffer + 8, static_cast<unsigned>(date.day()), 2);
  buffer[10] = 'T';
  put_digits(buffer + 11, static_cast<unsigned>(clock.hours().count()), 2);
  buffer[13] = ':';
  put_digits(buffer + 14, static_cast<unsigned>(clock.minutes().count()), 2);
  buffer[16] = ':';
  put_digits(buffer + 17, static_cast<unsigned>(clock.seconds().count()), 2);
  buffer[19] = '.';
  put_digits(buffer + 20, static_cast<unsigned>(clock.subseconds().count()), 6);
  buffer[26] = 'Z';
  out.append(buffer, sizeof buffer);
}

std::string format_rfc3339_micros(std::chrono::system_clock::time_point time) {
  std::string out;
  append_rfc3339_micros(out, time);
  return out;
}

std::optional<MicrosSinceEpoch> TimestampParser::parse(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  if (!has_cache_ || std::memcmp(cached_date_, text.data(), sizeof cached_date_) != 0) {
    unsigned year = 0, month = 0, day = 0;
    if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
        !read_digits(text, 8, 2, day) || month < 1 || month > 12 || day < 1 || day > 31) {
      return std::nullopt;
    }
    cached_days_ = days_from_civil(static_cast<int>(year), month, day);
    std::memcpy(cached_date_, text.data(), sizeof cached_date_);
    has_cache_ = true;
  }
  unsigned hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 11, 2, hour) || !read_digits(text, 14, 2, minute) ||
      !read_digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    unsigned oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (text[pos] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t seconds =
      cached_days_ * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1'000'000 + micros;
}

}  // namespace iiot::bench
