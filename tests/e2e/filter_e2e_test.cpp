// Filters end to end (CONTRACT section 2): each dimension alone and combined, `types`, the rule
// that alert_levels constrains alerts only, a filter change taking effect for the next event, and
// clients with different filters each seeing exactly their own events.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <memory>
#include <set>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

// An event as the reference matcher below sees it.
struct Event {
  std::string key;
  std::string type;  // device_data | alert
  std::string device_id;
  std::string device_type;
  std::string location;
  std::string severity;  // alerts only
};

// The filter rule of CONTRACT section 2, written independently of the product: for every
// non-empty list the event's value must be in it; alert_levels applies to alerts only.
struct ReferenceFilter {
  std::vector<std::string> device_ids = {};
  std::vector<std::string> device_types = {};
  std::vector<std::string> locations = {};
  std::vector<std::string> alert_levels = {};
  std::vector<std::string> types = {};

  bool matches(const Event& e) const {
    auto allows = [](const std::vector<std::string>& list, const std::string& v) {
      return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    return allows(device_ids, e.device_id) && allows(device_types, e.device_type) &&
           allows(locations, e.location) && allows(types, e.type) &&
           (e.type != "alert" || allows(alert_levels, e.severity));
  }
};

struct FilterCase {
  const char* name;
  const char* data;  // the "data" of the filter frame
  ReferenceFilter reference;
};

struct Device {
  const char* id;
  const char* type;
  const char* location;
};

const Device kDevices[] = {{"s1", "sensor", "A"},
                           {"s2", "sensor", "B"},
                           {"p1", "plc", "A"},
                           {"p2", "plc", "B"},
                           {"g1", "gateway", "C"}};
const char* const kSeverities[] = {"info", "warning", "error", "critical"};

std::vector<std::string> expected_for(const ReferenceFilter& f, const std::vector<Event>& events) {
  std::vector<std::string> keys;
  for (const Event& e : events) {
    if (f.matches(e)) keys.push_back(e.key);
  }
  return keys;
}

std::int64_t total_events(const std::vector<std::unique_ptr<WsTestClient>>& clients) {
  std::int64_t n = 0;
  for (const auto& c : clients) n += static_cast<std::int64_t>(c->event_count());
  return n;
}

std::string filter_frame(const std::string& data) {
  return R"({"type":"filter","data":)" + data + "}";
}

TEST(FilterE2E, EachDimensionAloneAndCombined) {
  const std::vector<FilterCase> cases = {
      {"empty", "{}", {}},
      {"one device id", R"({"device_ids":["s1"]})", {.device_ids = {"s1"}}},
      {"two device ids", R"({"device_ids":["s1","p2"]})", {.device_ids = {"s1", "p2"}}},
      {"device type", R"({"device_types":["plc"]})", {.device_types = {"plc"}}},
      {"location", R"({"locations":["B"]})", {.locations = {"B"}}},
      {"types device_data", R"({"types":["device_data"]})", {.types = {"device_data"}}},
      {"types alert", R"({"types":["alert"]})", {.types = {"alert"}}},
      {"alert level alone keeps device data",
       R"({"alert_levels":["critical"]})",
       {.alert_levels = {"critical"}}},
      {"levels with types alert",
       R"({"alert_levels":["warning","critical"],"types":["alert"]})",
       {.alert_levels = {"warning", "critical"}, .types = {"alert"}}},
      {"type and location",
       R"({"device_types":["sensor"],"locations":["B"]})",
       {.device_types = {"sensor"}, .locations = {"B"}}},
      {"device, type alert, levels",
       R"({"device_ids":["p1"],"types":["alert"],"alert_levels":["info","error"]})",
       {.device_ids = {"p1"}, .alert_levels = {"info", "error"}, .types = {"alert"}}},
      {"every dimension",
       R"({"device_ids":["s1","g1","p2"],"device_types":["sensor","gateway"],"locations":["A","C"],)"
       R"("alert_levels":["error"],"types":["device_data","alert"]})",
       {.device_ids = {"s1", "g1", "p2"},
        .device_types = {"sensor", "gateway"},
        .locations = {"A", "C"},
        .alert_levels = {"error"},
        .types = {"device_data", "alert"}}},
      {"levels ignored when only device data",
       R"({"locations":["A"],"types":["device_data"],)"
       R"("alert_levels":["critical"]})",
       {.locations = {"A"}, .alert_levels = {"critical"}, .types = {"device_data"}}},
      {"null lists are empty", R"({"device_ids":null,"locations":["C"]})", {.locations = {"C"}}},
      {"nobody", R"({"device_ids":["nobody"]})", {.device_ids = {"nobody"}}},
  };

  TestTopics topics(3);
  GatewayProcess gateway(topics);
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (const FilterCase& c : cases) {
    clients.push_back(std::make_unique<WsTestClient>(gateway.port()));
    clients.back()->request(filter_frame(c.data), "filter_ack");
  }

  std::vector<Event> events;
  RecordProducer producer;
  for (const Device& d : kDevices) {
    for (std::uint64_t seq = 0; seq < 2; ++seq) {
      producer.produce(
          topics.device_data, d.id,
          to_json(DeviceRecord{
              .device_id = d.id, .device_type = d.type, .location = d.location, .seq = seq}));
      events.push_back({device_key(d.id, seq), "device_data", d.id, d.type, d.location, ""});
    }
    for (const char* severity : kSeverities) {
      const std::string id = std::string("al-") + d.id + "-" + severity;
      producer.produce(topics.alerts, d.id,
                       to_json(AlertRecord{.alert_id = id,
                                           .device_id = d.id,
                                           .severity = severity,
                                           .device_type = d.type,
                                           .location = d.location}));
      events.push_back({alert_key(id), "alert", d.id, d.type, d.location, severity});
    }
  }
  producer.flush();
  std::int64_t records = static_cast<std::int64_t>(events.size());
  wait_settled(gateway.port(), records, [&] { return total_events(clients); });

  // Alerts without device_type and location are routed by the device's last seen data.
  for (const Device& d : kDevices) {
    const std::string id = std::string("al-") + d.id + "-inherited";
    producer.produce(topics.alerts, d.id,
                     to_json(AlertRecord{.alert_id = id,
                                         .device_id = d.id,
                                         .severity = "error",
                                         .device_type = std::nullopt,
                                         .location = std::nullopt}));
    events.push_back({alert_key(id), "alert", d.id, d.type, d.location, "error"});
  }
  producer.flush();
  records = static_cast<std::int64_t>(events.size());
  wait_settled(gateway.port(), records, [&] { return total_events(clients); });

  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(std::string(cases[i].name) + ": " + cases[i].data);
    const std::vector<std::string> expected = expected_for(cases[i].reference, events);
    EXPECT_EQ(describe_difference(expected, clients[i]->event_keys()), "");
  }
}

