#include "processing/rule_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "processing/default_message_processor.h"

namespace iiot::processing {
namespace {

using config::RuleOp;
using std::chrono::seconds;

config::RuleConfig overheat() {
  config::RuleConfig rule;
  rule.name = "boiler-overheat";
  rule.device_types = {"boiler"};
  rule.sensor = "temperature";
  rule.op = RuleOp::kGreater;
  rule.value = 80;
  rule.hold = seconds(30);
  rule.clear_hysteresis = 2;
  rule.severity = "critical";
  rule.title = "Boiler overheat";
  rule.description = "{device_id} {sensor} = {value} {unit} (limit {limit})";
  return rule;
}

// "2024-08-01T12:00:00Z" plus s seconds (s < 3600).
std::string at(int s) {
  char text[32];
  std::snprintf(text, sizeof text, "2024-08-01T12:%02d:%02dZ", s / 60, s % 60);
  return text;
}

model::DeviceData reading(double value, const std::string& timestamp,
                          const std::string& device = "b-1", const std::string& type = "boiler",
                          const std::string& sensor = "temperature") {
  model::DeviceData data;
  data.device_id = device;
  data.device_type = type;
  data.location = "Hall-1";
  data.timestamp = timestamp;
  data.sensors.push_back({sensor, value, "°C", ""});
  return data;
}

// Feeds records to one engine and one device state, remembering every alert.
class Feed {
 public:
  explicit Feed(std::vector<config::RuleConfig> rules) : engine_(rules) {}

  std::vector<model::Alert> send(const model::DeviceData& data, std::int64_t offset = -1) {
    std::vector<model::Alert> out;
    engine_.evaluate(data, model::RecordPosition{"iiot.device-data", 0, offset}, state_, out);
    return out;
  }
  const DeviceRuleState& state() const { return state_; }

 private:
  RuleEngine engine_;
  DeviceRuleState state_;
};

TEST(RuleEngine, ForFiresOnlyAfterTheConditionHeldThatLongByRecordTime) {
  Feed feed({overheat()});
  EXPECT_TRUE(feed.send(reading(85, at(0))).empty());
  EXPECT_TRUE(feed.send(reading(86, at(10))).empty());
  EXPECT_TRUE(feed.send(reading(87, at(29))).empty());
  const auto alerts = feed.send(reading(88, at(30)));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].severity, model::Severity::kCritical);
  EXPECT_EQ(alerts[0].title, "Boiler overheat");
  EXPECT_EQ(alerts[0].source, model::AlertSource::kRule);
  EXPECT_EQ(alerts[0].timestamp, at(30));
  // Active: it does not fire again while the condition holds.
  EXPECT_TRUE(feed.send(reading(95, at(90))).empty());
}

TEST(RuleEngine, ForIsMeasuredOnRecordTimestampsNotTheClock) {
  // Records arriving in a burst (no wall-clock time between them) still fire once their own
  // timestamps span `for`; records spanning less never do, however slowly they arrive.
  Feed burst({overheat()});
  EXPECT_TRUE(burst.send(reading(85, "2024-08-01T12:00:00.000+02:00")).empty());
  EXPECT_EQ(burst.send(reading(85, "2024-08-01T10:00:30Z")).size(), 1u);  // same instant + 30 s

  Feed short_span({overheat()});
  EXPECT_TRUE(short_span.send(reading(85, "2024-08-01T12:00:00Z")).empty());
  EXPECT_TRUE(short_span.send(reading(85, "2024-08-01T12:00:29.999999Z")).empty());
}

TEST(RuleEngine, ABreakInTheConditionRestartsTheWait) {
  Feed feed({overheat()});
  EXPECT_TRUE(feed.send(reading(85, at(0))).empty());
  EXPECT_TRUE(feed.send(reading(70, at(20))).empty());  // back below: pending is forgotten
  EXPECT_TRUE(feed.send(reading(85, at(25))).empty());
  EXPECT_TRUE(feed.send(reading(85, at(40))).empty());  // 15 s since it held again
  EXPECT_EQ(feed.send(reading(85, at(55))).size(), 1u);
}

TEST(RuleEngine, ZeroForFiresAtOnce) {
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  Feed feed({rule});
  EXPECT_EQ(feed.send(reading(80.5, at(0))).size(), 1u);
}

TEST(RuleEngine, ClearsOnlyOncePastTheHysteresis) {
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  Feed feed({rule});
  ASSERT_EQ(feed.send(reading(85, at(0)), 10).size(), 1u);
  EXPECT_TRUE(feed.send(reading(79, at(1))).empty());  // below the limit, within 2 of it
  EXPECT_TRUE(feed.send(reading(78.5, at(2))).empty());
  const auto cleared = feed.send(reading(78, at(3)), 13);  // 80 - 2: back past it
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].severity, model::Severity::kInfo);
  EXPECT_EQ(cleared[0].title, "Boiler overheat cleared");
  EXPECT_EQ(cleared[0].source, model::AlertSource::kRule);
  EXPECT_EQ(cleared[0].alert_id, "rule-clear:boiler-overheat:b-1:iiot.device-data:0:13");
  EXPECT_TRUE(feed.state().empty());
  // And it can fire again.
  EXPECT_EQ(feed.send(reading(81, at(4))).size(), 1u);
}

