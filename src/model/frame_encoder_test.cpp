#include "model/frame_encoder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "model/json_text.h"
#include "model/record_decoder.h"

namespace iiot::model {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2024-08-01T12:50:09.123Z
const system_clock::time_point kNow{milliseconds(1'722'516'609'123)};
const RecordPosition kPos{"t.data", 2, 41};

DeviceData sample_device() {
  return DeviceData{"sensor-001",
                    "sensor",
                    "Building-A",
                    DeviceStatus::kOnline,
                    "2024-08-01T20:50:09+08:00",
                    {{"temperature", 25.5, "°C", "25.5"}, {"humidity", 60.0, "%", "60.0"}}};
}

Alert sample_alert() {
  return Alert{"alert-001",
               "sensor-001",
               Severity::kWarning,
               "Temperature High",
               "Temperature exceeds threshold",
               "sensor",
               "Building-A",
               "2024-08-01T20:50:09+08:00"};
}

// Compares as JSON values (order-insensitive) and as exact text.
void expect_frame(const std::string& frame, std::string_view golden) {
  json::error_code ec;
  const json::value parsed = json::parse(frame, ec);
  ASSERT_FALSE(ec) << ec.message() << " in " << frame;
  EXPECT_EQ(parsed, json::parse(golden));
  EXPECT_EQ(frame, golden);
}

TEST(FrameEncoderTest, DeviceDataGolden) {
  const SharedFrame frame = encode_device_data(sample_device(), kPos);
  ASSERT_NE(frame, nullptr);
  expect_frame(
      *frame,
      R"({"type":"device_data","timestamp":"2024-08-01T20:50:09+08:00","pos":"t.data:2:41","data":{"device":{)"
      R"("device_id":"sensor-001","device_type":"sensor","location":"Building-A",)"
      R"("status":"online","sensors":{"temperature":{"value":25.5,"unit":"°C"},)"
      R"("humidity":{"value":60.0,"unit":"%"}}}}})");
}

// A reading built in code has no value_text: its value is written in the shortest form.
TEST(FrameEncoderTest, DeviceDataOmitsAbsentUnitAndWritesEveryStatus) {
  DeviceData data = sample_device();
  data.location = "";
  data.status = DeviceStatus::kMaintenance;
  data.sensors = {{"rpm", 1200, std::nullopt, ""}};
  expect_frame(
      *encode_device_data(data, kPos),
      R"({"type":"device_data","timestamp":"2024-08-01T20:50:09+08:00","pos":"t.data:2:41","data":{"device":{)"
      R"("device_id":"sensor-001","device_type":"sensor","location":"",)"
      R"("status":"maintenance","sensors":{"rpm":{"value":1200}}}}})");
}

TEST(FrameEncoderTest, AlertGolden) {
  expect_frame(
      *encode_alert(sample_alert(), kPos),
      R"({"type":"alert","timestamp":"2024-08-01T20:50:09+08:00","pos":"t.data:2:41","data":{)"
      R"("alert":{"alert_id":"alert-001","severity":"warning","title":"Temperature High",)"
      R"("description":"Temperature exceeds threshold"},)"
      R"("device_id":"sensor-001","device_type":"sensor","location":"Building-A"}})");
}

TEST(FrameEncoderTest, RuleAlertCarriesSourceRule) {
  Alert alert = sample_alert();
  alert.source = AlertSource::kRule;
  // The second alert rules derived from the record at kPos.
  expect_frame(*encode_alert(alert, kPos, 2),
               R"({"type":"alert","timestamp":"2024-08-01T20:50:09+08:00",)"
               R"("pos":"t.data:2:41/2","data":{"alert":{)"
               R"("alert_id":"alert-001","severity":"warning","title":"Temperature High",)"
               R"("description":"Temperature exceeds threshold","source":"rule"},)"
               R"("device_id":"sensor-001","device_type":"sensor","location":"Building-A"}})");
}

// An event that was not read from Kafka (a test's, a benchmark's) has no position to write.
TEST(FrameEncoderTest, UnknownPositionLeavesPosOut) {
  const std::string frame = *encode_alert(sample_alert(), RecordPosition{});
  EXPECT_EQ(frame.find(R"("pos")"), std::string::npos) << frame;
  EXPECT_NE(mark_event_frame(frame, EventMark::kReplay).find(R"("replay":true,"data":)"),
            std::string::npos);
}

TEST(FrameEncoderTest, AlertWithoutDeviceTypeOrLocationWritesEmptyStrings) {
  Alert alert = sample_alert();
  alert.severity = Severity::kCritical;
  alert.description = "";
  alert.device_type.reset();
  alert.location.reset();
  expect_frame(
      *encode_alert(alert, kPos),
      R"({"type":"alert","timestamp":"2024-08-01T20:50:09+08:00","pos":"t.data:2:41","data":{)"
      R"("alert":{"alert_id":"alert-001","severity":"critical","title":"Temperature High",)"
      R"("description":""},"device_id":"sensor-001","device_type":"","location":""}})");
}

TEST(FrameEncoderTest, StringsAreEscaped) {
  DeviceData data = sample_device();
  data.device_type = "quote\" backslash\\ newline\n tab\t nul" + std::string(1, '\0') + " \x1f";
  data.location = "Gebäude \xe2\x82\xac \xf0\x9f\x98\x80 </script>";
  data.sensors = {{"na\"me", -0.5, "u\\nit", ""}};
  const std::string frame = *encode_device_data(data, kPos);
  EXPECT_NE(frame.find(R"("device_type":"quote\" backslash\\ newline\n tab\t nul\u0000 \u001f")"),
            std::string::npos)
      << frame;
  EXPECT_NE(frame.find(R"("location":"Gebäude € 😀 </script>")"), std::string::npos) << frame;

  const json::value parsed = json::parse(frame);
  const json::object& device = parsed.at("data").at("device").as_object();
  EXPECT_EQ(device.at("device_type").as_string(), data.device_type);
  EXPECT_EQ(device.at("location").as_string(), data.location);
  EXPECT_EQ(device.at("sensors").at("na\"me").at("unit").as_string(), "u\\nit");
}

TEST(FrameEncoderTest, AppendStringMatchesBoostForEveryByte) {
  for (int b = 0; b < 256; ++b) {
    const std::string s = "a" + std::string(1, static_cast<char>(b)) + "z";
    std::string ours;
    json_text::append_string(ours, s);
    EXPECT_EQ(ours, json::serialize(json::string_view(s))) << "byte " << b;
  }
}

TEST(FrameEncoderTest, ExcerptCutsAtCodePointBoundary) {
  std::string euros;
  for (int i = 0; i < 30; ++i) euros += "€";  // 3 bytes each
  EXPECT_EQ(json_text::excerpt(euros), euros.substr(0, 63) + "...");
  EXPECT_EQ(json_text::excerpt(euros.substr(0, 63)), euros.substr(0, 63));
  EXPECT_EQ(json_text::quoted_excerpt("a\"b"), R"("a\"b")");
}

TEST(FrameEncoderTest, DecodedRecordKeepsNumberTextAndDropsUnknownFields) {
  const DecodeResult<DeviceData> decoded = decode_device_data(
      R"({"device_id":"d-1","device_type":"meter","extra":{"x":1},"timestamp":"2024-08-01T12:50:09.5Z",)"
      R"("sensors":{"kwh":{"value":1.25e3,"unit":"kWh","raw":"0x4e2"},"v":{"value":230},)"
      R"("h":{"value": 60.0 ,"unit":null},"z":{"value":-0}}})");
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  expect_frame(*encode_device_data(decoded.value(), kPos),
               R"({"type":"device_data","timestamp":"2024-08-01T12:50:09.5Z","pos":"t.data:2:41",)"
               R"("data":{"device":{)"
               R"("device_id":"d-1","device_type":"meter","location":"","status":"online",)"
               R"("sensors":{"kwh":{"value":1.25e3,"unit":"kWh"},"v":{"value":230},)"
               R"("h":{"value":60.0},"z":{"value":-0}}}}})");
}

TEST(FrameEncoderTest, WelcomeWithEmptyFilterListsEveryKey) {
  expect_frame(
      encode_welcome("c-1f3a", Filter{}, Filter{}, kNow),
      R"({"type":"welcome","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
      R"("client_id":"c-1f3a","filter":{"device_ids":[],"device_types":[],)"
      R"("locations":[],"alert_levels":[],"types":[],"delivery":"all","resume":false,"snapshot":false},"scope":{"device_ids":[],)"
      R"("device_types":[],"locations":[],"alert_levels":[],"types":[]}}})");
}

TEST(FrameEncoderTest, WelcomeCarriesTheScope) {
  Filter scope;
  scope.locations = {"Hall-1"};
  expect_frame(
      encode_welcome("c-1", scope, scope, kNow),
      R"({"type":"welcome","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
      R"("client_id":"c-1","filter":{"device_ids":[],"device_types":[],)"
      R"("locations":["Hall-1"],"alert_levels":[],"types":[],"delivery":"all","resume":false,"snapshot":false},"scope":{"device_ids":[],)"
      R"("device_types":[],"locations":["Hall-1"],"alert_levels":[],"types":[]}}})");
}

TEST(FrameEncoderTest, RefreshAckGolden) {
  Filter scope;
  scope.types = {MessageType::kAlert};
  expect_frame(encode_refresh_ack(kNow + std::chrono::hours(1), scope, kNow),
               R"({"type":"refresh_ack","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("expires_at":"2024-08-01T13:50:09.123Z","scope":{"device_ids":[],)"
               R"("device_types":[],"locations":[],"alert_levels":[],"types":["alert"]}}})");
  expect_frame(encode_refresh_ack(std::nullopt, Filter{}, kNow),
               R"({"type":"refresh_ack","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("expires_at":null,"scope":{"device_ids":[],"device_types":[],"locations":[],)"
               R"("alert_levels":[],"types":[]}}})");
}

TEST(FrameEncoderTest, FilterAckGolden) {
  Filter filter;
  filter.device_ids = {"device-001", "device-\"2\""};
  filter.device_types = {"sensor"};
  filter.locations = {"Building-A"};
  filter.alert_levels = {Severity::kWarning, Severity::kCritical};
  filter.types = {MessageType::kDeviceData, MessageType::kAlert};
  filter.delivery = Delivery::kLatest;
  filter.resume = true;
  expect_frame(encode_filter_ack(filter, kNow),
               R"({"type":"filter_ack","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("device_ids":["device-001","device-\"2\""],"device_types":["sensor"],)"
               R"("locations":["Building-A"],"alert_levels":["warning","critical"],)"
               R"("types":["device_data","alert"],"delivery":"latest","resume":true,)"
               R"("snapshot":false}})");
}

TEST(FrameEncoderTest, PongGolden) {
  expect_frame(encode_pong(kNow), R"({"type":"pong","timestamp":"2024-08-01T12:50:09.123Z"})");
}

TEST(FrameEncoderTest, ErrorGolden) {
  expect_frame(encode_error("invalid_filter", R"(alert_levels[0]: must be one of "x")", kNow),
               R"({"type":"error","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("code":"invalid_filter","message":"alert_levels[0]: must be one of \"x\""}})");
}

TEST(FrameEncoderTest, MarkedFramesCarryTheFlagBesidePos) {
  expect_frame(mark_event_frame(*encode_alert(sample_alert(), kPos), EventMark::kReplay),
               R"({"type":"alert","timestamp":"2024-08-01T20:50:09+08:00","pos":"t.data:2:41",)"
               R"("replay":true,"data":{)"
               R"("alert":{"alert_id":"alert-001","severity":"warning","title":"Temperature High",)"
               R"("description":"Temperature exceeds threshold"},)"
               R"("device_id":"sensor-001","device_type":"sensor","location":"Building-A"}})");
  // A timestamp holding the key's own text cannot mislead the search: it is escaped.
  DeviceData data = sample_device();
  data.timestamp = R"(x,"pos":"y","data":z)";
  const std::string marked =
      mark_event_frame(*encode_device_data(data, kPos), EventMark::kSnapshot);
  const json::value parsed = json::parse(marked);
  EXPECT_EQ(parsed.at("snapshot"), json::value(true));
  EXPECT_EQ(parsed.at("pos").as_string(), "t.data:2:41");
  EXPECT_EQ(parsed.at("timestamp").as_string(), data.timestamp);
}

TEST(FrameEncoderTest, CheckpointSnapshotEndAndResumeAckGoldens) {
  StreamCursor cursor;
  cursor.advance(kPos);
  const std::string text = encode_cursor(cursor);
  expect_frame(encode_checkpoint(cursor, kNow),
               R"({"type":"checkpoint","timestamp":"2024-08-01T12:50:09.123Z","data":{"cursor":")" +
                   text + R"("}})");
  expect_frame(encode_snapshot_end(3, cursor, kNow),
               R"({"type":"snapshot_end","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("devices":3,"cursor":")" +
                   text + R"("}})");
  expect_frame(encode_resume_ack(false, 12, kNow),
               R"({"type":"resume_ack","timestamp":"2024-08-01T12:50:09.123Z","data":{)"
               R"("recovered":false,"replayed":12}})");
}

}  // namespace
}  // namespace iiot::model
