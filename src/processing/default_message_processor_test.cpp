#include "processing/default_message_processor.h"

#include <gtest/gtest.h>

#include <string>

namespace iiot::processing {
namespace {

std::string device_record(const std::string& id, const std::string& type, const std::string& loc) {
  return R"({"device_id":")" + id + R"(","device_type":")" + type + R"(","location":")" + loc +
         R"(","timestamp":"2024-08-01T20:50:09+08:00","sensors":{"t":{"value":1.5,"unit":"C"}}})";
}

class DefaultMessageProcessorTest : public ::testing::Test {
 protected:
  observability::GatewayStats stats_;
  DefaultMessageProcessor processor_{1024, stats_};
};

TEST_F(DefaultMessageProcessorTest, KeepsLatestStatePerDevice) {
  ASSERT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A")).ok());
  ASSERT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d2", "fan", "B")).ok());
  ASSERT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "C")).ok());
  const auto d1 = processor_.device_states().find("d1");
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->location, "C");
  EXPECT_EQ(processor_.device_states().size(), 2u);
  EXPECT_EQ(processor_.device_states().find("nope"), nullptr);
}

TEST_F(DefaultMessageProcessorTest, AlertTakesMissingTypeAndLocationFromLatestState) {
  ASSERT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A")).ok());
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"d1","severity":"critical","title":"Hot","timestamp":"2024-08-01T12:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_TRUE(r.event()->is_alert());
  EXPECT_EQ(r.event()->alert().device_type, "pump");
  EXPECT_EQ(r.event()->alert().location, "A");
}

TEST_F(DefaultMessageProcessorTest, AlertKeepsItsOwnTypeAndLocation) {
  ASSERT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A")).ok());
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"d1","severity":"info","title":"x","device_type":"valve","location":"Z","timestamp":"2024-08-01T12:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.event()->alert().device_type, "valve");
  EXPECT_EQ(r.event()->alert().location, "Z");
}

TEST_F(DefaultMessageProcessorTest, AlertForUnknownDeviceGetsEmptyTypeAndLocation) {
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"ghost","severity":"warning","title":"x","location":null,"timestamp":"2024-08-01T12:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.event()->alert().device_type, "");
  EXPECT_EQ(r.event()->alert().location, "");
}

TEST_F(DefaultMessageProcessorTest, CountsByKindAndRejectsInvalid) {
  EXPECT_TRUE(processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A")).ok());
  const auto bad = processor_.process(RecordKind::kDeviceData, "{not json");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.error().empty());
  const auto too_big = processor_.process(RecordKind::kDeviceData, std::string(2000, ' '));
  EXPECT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().find("max_payload_bytes"), std::string::npos);
  EXPECT_TRUE(
      processor_
          .process(
              RecordKind::kAlert,
              R"({"alert_id":"a","device_id":"d1","severity":"error","title":"t","timestamp":"2024-08-01T12:00:00Z"})")
          .ok());
  EXPECT_EQ(stats_.pipeline.total_messages, 4u);
  EXPECT_EQ(stats_.pipeline.device_data_messages, 1u);
  EXPECT_EQ(stats_.pipeline.alert_messages, 1u);
  EXPECT_EQ(stats_.pipeline.invalid_messages, 2u);
}

TEST_F(DefaultMessageProcessorTest, InvalidRecordDoesNotTouchState) {
  EXPECT_FALSE(
      processor_
          .process(
              RecordKind::kDeviceData,
              R"({"device_id":"d9","device_type":"x","timestamp":"bad","sensors":{"t":{"value":1}}})")
          .ok());
  EXPECT_EQ(processor_.device_states().find("d9"), nullptr);
}

}  // namespace
}  // namespace iiot::processing
