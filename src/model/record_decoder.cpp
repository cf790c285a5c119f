#include "model/record_decoder.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "model/json_text.h"
#include "model/record_json.h"
#include "text_formats/rfc3339_parser.h"

namespace iiot::model {
namespace {

using record_json::Field;
using record_json::FieldValue;
using record_json::Kind;

constexpr std::size_t kMaxSensors = 256;

constexpr std::array<bool, 256> make_device_id_charset() {
  std::array<bool, 256> allowed{};
  for (char c = 'A'; c <= 'Z'; ++c) allowed[static_cast<unsigned char>(c)] = true;
  for (char c = 'a'; c <= 'z'; ++c) allowed[static_cast<unsigned char>(c)] = true;
  for (char c = '0'; c <= '9'; ++c) allowed[static_cast<unsigned char>(c)] = true;
  for (char c : std::string_view("._:/-")) allowed[static_cast<unsigned char>(c)] = true;
  return allowed;
}
constexpr std::array<bool, 256> kDeviceIdCharset = make_device_id_charset();

// The text is valid UTF-8 (the JSON reader checked it), so code points are the non-continuation
// bytes.
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool chars_within(std::string_view s, std::size_t min_chars, std::size_t max_chars) {
  // A code point is 1..4 bytes, so the byte count bounds the count from above.
  if (s.size() < min_chars) return false;
  if (s.size() <= max_chars) return true;
  const std::size_t n = code_points(s);
  return n >= min_chars && n <= max_chars;
}

bool absent_or_null(Kind kind) {
  return kind == Kind::kAbsent || kind == Kind::kNull;
}

// Judges the fields of one record in a fixed order; the first failure wins so that a record
// always gets the same reason. Every accessor returns an empty value once a failure is recorded.
// A JSON null counts as absent, for required fields too ("device_id: required").
class RecordReader {
 public:
  explicit RecordReader(const record_json::Record& record) : record_(record) {}

  bool failed() const { return !error_.empty(); }
  std::string take_error() { return std::move(error_); }

  std::string_view required_text(Field key, std::size_t min_chars, std::size_t max_chars) {
    const std::string_view* s = string_field(key, Presence::kRequired);
    if (s == nullptr) return {};
    if (!chars_within(*s, min_chars, max_chars)) {
      return fail(key, "must be " + std::to_string(min_chars) + ".." + std::to_string(max_chars) +
                           " chars");
    }
    return *s;
  }

  std::optional<std::string_view> optional_text(Field key, std::size_t max_chars) {
    const std::string_view* s = string_field(key, Presence::kOptional);
    if (s == nullptr) return std::nullopt;
    if (!chars_within(*s, 0, max_chars)) {
      fail(key, "must be 0.." + std::to_string(max_chars) + " chars");
      return std::nullopt;
    }
    return *s;
  }

  std::string_view device_id() {
    constexpr Field kKey = Field::kDeviceId;
    const std::string_view* s = string_field(kKey, Presence::kRequired);
    if (s == nullptr) return {};
    bool ok = !s->empty() && s->size() <= 128;
    for (char c : *s) ok = ok && kDeviceIdCharset[static_cast<unsigned char>(c)];
    if (!ok) return fail(kKey, "must be 1..128 chars of [A-Za-z0-9._:/-]");
    return *s;
  }

  std::string_view timestamp() {
    constexpr Field kKey = Field::kTimestamp;
    const std::string_view* s = string_field(kKey, Presence::kRequired);
    if (s == nullptr) return {};
    if (!text_formats::parse_rfc3339(*s)) {
      return fail(kKey, "must be RFC 3339 (got " + json_text::quoted_excerpt(*s) + ")");
    }
    return *s;
  }

  DeviceStatus status() {
    constexpr Field kKey = Field::kStatus;
    const std::string_view* s = string_field(kKey, Presence::kOptional);
    if (s == nullptr) return DeviceStatus::kOnline;
    if (auto status = parse_status(*s)) return *status;
    fail(kKey, "must be one of online, offline, maintenance, error (got " +
                   json_text::quoted_excerpt(*s) + ")");
    return DeviceStatus::kOnline;
  }

  Severity severity() {
    constexpr Field kKey = Field::kSeverity;
    const std::string_view* s = string_field(kKey, Presence::kRequired);
    if (s == nullptr) return Severity::kInfo;
    if (auto severity = parse_severity(*s)) return *severity;
    fail(kKey, "must be one of info, warning, error, critical (got " +
                   json_text::quoted_excerpt(*s) + ")");
    return Severity::kInfo;
  }

  std::vector<SensorReading> sensors() {
    constexpr Field kKey = Field::kSensors;
    const FieldValue* v = field(kKey, Presence::kRequired);
    if (v == nullptr) return {};
    if (v->kind != Kind::kObject) {
      fail(kKey, "must be an object");
      return {};
    }
    const std::vector<record_json::SensorEntry>& entries = record_.sensors;
    if (entries.empty() || entries.size() > kMaxSensors) {
      fail(kKey, "must have 1..256 entries (got " + std::to_string(entries.size()) + ")");
      return {};
    }
    for (const record_json::SensorEntry& entry : entries) {
      if (!sensor(entry)) return {};
    }
    std::vector<SensorReading> readings(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const record_json::SensorEntry& entry = entries[i];
      SensorReading& reading = readings[i];
      reading.name = entry.name;
      reading.value = entry.number;
      reading.value_text = entry.number_text;
      if (entry.unit == Kind::kString) reading.unit.emplace(entry.unit_text);
    }
    return readings;
  }