struct OpCase {
  RuleOp op;
  double limit;
  double hysteresis;
  double fires;          // a value that fires
  double does_not_fire;  // a value that does not
  double stays_active;   // after firing, a value that does not clear
  double clears;         // after firing, a value that clears
};

class RuleOpTest : public testing::TestWithParam<OpCase> {};

TEST_P(RuleOpTest, FiresAndClears) {
  const OpCase& c = GetParam();
  config::RuleConfig rule = overheat();
  rule.op = c.op;
  rule.value = c.limit;
  rule.hold = seconds(0);
  rule.clear_hysteresis = c.hysteresis;
  {
    Feed feed({rule});
    EXPECT_TRUE(feed.send(reading(c.does_not_fire, at(0))).empty()) << config::to_string(c.op);
  }
  Feed feed({rule});
  ASSERT_EQ(feed.send(reading(c.fires, at(0))).size(), 1u) << config::to_string(c.op);
  EXPECT_TRUE(feed.send(reading(c.stays_active, at(1))).empty()) << config::to_string(c.op);
  const auto cleared = feed.send(reading(c.clears, at(2)));
  ASSERT_EQ(cleared.size(), 1u) << config::to_string(c.op);
  EXPECT_EQ(cleared[0].title, "Boiler overheat cleared");
}

INSTANTIATE_TEST_SUITE_P(RuleEngine, RuleOpTest,
                         testing::Values(OpCase{RuleOp::kGreater, 80, 2, 80.1, 80, 78.5, 78},
                                         OpCase{RuleOp::kGreaterEqual, 80, 2, 80, 79.9, 78, 77.9},
                                         OpCase{RuleOp::kLess, 10, 1, 9.9, 10, 10.9, 11},
                                         OpCase{RuleOp::kLessEqual, 10, 1, 10, 10.1, 11, 11.1},
                                         OpCase{RuleOp::kEqual, 3, 0.5, 3, 3.1, 3.5, 3.6},
                                         OpCase{RuleOp::kNotEqual, 0, 0, 1, 0, 2, 0},
                                         OpCase{RuleOp::kNotEqual, 0, 0.5, 1, 0, 0.6, 0.4}),
                         [](const testing::TestParamInfo<OpCase>& param_info) {
                           return "Op" + std::to_string(param_info.index);
                         });

TEST(RuleEngine, DescriptionPlaceholders) {
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  rule.description =
      "{rule}: {device_id} ({device_type} @ {location}) {sensor} = {value} {unit}, limit {limit}"
      " {unknown} {";
  rule.value = 80.25;
  RuleEngine engine({rule});
  DeviceRuleState state;
  model::DeviceData data = reading(85, at(0));
  data.sensors[0].value_text = "85.0";  // as the record wrote it
  std::vector<model::Alert> out;
  engine.evaluate(data, {}, state, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(
      out[0].description,
      "boiler-overheat: b-1 (boiler @ Hall-1) temperature = 85.0 °C, limit 80.25 {unknown} {");
  EXPECT_EQ(out[0].device_type, "boiler");
  EXPECT_EQ(out[0].location, "Hall-1");
  EXPECT_EQ(out[0].device_id, "b-1");
}

TEST(RuleEngine, MissingUnitIsEmptyAndValueWithoutTextIsShortest) {
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  rule.description = "[{value}][{unit}]";
  RuleEngine engine({rule});
  DeviceRuleState state;
  model::DeviceData data = reading(90.5, at(0));
  data.sensors[0].unit.reset();
  std::vector<model::Alert> out;
  engine.evaluate(data, {}, state, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].description, "[90.5][]");
}

TEST(RuleEngine, MatchersUseFilterSemantics) {
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  rule.device_types = {"boiler"};
  rule.locations = {"Hall-1", "Hall-2"};
  RuleEngine engine({rule});
  std::vector<model::Alert> out;
  DeviceRuleState a, b, c, d;
  engine.evaluate(reading(90, at(0), "x", "boiler"), {}, a, out);
  engine.evaluate(reading(90, at(0), "y", "pump"), {}, b, out);  // other type
  model::DeviceData elsewhere = reading(90, at(0), "z", "boiler");
  elsewhere.location = "Hall-3";
  engine.evaluate(elsewhere, {}, c, out);                                      // other location
  engine.evaluate(reading(90, at(0), "w", "boiler", "pressure"), {}, d, out);  // other sensor
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].device_id, "x");
}

