#include "text_formats/rfc3339_format.h"

#include <array>

namespace iiot::text_formats {
namespace {

// Writes the low `width` decimal digits of value.
void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void append_rfc3339_utc(std::string& out, std::chrono::system_clock::time_point time,
                        FractionDigits digits) {
  using namespace std::chrono;
  const auto micros = floor<microseconds>(time);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss clock{micros - day};
  const int width = static_cast<int>(digits);
  auto fraction = static_cast<unsigned>(clock.subseconds().count());
  if (digits == FractionDigits::kMillis) fraction /= 1000;

  // Years outside 0000..9999 do not occur for a wall clock; only the low four digits are written.
  std::array<char, 27> buffer{};
  char* p = buffer.data();
  put_digits(p, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  p[4] = '-';
  put_digits(p + 5, static_cast<unsigned>(date.month()), 2);
  p[7] = '-';
  put_digits(p + 8, static_cast<unsigned>(date.day()), 2);
  p[10] = 'T';
  put_digits(p + 11, static_cast<unsigned>(clock.hours().count()), 2);
  p[13] = ':';
  put_digits(p + 14, static_cast<unsigned>(clock.minutes().count()), 2);
  p[16] = ':';
  put_digits(p + 17, static_cast<unsigned>(clock.seconds().count()), 2);
  p[19] = '.';
  put_digits(p + 20, fraction, width);
  p[20 + width] = 'Z';
  out.append(p, 21 + static_cast<std::size_t>(width));
}

std::string format_rfc3339_utc(std::chrono::system_clock::time_point time, FractionDigits digits) {
  std::string out;
  append_rfc3339_utc(out, time, digits);
  return out;
}

}  // namespace iiot::text_formats
