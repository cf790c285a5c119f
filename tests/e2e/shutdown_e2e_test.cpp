// Graceful shutdown (CONTRACT section 2 "server shutting down: close 1001"; STYLE "Shutdown
// order"): on SIGTERM connected clients receive close 1001 and the process exits 0, also when a
// client has stopped reading.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "kafka_test_support.h"
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
  // The reading client is to get every record.
  settings.retry_pushes_until_queued();
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

// The count in the gateway's last log line, "stopped: N records consumed (...)".
std::optional<std::int64_t> consumed_at_stop(const std::string& log_path) {
  std::ifstream in(log_path);
  const std::regex pattern(R"(stopped: (\d+) records consumed)");
  std::optional<std::int64_t> found;
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, pattern)) found = std::stoll(match[1]);
  }
  return found;
}

// SIGTERM while thousands of records per second flow to several clients: every client gets
// 1001, the process exits 0, the offsets committed are exactly the records processed, and a
// successor in the same group takes the partitions over at once (the group was left, so it does
// not wait for the session timeout) and delivers the rest: nothing is lost across the hand-over.
TEST(ShutdownE2E, SigtermUnderLoadIsOrderlyAndTheSuccessorTakesOverAtOnce) {
  constexpr int kPartitions = 4;
  constexpr int kDevices = 40;
  TestTopics topics(kPartitions);
  GatewaySettings settings;
  // The default session timeout (45 s): a successor gets the partitions early only if the
  // stopping instance left the group.
  GatewayProcess gateway(topics, settings);
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<WsTestClient>(gateway.port()));
    clients.back()->client_id();
  }

  std::atomic<bool> producing{true};
  std::atomic<std::uint64_t> produced{0};
  std::thread producer_thread([&] {
    RecordProducer producer;
    std::uint64_t seq = 0;
    while (producing.load()) {
      for (int i = 0; i < 100; ++i, ++seq) {
        const std::string id = "load-" + std::to_string(seq % kDevices);
        producer.produce(topics.device_data, id,
                         to_json(DeviceRecord{.device_id = id, .seq = seq / kDevices}));
      }
      produced.store(seq);
      std::this_thread::sleep_for(10ms);  // about 10,000 records/s
    }
    producer.flush();
  });
  const auto stop_producing = [&] {
    if (!producing.exchange(false)) return;
    producer_thread.join();
  };

  ASSERT_TRUE(clients[0]->wait_for_events(3000, 60s)) << clients[0]->event_count();
  const auto status = gateway.terminate(30s);
  // Records keep flowing past the shutdown; the successor reads them.
  std::this_thread::sleep_for(300ms);
  stop_producing();
  ASSERT_TRUE(status) << "bin/consumer still runs 30 s after SIGTERM";
  EXPECT_TRUE(status->exited_ok()) << status->describe() << "\n" << gateway.log_tail();

  for (const auto& client : clients) {
    ASSERT_TRUE(client->wait_closed(10s));
    const CloseInfo close = *client->close_info();
    EXPECT_EQ(close.code, 1001) << "error: " << close.error;
  }

  // Committed offsets = records processed (the group read from offset 0 of fresh topics).
  const auto consumed = consumed_at_stop(gateway.log_path());
  ASSERT_TRUE(consumed) << gateway.log_tail();
  std::int64_t committed = 0;
  for (const auto& [partition, offset] :
       kafka_test::committed_offsets(gateway.group_id(), topics.device_data, kPartitions)) {
    if (offset > 0) committed += offset;
  }
  EXPECT_EQ(committed, *consumed);
  EXPECT_GT(static_cast<std::int64_t>(produced.load()), committed)
      << "records must still have been waiting at shutdown";

  // The successor in the same group: ready (it holds partitions) well before the 45 s session
  // timeout would have let it.
  GatewaySettings successor_settings;
  successor_settings.kafka["group_id"] = "\"" + gateway.group_id() + "\"";
  const auto started = std::chrono::steady_clock::now();
  GatewayProcess successor(topics, successor_settings);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s)
      << "the successor waited for the session timeout: the group was not left";

  // It reads exactly the records the first instance left: none lost, none read twice.
  const std::int64_t remaining = static_cast<std::int64_t>(produced.load()) - committed;
  wait_consumed(successor.port(), remaining);
  std::this_thread::sleep_for(1s);  // a duplicate would arrive within this pause
  const boost::json::object stats = wait_consumed(successor.port(), remaining);
  EXPECT_EQ(stats.at("total_messages").to_number<std::int64_t>(), remaining);
}

}  // namespace
}  // namespace iiot::e2e
