// Unit tests of the simulator's pure parts: options, pacing, timestamps, record building and the
// invalid-record kinds. The broker path is exercised by running the binary (see the README).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fleet.h"
#include "record_corruptor.h"
#include "record_writer.h"
#include "simulator_options.h"
#include "text_formats/rfc3339_format.h"
#include "token_bucket.h"

namespace iiot::simulator {
namespace {

using namespace std::chrono_literals;

const std::regex kDeviceIdPattern("[A-Za-z0-9._:/-]{1,128}");

std::variant<SimulatorOptions, int> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "device_simulator");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(ParseCommandLine, DefaultsMatchTheContract) {
  const auto parsed = parse({});
  ASSERT_TRUE(std::holds_alternative<SimulatorOptions>(parsed));
  const auto& options = std::get<SimulatorOptions>(parsed);
  EXPECT_EQ(options.devices, 100U);
  EXPECT_EQ(options.rate, 1000.0);
  EXPECT_EQ(options.alert_rate, 5.0);
  EXPECT_EQ(options.topic_data, "iiot.device-data");
  EXPECT_EQ(options.topic_alerts, "iiot.alerts");
  EXPECT_EQ(options.duration, 0ms);
  EXPECT_EQ(options.count, 0U);
  EXPECT_FALSE(options.seed);
}

TEST(ParseCommandLine, ReadsEveryOption) {
  const auto parsed = parse({"--brokers",
                             "k1:9092,k2:9092",
                             "--devices",
                             "7",
                             "--rate",
                             "0",
                             "--alert-rate",
                             "2.5",
                             "--duration",
                             "90s",
                             "--count",
                             "1234",
                             "--invalid-ratio",
                             "0.01",
                             "--topic-data",
                             "d",
                             "--topic-alerts",
                             "a",
                             "--seed",
                             "42",
                             "--progress-interval",
                             "250ms",
                             "--unique-ids",
                             "--payload-bytes",
                             "2048",
                             "--property",
                             "linger.ms=0",
                             "--property",
                             "acks=1",
                             "--quiet"});
  ASSERT_TRUE(std::holds_alternative<SimulatorOptions>(parsed));
  const auto& options = std::get<SimulatorOptions>(parsed);
  EXPECT_EQ(options.brokers, "k1:9092,k2:9092");
  EXPECT_EQ(options.devices, 7U);
  EXPECT_EQ(options.rate, 0.0);
  EXPECT_EQ(options.alert_rate, 2.5);
  EXPECT_EQ(options.duration, 90s);
  EXPECT_EQ(options.count, 1234U);
  EXPECT_EQ(options.invalid_ratio, 0.01);
  EXPECT_EQ(options.topic_data, "d");
  EXPECT_EQ(options.topic_alerts, "a");
  EXPECT_EQ(options.seed, 42U);
  EXPECT_EQ(options.progress_interval, 250ms);
  EXPECT_EQ(options.payload_bytes, 2048U);
  const std::vector<std::pair<std::string, std::string>> properties{{"linger.ms", "0"},
                                                                    {"acks", "1"}};
  EXPECT_EQ(options.properties, properties);
  EXPECT_EQ(options.verbosity, Verbosity::kQuiet);
}

TEST(ParseCommandLine, UsageErrorsExitWithTwo) {
  const std::vector<std::vector<const char*>> bad{
      {"--rate", "-1"},       {"--devices", "0"},     {"--invalid-ratio", "1.5"},
      {"--duration", "soon"}, {"--property", "acks"}, {"--no-such-flag"},
  };
  for (const auto& args : bad) {
    const auto parsed = parse(args);
    ASSERT_TRUE(std::holds_alternative<int>(parsed)) << args[0];
    EXPECT_EQ(std::get<int>(parsed), 2) << args[0];
  }
}

TEST(ParseCommandLine, HelpExitsWithZero) {
  const auto parsed = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<int>(parsed));
  EXPECT_EQ(std::get<int>(parsed), 0);
}

