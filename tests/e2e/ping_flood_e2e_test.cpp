// One writer per connection: a client flooding the gateway with WebSocket pings and JSON ping
// requests while it receives a dense stream of event frames gets every pong and every event,
// and an independent frame parser (Python's websockets, tests/e2e/ping_flood_client.py) finds no
// protocol error: no control frame lands inside a data frame, with and without
// permessage-deflate.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(PingFloodE2E, PongsAndEventFramesNeverInterleaveWithOrWithoutDeflate) {
  ASSERT_TRUE(std::filesystem::exists(IIOT_SYSTEM_PYTHON)) << IIOT_SYSTEM_PYTHON;
  TestTopics topics(3);
  GatewaySettings settings;
  // Room for the whole stream: this test is about framing, not the overflow policy.
  settings.websocket["queue_size"] = "100000";
  settings.websocket["max_queue_bytes"] = "268435456";
  // Every JSON ping must be answered with a pong, not refused as rate_limited: the flood is far
  // past the default message rate on purpose.
  settings.websocket["max_client_messages_per_second"] = "0";
  GatewayProcess gateway(topics, settings);

  std::string dir = (std::filesystem::temp_directory_path() / "iiot-pingflood-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  constexpr int kDevices = 8;
  constexpr int kRecords = 4000;
  constexpr int kPings = 3000;
  const std::string url = "ws://127.0.0.1:" + std::to_string(gateway.port()) + "/ws";
  std::map<std::string, std::unique_ptr<test_support::ChildProcess>> clients;
  for (const char* mode : {"deflate", "none"}) {
    clients[mode] = std::make_unique<test_support::ChildProcess>(
        std::vector<std::string>{IIOT_SYSTEM_PYTHON, IIOT_PING_FLOOD_CLIENT, "--url", url,
                                 "--compression", mode, "--events", std::to_string(kRecords),
                                 "--pings", std::to_string(kPings), "--out",
                                 dir + "/" + mode + ".out", "--timeout", "120"},
        dir + "/" + mode + ".log");
  }
  ASSERT_TRUE(
      eventually([&] { return stat_value(get_stats(gateway.port()), "active_clients") == 2; }, 30s))
      << "the Python clients did not connect";

  // Frames of a few hundred bytes to a few KiB (7- and 16-bit lengths), as fast as the broker
  // delivers them, while the pings arrive.
  RecordProducer producer;
  for (int i = 0; i < kRecords; ++i) {
    const std::string id = "flood-" + std::to_string(i % kDevices);
    producer.produce(topics.device_data, id,
                     to_json(DeviceRecord{.device_id = id,
                                          .seq = static_cast<std::uint64_t>(i / kDevices),
                                          .padding_sensors = (i % 7) * 12}));
  }
  producer.flush();

  for (auto& [mode, child] : clients) {
    SCOPED_TRACE(std::string("python websockets, compression ") + mode);
    const auto status = child->wait(180s);
    ASSERT_TRUE(status) << "ping_flood_client.py did not finish";
    ASSERT_TRUE(status->exited_ok())
        << status->describe() << "; see " << dir << "/" << mode << ".log";
    std::ifstream in(std::string(dir).append("/").append(mode).append(".out"));
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    const json::object result = parse_frame(line);
    const json::array& extensions = result.at("extensions").as_array();
    if (std::string(mode) == "deflate") {
      ASSERT_EQ(extensions.size(), 1u);
      EXPECT_EQ(extensions[0].as_string(), "permessage-deflate");
    } else {
      EXPECT_TRUE(extensions.empty());
    }
    EXPECT_EQ(result.at("events").as_int64(), kRecords);
    EXPECT_TRUE(result.at("order_ok").as_bool()) << "events of a device out of order";
    EXPECT_EQ(result.at("ws_pings").as_int64(), kPings);
    EXPECT_EQ(result.at("ws_pongs").as_int64(), kPings);
    EXPECT_GT(result.at("json_pings").as_int64(), 0);
    EXPECT_EQ(result.at("json_pongs").as_int64(), result.at("json_pings").as_int64());
  }
  const json::object stats = get_stats(gateway.port());
  EXPECT_EQ(stat_value(stats, "dropped_messages"), 0);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace iiot::e2e
