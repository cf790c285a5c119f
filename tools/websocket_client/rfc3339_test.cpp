#include "websocket_client/rfc3339.h"

#include <gtest/gtest.h>

namespace iiot::ws_client {
namespace {

using namespace std::chrono;

UtcNanos utc(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t ns = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} +
         nanoseconds{ns};
}

struct Valid {
  const char* text;
  UtcNanos expected;
};

TEST(Rfc3339, ParsesValidTimestamps) {
  const Valid cases[] = {
      {"2024-08-01T12:50:09Z", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T20:50:09+08:00", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T05:20:09-07:30", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01T12:50:09.5Z", utc(2024, 8, 1, 12, 50, 9, 500'000'000)},
      {"2024-08-01T12:50:09.123Z", utc(2024, 8, 1, 12, 50, 9, 123'000'000)},
      {"2024-08-01T12:50:09.123456789Z", utc(2024, 8, 1, 12, 50, 9, 123'456'789)},
      {"2024-08-01T12:50:09.1234567891Z", utc(2024, 8, 1, 12, 50, 9, 123'456'789)},
      {"2024-08-01t12:50:09z", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-08-01 12:50:09Z", utc(2024, 8, 1, 12, 50, 9)},
      {"2024-01-01T00:30:00+01:00", utc(2023, 12, 31, 23, 30, 0)},
      {"2024-02-29T00:00:00Z", utc(2024, 2, 29, 0, 0, 0)},
      {"2016-12-31T23:59:60Z", utc(2017, 1, 1, 0, 0, 0)},
      {"1970-01-01T00:00:00Z", UtcNanos{}},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_rfc3339(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(*parsed, c.expected) << c.text;
  }
}

TEST(Rfc3339, RejectsMalformedTimestamps) {
  const char* cases[] = {
      "",
      "2024-08-01",
      "2024-08-01T12:50:09",        // no zone
      "2024-08-01T12:50Z",          // no seconds
      "2024-8-01T12:50:09Z",        // short month
      "2024-08-01T12:50:09.Z",      // empty fraction
      "2024-08-01T12:50:09+0800",   // offset without colon
      "2024-08-01T12:50:09+08",     // offset without minutes
      "2024-08-01T12:50:09Z ",      // trailing text
      "2024-13-01T12:50:09Z",       // month
      "2023-02-29T12:50:09Z",       // not a leap year
      "2024-04-31T12:50:09Z",       // day
      "2024-08-01T24:00:00Z",       // hour
      "2024-08-01T12:60:00Z",       // minute
      "2024-08-01T12:50:61Z",       // second
      "2024-08-01T12:50:09+24:00",  // offset hours
      "2024-08-01X12:50:09Z",       // separator
      "2024-08-01T12:50:09.12a3Z",  // junk in fraction
  };
  for (const auto* text : cases) EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
}

}  // namespace
}  // namespace iiot::ws_client
