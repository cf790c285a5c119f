#include "text_formats/json_number_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string_view>

namespace iiot::text_formats {
namespace {

struct NumberCase {
  double value;
  std::string_view text;
};

// The gateway's sensor values in frames.
TEST(JsonNumberText, ShortestRoundTrip) {
  const NumberCase cases[] = {
      {25.5, "25.5"},
      {60.0, "60"},
      {0.0, "0"},
      {-0.0, "-0"},
      {0.1, "0.1"},
      {-273.15, "-273.15"},
      {25.53, "25.53"},
      {0.853, "0.853"},
      {1e21, "1e+21"},
      {1e-7, "1e-07"},
      {123456789.0, "123456789"},
      {0.30000000000000004, "0.30000000000000004"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
  };
  for (const NumberCase& c : cases) {
    const std::string text = json_number_text(c.value, NumberStyle::kShortest);
    EXPECT_EQ(text, c.text);
    EXPECT_EQ(boost::json::parse(text).to_number<double>(), c.value) << text;
  }
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