TEST(TokenBucket, PacesAtTheRate) {
  const auto start = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(100.0, start);  // one token per 10 ms
  EXPECT_EQ(bucket.take(start, 1000), 1U);
  EXPECT_EQ(bucket.take(start, 1000), 0U);
  EXPECT_EQ(bucket.next_token(start), start + 10ms);
  EXPECT_EQ(bucket.take(start + 5ms, 1000), 0U);
  EXPECT_EQ(bucket.take(start + 10ms, 1000), 1U);
  EXPECT_EQ(bucket.take(start + 40ms, 1000), 3U);
}

TEST(TokenBucket, SavesUpOnlyAShortBurst) {
  const auto start = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(1000.0, start);
  EXPECT_EQ(bucket.take(start, 1), 1U);
  // After a 10 s stall only 50 ms' worth is available, not 10 s' worth.
  EXPECT_EQ(bucket.take(start + 10s, 100000), 50U);
  EXPECT_EQ(bucket.take(start + 10s, 100000), 0U);
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  const auto start = TokenBucket::Clock::time_point{};
  TokenBucket bucket(0.0, start);
  EXPECT_TRUE(bucket.unlimited());
  EXPECT_EQ(bucket.take(start, 777), 777U);
  EXPECT_EQ(bucket.next_token(start), start);
}

TEST(Fleet, DevicesHaveContractConformingIds) {
  Fleet fleet(120, 1);
  ASSERT_EQ(fleet.size(), 120U);
  EXPECT_EQ(fleet.device(0).id, "sensor-0001");
  EXPECT_EQ(fleet.device(119).id, "sensor-0120");
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    const Device& device = fleet.device(i);
    EXPECT_TRUE(std::regex_match(device.id, kDeviceIdPattern));
    EXPECT_FALSE(device.sensors.empty());
    EXPECT_FALSE(device.location.empty());
  }
}

TEST(Fleet, ReadingsGoRoundRobin) {
  Fleet fleet(3, 1);
  EXPECT_EQ(fleet.next_reading().id, "sensor-0001");
  EXPECT_EQ(fleet.next_reading().id, "sensor-0002");
  EXPECT_EQ(fleet.next_reading().id, "sensor-0003");
  EXPECT_EQ(fleet.next_reading().id, "sensor-0001");
}

TEST(Fleet, SameSeedSameFleet) {
  Fleet a(50, 99);
  Fleet b(50, 99);
  for (int i = 0; i < 500; ++i) {
    const Device& x = a.next_reading();
    const Device& y = b.next_reading();
    ASSERT_EQ(x.type, y.type);
    ASSERT_EQ(x.location, y.location);
    ASSERT_EQ(x.sensors.front().value, y.sensors.front().value);
  }
}

TEST(Fleet, AlertsCoverAllSeveritiesAndNameTheirDevice) {
  Fleet fleet(20, 5);
  std::set<Severity> severities;
  std::set<std::string> ids;
  int without_type = 0;
  for (int i = 0; i < 2000; ++i) {
    if (i % 3 == 0) fleet.next_reading();
    const AlertEvent alert = fleet.next_alert();
    severities.insert(alert.severity);
    ids.insert(alert.alert_id);
    EXPECT_FALSE(alert.title.empty());
    EXPECT_NE(alert.description.find(alert.device_id), std::string::npos) << alert.description;
    EXPECT_TRUE(std::regex_match(alert.device_id, kDeviceIdPattern));
    if (!alert.device_type) ++without_type;
  }
  EXPECT_EQ(severities.size(), 4U);
  EXPECT_EQ(ids.size(), 2000U);
  EXPECT_GT(without_type, 0);
  EXPECT_LT(without_type, 2000);
}

