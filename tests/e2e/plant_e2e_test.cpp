// Plant-floor semantics end to end: "delivery":"latest" (CONTRACT section 9) for a client that
// stops reading while a fleet keeps updating, and threshold rules (section 10) raising and
// clearing alerts from telemetry alone.
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

std::string filter_frame(const std::string& data) {
  return R"({"type":"filter","data":)" + data + "}";
}

// ---- "delivery": "latest" -----------------------------------------------------------------------

constexpr int kDevices = 100;
constexpr int kRoundsPerSecond = 20;  // 100 devices x 20 = 2,000 records/s
constexpr auto kStall = std::chrono::seconds(5);
// The stall goes on past kStall until the gateway has conflated for the client: how much the
// kernel's socket buffers absorb before the gateway's queue holds anything depends on the machine
// (and a sanitizer build produces more slowly), not on the gateway.
constexpr auto kMaxStall = std::chrono::seconds(120);
constexpr int kQueueSize = 300;
constexpr std::int64_t kMaxQueueBytes = 1 << 20;
constexpr int kPaddingSensors = 12;  // about 1 KiB per frame: the stalled socket fills quickly

TEST(PlantE2E, ALatestClientThatStopsReadingGetsTheNewestValueOfEveryDeviceAndEveryAlert) {
  TestTopics topics(4);
  GatewaySettings settings;
  settings.websocket["queue_size"] = std::to_string(kQueueSize);
  settings.websocket["max_queue_bytes"] = std::to_string(kMaxQueueBytes);
  settings.websocket["write_timeout"] = "\"120s\"";
  // The client sends nothing after its filter; how fast it drains the backlog through its 4 KiB
  // receive buffer depends on the machine. Not a timeout test.
  settings.websocket["client_timeout"] = "\"600s\"";
  settings.retry_pushes_until_queued();
  GatewayProcess gateway(topics, settings);

  WsTestClient latest(gateway.port(), {.receive_buffer_bytes = 4096});
  const std::string latest_id = latest.client_id();
  const json::object ack = latest.request(filter_frame(R"({"delivery":"latest"})"), "filter_ack");
  ASSERT_EQ(ack.at("data").at("delivery"), "latest") << json::serialize(ack);
  latest.pause();

  RecordProducer producer;
  std::map<std::string, std::uint64_t> newest;  // device -> last seq produced
  std::set<std::string> alert_keys;
  std::int64_t produced = 0;
  std::int64_t max_depth = 0;
  std::int64_t max_bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t round = 0;
  std::int64_t conflated = 0;
  while (std::chrono::steady_clock::now() - start < kStall || conflated == 0) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, kMaxStall)
        << "the gateway conflated nothing for the stalled latest client; produced " << produced;
    const auto round_start = std::chrono::steady_clock::now();
    for (int d = 0; d < kDevices; ++d) {
      const std::string id = "lt-" + std::to_string(d);
      producer.produce(
          topics.device_data, id,
          to_json(DeviceRecord{.device_id = id, .seq = round, .padding_sensors = kPaddingSensors}));
      newest[id] = round;
      ++produced;
    }
    if (round % 4 == 0) {  // an alert now and then, of a device that is updating
      const std::string device = "lt-" + std::to_string(round % kDevices);
      const std::string alert_id = "lt-alert-" + std::to_string(round);
      producer.produce(topics.alerts, device,
                       to_json(AlertRecord{.alert_id = alert_id, .device_id = device}));
      alert_keys.insert(alert_key(alert_id));
      ++produced;
    }
    producer.flush();
    ++round;
    if (const auto entry = client_entry(get_stats(gateway.port()), latest_id)) {
      max_depth = std::max(max_depth, stat_value(*entry, "queue_depth"));
      max_bytes = std::max(max_bytes, stat_value(*entry, "queue_bytes"));
      conflated = stat_value(*entry, "conflated_messages");
    } else {
      FAIL() << "the stalled latest client was closed";
    }
    std::this_thread::sleep_until(round_start + std::chrono::milliseconds(1000 / kRoundsPerSecond));
  }
  const json::object stats = wait_consumed(gateway.port(), produced);
  const auto entry = client_entry(stats, latest_id);
  ASSERT_TRUE(entry) << json::serialize(stats);
  max_depth = std::max(max_depth, stat_value(*entry, "queue_depth"));
  max_bytes = std::max(max_bytes, stat_value(*entry, "queue_bytes"));

  // Bounded: never past the configured limits; in fact about one frame per device plus alerts.
  EXPECT_LE(max_depth, kQueueSize);
  EXPECT_LE(max_bytes, kMaxQueueBytes);
  EXPECT_LE(max_depth, static_cast<std::int64_t>(kDevices + alert_keys.size() + 2));
  EXPECT_GT(stat_value(*entry, "conflated_messages"), 0) << json::serialize(*entry);
  EXPECT_EQ(stat_value(*entry, "dropped"), 0) << json::serialize(*entry);
  EXPECT_EQ(entry.value().at("delivery"), "latest");
  EXPECT_GE(stat_value(stats, "conflated_messages"), stat_value(*entry, "conflated_messages"));

  // Reading again, it gets the newest value of every device and every alert.
  latest.resume();
  // The predicate runs under the client's lock on every frame received, so it looks at each frame
  // once: re-reading them all each time is quadratic and starves the client's reading thread.
  std::map<std::string, std::uint64_t> last;  // device -> newest seq received
  std::size_t alerts = 0;
  std::size_t looked_at = 0;
  const auto has_everything = [&](const std::vector<ReceivedFrame>& frames) {
    for (; looked_at < frames.size(); ++looked_at) {
      const ReceivedFrame& f = frames[looked_at];
      if (f.type != "device_data" && f.type != "alert") continue;
      const auto key = event_key(parse_frame(f.text));
      if (!key) continue;
      if (f.type == "alert") {
        alerts += alert_keys.count(*key);
        continue;
      }
      const auto hash = key->rfind('#');
      last[key->substr(2, hash - 2)] = std::stoull(key->substr(hash + 1));
    }
    if (alerts < alert_keys.size()) return false;
    for (const auto& [device, seq] : newest) {
      const auto it = last.find(device);
      if (it == last.end() || it->second != seq) return false;
    }
    return true;
  };
  ASSERT_TRUE(latest.wait_until(has_everything, 60s))
      << "received " << latest.event_count() << " events of " << produced << " produced";

  // In order per device, each alert exactly once, and far fewer frames than records.
  std::map<std::string, std::int64_t> last_seq;
  std::multiset<std::string> alerts_seen;
  for (const std::string& key : latest.event_keys()) {
    if (key.rfind("a:", 0) == 0) {
      alerts_seen.insert(key);
      continue;
    }
    const auto hash = key.rfind('#');
    const std::string device = key.substr(0, hash);
    const std::int64_t seq = std::stoll(key.substr(hash + 1));
    auto [it, first] = last_seq.try_emplace(device, -1);
    EXPECT_GT(seq, it->second) << key;
    it->second = seq;
  }
  EXPECT_EQ(alerts_seen, std::multiset<std::string>(alert_keys.begin(), alert_keys.end()));
  EXPECT_LT(latest.event_count(), static_cast<std::size_t>(produced));
  EXPECT_FALSE(latest.close_info().has_value());
}

