// Graceful shutdown (CONTRACT section 2 "server shutting down: close 1001"; STYLE "Shutdown
// order"): on SIGTERM connected clients receive close 1001 and the process exits 0, also when a
// client has stopped reading.
#include <gtest/gtest.h>

#include <csignal>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

TEST(ShutdownE2E, SigtermClosesClientsWith1001AndExitsZero) {
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  WsTestClient first(gateway.port());
  WsTestClient second(gateway.port());
  first.client_id();
  second.request(R"({"type":"filter","data":{"types":["alert"]}})", "filter_ack");

  RecordProducer producer;
  producer.produce(topics.device_data, "sd-1", to_json(DeviceRecord{.device_id = "sd-1"}));
  producer.flush();
  ASSERT_TRUE(first.wait_for_events(1, 30s));

  const auto status = gateway.terminate(30s);
  ASSERT_TRUE(status) << "bin/consumer still runs 30 s after SIGTERM";
  EXPECT_TRUE(status->exited_ok()) << status->describe();

  for (WsTestClient* client : {&first, &second}) {
    ASSERT_TRUE(client->wait_closed(10s));
    const CloseInfo close = *client->close_info();
    EXPECT_EQ(close.code, 1001) << "error: " << close.error;
  }
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 0) << "still listening after exit";
}

TEST(ShutdownE2E, SigtermExitsZeroWithAClientThatStoppedReading) {
  TestTopics topics(2);
  GatewaySettings settings;
  settings.websocket["queue_size"] = "16";
  GatewayProcess gateway(topics, settings);
  WsTestClient reading(gateway.port());
  WsTestClient stalled(gateway.port(), {.receive_buffer_bytes = 4096});
  reading.client_id();
  stalled.client_id();
  stalled.pause();

  // Enough telemetry to fill the stalled client's socket buffers and queue.
  RecordProducer producer;
  constexpr int kRecords = 3000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string id = "sd-" + std::to_string(i % 8);
    producer.produce(
        topics.device_data, id,
        to_json(DeviceRecord{
            .device_id = id, .seq = static_cast<std::uint64_t>(i / 8), .padding_sensors = 30}));
  }
  producer.flush();
  ASSERT_TRUE(reading.wait_for_events(kRecords, 60s)) << reading.event_count();

  const auto status = gateway.terminate(30s);
  ASSERT_TRUE(status) << "bin/consumer still runs 30 s after SIGTERM";
  EXPECT_TRUE(status->exited_ok()) << status->describe();
  ASSERT_TRUE(reading.wait_closed(10s));
  EXPECT_EQ(reading.close_info()->code, 1001) << reading.close_info()->error;
  // The stalled client's connection is gone too (with or without a close frame it never read).
  stalled.resume();
  EXPECT_TRUE(stalled.wait_closed(30s));
}

}  // namespace
}  // namespace iiot::e2e
