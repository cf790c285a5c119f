#include "model/stream_cursor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iiot::model {
namespace {

const std::vector<std::string> kTopics{"iiot.device-data", "iiot.alerts"};

TEST(RecordPositionTest, FormatsTheRecordsPlace) {
  const RecordPosition p{"iiot.device-data", 3, 18342};
  EXPECT_EQ(format_position(p), "iiot.device-data:3:18342");
  // Events derived from the record (rule alerts) have their own position strings.
  EXPECT_EQ(format_position(p, 1), "iiot.device-data:3:18342/1");
  EXPECT_EQ(format_position(p, 12), "iiot.device-data:3:18342/12");
  std::string out = "x";
  append_position(out, RecordPosition{"a", 0, 0});
  EXPECT_EQ(out, "xa:0:0");
}

TEST(RecordPositionTest, EqualMeansTheSameRecord) {
  RecordPosition a{"t", 1, 2};
  RecordPosition b{"t", 1, 2, std::chrono::system_clock::time_point(std::chrono::seconds(5))};
  EXPECT_EQ(a, b);  // the Kafka timestamp does not name the record
  EXPECT_NE(a, (RecordPosition{"t", 1, 3}));
  EXPECT_NE(a, (RecordPosition{"u", 1, 2}));
  EXPECT_TRUE(a.known());
  EXPECT_FALSE(RecordPosition{}.known());
}

TEST(StreamCursorTest, AdvanceNeverMovesBackwards) {
  StreamCursor c;
  c.advance({"a", 0, 10});
  c.advance({"a", 0, 4});
  EXPECT_EQ(c.next({"a", 0}), 11);
  EXPECT_TRUE(c.passed({"a", 0, 10}));
  EXPECT_FALSE(c.passed({"a", 0, 11}));
  EXPECT_FALSE(c.passed({"a", 1, 0}));  // a partition the cursor does not name
  EXPECT_FALSE(c.next({"b", 0}));
}

TEST(StreamCursorTest, RoundTripsEveryPartitionOfEveryTopic) {
  StreamCursor c;
  c.advance({"iiot.device-data", 0, 99});
  c.advance({"iiot.device-data", 11, 0});
  c.advance({"iiot.alerts", 2, 1'000'000'000'000});
  const std::string text = encode_cursor(c);
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  const auto decoded = decode_cursor(text, kTopics);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded.value(), c);
  // The empty cursor (nothing read yet) is a cursor too.
  const auto empty = decode_cursor(encode_cursor(StreamCursor{}), kTopics);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty.value().empty());
}

TEST(StreamCursorTest, RejectsMalformedCursors) {
  StreamCursor c;
  c.advance({"iiot.alerts", 0, 5});
  std::string good = encode_cursor(c);
  const std::vector<std::string> bad{
      "",
      "not base64!",
      good + "=",
      good.substr(0, good.size() - 1) + "*",
      "MjtpaW90LmFsZXJ0czowPTU",       // "2;iiot.alerts:0=5": unknown version
      "MTtpaW90LmFsZXJ0czowPS0x",      // "1;iiot.alerts:0=-1"
      "MTtpaW90LmFsZXJ0czowPTUsMD02",  // a partition twice
      "MTtpaW90LmFsZXJ0cw",            // no partition list
      std::string(70000, 'A'),
  };
  for (const std::string& text : bad) EXPECT_FALSE(decode_cursor(text, kTopics)) << text;
}

TEST(StreamCursorTest, RefusesACursorOfOtherTopics) {
  StreamCursor c;
  c.advance({"other.topic", 0, 5});
  const auto decoded = decode_cursor(encode_cursor(c), kTopics);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().find("topic"), std::string::npos);
}

}  // namespace
}  // namespace iiot::model
