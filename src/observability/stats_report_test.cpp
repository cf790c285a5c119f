#include "observability/stats_report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

namespace iiot::observability {
namespace {

TEST(StatsReport, StatsJsonHasEveryContractField) {
  GatewayStats stats;
  stats.pipeline.total_messages = 10;
  stats.pipeline.device_data_messages = 7;
  stats.pipeline.alert_messages = 2;
  stats.pipeline.invalid_messages = 1;
  stats.push.push_success_count = 14;
  stats.kafka.consumer_lag = 5;
  stats.kafka.partitions_assigned = 3;
  stats.push_latency.record(std::chrono::milliseconds(2));
  PushReport push;
  push.queue_size = 4;
  push.queue_capacity = 1000;
  ClientReport client;
  client.id = "c-1";
  client.filter["device_ids"] = {"d1"};
  client.conflated = 9;
  client.delivery = "latest";
  push.clients.push_back(client);
  stats.push.conflated_messages = 11;
  stats.pipeline.rule_alerts = 2;

  const auto v = boost::json::parse(render_stats_json(stats, push)).as_object();
  for (const char* key :
       {"active_clients", "total_connections", "total_messages", "device_data_messages",
        "alert_messages", "invalid_messages", "push_success_count", "push_failure_count",
        "dropped_messages", "queue_size", "queue_capacity", "avg_push_latency_ms", "uptime_seconds",
        "kafka", "clients", "conflated_messages", "rule_alerts"}) {
    EXPECT_TRUE(v.contains(key)) << key;
  }
  EXPECT_EQ(v.at("total_messages").to_number<int>(), 10);
  EXPECT_EQ(v.at("queue_size").to_number<int>(), 4);
  EXPECT_NEAR(v.at("avg_push_latency_ms").to_number<double>(), 2.0, 0.01);
  EXPECT_EQ(v.at("kafka").at("consumer_lag").to_number<int>(), 5);
  EXPECT_EQ(v.at("kafka").at("partitions_assigned").to_number<int>(), 3);
  EXPECT_EQ(v.at("clients").as_array().at(0).at("filter").at("device_ids").at(0).as_string(), "d1");
  EXPECT_EQ(v.at("conflated_messages").to_number<int>(), 11);
  EXPECT_EQ(v.at("rule_alerts").to_number<int>(), 2);
  EXPECT_EQ(v.at("clients").as_array().at(0).at("conflated_messages").to_number<int>(), 9);
  EXPECT_EQ(v.at("clients").as_array().at(0).at("delivery").as_string(), "latest");
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

}  // namespace
}  // namespace iiot::observability
