#include "text_formats/json_number_text.h"

#include <gtest/gtest.h>

namespace iiot::text_formats {
namespace {

TEST(JsonNumberText, ShortestRoundTrip) {
  EXPECT_EQ(json_number_text(25.53, NumberStyle::kShortest), "25.53");
  EXPECT_EQ(json_number_text(60.0, NumberStyle::kShortest), "60");
  EXPECT_EQ(json_number_text(0.853, NumberStyle::kShortest), "0.853");
  EXPECT_EQ(json_number_text(-0.5, NumberStyle::kShortest), "-0.5");
}

TEST(JsonNumberText, FixedHasNoExponent) {
  EXPECT_EQ(json_number_text(0.00025, NumberStyle::kFixed), "0.00025");
  EXPECT_EQ(json_number_text(1.0, NumberStyle::kFixed), "1");
  EXPECT_EQ(json_number_text(12.5, NumberStyle::kFixed), "12.5");
  EXPECT_EQ(json_number_text(1e20, NumberStyle::kFixed), "100000000000000000000");
}

TEST(JsonNumberText, FixedMicrosRoundsToSixDecimals) {
  EXPECT_EQ(json_number_text(6.0042, NumberStyle::kFixedMicros), "6.0042");
  EXPECT_EQ(json_number_text(0.00003, NumberStyle::kFixedMicros), "0.00003");
  EXPECT_EQ(json_number_text(1.23456789, NumberStyle::kFixedMicros), "1.234568");
  EXPECT_EQ(json_number_text(0.0000004, NumberStyle::kFixedMicros), "0");
}

TEST(JsonNumberText, Appends) {
  std::string out = "[";
  append_json_number(out, 1.5, NumberStyle::kShortest);
  EXPECT_EQ(out, "[1.5");
}

}  // namespace
}  // namespace iiot::text_formats
