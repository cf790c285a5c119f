#include "model/record_decoder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace iiot::model {
namespace {

namespace json = boost::json;

constexpr std::string_view kAbsent = "<absent>";

// A field override: key -> raw JSON text of the value, or kAbsent to remove the key.
using Overrides = std::initializer_list<std::pair<std::string_view, std::string>>;

std::string with_overrides(std::string_view base, Overrides overrides) {
  json::object record = json::parse(base).as_object();
  for (const auto& [key, raw] : overrides) {
    if (raw == kAbsent) {
      record.erase(key);
    } else {
      record[key] = json::parse(raw);
    }
  }
  return json::serialize(record);
}

std::string json_string(std::string_view s) {
  return json::serialize(json::string_view(s));
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// {"s0":{"value":0},...,"s<n-1>":{"value":n-1}}
std::string sensors_json(int n) {
  json::object sensors;
  for (int i = 0; i < n; ++i) sensors["s" + std::to_string(i)] = json::object{{"value", i}};
  return json::serialize(sensors);
}

constexpr std::string_view kDevice = R"({"device_id":"sensor-001","device_type":"sensor",
  "location":"Building-A","status":"online","timestamp":"2024-08-01T20:50:09+08:00",
  "sensors":{"temperature":{"value":25.5,"unit":"°C"},"humidity":{"value":60.0,"unit":"%"}}})";

std::string device(Overrides overrides = {}) {
  return with_overrides(kDevice, overrides);
}

// device() with "sensors" written as raw text, which may repeat names (a JSON object cannot).
std::string device_with_sensors_text(std::string_view raw) {
  std::string record = device({{"sensors", "0"}});
  record.replace(record.find(R"("sensors":0)"), 11, std::string(R"("sensors":)").append(raw));
  return record;
}

// One line per decoded record so that a mismatch shows every field.
std::string describe(const DeviceData& d) {
  std::string out = d.device_id + "|" + d.device_type + "|" + d.location + "|" +
                    std::string(to_string(d.status)) + "|" + d.timestamp + "|";
  for (const SensorReading& s : d.sensors) {
    char number[32];
    out += s.name + "=" + std::string(number, std::to_chars(number, number + 32, s.value).ptr);
    out += s.unit ? " " + *s.unit : " <no unit>";
    out += ";";
  }
  return out;
}

struct DeviceCase {
  std::string name;
  std::string record;
  std::string expected;  // describe() of the value, or the error reason when ok is false
  bool ok = true;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const DeviceCase& c, std::ostream* os) {
  *os << c.name << ": " << c.record.substr(0, 200);
}

DeviceCase valid(std::string name, std::string record, std::string expected) {
  return {std::move(name), std::move(record), std::move(expected), true};
}
DeviceCase invalid(std::string name, std::string record, std::string error) {
  return {std::move(name), std::move(record), std::move(error), false};
}

template <typename Case>
std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

const std::string kBaseSensors = "temperature=25.5 °C;humidity=60 %;";
const std::string kTs = "2024-08-01T20:50:09+08:00";
const std::string kIdRule = "device_id: must be 1..128 chars of [A-Za-z0-9._:/-]";