 private:
  enum class Presence { kRequired, kOptional };

  const FieldValue* field(Field key, Presence presence) {
    if (failed()) return nullptr;
    const FieldValue* v = &record_[key];
    if (absent_or_null(v->kind)) v = nullptr;
    if (v == nullptr && presence == Presence::kRequired) fail(key, "required");
    return v;
  }

  const std::string_view* string_field(Field key, Presence presence) {
    const FieldValue* v = field(key, presence);
    if (v == nullptr) return nullptr;
    if (v->kind != Kind::kString) {
      fail(key, "must be a string");
      return nullptr;
    }
    return &v->text;
  }

  bool sensor(const record_json::SensorEntry& entry) {
    const std::string_view name = entry.name;
    if (entry.entry != Kind::kObject) return fail_sensor(name, "", "must be an object");
    if (absent_or_null(entry.value)) return fail_sensor(name, ".value", "required");
    if (entry.value != Kind::kNumber) return fail_sensor(name, ".value", "must be a number");
    // Boost.JSON read an out-of-range literal such as 1e999 as infinity, as the reader does.
    if (!entry.finite) return fail_sensor(name, ".value", "must be a finite number");
    if (!absent_or_null(entry.unit) && entry.unit != Kind::kString) {
      return fail_sensor(name, ".unit", "must be a string");
    }
    return true;
  }

  std::string_view fail(Field key, std::string_view what) {
    return fail(record_json::name_of(key), what);
  }

  std::string_view fail(std::string_view key, std::string_view what) {
    error_.reserve(key.size() + 2 + what.size());
    error_.append(key).append(": ").append(what);
    return {};
  }

  bool fail_sensor(std::string_view name, std::string_view suffix, std::string_view what) {
    std::string path = "sensors.";
    path += json_text::excerpt(name);
    path += suffix;
    fail(path, what);
    return false;
  }

  const record_json::Record& record_;
  std::string error_;
};

std::optional<std::string> owned(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  return std::string(*text);
}

// Records up to this size are read by a reader that the thread keeps, so that simdjson's buffers
// are allocated once rather than per record (the decoders are free functions: there is no object
// to own it). A larger record gets a reader of its own, which does not keep its memory afterwards.
constexpr std::size_t kKeptReaderMaxBytes = std::size_t{64} * 1024;

record_json::Reader& kept_reader() {
  thread_local record_json::Reader reader;
  return reader;
}

// Reads text as one JSON object and hands its fields to decode, which copies what it keeps: the
// views die with the next record.
template <typename T, typename Decode>
DecodeResult<T> with_record(std::string_view text, record_json::Sensors sensors, Decode decode) {
  const auto read_and_decode = [&](record_json::Reader& reader) -> DecodeResult<T> {
    std::string error;
    const record_json::Record* record = reader.read(text, sensors, error);
    if (record == nullptr) return DecodeResult<T>::failure(std::move(error));
    return decode(*record);
  };
  if (text.size() > kKeptReaderMaxBytes) {
    record_json::Reader reader;
    return read_and_decode(reader);
  }
  return read_and_decode(kept_reader());
}

}  // namespace

// The values are built in place from the record's text; braced initialisers are evaluated in
// order, so the reader checks the fields in contract order and the first failure is reported.
DecodeResult<DeviceData> decode_device_data(std::string_view text) {
  return with_record<DeviceData>(
      text, record_json::Sensors::kRead, [](const record_json::Record& record) {
        RecordReader reader(record);
        DeviceData data{
            .device_id = std::string(reader.device_id()),
            .device_type = std::string(reader.required_text(Field::kDeviceType, 1, 64)),
            .location = std::string(reader.optional_text(Field::kLocation, 128).value_or("")),
            .status = reader.status(),
            .timestamp = std::string(reader.timestamp()),
            .sensors = reader.sensors(),
        };
        if (reader.failed()) return DecodeResult<DeviceData>::failure(reader.take_error());
        return DecodeResult<DeviceData>(std::move(data));
      });
}

DecodeResult<Alert> decode_alert(std::string_view text) {
  return with_record<Alert>(
      text, record_json::Sensors::kSkip, [](const record_json::Record& record) {
        RecordReader reader(record);
        Alert alert{
            .alert_id = std::string(reader.required_text(Field::kAlertId, 1, 128)),
            .device_id = std::string(reader.device_id()),
            .severity = reader.severity(),
            .title = std::string(reader.required_text(Field::kTitle, 1, 256)),
            .description =
                std::string(reader.optional_text(Field::kDescription, 4096).value_or("")),
            // Section 1 gives these no length rule for alerts: the device record's maxima apply,
            // and an empty string is kept as given (only absence triggers enrichment).
            .device_type = owned(reader.optional_text(Field::kDeviceType, 64)),
            .location = owned(reader.optional_text(Field::kLocation, 128)),
            .timestamp = std::string(reader.timestamp()),
        };
        if (reader.failed()) return DecodeResult<Alert>::failure(reader.take_error());
        return DecodeResult<Alert>(std::move(alert));
      });
}

}  // namespace iiot::model
