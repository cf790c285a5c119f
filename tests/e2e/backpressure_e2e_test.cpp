// Slow consumers (CONTRACT section 2 "Closing and limits", section 6 "When a client counts as
// slow"): a client that stops reading loses telemetry under drop_oldest, or is closed with 4000
// under disconnect, while the other clients keep every event and the server's memory stays
// bounded; alerts reach even a slow client under heavy telemetry.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>
#include <thread>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

constexpr int kQueueSize = 16;
constexpr int kBatch = 1000;
constexpr int kMaxBatches = 40;
constexpr int kPaddingSensors = 12;  // about 1 KiB per frame
constexpr int kDevices = 10;
// The overflow policy acts on a client whose socket has accepted nothing for 100 ms (CONTRACT
// section 6); the tests let this much time pass before the records that must meet the policy.
constexpr auto kPastSlowThreshold = std::chrono::milliseconds(300);

GatewaySettings slow_consumer_settings(const char* policy) {
  GatewaySettings s;
  s.websocket["queue_size"] = std::to_string(kQueueSize);
  s.websocket["overflow_policy"] = std::string("\"") + policy + "\"";
  // Room for a reading client to ride out a burst: only the stalled one may lose anything.
  s.websocket["max_queue_bytes"] = "33554432";
  // The stalled client stays connected until the test lets it read again.
  s.websocket["write_timeout"] = "\"120s\"";
  s.retry_pushes_until_queued();
  return s;
}

// Produces records of kDevices devices, each with the next sequence number of its device.
class TelemetrySource {
 public:
  TelemetrySource(RecordProducer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}

  void produce(int count) {
    for (int i = 0; i < count; ++i) {
      const int d = static_cast<int>(produced_ % kDevices);
      const std::string id = "bp-" + std::to_string(d);
      producer_.produce(
          topic_, id,
          to_json(DeviceRecord{
              .device_id = id, .seq = next_seq_[d]++, .padding_sensors = kPaddingSensors}));
      ++produced_;
    }
    producer_.flush();
  }
  std::int64_t produced() const { return produced_; }

 private:
  RecordProducer& producer_;
  std::string topic_;
  std::int64_t produced_ = 0;
  std::map<int, std::uint64_t> next_seq_;
};

// Every device's sequence numbers in increasing order (gaps allowed when drops are allowed).
void expect_increasing_per_device(const std::vector<std::string>& keys, bool gaps_allowed) {
  std::map<std::string, std::int64_t> last;
  int violations = 0;
  for (const std::string& key : keys) {
    const auto hash = key.rfind('#');
    if (key.rfind("d:", 0) != 0 || hash == std::string::npos) continue;  // not device data
    const std::string device = key.substr(0, hash);
    const std::int64_t seq = std::stoll(key.substr(hash + 1));
    auto [it, first] = last.try_emplace(device, -1);
    const bool ok = gaps_allowed ? seq > it->second : seq == it->second + 1;
    if (!ok && ++violations <= 5) ADD_FAILURE() << key << " after seq " << it->second;
    it->second = seq;
  }
  EXPECT_EQ(violations, 0);
}