TEST(FilterE2E, AFilterChangeTakesEffectForTheNextEvent) {
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.request(filter_frame(R"({"device_ids":["dev-a"]})"), "filter_ack");

  RecordProducer producer;
  producer.produce(topics.device_data, "dev-a", to_json(DeviceRecord{.device_id = "dev-a"}));
  producer.produce(topics.device_data, "dev-b", to_json(DeviceRecord{.device_id = "dev-b"}));
  producer.flush();
  wait_settled(gateway.port(), 2, [&] { return std::int64_t(client.event_count()); });
  EXPECT_EQ(client.event_keys(), (std::vector<std::string>{device_key("dev-a", 0)}));

  client.request(filter_frame(R"({"device_ids":["dev-b"],"types":["device_data"]})"), "filter_ack");
  producer.produce(topics.device_data, "dev-a",
                   to_json(DeviceRecord{.device_id = "dev-a", .seq = 1}));
  producer.produce(topics.device_data, "dev-b",
                   to_json(DeviceRecord{.device_id = "dev-b", .seq = 1}));
  producer.produce(topics.alerts, "dev-b",
                   to_json(AlertRecord{.alert_id = "al-b", .device_id = "dev-b"}));
  producer.flush();
  wait_settled(gateway.port(), 5, [&] { return std::int64_t(client.event_count()); });
  EXPECT_EQ(client.event_keys(),
            (std::vector<std::string>{device_key("dev-a", 0), device_key("dev-b", 1)}));

  // Back to the empty filter: everything again, from the next event on.
  client.request(filter_frame("{}"), "filter_ack");
  producer.produce(topics.device_data, "dev-a",
                   to_json(DeviceRecord{.device_id = "dev-a", .seq = 2}));
  producer.produce(topics.alerts, "dev-b",
                   to_json(AlertRecord{.alert_id = "al-b2", .device_id = "dev-b"}));
  producer.flush();
  wait_settled(gateway.port(), 7, [&] { return std::int64_t(client.event_count()); });
  EXPECT_EQ(describe_difference({device_key("dev-a", 0), device_key("dev-b", 1),
                                 device_key("dev-a", 2), alert_key("al-b2")},
                                client.event_keys()),
            "");
}