TEST(RecordWriter, DeviceDataHasEveryContractField) {
  Fleet fleet(10, 3);
  const RecordWriter writer(0);
  for (int i = 0; i < 10; ++i) {
    const Device& device = fleet.next_reading();
    const std::string text =
        writer.finish_device_data(writer.device_data(device, 17, "2026-11-26T05:41:22.123456Z"));
    const auto record = boost::json::parse(text).as_object();
    EXPECT_EQ(record.at("device_id").as_string(), device.id);
    EXPECT_EQ(record.at("device_type").as_string(), device.type->type);
    EXPECT_EQ(record.at("location").as_string(), device.location);
    EXPECT_EQ(record.at("status").as_string(), to_string(device.status));
    EXPECT_EQ(record.at("timestamp").as_string(), "2026-11-26T05:41:22.123456Z");
    EXPECT_EQ(record.at("seq").to_number<std::uint64_t>(), 17U);
    EXPECT_FALSE(record.contains("pad"));
    const auto& sensors = record.at("sensors").as_object();
    ASSERT_EQ(sensors.size(), device.sensors.size());
    for (const Sensor& sensor : device.sensors) {
      const auto& entry = sensors.at(sensor.spec->name).as_object();
      ASSERT_TRUE(entry.at("value").is_number());
      // Integer sensors are integers; the others are rounded to their decimals (60.0 reads as 60).
      const double value = entry.at("value").to_number<double>();
      const double scale = std::pow(10.0, sensor.spec->decimals);
      EXPECT_DOUBLE_EQ(value, std::round(sensor.value * scale) / scale);
      if (sensor.spec->decimals == 0) {
        EXPECT_TRUE(entry.at("value").is_int64());
      }
      EXPECT_EQ(entry.contains("unit"), !sensor.spec->unit.empty());
    }
  }
}

TEST(RecordWriter, PadsToTheRequestedSize) {
  Fleet fleet(1, 3);
  for (std::size_t size : {600, 1024, 65536}) {
    const RecordWriter writer(size);
    const std::string text =
        writer.finish_device_data(writer.device_data(fleet.next_reading(), 1, "t"));
    EXPECT_EQ(text.size(), size);
    EXPECT_TRUE(boost::json::parse(text).as_object().contains("pad"));
  }
  const RecordWriter tiny(10);  // smaller than the record: left as it is
  EXPECT_FALSE(
      boost::json::parse(tiny.finish_device_data(tiny.device_data(fleet.next_reading(), 1, "t")))
          .as_object()
          .contains("pad"));
}

TEST(ParseCommandLine, RecordFormatCentrifugoWithAChannelTemplate) {
  const auto defaults = parse({});
  ASSERT_TRUE(std::holds_alternative<SimulatorOptions>(defaults));
  EXPECT_EQ(std::get<SimulatorOptions>(defaults).record_format, RecordFormat::kGateway);
  const auto parsed =
      parse({"--record-format", "centrifugo", "--centrifugo-channel", "device.{device_id}"});
  ASSERT_TRUE(std::holds_alternative<SimulatorOptions>(parsed));
  EXPECT_EQ(std::get<SimulatorOptions>(parsed).record_format, RecordFormat::kCentrifugo);
  EXPECT_EQ(std::get<SimulatorOptions>(parsed).centrifugo_channel, "device.{device_id}");
  const auto bad = parse({"--record-format", "nats"});
  ASSERT_TRUE(std::holds_alternative<int>(bad));
  EXPECT_EQ(std::get<int>(bad), 2);
}

TEST(RecordWriter, CentrifugoPublishCarriesTheRecordUnchanged) {
  Fleet fleet(1, 3);
  const RecordWriter writer(200);
  const Device& device = fleet.next_reading();
  const std::string record = writer.finish_device_data(writer.device_data(device, 7, "t"));
  const std::string command = centrifugo_publish("device.{device_id}", device.id, record);
  const auto parsed = boost::json::parse(command).as_object();
  EXPECT_EQ(parsed.at("method").as_string(), "publish");
  const auto& payload = parsed.at("payload").as_object();
  EXPECT_EQ(payload.at("channel").as_string(), "device." + device.id);
  EXPECT_EQ(payload.at("data"), boost::json::parse(record));
  EXPECT_NE(command.find(record), std::string::npos);  // byte for byte: still 200 bytes
  // A fixed channel, and a name that needs escaping, stay valid JSON.
  EXPECT_EQ(boost::json::parse(centrifugo_publish("all", "x", "{}"))
                .at("payload")
                .at("channel")
                .as_string(),
            "all");
  EXPECT_EQ(boost::json::parse(centrifugo_publish("a\"{device_id}", "b", "1"))
                .at("payload")
                .at("channel")
                .as_string(),
            "a\"b");
}

