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
  model::RecordPosition next_position() { return {"t", 0, next_offset_++}; }
  std::int64_t next_offset_ = 0;
  observability::GatewayStats stats_;
  DefaultMessageProcessor processor_{1024, stats_};
};

TEST_F(DefaultMessageProcessorTest, KeepsLatestStatePerDevice) {
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A"), next_position())
          .ok());
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d2", "fan", "B"), next_position())
          .ok());
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "C"), next_position())
          .ok());
  const auto d1 = processor_.device_states().find("d1");
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->location, "C");
  EXPECT_EQ(processor_.device_states().size(), 2u);
  EXPECT_EQ(processor_.device_states().find("nope"), nullptr);
}

TEST_F(DefaultMessageProcessorTest, AlertTakesMissingTypeAndLocationFromLatestState) {
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A"), next_position())
          .ok());
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"d1","severity":"critical","title":"Hot","timestamp":"2024-08-01T12:00:00Z"})",
      next_position());
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_TRUE(r.event()->is_alert());
  EXPECT_EQ(r.event()->alert().device_type, "pump");
  EXPECT_EQ(r.event()->alert().location, "A");
}

TEST_F(DefaultMessageProcessorTest, AlertKeepsItsOwnTypeAndLocation) {
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A"), next_position())
          .ok());
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"d1","severity":"info","title":"x","device_type":"valve","location":"Z","timestamp":"2024-08-01T12:00:00Z"})",
      next_position());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.event()->alert().device_type, "valve");
  EXPECT_EQ(r.event()->alert().location, "Z");
}

TEST_F(DefaultMessageProcessorTest, AlertForUnknownDeviceGetsEmptyTypeAndLocation) {
  const auto r = processor_.process(
      RecordKind::kAlert,
      R"({"alert_id":"a1","device_id":"ghost","severity":"warning","title":"x","location":null,"timestamp":"2024-08-01T12:00:00Z"})",
      next_position());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.event()->alert().device_type, "");
  EXPECT_EQ(r.event()->alert().location, "");
}

TEST_F(DefaultMessageProcessorTest, CountsByKindAndRejectsInvalid) {
  EXPECT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A"), next_position())
          .ok());
  const auto bad = processor_.process(RecordKind::kDeviceData, "{not json", next_position());
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.error().empty());
  const auto too_big =
      processor_.process(RecordKind::kDeviceData, std::string(2000, ' '), next_position());
  EXPECT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().find("max_payload_bytes"), std::string::npos);
  EXPECT_TRUE(
      processor_
          .process(
              RecordKind::kAlert,
              R"({"alert_id":"a","device_id":"d1","severity":"error","title":"t","timestamp":"2024-08-01T12:00:00Z"})",
              next_position())
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
              R"({"device_id":"d9","device_type":"x","timestamp":"bad","sensors":{"t":{"value":1}}})",
              next_position())
          .ok());
  EXPECT_EQ(processor_.device_states().find("d9"), nullptr);
}

TEST_F(DefaultMessageProcessorTest, EventsCarryTheirPositionAndStateIgnoresOlderRecords) {
  const auto first =
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "A"), {"t", 3, 10});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.event()->position, (model::RecordPosition{"t", 3, 10}));
  // The same partition read again from an earlier offset (a restart) does not roll back.
  ASSERT_TRUE(
      processor_.process(RecordKind::kDeviceData, device_record("d1", "pump", "OLD"), {"t", 3, 9})
          .ok());
  EXPECT_EQ(processor_.device_states().find("d1")->location, "A");
  ASSERT_EQ(processor_.device_states().all().size(), 1u);
  EXPECT_EQ(processor_.device_states().all()[0]->position.offset, 10);
  EXPECT_GT(processor_.device_states().bytes(), 0u);
}

TEST(DeviceStateStoreTest, EvictsDevicesNotSeenWithinTheTtl) {
  using namespace std::chrono_literals;
  DeviceStateStore store(10s);
  const auto event = [](std::string id, std::int64_t offset) {
    model::DeviceData data;
    data.device_id = std::move(id);
    return std::make_shared<const ProcessedEvent>(
        ProcessedEvent{std::move(data), model::RecordPosition{"t", 0, offset}});
  };
  const DeviceStateStore::Clock::time_point t0{};
  store.update(event("old", 1), t0 + 1s);
  store.update(event("fresh", 2), t0 + 9s);
  const std::size_t two = store.bytes();
  store.update(event("fresh", 3), t0 + 12s);  // evicts "old" (seen 11 s ago)
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find("old"), nullptr);
  EXPECT_NE(store.find("fresh"), nullptr);
  EXPECT_LT(store.bytes(), two);
  store.evict_expired(t0 + 30s);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

}  // namespace
}  // namespace iiot::processing