TEST(FilterE2E, TwoClientsSeeExactlyTheirOwnEvents) {
  TestTopics topics(4);
  GatewayProcess gateway(topics);
  auto sensors = std::make_unique<WsTestClient>(gateway.port());
  auto hall_b = std::make_unique<WsTestClient>(gateway.port());
  sensors->request(filter_frame(R"({"device_types":["sensor"],"types":["device_data"]})"),
                   "filter_ack");
  hall_b->request(filter_frame(R"({"locations":["B"],"alert_levels":["critical"]})"), "filter_ack");
  const ReferenceFilter sensors_ref{.device_types = {"sensor"}, .types = {"device_data"}};
  const ReferenceFilter hall_b_ref{.locations = {"B"}, .alert_levels = {"critical"}};

  std::vector<Event> events;
  RecordProducer producer;
  constexpr int kDevicesCount = 12;
  constexpr int kRecordsPerDevice = 100;
  for (int seq = 0; seq < kRecordsPerDevice; ++seq) {
    for (int d = 0; d < kDevicesCount; ++d) {
      const std::string id = "dev-" + std::to_string(d);
      const std::string type = d % 3 == 0 ? "plc" : "sensor";
      const std::string location = d % 2 == 0 ? "A" : "B";
      producer.produce(topics.device_data, id,
                       to_json(DeviceRecord{.device_id = id,
                                            .device_type = type,
                                            .location = location,
                                            .seq = static_cast<std::uint64_t>(seq)}));
      events.push_back(
          {device_key(id, static_cast<std::uint64_t>(seq)), "device_data", id, type, location, ""});
      if (seq % 10 == 0) {
        const std::string alert_id = id + "-al-" + std::to_string(seq);
        const std::string severity = kSeverities[(seq / 10 + d) % 4];
        producer.produce(topics.alerts, id,
                         to_json(AlertRecord{.alert_id = alert_id,
                                             .device_id = id,
                                             .severity = severity,
                                             .device_type = type,
                                             .location = location}));
        events.push_back({alert_key(alert_id), "alert", id, type, location, severity});
      }
    }
  }
  producer.flush();
  wait_settled(gateway.port(), static_cast<std::int64_t>(events.size()), [&] {
    return static_cast<std::int64_t>(sensors->event_count() + hall_b->event_count());
  });

  const auto sensors_expected = expected_for(sensors_ref, events);
  const auto hall_b_expected = expected_for(hall_b_ref, events);
  ASSERT_GT(sensors_expected.size(), 0u);
  ASSERT_GT(hall_b_expected.size(), 0u);
  EXPECT_EQ(describe_difference(sensors_expected, sensors->event_keys()), "");
  EXPECT_EQ(describe_difference(hall_b_expected, hall_b->event_keys()), "");
}

TEST(FilterE2E, ClientsSharingAFilterKeepReceivingWhenOthersLeaveOrChange) {
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  // Identical filters; with two push threads, clients 0, 2 and 4 share one thread, 1 and 3 the
  // other.
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<WsTestClient>(gateway.port()));
    clients.back()->request(filter_frame(R"({"device_ids":["shared"]})"), "filter_ack");
  }
  clients[0]->close();
  clients[0].reset();
  clients[3]->request(filter_frame(R"({"device_ids":["other"]})"), "filter_ack");
  clients[2]->request(filter_frame(R"({"device_ids":["shared"],"types":["device_data"]})"),
                      "filter_ack");

  RecordProducer producer;
  producer.produce(topics.device_data, "shared", to_json(DeviceRecord{.device_id = "shared"}));
  producer.produce(topics.device_data, "other", to_json(DeviceRecord{.device_id = "other"}));
  producer.flush();
  wait_settled(gateway.port(), 2, [&] {
    std::int64_t n = 0;
    for (const auto& c : clients) n += c ? static_cast<std::int64_t>(c->event_count()) : 0;
    return n;
  });
  for (int i : {1, 2, 4}) {
    EXPECT_EQ(clients[i]->event_keys(), (std::vector<std::string>{device_key("shared", 0)})) << i;
  }
  EXPECT_EQ(clients[3]->event_keys(), (std::vector<std::string>{device_key("other", 0)}));
}

}  // namespace
}  // namespace iiot::e2e
