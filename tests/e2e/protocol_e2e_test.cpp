// The WebSocket protocol and the HTTP endpoints as a client sees them (CONTRACT sections 2, 3):
// welcome, ping/pong, filter_ack, error replies, the shape of event frames, /health, /ready,
// /stats, /metrics, 404 and 405.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

const std::regex kServerTimestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

bool is_server_timestamp(const json::object& frame) {
  const json::value* ts = frame.if_contains("timestamp");
  return ts != nullptr && ts->is_string() &&
         std::regex_match(std::string(ts->as_string()), kServerTimestamp);
}

std::vector<std::string> keys_of(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : o) keys.emplace_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// The /stats entry of one client.
json::object client_entry(unsigned short port, const std::string& id) {
  const json::object stats = get_stats(port);
  if (auto entry = e2e::client_entry(stats, id)) return *std::move(entry);
  throw std::runtime_error("client " + id + " is not in /stats: " + json::serialize(stats));
}

void expect_still_open(WsTestClient& client) {
  const json::object pong = client.request(R"({"type":"ping"})", "pong");
  EXPECT_TRUE(is_server_timestamp(pong)) << json::serialize(pong);
  EXPECT_FALSE(client.close_info().has_value());
}

TEST(ProtocolE2E, HealthReadyAndEveryStatsField) {
  TestTopics topics(2);
  GatewayProcess gateway(topics);

  const HttpResponse health = http_get(gateway.port(), "/health");
  EXPECT_EQ(health.status, 200);
  const json::value health_body = json::parse(health.body);
  EXPECT_EQ(health_body.at("status").as_string(), "ok") << health.body;

  EXPECT_EQ(http_get(gateway.port(), "/ready").status, 200);

  const json::object stats = get_stats(gateway.port());
  for (const char* key :
       {"active_clients", "total_connections", "total_messages", "device_data_messages",
        "alert_messages", "invalid_messages", "push_success_count", "push_failure_count",
        "dropped_messages", "queue_size", "queue_capacity", "avg_push_latency_ms",
        "uptime_seconds"}) {
    ASSERT_TRUE(stats.contains(key)) << key << " missing from " << json::serialize(stats);
    EXPECT_TRUE(stats.at(key).is_number()) << key << " is not a number";
  }
  ASSERT_TRUE(stats.contains("kafka") && stats.at("kafka").is_object()) << json::serialize(stats);
  const json::object& kafka = stats.at("kafka").as_object();
  for (const char* key : {"consumer_lag", "partitions_assigned"}) {
    ASSERT_TRUE(kafka.contains(key)) << "kafka." << key << " missing";
    EXPECT_TRUE(kafka.at(key).is_number());
  }
  // Both topics, two partitions each, are assigned to this only member of the group.
  EXPECT_EQ(kafka.at("partitions_assigned").to_number<int>(), 4);
  EXPECT_EQ(stat_value(stats, "queue_capacity"), 1000);

  HttpResponse metrics = http_get(gateway.port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.headers["content-type"].find("version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE "), std::string::npos);
}

TEST(ProtocolE2E, HealthIsDegradedAndReadyIs503WhileKafkaIsUnreachable) {
  TestTopics topics(1);
  GatewaySettings settings;
  // Nothing listens there: the gateway serves HTTP and WebSocket but never reaches Kafka.
  settings.kafka["brokers"] = "[\"127.0.0.1:" + std::to_string(free_port()) + "\"]";
  GatewayProcess gateway(topics, settings, WaitFor::kListening);

  const HttpResponse health = http_get(gateway.port(), "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body).at("status").as_string(), "degraded") << health.body;
  EXPECT_EQ(http_get(gateway.port(), "/ready").status, 503);
  WsTestClient client(gateway.port());
  expect_still_open(client);
}

TEST(ProtocolE2E, UnknownPathIs404AndOtherMethodsAre405) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  EXPECT_EQ(http_get(gateway.port(), "/nope").status, 404);
  EXPECT_EQ(http_get(gateway.port(), "/stats/extra").status, 404);
  EXPECT_EQ(http_request(gateway.port(), "POST", "/stats").status, 405);
  EXPECT_EQ(http_request(gateway.port(), "POST", "/health").status, 405);
  EXPECT_EQ(http_request(gateway.port(), "DELETE", "/metrics").status, 405);
  EXPECT_EQ(http_request(gateway.port(), "PUT", "/ready").status, 405);
  // The endpoints still answer on the same server afterwards.
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 200);
}

TEST(ProtocolE2E, TheWebSocketPathIsConfigurableAndTakesAQueryString) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"path", "\"/stream\""}}});
  WsTestClient client(gateway.port(), {.path = "/stream?token=abc"});
  expect_still_open(client);
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", std::nullopt).status, 404);
  EXPECT_EQ(http_request(gateway.port(), "POST", "/stream").status, 405);
}

