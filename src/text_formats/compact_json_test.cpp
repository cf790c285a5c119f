#include "text_formats/compact_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdint>

namespace iiot::text_formats {
namespace {

TEST(CompactJson, WritesDoublesInTheChosenStyle) {
  const boost::json::value value = {{"t", 25.53}, {"f", 60.0}, {"small", 0.00003}};
  EXPECT_EQ(to_compact_json(value, NumberStyle::kShortest), R"({"t":25.53,"f":60,"small":3e-05})");
  EXPECT_EQ(to_compact_json(value, NumberStyle::kFixedMicros),
            R"({"t":25.53,"f":60,"small":0.00003})");
}

TEST(CompactJson, KeepsOrderEscapingAndOtherKinds) {
  const boost::json::value value = {{"z", "a\"b\n"},
                                    {"a", boost::json::array{1, -2, 3U, true, nullptr}},
                                    {"nested", {{"k", 0.5}}},
                                    {"big", std::uint64_t{18446744073709551615U}}};
  const std::string text = to_compact_json(value, NumberStyle::kShortest);
  EXPECT_EQ(text, R"({"z":"a\"b\n","a":[1,-2,3,true,null],"nested":{"k":0.5},)"
                  R"("big":18446744073709551615})");
  EXPECT_EQ(boost::json::parse(text), value);
}

// The device simulator's records.
TEST(CompactJson, ShortestNumbersAndBoostEscaping) {
  boost::json::object record;
  record["a"] = 25.53;
  record["b"] = 60.0;
  record["c"] = std::int64_t{-7};
  record["d"] = std::uint64_t{18446744073709551615ULL};
  record["e"] = "quote \" backslash \\ control \x01 °C";
  record["f"] = boost::json::array{true, nullptr, 0.853};
  EXPECT_EQ(to_compact_json(record),
            R"({"a":25.53,"b":60,"c":-7,"d":18446744073709551615,)"
            R"("e":"quote \" backslash \\ control \u0001 °C","f":[true,null,0.853]})");
  const auto back = boost::json::parse(to_compact_json(record)).as_object();
  EXPECT_EQ(back.at("a").as_double(), 25.53);
  EXPECT_EQ(back.at("e"), record.at("e"));
}

}  // namespace
}  // namespace iiot::text_formats
