#include "websocket_client/frame_printer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

namespace iiot::ws_client {
namespace {

// Formats `text` as received; the time prefix (local time of day) is cut off.
std::string human(std::string_view text,
                  std::optional<std::chrono::nanoseconds> latency = std::nullopt) {
  const auto value = boost::json::parse(text);
  ReceivedFrame frame;
  frame.text = text;
  frame.json = &value.as_object();
  frame.type = value.as_object().at("type").as_string();
  frame.received_at = std::chrono::system_clock::now();
  frame.latency = latency;
  const auto line = FramePrinter::human_line(frame);
  EXPECT_EQ(line.at(12), ' ');
  return line.substr(13);
}

TEST(FramePrinter, DeviceDataLine) {
  EXPECT_EQ(human(R"({"type":"device_data","timestamp":"2024-08-01T20:50:09+08:00","data":{
      "device":{"device_id":"sensor-0001","device_type":"temperature_sensor",
      "location":"Building-A","status":"online","sensors":{
      "temperature":{"value":25.5,"unit":"°C"},"humidity":{"value":60.0,"unit":"%"},
      "count":{"value":7}}}}})"),
            "device_data sensor-0001 temperature_sensor Building-A temperature=25.5°C "
            "humidity=60% count=7");
}

TEST(FramePrinter, DeviceDataShowsUnusualStatusAndEmptyLocation) {
  EXPECT_EQ(human(R"({"type":"device_data","timestamp":"t","data":{"device":{"device_id":"d",
      "device_type":"t","location":"","status":"maintenance","sensors":{"v":{"value":-1.25}}}}})"),
            "device_data d t - v=-1.25 status=maintenance");
}

TEST(FramePrinter, AlertLine) {
  EXPECT_EQ(human(R"({"type":"alert","timestamp":"t","data":{"alert":{"alert_id":"a-1",
      "severity":"critical","title":"Temperature High","description":"Too hot"},
      "device_id":"sensor-0001","device_type":"sensor","location":"Building-A"}})"),
            "ALERT critical sensor-0001 \"Temperature High\" sensor Building-A: Too hot");
}

TEST(FramePrinter, ControlLines) {
  EXPECT_EQ(human(R"({"type":"welcome","timestamp":"t","data":{"client_id":"c-1","filter":{}}})"),
            "welcome client_id=c-1 filter={}");
  EXPECT_EQ(human(R"({"type":"filter_ack","timestamp":"t","data":{"types":["alert"]}})"),
            R"(filter_ack {"types":["alert"]})");
  EXPECT_EQ(human(R"({"type":"pong","timestamp":"t"})"), "pong");
  EXPECT_EQ(
      human(R"({"type":"error","timestamp":"t","data":{"code":"invalid_json","message":"m"}})"),
      "error invalid_json: m");
  EXPECT_EQ(human(R"({"type":"news","x":1})"), R"(news {"type":"news","x":1})");
}

TEST(FramePrinter, LatencyIsAppended) {
  EXPECT_EQ(human(R"({"type":"pong","timestamp":"t"})", std::chrono::microseconds(1500)),
            "pong latency=1.500ms");
}

TEST(FramePrinter, JsonModePrintsTheFrameUnchanged) {
  std::ostringstream out;
  FramePrinter printer(OutputMode::kJson, out);
  const std::string_view text = R"({"type": "pong",  "timestamp":"t"})";
  ReceivedFrame frame;
  frame.text = text;
  EXPECT_TRUE(printer.print(frame));
  EXPECT_EQ(out.str(), std::string(text) + "\n");
}

TEST(FramePrinter, QuietModePrintsNothing) {
  std::ostringstream out;
  FramePrinter printer(OutputMode::kQuiet, out);
  ReceivedFrame frame;
  frame.text = "{}";
  EXPECT_TRUE(printer.print(frame));
  EXPECT_TRUE(out.str().empty());
}

TEST(FramePrinter, ReportsAFailedOutput) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  FramePrinter printer(OutputMode::kJson, out);
  ReceivedFrame frame;
  frame.text = "{}";
  EXPECT_FALSE(printer.print(frame));
}

}  // namespace
}  // namespace iiot::ws_client
