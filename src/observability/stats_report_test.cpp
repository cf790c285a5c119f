#include "observability/stats_report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace iiot::observability {
namespace {

// The raw text of the value after "key": in a rendered document (the first occurrence).
std::string value_text(const std::string& json_text, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const auto at = json_text.find(needle);
  if (at == std::string::npos) return "<missing>";
  const auto begin = at + needle.size();
  const auto end = json_text.find_first_of(",}]", begin);
  return json_text.substr(begin, end - begin);
}

// Every number written after ':', ',' or '[' (a port inside a string of the sample counts too).
std::vector<std::string> number_texts(const std::string& json_text) {
  static const std::regex kNumber(R"([:,\[](-?[0-9][0-9.eE+-]*))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(json_text.begin(), json_text.end(), kNumber);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// Plain decimal as people read it: no exponent, no leading zeros, no trailing point.
bool is_plain_decimal(const std::string& text) {
  static const std::regex kPlain(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?)");
  return std::regex_match(text, kPlain);
}

struct Rendered {
  std::string text;
  boost::json::object json;
};

Rendered render_sample() {
  GatewayStats stats;
  stats.push.active_clients = 2;
  stats.push.total_connections = 11;
  stats.pipeline.total_messages = 12'345'678'901;
  stats.pipeline.device_data_messages = 12'345'678'890;
  stats.pipeline.alert_messages = 8;
  stats.pipeline.invalid_messages = 3;
  stats.push.push_success_count = 14;
  stats.push.push_failure_count = 6;
  stats.push.dropped_messages = 9;
  stats.kafka.consumer_lag = 5;
  stats.kafka.partitions_assigned = 3;
  // 6.0042 ms: Boost.JSON alone would write 6.0042E0.
  stats.push_latency.record(std::chrono::nanoseconds(6'004'200));
  PushReport push;
  push.queue_size = 4;
  push.queue_capacity = 1000;
  ClientReport client;
  client.id = "c-1";
  client.remote = "127.0.0.1:5000";
  client.queue_depth = 17;
  client.queue_bytes = 2048;
  client.sent = 21;
  client.dropped = 12;
  client.filter["device_ids"] = {"d1"};
  client.conflated = 9;
  client.delivery = "latest";
  push.clients.push_back(client);
  stats.push.conflated_messages = 11;
  stats.pipeline.rule_alerts = 2;
  Rendered r;
  r.text = render_stats_json(stats, push);
  r.json = boost::json::parse(r.text).as_object();
  return r;
}

TEST(StatsReport, StatsJsonHasEveryContractField) {
  const Rendered r = render_sample();
  // CONTRACT section 3.
  for (const char* key :
       {"active_clients", "total_connections", "total_messages", "device_data_messages",
        "alert_messages", "invalid_messages", "push_success_count", "push_failure_count",
        "dropped_messages", "queue_size", "queue_capacity", "avg_push_latency_ms", "uptime_seconds",
        "kafka", "conflated_messages", "rule_alerts"}) {
    EXPECT_TRUE(r.json.contains(key)) << key << " in " << r.text;
  }
  ASSERT_TRUE(r.json.at("kafka").is_object()) << r.text;
  for (const char* key : {"consumer_lag", "partitions_assigned"}) {
    EXPECT_TRUE(r.json.at("kafka").as_object().contains(key)) << "kafka." << key;
  }
  // CONTRACT section 6: each client's outgoing queue depth and drops appear under `clients`.
  ASSERT_TRUE(r.json.contains("clients")) << r.text;
  const auto& clients = r.json.at("clients").as_array();
  ASSERT_EQ(clients.size(), 1u);
  for (const char* key : {"id", "queue_depth", "dropped", "filter"}) {
    EXPECT_TRUE(clients.at(0).as_object().contains(key)) << "clients[0]." << key;
  }
  EXPECT_EQ(clients.at(0).at("filter").at("device_ids").at(0).as_string(), "d1");
}

TEST(StatsReport, StatsJsonWritesNumbersAsPlainDecimals) {
  const Rendered r = render_sample();
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"active_clients", "2"},
      {"total_connections", "11"},
      {"total_messages", "12345678901"},
      {"device_data_messages", "12345678890"},
      {"alert_messages", "8"},
      {"invalid_messages", "3"},
      {"push_success_count", "14"},
      {"push_failure_count", "6"},
      {"dropped_messages", "9"},
      {"queue_size", "4"},
      {"queue_capacity", "1000"},
      {"avg_push_latency_ms", "6.0042"},
      {"consumer_lag", "5"},
      {"partitions_assigned", "3"},
      {"queue_depth", "17"},
      {"dropped", "12"},
      {"conflated_messages", "11"},
      {"rule_alerts", "2"},
  };
  for (const auto& [key, text] : expected) {
    EXPECT_EQ(value_text(r.text, key), text) << key << " in " << r.text;
  }
  EXPECT_TRUE(is_plain_decimal(value_text(r.text, "uptime_seconds"))) << r.text;

  const auto numbers = number_texts(r.text);
  EXPECT_GE(numbers.size(), expected.size() + 1) << r.text;
  for (const auto& number : numbers) {
    EXPECT_TRUE(is_plain_decimal(number)) << number << " in " << r.text;
  }
}

TEST(StatsReport, StatsJsonWritesSmallFiguresWithoutExponent) {
  GatewayStats stats;
  stats.push_latency.record(std::chrono::nanoseconds(30));  // 0.00003 ms; shortest form is 3e-05
  const std::string text = render_stats_json(stats, PushReport{});
  EXPECT_EQ(value_text(text, "avg_push_latency_ms"), "0.00003") << text;
  for (const auto& number : number_texts(text)) {
    EXPECT_TRUE(is_plain_decimal(number)) << number << " in " << text;
  }
}

TEST(StatsReport, MetricsCarryTheSameFigures) {
  GatewayStats stats;
  stats.pipeline.total_messages = 42;
  stats.push.dropped_messages = 3;
  stats.push.conflated_messages = 4;
  stats.pipeline.rule_alerts = 5;
  PushReport push;
  push.queue_capacity = 7;
  const std::string text = render_metrics(stats, push);
  EXPECT_NE(text.find("# TYPE iiot_messages_total counter\niiot_messages_total 42\n"),
            std::string::npos);
  EXPECT_NE(text.find("iiot_dropped_messages_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("iiot_conflated_messages_total 4\n"), std::string::npos);
  EXPECT_NE(text.find("iiot_rule_alerts_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("iiot_push_queue_capacity 7\n"), std::string::npos);
}

TEST(StatsReport, HealthIsDegradedWhileKafkaIsUnreachable) {
  GatewayStats stats;
  EXPECT_NE(render_health_json(stats).find(R"("status":"degraded")"), std::string::npos);
  EXPECT_FALSE(kafka_ready(stats));
  stats.kafka.broker_reachable = true;
  EXPECT_NE(render_health_json(stats).find(R"("status":"ok")"), std::string::npos);
  EXPECT_FALSE(kafka_ready(stats));
  stats.kafka.group_joined = true;
  EXPECT_TRUE(kafka_ready(stats));
}

// Every line of `name`'s histogram, in order, as Prometheus would read it.
std::vector<std::string> lines_of(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "_bucket", 0) == 0 || line.rfind(name + "_sum", 0) == 0 ||
        line.rfind(name + "_count", 0) == 0) {
      out.push_back(line);
    }
  }
  return out;
}

TEST(StatsReport, LatencyHistogramsAreCumulativeInSeconds) {
  GatewayStats stats;
  stats.push_latency.record(std::chrono::microseconds(50));  // <= 100 us
  stats.push_latency.record(std::chrono::milliseconds(3));   // <= 5 ms
  stats.push_latency.record(std::chrono::milliseconds(3));   // <= 5 ms
  stats.push_latency.record(std::chrono::seconds(20));       // only +Inf
  const std::string text = render_metrics(stats, PushReport{});

  EXPECT_NE(text.find("# TYPE iiot_push_latency_seconds histogram\n"), std::string::npos);
  const auto lines = lines_of(text, "iiot_push_latency_seconds");
  ASSERT_EQ(lines.size(), 19u);  // 16 bounds, +Inf, _sum, _count
  EXPECT_EQ(lines[0], R"(iiot_push_latency_seconds_bucket{le="0.0001"} 1)");
  EXPECT_EQ(lines[4], R"(iiot_push_latency_seconds_bucket{le="0.0025"} 1)");
  EXPECT_EQ(lines[5], R"(iiot_push_latency_seconds_bucket{le="0.005"} 3)");
  EXPECT_EQ(lines[12], R"(iiot_push_latency_seconds_bucket{le="1"} 3)");
  EXPECT_EQ(lines[15], R"(iiot_push_latency_seconds_bucket{le="10"} 3)");
  EXPECT_EQ(lines[16], R"(iiot_push_latency_seconds_bucket{le="+Inf"} 4)");
  EXPECT_EQ(lines[18], "iiot_push_latency_seconds_count 4");
  ASSERT_EQ(lines[17].rfind("iiot_push_latency_seconds_sum ", 0), 0u);
  EXPECT_NEAR(std::stod(lines[17].substr(30)), 20.00605, 1e-9);

  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const std::uint64_t n = std::stoull(lines[i].substr(lines[i].rfind(' ') + 1));
    EXPECT_GE(n, previous) << lines[i];
    previous = n;
  }
}

TEST(StatsReport, KafkaToClientHistogramIsExposedEvenWhenEmpty) {
  GatewayStats stats;
  const auto empty =
      lines_of(render_metrics(stats, PushReport{}), "iiot_kafka_to_client_latency_seconds");
  ASSERT_EQ(empty.size(), 19u);
  EXPECT_EQ(empty[16], R"(iiot_kafka_to_client_latency_seconds_bucket{le="+Inf"} 0)");
  EXPECT_EQ(empty[17], "iiot_kafka_to_client_latency_seconds_sum 0");

  stats.kafka_to_client_latency.record(std::chrono::milliseconds(30));
  const auto one =
      lines_of(render_metrics(stats, PushReport{}), "iiot_kafka_to_client_latency_seconds");
  EXPECT_EQ(one[7], R"(iiot_kafka_to_client_latency_seconds_bucket{le="0.025"} 0)");
  EXPECT_EQ(one[8], R"(iiot_kafka_to_client_latency_seconds_bucket{le="0.05"} 1)");
  EXPECT_EQ(one[18], "iiot_kafka_to_client_latency_seconds_count 1");
}

TEST(StatsReport, PerTopicLagIsALabelledGauge) {
  GatewayStats stats;
  stats.kafka.topics.replace({{"iiot.device-data", 4, 4, 120}, {"odd\"topic\\", 1, 1, 7}});
  const std::string text = render_metrics(stats, PushReport{});
  EXPECT_NE(text.find("# TYPE iiot_kafka_topic_consumer_lag gauge\n"), std::string::npos);
  EXPECT_NE(text.find("iiot_kafka_topic_consumer_lag{topic=\"iiot.device-data\"} 120\n"),
            std::string::npos);
  EXPECT_NE(text.find(R"(iiot_kafka_topic_consumer_lag{topic="odd\"topic\\"} 7)"),
            std::string::npos);
  EXPECT_NE(text.find("iiot_kafka_topic_partitions_assigned{topic=\"iiot.device-data\"} 4\n"),
            std::string::npos);
}

TEST(StatsReport, PartialAssignmentIsDegradedAndReported) {
  GatewayStats stats;
  stats.kafka.broker_reachable = true;
  stats.kafka.group_joined = true;
  auto stats_json = [&] {
    return boost::json::parse(render_stats_json(stats, PushReport{})).as_object();
  };
  EXPECT_FALSE(stats_json().at("kafka").at("partial").as_bool());
  EXPECT_NE(render_health_json(stats).find(R"("status":"ok")"), std::string::npos);

  stats.kafka.partial = true;
  stats.kafka.topics.replace({{"t", 4, 2, 0}});
  const auto v = stats_json();
  EXPECT_TRUE(v.at("kafka").at("partial").as_bool());
  EXPECT_EQ(v.at("kafka").at("topics").at(0).at("partitions_assigned").to_number<int>(), 2);
  EXPECT_NE(render_health_json(stats).find(R"("status":"degraded")"), std::string::npos);
  EXPECT_NE(render_metrics(stats, PushReport{}).find("iiot_kafka_partial 1\n"), std::string::npos);
}

}  // namespace
}  // namespace iiot::observability