TEST(BackpressureE2E, AStalledClientLosesTelemetryUnderDropOldestAndTheOthersLoseNothing) {
  TestTopics topics(4);
  GatewayProcess gateway(topics, slow_consumer_settings("drop_oldest"));
  WsTestClient fast(gateway.port());
  WsTestClient slow(gateway.port(), {.receive_buffer_bytes = 4096});
  const std::string slow_id = slow.client_id();
  const std::string fast_id = fast.client_id();
  slow.pause();

  RecordProducer producer;
  TelemetrySource source(producer, topics.device_data);
  // Until the stalled client's socket is full and its queue at queue_size...
  bool stalled = false;
  for (int batch = 0; batch < kMaxBatches && !stalled; ++batch) {
    source.produce(kBatch);
    ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(source.produced()), 60s));
    const auto entry = client_entry(get_stats(gateway.port()), slow_id);
    ASSERT_TRUE(entry) << "the stalled client was closed under drop_oldest";
    stalled = stat_value(*entry, "queue_depth") >= kQueueSize;
  }
  ASSERT_TRUE(stalled) << "the stalled client's queue never filled";
  // ...then past the slow threshold, more telemetry that must displace its oldest frames.
  std::this_thread::sleep_for(kPastSlowThreshold);
  source.produce(2 * kBatch);
  const std::int64_t total = source.produced();
  ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(total), 60s))
      << "the reading client got " << fast.event_count() << " of " << total;

  const json::object stats = wait_consumed(gateway.port(), total);
  EXPECT_GT(stat_value(stats, "dropped_messages"), 0) << json::serialize(stats);
  const auto slow_entry = client_entry(stats, slow_id);
  const auto fast_entry = client_entry(stats, fast_id);
  ASSERT_TRUE(slow_entry && fast_entry) << json::serialize(stats);
  EXPECT_GT(stat_value(*slow_entry, "dropped"), 0) << json::serialize(*slow_entry);
  EXPECT_EQ(stat_value(*fast_entry, "dropped"), 0) << json::serialize(*fast_entry);
  EXPECT_EQ(stat_value(stats, "slow_consumer_disconnects"), 0);

  // The reading client has every event exactly once, in order.
  const std::vector<std::string> fast_keys = fast.event_keys();
  EXPECT_EQ(fast_keys.size(), static_cast<std::size_t>(total));
  expect_increasing_per_device(fast_keys, false);

  // Once it reads again, the stalled client gets the rest: what it receives plus what was
  // dropped for it is everything, still in order per device, and it is still connected.
  slow.resume();
  const std::int64_t slow_dropped = stat_value(*slow_entry, "dropped");
  EXPECT_TRUE(slow.wait_for_events(static_cast<std::size_t>(total - slow_dropped), 60s))
      << "received " << slow.event_count() << ", dropped " << slow_dropped << ", total " << total;
  EXPECT_FALSE(slow.close_info().has_value());
  expect_increasing_per_device(slow.event_keys(), true);
  EXPECT_EQ(stat_value(*client_entry(get_stats(gateway.port()), slow_id), "dropped"), slow_dropped);
}

// CONTRACT section 6: queue_size bounds each client's outgoing queue; a client "may briefly hold
// more than queue_size frames" only while it keeps reading. A stalled client must come back to
// queue_size once the policy acts on it, rather than keep whatever a burst left behind.
TEST(BackpressureE2E, AStalledClientHoldsNoMoreThanQueueSizeFramesUnderDropOldest) {
  TestTopics topics(4);
  GatewayProcess gateway(topics, slow_consumer_settings("drop_oldest"));
  WsTestClient fast(gateway.port());
  WsTestClient slow(gateway.port(), {.receive_buffer_bytes = 4096});
  const std::string slow_id = slow.client_id();
  fast.client_id();
  slow.pause();

  RecordProducer producer;
  TelemetrySource source(producer, topics.device_data);
  bool stalled = false;
  for (int batch = 0; batch < kMaxBatches && !stalled; ++batch) {
    source.produce(kBatch);
    ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(source.produced()), 60s));
    const auto entry = client_entry(get_stats(gateway.port()), slow_id);
    ASSERT_TRUE(entry);
    stalled = stat_value(*entry, "queue_depth") >= kQueueSize;
  }
  ASSERT_TRUE(stalled) << "the stalled client's queue never filled";
  std::this_thread::sleep_for(kPastSlowThreshold);
  source.produce(kBatch);
  ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(source.produced()), 60s));

  const json::object stats = wait_consumed(gateway.port(), source.produced());
  const auto entry = client_entry(stats, slow_id);
  ASSERT_TRUE(entry);
  EXPECT_GT(stat_value(*entry, "dropped"), 0) << json::serialize(*entry);
  EXPECT_LE(stat_value(*entry, "queue_depth"), kQueueSize)
      << "a client that has stopped reading still holds more than queue_size frames: "
      << json::serialize(*entry);
}

