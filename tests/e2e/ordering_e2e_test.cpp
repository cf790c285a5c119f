// Per-device order end to end (CONTRACT section 2, "Events of one device reach a client in Kafka
// order"): 10,000 records of 20 devices spread over several partitions, read by clients with the
// empty filter, with and without permessage-deflate.
#include <gtest/gtest.h>

#include <map>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

constexpr int kDevices = 20;
constexpr std::uint64_t kPerDevice = 500;

// Checks that every device's sequence numbers arrived exactly once each, in order.
void expect_per_device_order(const std::vector<std::string>& keys, const char* client) {
  SCOPED_TRACE(client);
  std::map<std::string, std::uint64_t> next;
  int violations = 0;
  for (const std::string& key : keys) {
    const auto hash = key.rfind('#');
    ASSERT_NE(hash, std::string::npos) << key;
    const std::string device = key.substr(2, hash - 2);
    const std::uint64_t seq = std::stoull(key.substr(hash + 1));
    std::uint64_t& expected = next[device];
    if (seq != expected && ++violations <= 10) {
      ADD_FAILURE() << device << ": got seq " << seq << ", expected " << expected;
    }
    expected = seq + 1;
  }
  EXPECT_EQ(violations, 0);
  EXPECT_EQ(next.size(), static_cast<std::size_t>(kDevices));
  for (const auto& [device, count] : next) EXPECT_EQ(count, kPerDevice) << device;
}

TEST(OrderingE2E, PerDeviceOrderAcrossTenThousandEventsOnSeveralPartitions) {
  TestTopics topics(4);
  GatewaySettings settings;
  // The pipeline itself must not give events up on a busy moment: only order is under test.
  settings.retry_pushes_until_queued();
  // Nor may a client's queue drop: on a loaded machine the test's reader threads can miss the
  // 100 ms a non-draining client is given, so each client's queue holds the whole burst.
  settings.websocket["queue_size"] = std::to_string(2 * kPerDevice * kDevices);
  settings.websocket["max_queue_bytes"] = std::to_string(64 << 20);
  GatewayProcess gateway(topics, settings);
  WsTestClient plain(gateway.port());
  WsTestClient deflate(gateway.port(), {.compression = true});
  plain.client_id();
  deflate.client_id();

  RecordProducer producer;
  for (std::uint64_t seq = 0; seq < kPerDevice; ++seq) {
    for (int d = 0; d < kDevices; ++d) {
      const std::string id = "ord-" + std::to_string(d);
      producer.produce(topics.device_data, id, to_json(DeviceRecord{.device_id = id, .seq = seq}));
    }
  }
  producer.flush();
  constexpr std::int64_t kTotal = kDevices * static_cast<std::int64_t>(kPerDevice);
  const auto stats = wait_settled(gateway.port(), kTotal, [&] {
    return static_cast<std::int64_t>(plain.event_count() + deflate.event_count());
  });
  EXPECT_EQ(stat_value(stats, "push_failure_count"), 0);
  EXPECT_EQ(stat_value(stats, "device_data_messages"), kTotal);

  expect_per_device_order(plain.event_keys(), "plain client");
  expect_per_device_order(deflate.event_keys(), "permessage-deflate client");
}

}  // namespace
}  // namespace iiot::e2e
