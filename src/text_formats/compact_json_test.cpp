#include "text_formats/compact_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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

}  // namespace
}  // namespace iiot::text_formats