std::vector<DeviceCase> device_cases() {
  return {
      // Accepted records.
      valid("Full", device(), "sensor-001|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("OptionalFieldsAbsent",
            device({{"location", std::string(kAbsent)}, {"status", std::string(kAbsent)}}),
            "sensor-001|sensor||online|" + kTs + "|" + kBaseSensors),
      valid("OptionalFieldsNull", device({{"location", "null"}, {"status", "null"}}),
            "sensor-001|sensor||online|" + kTs + "|" + kBaseSensors),
      valid("StatusOffline", device({{"status", R"("offline")"}}),
            "sensor-001|sensor|Building-A|offline|" + kTs + "|" + kBaseSensors),
      valid("StatusMaintenance", device({{"status", R"("maintenance")"}}),
            "sensor-001|sensor|Building-A|maintenance|" + kTs + "|" + kBaseSensors),
      valid("StatusError", device({{"status", R"("error")"}}),
            "sensor-001|sensor|Building-A|error|" + kTs + "|" + kBaseSensors),
      valid("UnknownFieldsIgnored",
            device({{"firmware", R"({"version":"1.2","blobs":[1,2,{"x":null}]})"},
                    {"sensors", R"({"t":{"value":1,"unit":"C","calibrated":true}})"}}),
            "sensor-001|sensor|Building-A|online|" + kTs + "|t=1 C;"),
      valid(
          "SensorValueKinds",
          device(
              {{"sensors",
                R"({"int":{"value":-7},"big":{"value":18446744073709551615},"exp":{"value":1.5e-3},"zero":{"value":0}})"}}),
          "sensor-001|sensor|Building-A|online|" + kTs +
              "|int=-7 <no unit>;big=18446744073709551616 <no unit>;exp=0.0015 <no unit>;"
              "zero=0 <no unit>;"),
      valid("SensorUnitNull", device({{"sensors", R"({"t":{"value":2,"unit":null}})"}}),
            "sensor-001|sensor|Building-A|online|" + kTs + "|t=2 <no unit>;"),
      valid("SensorOrderKept",
            device({{"sensors", R"({"z":{"value":1},"a":{"value":2},"m":{"value":3}})"}}),
            "sensor-001|sensor|Building-A|online|" + kTs +
                "|z=1 <no unit>;a=2 <no unit>;m=3 <no unit>;"),
      valid("SensorNameEmptyAndUnicode",
            device({{"sensors", R"({"":{"value":1},"温度":{"value":2,"unit":"°C"}})"}}),
            "sensor-001|sensor|Building-A|online|" + kTs + "|=1 <no unit>;温度=2 °C;"),
      valid("DeviceIdEveryAllowedChar", device({{"device_id", R"("AZaz09._:/-")"}}),
            "AZaz09._:/-|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("DeviceId128Chars", device({{"device_id", json_string(repeat("a", 128))}}),
            repeat("a", 128) + "|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("DeviceType1Char", device({{"device_type", R"("s")"}}),
            "sensor-001|s|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("DeviceType64CodePoints", device({{"device_type", json_string(repeat("é", 64))}}),
            "sensor-001|" + repeat("é", 64) + "|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("Location128CodePoints", device({{"location", json_string(repeat("°", 128))}}),
            "sensor-001|sensor|" + repeat("°", 128) + "|online|" + kTs + "|" + kBaseSensors),
      valid("LocationEmpty", device({{"location", R"("")"}}),
            "sensor-001|sensor||online|" + kTs + "|" + kBaseSensors),
      valid("Sensors256", device({{"sensors", sensors_json(256)}}), ""),  // checked by count below
      valid("TimestampZuluFraction9",
            device({{"timestamp", R"("2024-08-01T12:50:09.123456789Z")"}}),
            "sensor-001|sensor|Building-A|online|2024-08-01T12:50:09.123456789Z|" + kBaseSensors),
      valid("TimestampLowercase", device({{"timestamp", R"("2024-08-01t12:50:09.1z")"}}),
            "sensor-001|sensor|Building-A|online|2024-08-01t12:50:09.1z|" + kBaseSensors),
      valid("TimestampNegativeOffset", device({{"timestamp", R"("2024-02-29T23:59:60-05:30")"}}),
            "sensor-001|sensor|Building-A|online|2024-02-29T23:59:60-05:30|" + kBaseSensors),
      valid("TimestampMinusZero", device({{"timestamp", R"("2024-08-01T12:50:09-00:00")"}}),
            "sensor-001|sensor|Building-A|online|2024-08-01T12:50:09-00:00|" + kBaseSensors),
      valid("SurroundingWhitespace", "  \n" + device() + "\t ",
            "sensor-001|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("SensorValueBeyond64Bits",
            device({{"sensors", R"({"big":{"value":123456789012345678901234567890},)"
                                R"("neg":{"value":-9223372036854775809}})"}}),
            "sensor-001|sensor|Building-A|online|" + kTs +
                "|big=1.2345678901234568e+29 <no unit>;neg=-9223372036854775808 <no unit>;"),
      valid(
          "IgnoredNumberBeyondDoubleRange",
          R"({"device_id":"sensor-001","device_type":"sensor","location":"Building-A",)"
          R"("timestamp":"2024-08-01T20:50:09+08:00","extra":[1e999,-1e999],)"
          R"("sensors":{"temperature":{"value":25.5,"unit":"°C"},"humidity":{"value":60,"unit":"%"}}})",
          "sensor-001|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),
      valid("EscapedKeysAreTheirText",
            R"({"device\u005fid":"sensor-001","\u0064evice_type":"sensor","timestamp":)"
            R"("2024-08-01T20:50:09+08:00","sensors":{"t\u00e9":{"v\u0061lue":1,"unit":"C"}}})",
            "sensor-001|sensor||online|" + kTs + "|té=1 C;"),
      valid("RepeatedFieldLastOneCounts",
            R"({"device_id":"first one","device_id":"sensor-001","device_type":"sensor",)"
            R"("status":7,"status":"offline","timestamp":"2024-08-01T20:50:09+08:00",)"
            R"("sensors":[],"sensors":{"t":{"value":1,"value":2,"unit":5,"unit":"C"}}})",
            "sensor-001|sensor||offline|" + kTs + "|t=2 C;"),
      valid("RepeatedSensorKeepsFirstPlaceAndLastValue",
            device_with_sensors_text(R"({"a":{"value":"bad"},"b":{"value":2},)"
                                     R"("a":{"value":1,"unit":"x"},"b":{"value":3}})"),
            "sensor-001|sensor|Building-A|online|" + kTs + "|a=1 x;b=3 <no unit>;"),
      valid("IgnoredValuesNested32Deep", device({{"extra", repeat("[", 31) + repeat("]", 31)}}),
            "sensor-001|sensor|Building-A|online|" + kTs + "|" + kBaseSensors),

      // Not a JSON object.
      invalid("EmptyInput", "", "invalid JSON: incomplete JSON at byte 0"),
      invalid("Truncated", R"({"device_id":"a")", "invalid JSON: incomplete JSON at byte 16"),
      invalid("SyntaxError", R"({"device_id":})", "invalid JSON: syntax error at byte 13"),
      invalid("TrailingData", device() + " {}",
              "invalid JSON: extra data at byte " + std::to_string(device().size() + 1)),
      invalid("TrailingComma", R"({"device_id":"a",})", "invalid JSON: syntax error at byte 17"),
      invalid("Comment", "// c\n{}", "invalid JSON: syntax error at byte 0"),
      invalid("Utf8InvalidByte", "{\"device_id\":\"\xff\"}",
              "invalid JSON: syntax error at byte 14"),
      invalid("Utf8Overlong", "{\"location\":\"\xc0\xaf\"}",
              "invalid JSON: syntax error at byte 13"),
      invalid("Utf8Surrogate", "{\"location\":\"\xed\xa0\x80\"}",
              "invalid JSON: syntax error at byte 13"),
      invalid("Utf8Truncated", "{\"location\":\"\xe2\x82\"}",
              "invalid JSON: syntax error at byte 13"),
      invalid("Utf8InKey", "{\"\xfe\":1}", "invalid JSON: syntax error at byte 2"),
      invalid("EscapedLoneSurrogate", R"({"location":"\ud800"})",
              "invalid JSON: syntax error at byte 19"),
      invalid("EscapedLoneLowSurrogate", R"({"location":"\udc00"})",
              "invalid JSON: illegal trailing surrogate at byte 19"),
      invalid("ControlCharInString", "{\"location\":\"a\tb\"}",
              "invalid JSON: syntax error at byte 14"),
      // Fields no rule reads must be JSON all the same.
      invalid("IgnoredLiteralMisspelt", R"({"device_id":"d","x":tru})",
              "invalid JSON: syntax error at byte 21"),
      invalid("IgnoredArrayTrailingComma", R"({"device_id":"d","x":[1,]})",
              "invalid JSON: syntax error at byte 24"),
      invalid("IgnoredObjectMissingColon", R"({"device_id":"d","x":{"a" 1}})",
              "invalid JSON: syntax error at byte 26"),
      invalid("IgnoredNumberLeadingZero", R"({"device_id":"d","x":01})",
              "invalid JSON: syntax error at byte 22"),
      invalid("IgnoredStringBadEscape", R"({"device_id":"d","x":"\x"})",
              "invalid JSON: syntax error at byte 23"),
      invalid("IgnoredValuesNested33Deep", R"({"x":)" + repeat("[", 32) + repeat("]", 32) + "}",
              "invalid JSON: too deep at byte 36"),
      invalid("Array", "[]", "record must be a JSON object"),
      invalid("Number", "42", "record must be a JSON object"),
      invalid("String", R"("sensor-001")", "record must be a JSON object"),
      invalid("Null", "null", "record must be a JSON object"),

      // device_id
      invalid("DeviceIdAbsent", device({{"device_id", std::string(kAbsent)}}),
              "device_id: required"),
      invalid("DeviceIdNull", device({{"device_id", "null"}}), "device_id: required"),
      invalid("DeviceIdNumber", device({{"device_id", "1"}}), "device_id: must be a string"),
      invalid("DeviceIdEmpty", device({{"device_id", R"("")"}}), kIdRule),
      invalid("DeviceId129Chars", device({{"device_id", json_string(repeat("a", 129))}}), kIdRule),
      invalid("DeviceIdSpace", device({{"device_id", R"("sensor 001")"}}), kIdRule),
      invalid("DeviceIdHash", device({{"device_id", R"("sensor#1")"}}), kIdRule),
      invalid("DeviceIdNonAscii", device({{"device_id", R"("capteur-é")"}}), kIdRule),
      invalid("DeviceIdNulByte", device({{"device_id", R"("a\u0000b")"}}), kIdRule),

      // device_type
      invalid("DeviceTypeAbsent", device({{"device_type", std::string(kAbsent)}}),
              "device_type: required"),
      invalid("DeviceTypeNull", device({{"device_type", "null"}}), "device_type: required"),
      invalid("DeviceTypeArray", device({{"device_type", R"(["sensor"])"}}),
              "device_type: must be a string"),
      invalid("DeviceTypeEmpty", device({{"device_type", R"("")"}}),
              "device_type: must be 1..64 chars"),
      invalid("DeviceType65Chars", device({{"device_type", json_string(repeat("a", 65))}}),
              "device_type: must be 1..64 chars"),
      invalid("DeviceType65CodePoints", device({{"device_type", json_string(repeat("é", 65))}}),
              "device_type: must be 1..64 chars"),

      // location
      invalid("LocationNumber", device({{"location", "7"}}), "location: must be a string"),
      invalid("Location129Chars", device({{"location", json_string(repeat("a", 129))}}),
              "location: must be 0..128 chars"),
      invalid("Location129CodePoints", device({{"location", json_string(repeat("°", 129))}}),
              "location: must be 0..128 chars"),

      // status
      invalid("StatusUnknown", device({{"status", R"("broken")"}}),
              R"(status: must be one of online, offline, maintenance, error (got "broken"))"),
      invalid("StatusWrongCase", device({{"status", R"("Online")"}}),
              R"(status: must be one of online, offline, maintenance, error (got "Online"))"),
      invalid("StatusBool", device({{"status", "true"}}), "status: must be a string"),

      // timestamp
      invalid("TimestampAbsent", device({{"timestamp", std::string(kAbsent)}}),
              "timestamp: required"),
      invalid("TimestampNull", device({{"timestamp", "null"}}), "timestamp: required"),
      invalid("TimestampNumber", device({{"timestamp", "1722516609"}}),
              "timestamp: must be a string"),
      invalid("TimestampWord", device({{"timestamp", R"("yesterday")"}}),
              R"(timestamp: must be RFC 3339 (got "yesterday"))"),
      invalid("TimestampDateOnly", device({{"timestamp", R"("2024-08-01")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01"))"),
      invalid("TimestampNoOffset", device({{"timestamp", R"("2024-08-01T12:50:09")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09"))"),
      invalid("TimestampSpaceSeparator", device({{"timestamp", R"("2024-08-01 12:50:09Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01 12:50:09Z"))"),
      invalid("TimestampMonth13", device({{"timestamp", R"("2024-13-01T12:50:09Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-13-01T12:50:09Z"))"),
      invalid("TimestampFeb30", device({{"timestamp", R"("2024-02-30T12:50:09Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-02-30T12:50:09Z"))"),
      invalid("TimestampFeb29NonLeap", device({{"timestamp", R"("2023-02-29T12:50:09Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2023-02-29T12:50:09Z"))"),
      invalid("TimestampHour24", device({{"timestamp", R"("2024-08-01T24:00:00Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T24:00:00Z"))"),
      invalid("TimestampFraction10Digits",
              device({{"timestamp", R"("2024-08-01T12:50:09.1234567891Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09.1234567891Z"))"),
      invalid("TimestampEmptyFraction", device({{"timestamp", R"("2024-08-01T12:50:09.Z")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09.Z"))"),
      invalid("TimestampOffsetNoColon", device({{"timestamp", R"("2024-08-01T12:50:09+0800")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09+0800"))"),
      invalid("TimestampOffsetMinutes60", device({{"timestamp", R"("2024-08-01T12:50:09+08:60")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09+08:60"))"),
      invalid("TimestampTrailingText", device({{"timestamp", R"("2024-08-01T12:50:09Z ")"}}),
              R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09Z "))"),
      invalid("TimestampControlCharEscaped", device({{"timestamp", R"("2024\n")"}}),
              R"(timestamp: must be RFC 3339 (got "2024\n"))"),
      invalid("TimestampLongIsCut", device({{"timestamp", json_string(repeat("x", 200))}}),
              "timestamp: must be RFC 3339 (got \"" + repeat("x", 64) + "...\")"),

      // sensors
      invalid("SensorsAbsent", device({{"sensors", std::string(kAbsent)}}), "sensors: required"),
      invalid("SensorsNull", device({{"sensors", "null"}}), "sensors: required"),
      invalid("SensorsArray", device({{"sensors", R"([{"value":1}])"}}),
              "sensors: must be an object"),
      invalid("Sensors0", device({{"sensors", "{}"}}), "sensors: must have 1..256 entries (got 0)"),
      invalid("Sensors257", device({{"sensors", sensors_json(257)}}),
              "sensors: must have 1..256 entries (got 257)"),
      invalid("SensorNotObject", device({{"sensors", R"({"temperature":25.5})"}}),
              "sensors.temperature: must be an object"),
      invalid("SensorValueAbsent", device({{"sensors", R"({"temperature":{"unit":"C"}})"}}),
              "sensors.temperature.value: required"),
      invalid("SensorValueNull", device({{"sensors", R"({"temperature":{"value":null}})"}}),
              "sensors.temperature.value: required"),
      invalid("SensorValueString", device({{"sensors", R"({"temperature":{"value":"25.5"}})"}}),
              "sensors.temperature.value: must be a number"),
      invalid("SensorValueBool", device({{"sensors", R"({"temperature":{"value":true}})"}}),
              "sensors.temperature.value: must be a number"),
      invalid("SensorValueObject", device({{"sensors", R"({"temperature":{"value":{}}})"}}),
              "sensors.temperature.value: must be a number"),
      invalid("SensorValueNegativeOverflow", device_with_sensors_text(R"({"t":{"value":-1e999}})"),
              "sensors.t.value: must be a finite number"),
      invalid("RepeatedSensorLastValueCounts",
              device_with_sensors_text(R"({"a":{"value":1},"b":{"value":2},"a":{"value":true}})"),
              "sensors.a.value: must be a number"),
      invalid(
          "SensorValueOverflow",
          R"({"device_id":"d","device_type":"t","timestamp":"2024-08-01T12:50:09Z","sensors":{"t":{"value":1e999}}})",
          "sensors.t.value: must be a finite number"),
      invalid("SensorUnitNumber",
              device({{"sensors", R"({"ok":{"value":1},"temperature":{"value":1,"unit":5}})"}}),
              "sensors.temperature.unit: must be a string"),

      // The first failing field in contract order is reported.
      invalid("FirstFailureWins",
              device({{"sensors", "{}"}, {"timestamp", "1"}, {"device_type", "null"}}),
              "device_type: required"),
  };
}

class DeviceDataDecodeTest : public testing::TestWithParam<DeviceCase> {};

TEST_P(DeviceDataDecodeTest, Decodes) {
  const DeviceCase& c = GetParam();
  const DecodeResult<DeviceData> result = decode_device_data(c.record);
  if (!c.ok) {
    ASSERT_FALSE(result.ok()) << describe(result.value());
    EXPECT_EQ(result.error(), c.expected);
    return;
  }
  ASSERT_TRUE(result.ok()) << result.error();
  if (c.name == "Sensors256") {
    EXPECT_EQ(result.value().sensors.size(), 256u);
    EXPECT_EQ(result.value().sensors.back().name, "s255");
    EXPECT_EQ(result.value().sensors.back().value, 255.0);
    return;
  }
  EXPECT_EQ(describe(result.value()), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Records, DeviceDataDecodeTest, testing::ValuesIn(device_cases()),
                         case_name<DeviceCase>);

constexpr std::string_view kAlert = R"({"alert_id":"alert-001","device_id":"sensor-001",
  "severity":"warning","title":"Temperature High","description":"Temperature exceeds threshold",
  "device_type":"sensor","location":"Building-A","timestamp":"2024-08-01T20:50:09+08:00"})";

std::string alert(Overrides overrides = {}) {
  return with_overrides(kAlert, overrides);
}

std::string describe(const Alert& a) {
  return a.alert_id + "|" + a.device_id + "|" + std::string(to_string(a.severity)) + "|" + a.title +
         "|" + a.description + "|" + a.device_type.value_or("<none>") + "|" +
         a.location.value_or("<none>") + "|" + a.timestamp;
}

struct AlertCase {
  std::string name;
  std::string record;
  std::string expected;
  bool ok = true;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const AlertCase& c, std::ostream* os) {
  *os << c.name << ": " << c.record.substr(0, 200);
}

AlertCase valid_alert(std::string name, std::string record, std::string expected) {
  return {std::move(name), std::move(record), std::move(expected), true};
}
AlertCase invalid_alert(std::string name, std::string record, std::string error) {
  return {std::move(name), std::move(record), std::move(error), false};
}

const std::string kAlertTail = "|sensor-001|warning|Temperature High|";
const std::string kFullAlert =
    "alert-001" + kAlertTail + "Temperature exceeds threshold|sensor|Building-A|" + kTs;

std::vector<AlertCase> alert_cases() {
  const std::string absent(kAbsent);
  return {
      valid_alert("Full", alert(), kFullAlert),
      valid_alert("OptionalFieldsAbsent",
                  alert({{"description", absent}, {"device_type", absent}, {"location", absent}}),
                  "alert-001" + kAlertTail + "|<none>|<none>|" + kTs),
      valid_alert("OptionalFieldsNull",
                  alert({{"description", "null"}, {"device_type", "null"}, {"location", "null"}}),
                  "alert-001" + kAlertTail + "|<none>|<none>|" + kTs),
      valid_alert("EmptyDeviceTypeAndLocationKept",
                  alert({{"device_type", R"("")"}, {"location", R"("")"}}),
                  "alert-001" + kAlertTail + "Temperature exceeds threshold|||" + kTs),
      valid_alert("UnknownFieldsIgnored", alert({{"extra", R"({"a":[1,2]})"}, {"value", "3"}}),
                  kFullAlert),
      valid_alert("SeverityInfo", alert({{"severity", R"("info")"}}),
                  "alert-001|sensor-001|info|Temperature High|Temperature exceeds threshold|sensor|"
                  "Building-A|" +
                      kTs),
      valid_alert(
          "SeverityError", alert({{"severity", R"("error")"}}),
          "alert-001|sensor-001|error|Temperature High|Temperature exceeds threshold|sensor|"
          "Building-A|" +
              kTs),
      valid_alert("SeverityCritical", alert({{"severity", R"("critical")"}}),
                  "alert-001|sensor-001|critical|Temperature High|Temperature exceeds threshold|"
                  "sensor|Building-A|" +
                      kTs),
      valid_alert(
          "AlertId128CodePoints", alert({{"alert_id", json_string(repeat("ä", 128))}}),
          repeat("ä", 128) + kAlertTail + "Temperature exceeds threshold|sensor|Building-A|" + kTs),
      valid_alert("AlertIdAnyChars", alert({{"alert_id", R"("alert #1 / \"x\"")"}}),
                  "alert #1 / \"x\"" + kAlertTail +
                      "Temperature exceeds threshold|sensor|Building-A|" + kTs),
      valid_alert("Title256CodePoints", alert({{"title", json_string(repeat("€", 256))}}),
                  "alert-001|sensor-001|warning|" + repeat("€", 256) +
                      "|Temperature exceeds threshold|sensor|Building-A|" + kTs),
      valid_alert("Description4096Chars", alert({{"description", json_string(repeat("d", 4096))}}),
                  "alert-001" + kAlertTail + repeat("d", 4096) + "|sensor|Building-A|" + kTs),
      valid_alert("TimestampZulu", alert({{"timestamp", R"("2024-08-01T12:50:09.5Z")"}}),
                  "alert-001" + kAlertTail +
                      "Temperature exceeds threshold|sensor|Building-A|2024-08-01T12:50:09.5Z"),

      invalid_alert("InvalidJson", R"({"alert_id":)", "invalid JSON: incomplete JSON at byte 12"),
      invalid_alert("Utf8Invalid", "{\"title\":\"\x80\"}", "invalid JSON: syntax error at byte 10"),
      invalid_alert("NotObject", R"(["alert"])", "record must be a JSON object"),
      invalid_alert("AlertIdAbsent", alert({{"alert_id", absent}}), "alert_id: required"),
      invalid_alert("AlertIdNull", alert({{"alert_id", "null"}}), "alert_id: required"),
      invalid_alert("AlertIdNumber", alert({{"alert_id", "1"}}), "alert_id: must be a string"),
      invalid_alert("AlertIdEmpty", alert({{"alert_id", R"("")"}}),
                    "alert_id: must be 1..128 chars"),
      invalid_alert("AlertId129Chars", alert({{"alert_id", json_string(repeat("a", 129))}}),
                    "alert_id: must be 1..128 chars"),
      invalid_alert("DeviceIdAbsent", alert({{"device_id", absent}}), "device_id: required"),
      invalid_alert("DeviceIdBadChar", alert({{"device_id", R"("a*b")"}}), kIdRule),
      invalid_alert("DeviceId129Chars", alert({{"device_id", json_string(repeat("a", 129))}}),
                    kIdRule),
      invalid_alert("SeverityAbsent", alert({{"severity", absent}}), "severity: required"),
      invalid_alert("SeverityNull", alert({{"severity", "null"}}), "severity: required"),
      invalid_alert("SeverityNumber", alert({{"severity", "2"}}), "severity: must be a string"),
      invalid_alert("SeverityUnknown", alert({{"severity", R"("fatal")"}}),
                    R"(severity: must be one of info, warning, error, critical (got "fatal"))"),
      invalid_alert("SeverityWrongCase", alert({{"severity", R"("WARNING")"}}),
                    R"(severity: must be one of info, warning, error, critical (got "WARNING"))"),
      invalid_alert("TitleAbsent", alert({{"title", absent}}), "title: required"),
      invalid_alert("TitleEmpty", alert({{"title", R"("")"}}), "title: must be 1..256 chars"),
      invalid_alert("Title257CodePoints", alert({{"title", json_string(repeat("€", 257))}}),
                    "title: must be 1..256 chars"),
      invalid_alert("DescriptionNumber", alert({{"description", "0"}}),
                    "description: must be a string"),
      invalid_alert("Description4097Chars",
                    alert({{"description", json_string(repeat("d", 4097))}}),
                    "description: must be 0..4096 chars"),
      invalid_alert("DeviceTypeNumber", alert({{"device_type", "1"}}),
                    "device_type: must be a string"),
      invalid_alert("DeviceType65Chars", alert({{"device_type", json_string(repeat("t", 65))}}),
                    "device_type: must be 0..64 chars"),
      invalid_alert("LocationObject", alert({{"location", "{}"}}), "location: must be a string"),
      invalid_alert("Location129Chars", alert({{"location", json_string(repeat("l", 129))}}),
                    "location: must be 0..128 chars"),
      invalid_alert("TimestampAbsent", alert({{"timestamp", absent}}), "timestamp: required"),
      invalid_alert("TimestampBad", alert({{"timestamp", R"("2024-08-01T12:50")"}}),
                    R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50"))"),
      invalid_alert("TimestampBadOffset", alert({{"timestamp", R"("2024-08-01T12:50:09+25:00")"}}),
                    R"(timestamp: must be RFC 3339 (got "2024-08-01T12:50:09+25:00"))"),
      invalid_alert("FirstFailureWins", alert({{"title", absent}, {"severity", R"("x")"}}),
                    R"(severity: must be one of info, warning, error, critical (got "x"))"),
  };
}

class AlertDecodeTest : public testing::TestWithParam<AlertCase> {};

TEST_P(AlertDecodeTest, Decodes) {
  const AlertCase& c = GetParam();
  const DecodeResult<Alert> result = decode_alert(c.record);
  if (!c.ok) {
    ASSERT_FALSE(result.ok()) << describe(result.value());
    EXPECT_EQ(result.error(), c.expected);
    return;
  }
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(describe(result.value()), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Records, AlertDecodeTest, testing::ValuesIn(alert_cases()),
                         case_name<AlertCase>);

TEST(DecodeResultTest, MovesTheValueOut) {
  DecodeResult<DeviceData> result = decode_device_data(device());
  ASSERT_TRUE(result);
  DeviceData data = std::move(result).value();
  EXPECT_EQ(data.device_id, "sensor-001");
}

TEST(DecodeTest, DeviceRecordIsNotAnAlert) {
  const DecodeResult<Alert> result = decode_alert(device());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "alert_id: required");
}

TEST(DecodeTest, LargeRecordBeyondTheStackBuffer) {
  const DecodeResult<DeviceData> result = decode_device_data(
      device({{"sensors", sensors_json(256)}, {"pad", json_string(repeat("p", 20000))}}));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().sensors.size(), 256u);
}

TEST(DecodeTest, ValueTextIsTheRecordsNumber) {
  const DecodeResult<DeviceData> result = decode_device_data(device_with_sensors_text(
      R"({"a":{"value":60.0},"b":{"value":-0},"c":{"value":1.5E+3},"d":{"value": 7 )"
      "\n\t\r"
      R"(},"e":{"value":18446744073709551615},"f":{"value":123456789012345678901234567890},)"
      R"("g":{"value":3.14159265358979323846264338327950288}})"));
  ASSERT_TRUE(result.ok()) << result.error();
  const std::vector<SensorReading>& sensors = result.value().sensors;
  ASSERT_EQ(sensors.size(), 7u);
  const std::pair<std::string_view, double> expected[] = {
      {"60.0", 60.0},
      {"-0", 0.0},
      {"1.5E+3", 1500.0},
      {"7", 7.0},
      {"18446744073709551615", 18446744073709551615.0},
      {"123456789012345678901234567890", 1.2345678901234568e29},
      {"3.14159265358979323846264338327950288", 3.141592653589793},
  };
  for (std::size_t i = 0; i < sensors.size(); ++i) {
    EXPECT_EQ(sensors[i].value_text, expected[i].first) << sensors[i].name;
    EXPECT_EQ(sensors[i].value, expected[i].second) << sensors[i].name;
  }
  EXPECT_FALSE(std::signbit(sensors[1].value));  // -0 is the integer 0, as Boost.JSON read it
}

TEST(DecodeTest, RepeatedSensorNamesCountOnce) {
  // 300 entries, 256 names: past the linear scan the names are hashed, with the same result.
  std::string sensors = "{";
  for (int i = 0; i < 300; ++i) {
    if (i != 0) sensors += ",";
    const int name = i < 256 ? i : (i * 7) % 256;
    sensors += R"("s)" + std::to_string(name) + R"(":{"value":)" + std::to_string(i) + "}";
  }
  sensors += "}";
  const DecodeResult<DeviceData> result = decode_device_data(device_with_sensors_text(sensors));
  ASSERT_TRUE(result.ok()) << result.error();
  const std::vector<SensorReading>& readings = result.value().sensors;
  ASSERT_EQ(readings.size(), 256u);
  EXPECT_EQ(readings[0].name, "s0");
  EXPECT_EQ(readings[0].value, 256.0);  // i = 256 repeats s0 (256 * 7 % 256 == 0)
  EXPECT_EQ(readings[255].name, "s255");
  EXPECT_EQ(readings[7].value_text, "257");  // i = 257 repeats s7
  EXPECT_EQ(readings[100].value, 100.0);

  sensors.insert(sensors.size() - 1, R"(,"one-more":{"value":0})");
  EXPECT_EQ(decode_device_data(device_with_sensors_text(sensors)).error(),
            "sensors: must have 1..256 entries (got 257)");
}

TEST(DecodeTest, RecordsLargerThanTheKeptReaderDecodeToo) {
  const std::string large = device({{"pad", json_string(repeat("p", 100'000))}});
  const std::string small = device();
  const std::string expected = "sensor-001|sensor|Building-A|online|" + kTs + "|" + kBaseSensors;
  for (int round = 0; round < 2; ++round) {
    const DecodeResult<DeviceData> big = decode_device_data(large);
    ASSERT_TRUE(big.ok()) << big.error();
    EXPECT_EQ(describe(big.value()), expected);
    const DecodeResult<DeviceData> little = decode_device_data(small);
    ASSERT_TRUE(little.ok()) << little.error();
    EXPECT_EQ(describe(little.value()), describe(big.value()));
  }
  EXPECT_EQ(decode_device_data(large + "x").error(),
            "invalid JSON: extra data at byte " + std::to_string(large.size()));
}

TEST(DecodeTest, ThreadsDecodeIndependently) {
  std::vector<std::string> failures(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 300; ++i) {
        const std::string id = "d-" + std::to_string(t) + "-" + std::to_string(i);
        const DecodeResult<DeviceData> result = decode_device_data(
            device({{"device_id", json_string(id)}, {"sensors", sensors_json(1 + i % 20)}}));
        if (!result.ok() || result.value().device_id != id ||
            result.value().sensors.size() != static_cast<std::size_t>(1 + i % 20)) {
          failures[t] = id;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
}

// Boost.JSON's verdict on text, worded as the decoders give it: "" for one JSON object.
std::string boost_verdict(std::string_view text) {
  json::parser parser;
  json::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (ec) return "invalid JSON: " + ec.message() + " at byte " + std::to_string(consumed);
  if (!parser.release().is_object()) return "record must be a JSON object";
  return "";
}

// Every one-byte edit of a record (deleted, replaced or inserted): the decoders turn the result
// down as not JSON exactly when Boost.JSON does, and with its reason. simdjson's On-Demand API
// checks only what it is asked to read; this holds the decoders to reading everything.
template <typename Decode>
void expect_json_verdicts_agree(const std::string& base, Decode decode) {
  constexpr std::string_view kBytes = "\"\\{}[]:, 0-.eEtfn+\x80\x01";
  std::vector<std::string> edits;
  for (std::size_t at = 0; at <= base.size(); ++at) {
    if (at < base.size()) edits.push_back(std::string(base).erase(at, 1));
    for (char byte : kBytes) {
      if (at < base.size()) edits.push_back(std::string(base).replace(at, 1, 1, byte));
      edits.push_back(std::string(base).insert(at, 1, byte));
    }
  }
  int mismatches = 0;
  for (const std::string& edit : edits) {
    const std::string verdict = boost_verdict(edit);
    const auto result = decode(edit);
    const std::string got = result.ok() ? "" : result.error();
    const bool rejected_as_json =
        got.starts_with("invalid JSON") || got == "record must be a JSON object";
    const bool agree = verdict.empty() ? !rejected_as_json : got == verdict;
    if (!agree && ++mismatches <= 10) {
      ADD_FAILURE() << "record: " << edit << "\nBoost.JSON: " << verdict << "\ndecoder: " << got;
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << edits.size() << " edits";
}

TEST(DecodeTest, JsonVerdictsAgreeWithBoostForEveryOneByteEdit) {
  const std::string ignored =
      R"({"v":"1.2\u00e9\n","blobs":[1,-2.5e-3,{"x":null,"y":[true,false]}]})";
  expect_json_verdicts_agree(
      device({{"firmware", ignored},
              {"sensors", R"({"t":{"value":-1.5E3,"unit":"C","cal":[0,{}]},"h":{"value":60}})"}}),
      [](std::string_view text) { return decode_device_data(text); });
  expect_json_verdicts_agree(alert({{"firmware", ignored}, {"sensors", ignored}}),
                             [](std::string_view text) { return decode_alert(text); });
}

}  // namespace
}  // namespace iiot::model
