// /stats and /metrics agree with what the clients received (CONTRACT section 3, section 6
// "total_messages"): a known mix of valid and invalid records, two clients with different
// filters, and every figure checked in both the JSON and the Prometheus text.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <regex>
#include <sstream>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

// Every line of a Prometheus 0.0.4 text exposition: comments (HELP/TYPE) or `name value`.
void expect_valid_exposition(const std::string& text) {
  const std::regex sample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf))");
  const std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
}

TEST(StatsE2E, StatsAndMetricsAgreeWithWhatTheClientsReceived) {
  TestTopics topics(2);
  GatewayProcess gateway(topics, {.processor = {{"max_payload_bytes", "4096"}}});
  WsTestClient everything(gateway.port());
  WsTestClient alerts_only(gateway.port());
  everything.client_id();
  alerts_only.request(R"({"type":"filter","data":{"types":["alert"]}})", "filter_ack");

  RecordProducer producer;
  constexpr int kDeviceRecords = 40;
  constexpr int kAlerts = 8;
  for (int i = 0; i < kDeviceRecords; ++i) {
    const std::string id = "st-" + std::to_string(i % 4);
    producer.produce(topics.device_data, id,
                     to_json(DeviceRecord{.device_id = id, .seq = static_cast<std::uint64_t>(i)}));
  }
  for (int i = 0; i < kAlerts; ++i) {
    producer.produce(
        topics.alerts, "st-0",
        to_json(AlertRecord{.alert_id = "st-al-" + std::to_string(i), .device_id = "st-0"}));
  }
  const std::vector<std::pair<const std::string*, std::string>> invalid = {
      {&topics.device_data, "not json"},
      {&topics.device_data, R"({"device_id":"st-x"})"},
      {&topics.device_data, R"({"device_id":"st-x","device_type":"sensor","status":"sleeping",)"
                            R"("timestamp":"2024-08-01T20:50:09Z","sensors":{"t":{"value":1}}})"},
      {&topics.device_data, "{\"device_id\":\"st-\xff\xfe\",\"device_type\":\"sensor\"}"},
      {&topics.device_data, to_json(DeviceRecord{.device_id = "st-big", .padding_sensors = 100})},
      {&topics.alerts, R"({"alert_id":"bad","device_id":"st-0","severity":"fatal","title":"x",)"
                       R"("timestamp":"2024-08-01T20:50:09Z"})"},
      {&topics.alerts, R"({"alert_id":"bad2","device_id":"st-0","severity":"info"})"},
  };
  ASSERT_GT(invalid[4].second.size(), 4096u);
  for (const auto& [topic, value] : invalid) producer.produce(*topic, "st-bad", value);
  producer.flush();

  const std::int64_t total = kDeviceRecords + kAlerts + static_cast<std::int64_t>(invalid.size());
  const json::object stats = wait_settled(gateway.port(), total, [&] {
    return static_cast<std::int64_t>(everything.event_count() + alerts_only.event_count());
  });
  const auto received =
      static_cast<std::int64_t>(everything.event_count() + alerts_only.event_count());
  EXPECT_EQ(everything.event_count(), static_cast<std::size_t>(kDeviceRecords + kAlerts));
  EXPECT_EQ(alerts_only.event_count(), static_cast<std::size_t>(kAlerts));

  const std::map<std::string, std::int64_t> expected = {
      {"total_messages", total},
      {"device_data_messages", kDeviceRecords},
      {"alert_messages", kAlerts},
      {"invalid_messages", static_cast<std::int64_t>(invalid.size())},
      {"push_success_count", received},
      {"push_failure_count", 0},
      {"dropped_messages", 0},
      {"active_clients", 2},
      {"total_connections", 2},
      {"queue_size", 0},
      {"queue_capacity", 1000},
  };
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(stat_value(stats, key.c_str()), value) << key << " in " << json::serialize(stats);
  }
  EXPECT_EQ(stat_value(stats, "device_data_messages") + stat_value(stats, "alert_messages") +
                stat_value(stats, "invalid_messages"),
            stat_value(stats, "total_messages"));
  EXPECT_GE(stats.at("avg_push_latency_ms").to_number<double>(), 0.0);
  EXPECT_GT(stats.at("uptime_seconds").to_number<double>(), 0.0);
  // The lag is librdkafka's, from committed offsets and refreshed about once a second.
  json::object kafka;
  EXPECT_TRUE(eventually(
      [&] {
        kafka = get_stats(gateway.port()).at("kafka").as_object();
        return kafka.at("consumer_lag").to_number<std::int64_t>() == 0;
      },
      30s, 100ms))
      << json::serialize(kafka);
  EXPECT_EQ(stats.at("clients").as_array().size(), 2u);

  // /metrics carries the same figures (nothing moves any more: the pipeline has settled).
  HttpResponse metrics = http_get(gateway.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("version=0.0.4"), std::string::npos);
  expect_valid_exposition(metrics.body);
  const std::map<std::string, std::string> metric_of = {
      {"total_messages", "iiot_messages_total"},
      {"device_data_messages", "iiot_device_data_messages_total"},
      {"alert_messages", "iiot_alert_messages_total"},
      {"invalid_messages", "iiot_invalid_messages_total"},
      {"push_success_count", "iiot_push_success_total"},
      {"push_failure_count", "iiot_push_failure_total"},
      {"dropped_messages", "iiot_dropped_messages_total"},
      {"active_clients", "iiot_active_clients"},
      {"total_connections", "iiot_connections_total"},
      {"queue_size", "iiot_push_queue_size"},
      {"queue_capacity", "iiot_push_queue_capacity"},
  };
  for (const auto& [key, metric] : metric_of) {
    const auto value = metric_value(metrics.body, metric);
    ASSERT_TRUE(value) << metric << " missing from /metrics";
    EXPECT_EQ(static_cast<std::int64_t>(*value), expected.at(key)) << metric;
  }
  ASSERT_TRUE(metric_value(metrics.body, "iiot_kafka_consumer_lag"));
  EXPECT_EQ(*metric_value(metrics.body, "iiot_kafka_consumer_lag"), 0.0);
  ASSERT_TRUE(metric_value(metrics.body, "iiot_kafka_partitions_assigned"));
  EXPECT_EQ(*metric_value(metrics.body, "iiot_kafka_partitions_assigned"),
            stats.at("kafka").at("partitions_assigned").to_number<double>());
}

