#include "text_formats/rfc3339_parser.h"

#include <gtest/gtest.h>

namespace iiot::text_formats {
namespace {

using namespace std::chrono;

UnixMicros utc(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t us = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}

struct Valid {
  const char* text;
  UnixMicros expected;
};

TEST(Rfc3339Parser, ParsesValidTimestamps) {
  const Valid cases[] = {
      {"2024-08-01T12:50:09Z", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T20:50:09+08:00", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T05:20:09-07:30", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T12:50:09.5Z", utc(2024, 8, 1, 12, 50, 9, 500'000)},
      {"2024-08-01T12:50:09.123Z", utc(2024, 8, 1, 12, 50, 9, 123'000)},
      {"2024-08-01T12:50:09.123456Z", utc(2024, 8, 1, 12, 50, 9, 123'456)},
      {"2024-08-01T12:50:09.123456789Z", utc(2024, 8, 1, 12, 50, 9, 123'456)},
      {"2024-08-01T20:50:09.500000+08:00", utc(2024, 8, 1, 12, 50, 9, 500'000)},
      {"2024-08-01t12:50:09z", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-01-01T00:30:00+01:00", utc(2023, 12, 31, 23, 30, 0)},
      {"2024-02-29T00:00:00Z", utc(2024, 2, 29, 0, 0, 0)},
      {"2000-02-29T00:00:00Z", utc(2000, 2, 29, 0, 0, 0)},
      {"2016-12-31T23:59:60Z", utc(2017, 1, 1, 0, 0, 0)},
      {"1970-01-01T00:00:00Z", UnixMicros{}},
      {"1969-12-31T23:59:59.5Z", UnixMicros{microseconds{-500'000}}},
      {"9999-12-31T23:59:59Z", utc(9999, 12, 31, 23, 59, 59)},
      {"9999-12-31T23:59:59.999999Z", utc(9999, 12, 31, 23, 59, 59, 999'999)},
      {"0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0)},
      {"2000-03-01T00:00:00Z", utc(2000, 3, 1, 0, 0, 0)},
      {"1970-01-01T00:00:00.000001Z", UnixMicros{microseconds{1}}},
      {"2024-08-01T12:50:09.1Z", utc(2024, 8, 1, 12, 50, 9, 100'000)},
      {"2024-08-01T12:50:09-00:00", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-02-29T00:00:00-05:30", utc(2024, 2, 29, 5, 30, 0)},
      {"2024-08-02T00:50:09+12:00", utc(2024, 8, 1, 12, 50, 9)},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_rfc3339(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(*parsed, c.expected) << c.text;
  }
}

TEST(Rfc3339Parser, RejectsMalformedTimestamps) {
  const char* cases[] = {
      "",
      "2024-08-01",
      "2024-08-01T12:50:09",              // no zone
      "2024-08-01T12:50Z",                // no seconds
      "2024-8-01T12:50:09Z",              // short month
      "2024-08-01T12:50:09.Z",            // empty fraction
      "2024-08-01T12:50:09.1234567891Z",  // ten fraction digits
      "2024-08-01T12:50:09+0800",         // offset without colon
      "2024-08-01T12:50:09+08",           // offset without minutes
      "2024-08-01T12:50:09Z ",            // trailing text
      "2024-08-01T12:50:09Zjunk",         // trailing text
      "2024-13-01T12:50:09Z",             // month
      "2024-00-01T12:50:09Z",             // month
      "2023-02-29T12:50:09Z",             // not a leap year
      "1900-02-29T12:50:09Z",             // not a leap year
      "2024-04-31T12:50:09Z",             // day
      "2024-08-00T12:50:09Z",             // day
      "2024-08-01T24:00:00Z",             // hour
      "2024-08-01T12:60:00Z",             // minute
      "2024-08-01T12:50:61Z",             // second
      "2024-08-01T12:50:09+24:00",        // offset hours
      "2024-08-01T12:50:09+08:60",        // offset minutes
      "2024-08-01X12:50:09Z",             // separator
      "2024-08-01 12:50:09Z",             // separator
      "x024-08-01T12:50:09Z",             // year
      "2024-08-01T12:50:09.12a3Z",        // junk in fraction
      "2024-08-01T12:50:09ZZ",            // trailing text
      "yesterday",                        // not a timestamp
      "24-08-01T12:50:09Z",               // two-digit year
      "+2024-08-01T12:50:09Z",            // signed year
      "2100-02-29T12:50:09Z",             // not a leap year
      "2024-08-01T12:50:0\xef\xbc\x99Z",  // full-width digit
  };
  for (const auto* text : cases) EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
}

TEST(Rfc3339Parser, CachedDateGivesTheSameAnswers) {
  Rfc3339Parser parser;
  const auto first = parser.parse("2024-08-01T12:50:09.5Z");
  ASSERT_TRUE(first);
  EXPECT_EQ(parser.parse("2024-08-01T12:50:10Z"), *first + milliseconds(500));
  EXPECT_EQ(parser.parse("2024-08-02T12:50:09.5Z"), *first + days(1));
  EXPECT_EQ(parser.parse("2024-08-01T12:50:09.5Z"), first);
  // A rejected date does not replace the cached one, and a rejected time keeps it.
  EXPECT_FALSE(parser.parse("2024-02-30T12:50:09Z"));
  EXPECT_FALSE(parser.parse("2024-08-01T25:50:09Z"));
  EXPECT_EQ(parser.parse("2024-08-01T12:50:09.5Z"), first);
}

}  // namespace
}  // namespace iiot::text_formats