TEST(ProtocolE2E, WelcomePongAndFilterAckCarryEveryKey) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());

  std::size_t cursor = 0;
  const auto welcome = client.next_of_type("welcome", cursor);
  ASSERT_TRUE(welcome) << "no welcome frame";
  EXPECT_EQ(cursor, 1u) << "welcome must be the first frame";
  EXPECT_TRUE(is_server_timestamp(*welcome)) << json::serialize(*welcome);
  const json::object& data = welcome->at("data").as_object();
  ASSERT_TRUE(data.at("client_id").is_string());
  EXPECT_FALSE(data.at("client_id").as_string().empty());
  const json::object& filter = data.at("filter").as_object();
  EXPECT_EQ(keys_of(filter),
            (std::vector<std::string>{"alert_levels", "delivery", "device_ids", "device_types",
                                      "locations", "resume", "snapshot", "types"}));
  for (const auto& [key, value] : filter) {
    if (key == "delivery") {
      EXPECT_EQ(value, "all") << "delivery of a new connection";
    } else if (key == "resume" || key == "snapshot") {
      EXPECT_EQ(value, json::value(false)) << key << " of a new connection";
    } else {
      EXPECT_TRUE(value.is_array() && value.as_array().empty()) << key << " of a new connection";
    }
  }

  const json::object pong = client.request(R"({"type":"ping"})", "pong");
  EXPECT_TRUE(is_server_timestamp(pong)) << json::serialize(pong);

  const json::object ack = client.request(
      R"({"type":"filter","data":{"device_ids":["dev-2","dev-1","dev-2"],"alert_levels":["critical","warning"]}})",
      "filter_ack");
  EXPECT_TRUE(is_server_timestamp(ack)) << json::serialize(ack);
  const json::object& in_force = ack.at("data").as_object();
  EXPECT_EQ(keys_of(in_force),
            (std::vector<std::string>{"alert_levels", "delivery", "device_ids", "device_types",
                                      "locations", "resume", "snapshot", "types"}));
  auto sorted = [](const json::value& list) {
    std::vector<std::string> out;
    for (const json::value& v : list.as_array()) out.emplace_back(v.as_string());
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(sorted(in_force.at("device_ids")), (std::vector<std::string>{"dev-1", "dev-2"}));
  EXPECT_EQ(sorted(in_force.at("alert_levels")), (std::vector<std::string>{"critical", "warning"}));
  EXPECT_TRUE(in_force.at("device_types").as_array().empty());
  EXPECT_TRUE(in_force.at("locations").as_array().empty());
  EXPECT_TRUE(in_force.at("types").as_array().empty());

  // Replacing the filter with an empty one clears every list.
  const json::object cleared = client.request(R"({"type":"filter","data":{}})", "filter_ack");
  for (const auto& [key, value] : cleared.at("data").as_object()) {
    if (key == "delivery") {
      EXPECT_EQ(value, "all");
    } else if (value.is_array()) {
      EXPECT_TRUE(value.as_array().empty()) << key;
    }
  }
  expect_still_open(client);
}

TEST(ProtocolE2E, ErrorRepliesKeepTheConnectionOpenAndTheFilterUnchanged) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  const std::string id = client.client_id();

  struct Case {
    const char* frame;
    const char* code;
  };
  const Case cases[] = {
      {R"({"type":"ping")", "invalid_json"},
      {"not json at all", "invalid_json"},
      {R"(["ping"])", "invalid_json"},
      {R"({"type":"subscribe"})", "unknown_type"},
      {R"({"type":"filter","data":{"alert_levels":["fatal"]}})", "invalid_filter"},
      {R"({"type":"filter","data":{"types":["device_data","telemetry"]}})", "invalid_filter"},
      {R"({"type":"filter","data":{"device_ids":"dev-1"}})", "invalid_filter"},
      {R"({"type":"filter","data":{"locations":[7]}})", "invalid_filter"},
  };

  // A filter in force before the bad ones.
  client.request(R"({"type":"filter","data":{"device_ids":["dev-keep"],"types":["device_data"]}})",
                 "filter_ack");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.frame);
    const json::object error = client.request(c.frame, "error");
    EXPECT_TRUE(is_server_timestamp(error)) << json::serialize(error);
    EXPECT_EQ(error.at("data").at("code").as_string(), c.code) << json::serialize(error);
    EXPECT_TRUE(error.at("data").at("message").is_string());
    EXPECT_FALSE(error.at("data").at("message").as_string().empty());
    expect_still_open(client);
  }

  // The filter is still the one set before the bad frames: in /stats, and in what arrives.
  const json::object entry = client_entry(gateway.port(), id);
  EXPECT_EQ(json::serialize(entry.at("filter")),
            R"({"device_ids":["dev-keep"],"types":["device_data"]})");

  RecordProducer producer;
  producer.produce(topics.device_data, "dev-keep", to_json(DeviceRecord{.device_id = "dev-keep"}));
  producer.produce(topics.device_data, "dev-other",
                   to_json(DeviceRecord{.device_id = "dev-other"}));
  producer.produce(topics.alerts, "dev-keep",
                   to_json(AlertRecord{.alert_id = "al-1", .device_id = "dev-keep"}));
  producer.flush();
  wait_settled(gateway.port(), 3, [&] { return std::int64_t(client.event_count()); });
  EXPECT_EQ(client.event_keys(), (std::vector<std::string>{device_key("dev-keep", 0)}));
}