TEST(RecordWriter, AlertLeavesOutAbsentTypeAndLocation) {
  AlertEvent alert{"alert-1",
                   "sensor-0001",
                   Severity::kCritical,
                   "Temperature Critical",
                   "hot",
                   std::nullopt,
                   std::string("Building-A/Line-1")};
  const RecordWriter writer(0);
  const auto record =
      boost::json::parse(RecordWriter::finish(writer.alert(alert, 3, "t"))).as_object();
  EXPECT_EQ(record.at("alert_id").as_string(), "alert-1");
  EXPECT_EQ(record.at("device_id").as_string(), "sensor-0001");
  EXPECT_EQ(record.at("severity").as_string(), "critical");
  EXPECT_EQ(record.at("title").as_string(), "Temperature Critical");
  EXPECT_EQ(record.at("description").as_string(), "hot");
  EXPECT_FALSE(record.contains("device_type"));
  EXPECT_EQ(record.at("location").as_string(), "Building-A/Line-1");
  EXPECT_EQ(record.at("seq").to_number<std::uint64_t>(), 3U);
}

// The one rule each kind breaks, checked on the corrupted bytes.
bool breaks_its_rule(const std::string& text, InvalidKind kind) {
  boost::json::error_code error;
  const auto value = boost::json::parse(text, error);
  switch (kind) {
    case InvalidKind::kNotJson:
    case InvalidKind::kTruncatedJson:
    case InvalidKind::kInvalidUtf8:
      return static_cast<bool>(error);
    default:
      break;
  }
  if (error || !value.is_object()) return false;
  const auto& record = value.as_object();
  const auto string_at = [&](const char* key) -> std::string {
    const auto* field = record.if_contains(key);
    return field && field->is_string() ? std::string(field->get_string()) : "";
  };
  switch (kind) {
    case InvalidKind::kMissingDeviceId:
      return !record.contains("device_id");
    case InvalidKind::kBadDeviceIdChars:
      return !std::regex_match(string_at("device_id"), kDeviceIdPattern);
    case InvalidKind::kBadTimestamp:
      return !std::regex_match(string_at("timestamp"),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2}))"));
    case InvalidKind::kMissingDeviceType:
      return !record.contains("device_type");
    case InvalidKind::kBadStatus:
      return string_at("status") == "rebooting";
    case InvalidKind::kEmptySensors:
      return record.at("sensors").as_object().empty();
    case InvalidKind::kWrongValueType:
      return record.at("sensors").as_object().begin()->value().as_object().at("value").is_string();
    case InvalidKind::kMissingAlertId:
      return !record.contains("alert_id");
    case InvalidKind::kBadSeverity:
      return string_at("severity") == "fatal";
    case InvalidKind::kMissingTitle:
      return !record.contains("title");
    default:
      return false;
  }
}

TEST(RecordCorruptor, EveryKindBreaksItsRuleAndKeepsTheRest) {
  Fleet fleet(5, 8);
  const RecordWriter writer(0);
  std::set<InvalidKind> covered;
  for (const RecordStream stream : {RecordStream::kDeviceData, RecordStream::kAlert}) {
    for (const InvalidKind kind : invalid_kinds(stream)) {
      covered.insert(kind);
      for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        const auto record =
            stream == RecordStream::kAlert
                ? writer.alert(
                      fleet.next_alert(), seq,
                      text_formats::format_rfc3339_utc({}, text_formats::FractionDigits::kMicros))
                : writer.device_data(
                      fleet.next_reading(), seq,
                      text_formats::format_rfc3339_utc({}, text_formats::FractionDigits::kMicros));
        const std::string text = corrupt(record, stream, kind);
        EXPECT_TRUE(breaks_its_rule(text, kind)) << to_string(kind) << ": " << text;
        const std::string n = std::to_string(seq);
        const bool has_seq = text.find("\"seq\":" + n) != std::string::npos ||
                             text.find("seq=" + n) != std::string::npos;
        EXPECT_TRUE(has_seq) << to_string(kind) << ": " << text;
      }
    }
  }
  EXPECT_EQ(covered.size(), kInvalidKindCount);
}

}  // namespace
}  // namespace iiot::simulator