TEST(RuleEngine, SeveralRulesOnOneSensorAndStatePerDevice) {
  config::RuleConfig warm = overheat();
  warm.name = "warm";
  warm.value = 60;
  warm.hold = seconds(0);
  warm.severity = "warning";
  config::RuleConfig hot = overheat();
  hot.hold = seconds(0);
  RuleEngine engine({warm, hot});
  DeviceRuleState first, second;
  std::vector<model::Alert> out;
  engine.evaluate(reading(70, at(0), "b-1"), {}, first, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, model::Severity::kWarning);
  out.clear();
  engine.evaluate(reading(90, at(1), "b-1"), {}, first, out);  // warm already active
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].title, "Boiler overheat");
  out.clear();
  engine.evaluate(reading(90, at(1), "b-2"), {}, second, out);  // another device: both fire
  EXPECT_EQ(out.size(), 2u);
}

TEST(RuleEngine, TwoInstancesMakeTheSameIds) {
  const std::vector<config::RuleConfig> rules = {overheat()};
  Feed one(rules);
  Feed two(rules);
  const double values[] = {85, 86, 90, 91, 70, 85, 85, 85};
  std::vector<std::string> ids_one;
  std::vector<std::string> ids_two;
  for (int i = 0; i < 8; ++i) {
    for (const auto& a : one.send(reading(values[i], at(i * 20)), 100 + i)) {
      ids_one.push_back(a.alert_id);
    }
    for (const auto& a : two.send(reading(values[i], at(i * 20)), 100 + i)) {
      ids_two.push_back(a.alert_id);
    }
  }
  ASSERT_EQ(ids_one.size(), 3u);  // fired at 40 s, cleared at 80 s, fired again at 140 s
  EXPECT_EQ(ids_one, ids_two);
  EXPECT_EQ(ids_one[0], "rule:boiler-overheat:b-1:iiot.device-data:0:102");
  EXPECT_EQ(ids_one[1], "rule-clear:boiler-overheat:b-1:iiot.device-data:0:104");
  EXPECT_EQ(ids_one[2], "rule:boiler-overheat:b-1:iiot.device-data:0:107");
}

// ---- Through DefaultMessageProcessor ------------------------------------------------------------

std::string record(const std::string& id, double temperature, const std::string& timestamp) {
  return R"({"device_id":")" + id +
         R"(","device_type":"boiler","location":"Hall-1","timestamp":")" + timestamp +
         R"(","sensors":{"temperature":{"value":)" + std::to_string(temperature) +
         R"(,"unit":"°C"},"pressure":{"value":1}}})";
}

TEST(RuleEngine, ProcessorReturnsRuleAlertsAsDerivedEventsAndCountsThem) {
  observability::GatewayStats stats;
  config::RuleConfig rule = overheat();
  rule.hold = seconds(0);
  DefaultMessageProcessor processor(1 << 20, stats, {rule});
  const auto quiet = processor.process(RecordKind::kDeviceData, record("b-1", 20, at(0)));
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet.derived().empty());
  const auto hot = processor.process(RecordKind::kDeviceData, record("b-1", 90, at(1)),
                                     model::RecordPosition{"data", 3, 42});
  ASSERT_TRUE(hot.ok());
  ASSERT_EQ(hot.derived().size(), 1u);
  ASSERT_TRUE(hot.derived()[0]->is_alert());
  EXPECT_EQ(hot.derived()[0]->alert().alert_id, "rule:boiler-overheat:b-1:data:3:42");
  EXPECT_EQ(stats.pipeline.rule_alerts, 1u);
  // Rule alerts are not records: the record counters still add up.
  EXPECT_EQ(stats.pipeline.alert_messages, 0u);
  EXPECT_EQ(stats.pipeline.device_data_messages, 2u);
  EXPECT_EQ(stats.pipeline.total_messages, 2u);
}

// The device state store serves both the rules (their per-device state) and snapshots (the
// latest event): replacing the latest state keeps the rule state, derived alerts carry their
// record's position with their rank, and a record read again never rolls the snapshot state back.
TEST(RuleEngine, RulesAndSnapshotsShareTheDeviceState) {
  observability::GatewayStats stats;
  DefaultMessageProcessor processor(1 << 20, stats, {overheat()});
  const auto first = processor.process(RecordKind::kDeviceData, record("b-1", 85, at(0)),
                                       model::RecordPosition{"data", 0, 10});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.derived().empty());  // pending: the condition must hold for 30 s
  const auto later = processor.process(RecordKind::kDeviceData, record("b-1", 86, at(31)),
                                       model::RecordPosition{"data", 0, 11});
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later.derived().size(), 1u);  // the pending state survived the state's replacement
  EXPECT_EQ(later.derived()[0]->position, (model::RecordPosition{"data", 0, 11}));
  EXPECT_EQ(later.derived()[0]->derived, 1u);
  EXPECT_EQ(later.event()->derived, 0u);

  const auto states = processor.device_states().all();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0], later.event());  // the snapshot shares the event, no copy
  // Read again after a rebalance: the rules see it, the snapshot state stays at offset 11.
  ASSERT_TRUE(processor
                  .process(RecordKind::kDeviceData, record("b-1", 70, at(32)),
                           model::RecordPosition{"data", 0, 10})
                  .ok());
  EXPECT_EQ(processor.device_states().all()[0]->position.offset, 11);
}

}  // namespace
}  // namespace iiot::processing
