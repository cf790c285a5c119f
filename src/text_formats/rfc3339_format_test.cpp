#include "text_formats/rfc3339_format.h"

#include <gtest/gtest.h>

#include "text_formats/rfc3339_parser.h"

namespace iiot::text_formats {
namespace {

using namespace std::chrono;

TEST(Rfc3339Format, WritesMicroseconds) {
  EXPECT_EQ(format_rfc3339_utc(system_clock::time_point{}, FractionDigits::kMicros),
            "1970-01-01T00:00:00.000000Z");
  const auto time = system_clock::time_point{} + seconds(1795671682) + microseconds(123456);
  EXPECT_EQ(format_rfc3339_utc(time, FractionDigits::kMicros), "2026-11-26T05:41:22.123456Z");
}

struct ClockCase {
  system_clock::time_point time;
  std::string_view text;
};

// The gateway's control frames: milliseconds, truncated, and what the gateway itself accepts.
TEST(Rfc3339Format, WritesMillisecondsTruncated) {
  const ClockCase cases[] = {
      {system_clock::time_point{}, "1970-01-01T00:00:00.000Z"},
      {system_clock::time_point{milliseconds(1'722'516'609'123)}, "2024-08-01T12:50:09.123Z"},
      {system_clock::time_point{microseconds(1'722'516'609'123'999)}, "2024-08-01T12:50:09.123Z"},
      {system_clock::time_point{milliseconds(-1)}, "1969-12-31T23:59:59.999Z"},
      {system_clock::time_point{milliseconds(1'709'251'199'007)}, "2024-02-29T23:59:59.007Z"},
      {system_clock::time_point{milliseconds(4'107'542'400'000)}, "2100-03-01T00:00:00.000Z"},
  };
  for (const ClockCase& c : cases) {
    const std::string text = format_rfc3339_utc(c.time, FractionDigits::kMillis);
    EXPECT_EQ(text, c.text);
    EXPECT_EQ(parse_rfc3339(text), floor<milliseconds>(c.time)) << text;
  }
}

TEST(Rfc3339Format, AppendsAfterExistingText) {
  std::string out = "at ";
  append_rfc3339_utc(out, system_clock::time_point{}, FractionDigits::kMillis);
  EXPECT_EQ(out, "at 1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339Format, ReadsBackThroughTheParser) {
  const auto now = floor<microseconds>(system_clock::now());
  const auto parsed = parse_rfc3339(format_rfc3339_utc(now, FractionDigits::kMicros));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, now);
}

}  // namespace
}  // namespace iiot::text_formats