// CONTRACT section 6: alerts are kept beyond queue_size "still within max_queue_bytes; past that
// the client is closed with 4000 whatever the policy".
TEST(BackpressureE2E, AlertsBeyondMaxQueueBytesCloseAStalledClientWith4000UnderDropOldest) {
  TestTopics topics(2);
  GatewaySettings settings;
  settings.websocket["queue_size"] = std::to_string(kQueueSize);
  settings.websocket["overflow_policy"] = "\"drop_oldest\"";
  settings.websocket["max_queue_bytes"] = "65536";
  settings.websocket["write_timeout"] = "\"120s\"";
  GatewayProcess gateway(topics, settings);
  // No reading client beside it: a burst of alerts larger than max_queue_bytes would close a
  // reading client too.
  WsTestClient slow(gateway.port(), {.receive_buffer_bytes = 4096});
  slow.client_id();
  slow.pause();

  RecordProducer producer;
  std::int64_t produced = 0;
  bool disconnected = false;
  for (int batch = 0; batch < kMaxBatches && !disconnected; ++batch) {
    for (int i = 0; i < kBatch; ++i, ++produced) {
      const std::string device = "bp-" + std::to_string(produced % kDevices);
      producer.produce(topics.alerts, device,
                       to_json(AlertRecord{.alert_id = "flood-" + std::to_string(produced),
                                           .device_id = device,
                                           .description = std::string(600, 'D')}));
    }
    producer.flush();
    wait_consumed(gateway.port(), produced);
    disconnected = stat_value(get_stats(gateway.port()), "slow_consumer_disconnects") > 0;
    if (!disconnected) std::this_thread::sleep_for(kPastSlowThreshold);
  }
  ASSERT_TRUE(disconnected) << "no 4000 after " << produced << " alerts";
  const json::object stats = get_stats(gateway.port());
  EXPECT_EQ(stat_value(stats, "dropped_messages"), 0) << "an alert was dropped";

  slow.resume();
  ASSERT_TRUE(slow.wait_closed(30s));
  EXPECT_EQ(slow.close_info()->code, 4000) << slow.close_info()->error;
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(BackpressureE2E, AStalledClientIsClosedWith4000UnderDisconnectAndMemoryStaysBounded) {
  TestTopics topics(4);
  GatewayProcess gateway(topics, slow_consumer_settings("disconnect"));
  WsTestClient fast(gateway.port());
  WsTestClient slow(gateway.port(), {.receive_buffer_bytes = 4096});
  slow.client_id();
  fast.client_id();
  slow.pause();
  const long rss_before = gateway.rss_kib();
  ASSERT_GT(rss_before, 0);

  RecordProducer producer;
  TelemetrySource source(producer, topics.device_data);
  bool disconnected = false;
  for (int batch = 0; batch < kMaxBatches && !disconnected; ++batch) {
    source.produce(kBatch);
    ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(source.produced()), 60s))
        << "the reading client got " << fast.event_count() << " of " << source.produced();
    disconnected = stat_value(get_stats(gateway.port()), "slow_consumer_disconnects") > 0;
    // The policy needs the stalled socket to have accepted nothing for 100 ms.
    if (!disconnected) std::this_thread::sleep_for(kPastSlowThreshold);
  }
  ASSERT_TRUE(disconnected) << "no slow consumer disconnect after " << source.produced()
                            << " records";

  // Reading again, the client finds the close frame behind what was already on its way.
  slow.resume();
  ASSERT_TRUE(slow.wait_closed(30s));
  const CloseInfo close = *slow.close_info();
  EXPECT_EQ(close.code, 4000) << "error: " << close.error;
  EXPECT_EQ(close.reason, "slow consumer");

  // The reading client was never affected.
  source.produce(kBatch);
  const std::int64_t total = source.produced();
  ASSERT_TRUE(fast.wait_for_events(static_cast<std::size_t>(total), 60s));
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 1; }, 15s));
  const json::object stats = wait_consumed(gateway.port(), total);
  EXPECT_EQ(stat_value(stats, "slow_consumer_disconnects"), 1);
  EXPECT_FALSE(fast.close_info().has_value());
  const std::vector<std::string> fast_keys = fast.event_keys();
  EXPECT_EQ(fast_keys.size(), static_cast<std::size_t>(total));
  expect_increasing_per_device(fast_keys, false);

  const long rss_after = gateway.rss_kib();
  EXPECT_LT(rss_after - rss_before, 200 * 1024)
      << "RSS grew from " << rss_before << " KiB to " << rss_after << " KiB";
}

