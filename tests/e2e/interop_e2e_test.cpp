// Interoperability: clients built on Python's websockets library (Debian's python3-websockets,
// tests/e2e/interop_client.py), with and without permessage-deflate, receive the same event
// frames, byte for byte, as the Boost.Beast client.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

struct InteropResult {
  json::object header;              // {"extensions": [...], "pong": bool}
  std::vector<std::string> events;  // event frame texts in arrival order
};

InteropResult read_output(const std::string& path) {
  std::ifstream in(path);
  InteropResult result;
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("empty interop output " + path);
  result.header = parse_frame(line);
  while (std::getline(in, line)) {
    const std::string type = frame_type(parse_frame(line));
    if (type == "device_data" || type == "alert") result.events.push_back(line);
  }
  return result;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The event keys of frames, grouped by device in arrival order.
std::map<std::string, std::vector<std::string>> per_device(const std::vector<std::string>& texts) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& t : texts) {
    const json::object frame = parse_frame(t);
    const std::string device =
        frame_type(frame) == "alert"
            ? std::string(frame.at("data").at("device_id").as_string())
            : std::string(frame.at("data").at("device").at("device_id").as_string());
    out[device].push_back(*event_key(frame));
  }
  return out;
}

TEST(InteropE2E, PythonWebsocketsClientsWithAndWithoutDeflateReceiveTheSameFrames) {
  ASSERT_TRUE(std::filesystem::exists(IIOT_SYSTEM_PYTHON)) << IIOT_SYSTEM_PYTHON;
  TestTopics topics(3);
  GatewayProcess gateway(topics);
  WsTestClient beast_client(gateway.port());
  beast_client.client_id();

  std::string dir = (std::filesystem::temp_directory_path() / "iiot-interop-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  constexpr int kDeviceRecords = 300;
  constexpr int kAlerts = 30;
  constexpr int kEvents = kDeviceRecords + kAlerts;
  const std::string url = "ws://127.0.0.1:" + std::to_string(gateway.port()) + "/ws";
  std::map<std::string, std::unique_ptr<test_support::ChildProcess>> clients;
  for (const char* mode : {"deflate", "none"}) {
    clients[mode] = std::make_unique<test_support::ChildProcess>(
        std::vector<std::string>{IIOT_SYSTEM_PYTHON, IIOT_INTEROP_CLIENT, "--url", url,
                                 "--compression", mode, "--events", std::to_string(kEvents),
                                 "--out", dir + "/" + mode + ".out", "--timeout", "60"},
        dir + "/" + mode + ".log");
  }
  ASSERT_TRUE(eventually([&] { return active_clients(gateway.port()) == 3; }, 30s))
      << "the Python clients did not connect";

  RecordProducer producer;
  const char* const severities[] = {"info", "warning", "error", "critical"};
  for (int i = 0; i < kDeviceRecords; ++i) {
    const std::string id = "io-" + std::to_string(i % 6);
    producer.produce(
        topics.device_data, id,
        to_json(DeviceRecord{
            .device_id = id, .seq = static_cast<std::uint64_t>(i / 6), .padding_sensors = i % 5}));
    if (i % 10 == 0) {
      const std::string alert_id = "io-alert-" + std::to_string(i);
      producer.produce(topics.alerts, id,
                       to_json(AlertRecord{.alert_id = alert_id,
                                           .device_id = id,
                                           .severity = severities[i % 4],
                                           .title = "Überdruck ≥ 3 bar"}));
    }
  }
  producer.flush();
  ASSERT_TRUE(beast_client.wait_for_events(kEvents, 60s)) << beast_client.event_count();
  const std::vector<std::string> expected = beast_client.event_texts();

  for (auto& [mode, child] : clients) {
    SCOPED_TRACE(std::string("python websockets, compression ") + mode);
    const auto status = child->wait(90s);
    ASSERT_TRUE(status) << "interop_client.py did not finish";
    ASSERT_TRUE(status->exited_ok())
        << status->describe() << "; see " << dir << "/" << mode << ".log";
    const InteropResult result =
        read_output(std::string(dir).append("/").append(mode).append(".out"));
    const json::array& extensions = result.header.at("extensions").as_array();
    if (std::string(mode) == "deflate") {
      EXPECT_EQ(extensions.size(), 1u);
      EXPECT_TRUE(!extensions.empty() && extensions[0].as_string() == "permessage-deflate");
    } else {
      EXPECT_TRUE(extensions.empty());
    }
    EXPECT_TRUE(result.header.at("pong").as_bool());
    EXPECT_EQ(result.events.size(), expected.size());
    EXPECT_TRUE(sorted(result.events) == sorted(expected))
        << "the Python client's frames differ from the Beast client's";
    EXPECT_EQ(per_device(result.events), per_device(expected));
  }
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace iiot::e2e
