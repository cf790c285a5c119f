#include "text_formats/duration_text.h"

#include <gtest/gtest.h>

#include <utility>

namespace iiot::text_formats {
namespace {

using namespace std::chrono_literals;

struct GoCase {
  const char* text;
  std::chrono::nanoseconds value;
};

TEST(GoDuration, ReadsUnitsFractionsAndSums) {
  const GoCase cases[] = {
      {"500ms", 500ms},        {"1m30s", 90s},        {"0.1s", 100ms},
      {".5s", 500ms},          {"1.s", 1s},           {"1.25h", 75min},
      {"2000000ns", 2ms},      {"1500us", 1500us},    {"1500\u00b5s", 1500us},
      {"1500\u03bcs", 1500us}, {"1.0000000001s", 1s}, {"0", 0ns},
  };
  for (const GoCase& c : cases) EXPECT_EQ(parse_go_duration(c.text), c.value) << c.text;
}

TEST(GoDuration, RejectsMalformedAndOverflowing) {
  for (const char* text : {"", "10", "abc", "1d", "-1s", "+1s", "1 s", "s", ".s", "1..5s",
                           "9999999999999999999s", "2562048h"}) {
    EXPECT_FALSE(parse_go_duration(text)) << text;
  }
}

struct DecimalCase {
  const char* text;
  double millis;
};

TEST(DecimalDuration, ReadsUnitsAndBareSeconds) {
  const DecimalCase cases[] = {
      {"500ms", 500},    {"10s", 10'000}, {"1.5s", 1'500}, {"2m", 120'000},
      {"1h", 3'600'000}, {"30", 30'000},  {"0", 0},
  };
  for (const DecimalCase& c : cases) {
    EXPECT_EQ(decimal_duration(c.text), DecimalDuration(c.millis)) << c.text;
  }
}

TEST(DecimalDuration, SaysWhyTextIsRejected) {
  using Error = DecimalDurationError;
  const std::pair<const char*, Error> cases[] = {
      {"", Error::kNotANumber},      {"s", Error::kNotANumber},       {"ms10", Error::kNotANumber},
      {"ten", Error::kNotANumber},   {"1e400s", Error::kNotANumber},  {"10x", Error::kUnknownUnit},
      {"10 s", Error::kUnknownUnit}, {"1.2.3s", Error::kUnknownUnit}, {"10us", Error::kUnknownUnit},
      {"-5s", Error::kOutOfRange},   {"1e300h", Error::kOutOfRange},
  };
  for (const auto& [text, error] : cases) {
    const auto parsed = parse_decimal_duration(text);
    ASSERT_TRUE(std::holds_alternative<Error>(parsed)) << text;
    EXPECT_EQ(std::get<Error>(parsed), error) << text;
    EXPECT_FALSE(decimal_duration(text)) << text;
  }
}

TEST(DecimalDuration, RoundsHalvesAwayFromZero) {
  const std::pair<double, std::chrono::milliseconds> cases[] = {
      {1.5, 2ms}, {2.5, 3ms}, {2.4, 2ms}, {1'500.0, 1500ms}};
  for (const auto& [millis, rounded] : cases) {
    EXPECT_EQ(round_to_millis(DecimalDuration(millis)), rounded) << millis;
  }
}

}  // namespace
}  // namespace iiot::text_formats
