#include "text_formats/duration_text.h"

#include <gtest/gtest.h>

namespace iiot::text_formats {
namespace {

using namespace std::chrono_literals;

TEST(GoDuration, ReadsUnitsFractionsAndSums) {
  EXPECT_EQ(parse_go_duration("500ms"), 500ms);
  EXPECT_EQ(parse_go_duration("1m30s"), 90s);
  EXPECT_EQ(parse_go_duration("0.1s"), 100ms);
  EXPECT_EQ(parse_go_duration(".5s"), 500ms);
  EXPECT_EQ(parse_go_duration("1.s"), 1s);
  EXPECT_EQ(parse_go_duration("1.25h"), 75min);
  EXPECT_EQ(parse_go_duration("2000000ns"), 2ms);
  EXPECT_EQ(parse_go_duration("1500us"), 1500us);
  EXPECT_EQ(parse_go_duration("1500\u00b5s"), 1500us);
  EXPECT_EQ(parse_go_duration("1500\u03bcs"), 1500us);
  EXPECT_EQ(parse_go_duration("1.0000000001s"), 1s);
  EXPECT_EQ(parse_go_duration("0"), 0ns);
}

TEST(GoDuration, RejectsMalformedAndOverflowing) {
  for (const char* text : {"", "10", "abc", "1d", "-1s", "+1s", "1 s", "s", ".s", "1..5s",
                           "9999999999999999999s", "2562048h"}) {
    EXPECT_FALSE(parse_go_duration(text)) << text;
  }
}

TEST(DecimalDuration, ReadsUnitsAndBareSeconds) {
  EXPECT_EQ(decimal_duration("500ms"), DecimalDuration(500));
  EXPECT_EQ(decimal_duration("10s"), DecimalDuration(10'000));
  EXPECT_EQ(decimal_duration("1.5s"), DecimalDuration(1'500));
  EXPECT_EQ(decimal_duration("2m"), DecimalDuration(120'000));
  EXPECT_EQ(decimal_duration("1h"), DecimalDuration(3'600'000));
  EXPECT_EQ(decimal_duration("30"), DecimalDuration(30'000));
  EXPECT_EQ(decimal_duration("0"), DecimalDuration(0));
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
  EXPECT_EQ(round_to_millis(DecimalDuration(1.5)), 2ms);
  EXPECT_EQ(round_to_millis(DecimalDuration(2.5)), 3ms);
  EXPECT_EQ(round_to_millis(DecimalDuration(2.4)), 2ms);
  EXPECT_EQ(round_to_millis(*decimal_duration("1.5s")), 1500ms);
}

}  // namespace
}  // namespace iiot::text_formats