TEST(PlantE2E, UnknownDeliveryIsAnInvalidFilterAndLeavesTheFilterUnchanged) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.request(filter_frame(R"({"delivery":"latest","device_ids":["a"]})"), "filter_ack");
  const json::object error = client.request(filter_frame(R"({"delivery":"newest"})"), "error");
  EXPECT_EQ(error.at("data").at("code"), "invalid_filter") << json::serialize(error);
  const json::object stats = get_stats(gateway.port());
  const auto entry = client_entry(stats, client.client_id());
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry.value().at("delivery"), "latest") << json::serialize(*entry);
}

// ---- Threshold rules ---------------------------------------------------------------------------

// The value is written as a JSON integer, so the description's {value} (the record's own number
// text) reads "87".
std::string temperature_record(const std::string& device, std::int64_t value,
                               const std::string& timestamp) {
  return json::serialize(json::object{
      {"device_id", device},
      {"device_type", "boiler"},
      {"location", "Hall-1"},
      {"timestamp", timestamp},
      {"sensors", json::object{{"temperature", json::object{{"value", value}, {"unit", "C"}}}}}});
}

TEST(PlantE2E, AConfiguredRuleRaisesAnAlertWithSourceRuleAndThenAClearAlert) {
  TestTopics topics(1);
  GatewaySettings settings;
  settings.rules =
      "  - name: \"boiler-overheat\"\n"
      "    device_types: [\"boiler\"]\n"
      "    sensor: \"temperature\"\n"
      "    op: \">\"\n"
      "    value: 80\n"
      "    for: \"10s\"\n"
      "    clear_hysteresis: 5\n"
      "    severity: \"critical\"\n"
      "    title: \"Boiler overheat\"\n"
      "    description: \"{device_id} {sensor} = {value} {unit} (limit {limit})\"\n";
  GatewayProcess gateway(topics, settings);
  WsTestClient client(gateway.port());
  client.request(filter_frame(R"({"types":["alert"]})"), "filter_ack");

  RecordProducer producer;
  // offsets 0..6 of partition 0, in this order (one partition, one key).
  const std::vector<std::pair<std::int64_t, std::string>> readings = {
      {85, "2024-08-01T12:00:00Z"},  // 0: holds, pending
      {86, "2024-08-01T12:00:05Z"},  // 1: 5 s
      {87, "2024-08-01T12:00:10Z"},  // 2: 10 s: fires
      {90, "2024-08-01T12:00:15Z"},  // 3: active, no new alert
      {78, "2024-08-01T12:00:20Z"},  // 4: within the hysteresis: still active
      {74, "2024-08-01T12:00:25Z"},  // 5: past 80 - 5: clears
      {70, "2024-08-01T12:00:30Z"},  // 6: quiet
  };
  for (const auto& [value, timestamp] : readings) {
    producer.produce(topics.device_data, "boiler-7",
                     temperature_record("boiler-7", value, timestamp));
  }
  // Another boiler over the limit for less than `for`: never fires.
  producer.produce(topics.device_data, "boiler-8",
                   temperature_record("boiler-8", 99, "2024-08-01T12:00:00Z"));
  producer.produce(topics.device_data, "boiler-8",
                   temperature_record("boiler-8", 99, "2024-08-01T12:00:09Z"));
  producer.flush();

  ASSERT_TRUE(client.wait_for_events(2, 30s)) << "got " << client.event_count() << " alerts";
  wait_consumed(gateway.port(), static_cast<std::int64_t>(readings.size()) + 2);
  const std::vector<std::string> texts = client.event_texts();
  ASSERT_EQ(texts.size(), 2u);

  const json::object fired = parse_frame(texts[0]);
  EXPECT_EQ(fired.at("type"), "alert");
  EXPECT_EQ(fired.at("timestamp"), "2024-08-01T12:00:10Z");
  const json::object& data = fired.at("data").as_object();
  const json::object& alert = data.at("alert").as_object();
  EXPECT_EQ(alert.at("source"), "rule");
  EXPECT_EQ(alert.at("severity"), "critical");
  EXPECT_EQ(alert.at("title"), "Boiler overheat");
  EXPECT_EQ(alert.at("description"), "boiler-7 temperature = 87 C (limit 80)");
  EXPECT_EQ(std::string(alert.at("alert_id").as_string()),
            "rule:boiler-overheat:boiler-7:" + topics.device_data + ":0:2");
  // The first alert derived from the record at offset 2 has a position of its own.
  EXPECT_EQ(std::string(fired.at("pos").as_string()), topics.device_data + ":0:2/1");
  EXPECT_EQ(data.at("device_id"), "boiler-7");
  EXPECT_EQ(data.at("device_type"), "boiler");
  EXPECT_EQ(data.at("location"), "Hall-1");

  const json::object cleared = parse_frame(texts[1]);
  const json::object& clear_alert = cleared.at("data").at("alert").as_object();
  EXPECT_EQ(clear_alert.at("source"), "rule");
  EXPECT_EQ(clear_alert.at("severity"), "info");
  EXPECT_EQ(clear_alert.at("title"), "Boiler overheat cleared");
  EXPECT_EQ(std::string(clear_alert.at("alert_id").as_string()),
            "rule-clear:boiler-overheat:boiler-7:" + topics.device_data + ":0:5");
  EXPECT_EQ(cleared.at("timestamp"), "2024-08-01T12:00:25Z");

  const json::object stats = get_stats(gateway.port());
  EXPECT_EQ(stat_value(stats, "rule_alerts"), 2);
  EXPECT_EQ(stat_value(stats, "alert_messages"), 0);
  const HttpResponse metrics = http_get(gateway.port(), "/metrics");
  EXPECT_EQ(metric_value(metrics.body, "iiot_rule_alerts_total"), 2.0);
}

}  // namespace
}  // namespace iiot::e2e