TEST(ProtocolE2E, EventFramesCarryTheContractFieldsAndNothingUnknown) {
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.client_id();

  RecordProducer producer;
  // Unknown fields at both levels, a 9-digit fraction with an offset, a null optional field.
  producer.produce(
      topics.device_data, "plc-7",
      R"({"device_id":"plc-7","device_type":"plc","location":"Hall-7","status":"maintenance",)"
      R"("timestamp":"2024-08-01T20:50:09.123456789+08:00","firmware":"1.2.3",)"
      R"("sensors":{"seq":{"value":0},"pressure":{"value":1.5,"unit":"bar","calibrated":true}}})");
  producer.produce(topics.device_data, "plc-8",
                   R"({"device_id":"plc-8","device_type":"plc","location":null,"status":null,)"
                   R"("timestamp":"2024-08-01T12:50:09Z","sensors":{"seq":{"value":0}}})");
  producer.flush();
  ASSERT_TRUE(client.wait_for_events(2, 30s)) << "received " << client.event_count();

  // An alert without device_type and location takes them from the device's last data.
  producer.produce(topics.alerts, "plc-7",
                   R"({"alert_id":"alert-001","device_id":"plc-7","severity":"critical",)"
                   R"("title":"Pressure High","timestamp":"2024-08-01T20:50:10-03:30",)"
                   R"("ticket":42})");
  producer.flush();
  ASSERT_TRUE(client.wait_for_events(3, 30s)) << "received " << client.event_count();

  std::map<std::string, json::object> by_key;
  for (const std::string& text : client.event_texts()) {
    json::object frame = parse_frame(text);
    by_key[*event_key(frame)] = std::move(frame);
  }
  ASSERT_EQ(by_key.size(), 3u);

  const json::object& d = by_key.at(device_key("plc-7", 0));
  EXPECT_EQ(keys_of(d), (std::vector<std::string>{"data", "pos", "timestamp", "type"}));
  EXPECT_EQ(d.at("timestamp").as_string(), "2024-08-01T20:50:09.123456789+08:00");
  EXPECT_EQ(keys_of(d.at("data").as_object()), (std::vector<std::string>{"device"}));
  const json::object& device = d.at("data").at("device").as_object();
  EXPECT_EQ(keys_of(device), (std::vector<std::string>{"device_id", "device_type", "location",
                                                       "sensors", "status"}));
  EXPECT_EQ(device.at("device_id").as_string(), "plc-7");
  EXPECT_EQ(device.at("device_type").as_string(), "plc");
  EXPECT_EQ(device.at("location").as_string(), "Hall-7");
  EXPECT_EQ(device.at("status").as_string(), "maintenance");
  const json::object& pressure = device.at("sensors").at("pressure").as_object();
  EXPECT_EQ(keys_of(pressure), (std::vector<std::string>{"unit", "value"}));
  EXPECT_DOUBLE_EQ(pressure.at("value").to_number<double>(), 1.5);
  EXPECT_EQ(pressure.at("unit").as_string(), "bar");

  const json::object& defaults =
      by_key.at(device_key("plc-8", 0)).at("data").at("device").as_object();
  EXPECT_EQ(defaults.at("location").as_string(), "");
  EXPECT_EQ(defaults.at("status").as_string(), "online");

  const json::object& a = by_key.at(alert_key("alert-001"));
  EXPECT_EQ(keys_of(a), (std::vector<std::string>{"data", "pos", "timestamp", "type"}));
  EXPECT_EQ(a.at("timestamp").as_string(), "2024-08-01T20:50:10-03:30");
  const json::object& adata = a.at("data").as_object();
  EXPECT_EQ(keys_of(adata),
            (std::vector<std::string>{"alert", "device_id", "device_type", "location"}));
  EXPECT_EQ(keys_of(adata.at("alert").as_object()),
            (std::vector<std::string>{"alert_id", "description", "severity", "title"}));
  EXPECT_EQ(adata.at("alert").at("severity").as_string(), "critical");
  EXPECT_EQ(adata.at("alert").at("title").as_string(), "Pressure High");
  EXPECT_EQ(adata.at("alert").at("description").as_string(), "");
  EXPECT_EQ(adata.at("device_id").as_string(), "plc-7");
  EXPECT_EQ(adata.at("device_type").as_string(), "plc");
  EXPECT_EQ(adata.at("location").as_string(), "Hall-7");
}

}  // namespace
}  // namespace iiot::e2e