TEST(StatsE2E, SynchronousPushDeliversEverything) {
  TestTopics topics(2);
  GatewayProcess gateway(topics, {.processor = {{"async_push", "false"}}});
  WsTestClient a(gateway.port());
  WsTestClient b(gateway.port());
  a.client_id();
  b.request(R"({"type":"filter","data":{"device_ids":["sy-1"]}})", "filter_ack");
  RecordProducer producer;
  constexpr int kRecords = 1000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string id = "sy-" + std::to_string(i % 4);
    producer.produce(topics.device_data, id,
                     to_json(DeviceRecord{.device_id = id, .seq = static_cast<std::uint64_t>(i)}));
  }
  producer.flush();
  const json::object stats = wait_settled(gateway.port(), kRecords, [&] {
    return static_cast<std::int64_t>(a.event_count() + b.event_count());
  });
  EXPECT_EQ(a.event_count(), static_cast<std::size_t>(kRecords));
  EXPECT_EQ(b.event_count(), static_cast<std::size_t>(kRecords / 4));
  EXPECT_EQ(stat_value(stats, "push_failure_count"), 0);
}

TEST(StatsE2E, WithPushDisabledRecordsAreCountedButNothingIsPushed) {
  TestTopics topics(2);
  GatewayProcess gateway(topics, {.processor = {{"enable_push", "false"}}});
  WsTestClient client(gateway.port());
  client.client_id();
  RecordProducer producer;
  for (int i = 0; i < 20; ++i) {
    producer.produce(
        topics.device_data, "np-1",
        to_json(DeviceRecord{.device_id = "np-1", .seq = static_cast<std::uint64_t>(i)}));
  }
  producer.produce(topics.alerts, "np-1",
                   to_json(AlertRecord{.alert_id = "np", .device_id = "np-1"}));
  producer.flush();
  wait_consumed(gateway.port(), 21);
  // /stats may show a record in total_messages before it shows it in its kind's counter.
  json::object stats;
  EXPECT_TRUE(eventually(
      [&] {
        stats = get_stats(gateway.port());
        return stat_value(stats, "device_data_messages") + stat_value(stats, "alert_messages") >=
               21;
      },
      30s));
  EXPECT_EQ(stat_value(stats, "device_data_messages"), 20);
  EXPECT_EQ(stat_value(stats, "alert_messages"), 1);
  EXPECT_EQ(stat_value(stats, "push_success_count"), 0);
  // The connection still works; it simply gets no events.
  EXPECT_EQ(client.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");
  EXPECT_EQ(client.event_count(), 0u);
}

}  // namespace
}  // namespace iiot::e2e