TEST(BackpressureE2E, EveryAlertReachesASlowClientUnderHeavyTelemetry) {
  TestTopics topics(4);
  GatewaySettings settings;
  settings.websocket["queue_size"] = std::to_string(kQueueSize);
  settings.websocket["overflow_policy"] = "\"drop_oldest\"";
  settings.websocket["max_queue_bytes"] = "262144";
  // The client reads slowly on purpose; write_timeout closing it is not what is under test.
  settings.websocket["write_timeout"] = "\"120s\"";
  GatewayProcess gateway(topics, settings);
  // A reading client's receive buffer stays above loopback's segment size (64 KiB): with a
  // smaller one the kernel's window updates can stall a connection for seconds.
  WsTestClient slow(gateway.port(), {.receive_buffer_bytes = 65536});
  const std::string slow_id = slow.client_id();
  slow.set_read_delay(2ms);

  RecordProducer producer;
  TelemetrySource source(producer, topics.device_data);
  const char* const severities[] = {"info", "warning", "error", "critical"};
  std::vector<std::string> alert_keys;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < 10; ++i) {
      const std::string device = "bp-" + std::to_string(i % kDevices);
      const std::string alert_id = "pressure-" + std::to_string(round) + "-" + std::to_string(i);
      producer.produce(
          topics.alerts, device,
          to_json(AlertRecord{
              .alert_id = alert_id, .device_id = device, .severity = severities[(round + i) % 4]}));
      alert_keys.push_back(alert_key(alert_id));
    }
    source.produce(500);
  }
  const std::int64_t total = source.produced() + static_cast<std::int64_t>(alert_keys.size());
  const json::object consumed = wait_consumed(gateway.port(), total);
  EXPECT_EQ(stat_value(consumed, "alert_messages"), static_cast<std::int64_t>(alert_keys.size()));

  // Every record has been handed over; the client may now catch up at full speed.
  slow.set_read_delay(0ms);
  slow.resume();
  const std::set<std::string> wanted(alert_keys.begin(), alert_keys.end());
  auto alerts_received = [&] {
    std::vector<std::string> got;
    for (const std::string& key : slow.event_keys()) {
      if (key.rfind("a:", 0) == 0) got.push_back(key);
    }
    return got;
  };
  EXPECT_TRUE(slow.wait_until(
      [&](const std::vector<ReceivedFrame>& frames) {
        return static_cast<std::size_t>(std::count_if(frames.begin(), frames.end(), [](auto& f) {
                 return f.type == "alert";
               })) >= wanted.size();
      },
      60s));
  EXPECT_EQ(describe_difference(alert_keys, alerts_received()), "");
  EXPECT_FALSE(slow.close_info().has_value())
      << "closed with " << slow.close_info()->code << " " << slow.close_info()->reason;

  // The pressure was real: telemetry was dropped for this client.
  const auto entry = client_entry(get_stats(gateway.port()), slow_id);
  ASSERT_TRUE(entry);
  EXPECT_GT(stat_value(*entry, "dropped"), 0) << json::serialize(*entry);
  expect_increasing_per_device(slow.event_keys(), true);
}

}  // namespace
}  // namespace iiot::e2e
