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

TEST(Rfc3339Format, WritesMillisecondsTruncated) {
  const auto time = system_clock::time_point{sys_days{year{2024} / 8 / 1}} + hours{12} +
                    minutes{50} + seconds{9} + microseconds{123'999};
  EXPECT_EQ(format_rfc3339_utc(time, FractionDigits::kMillis), "2024-08-01T12:50:09.123Z");
  EXPECT_EQ(
      format_rfc3339_utc(system_clock::time_point{} - milliseconds(1), FractionDigits::kMillis),
      "1969-12-31T23:59:59.999Z");
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
