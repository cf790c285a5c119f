#include "record_corruptor.h"

#include <array>
#include <cstdint>

#include "text_formats/compact_json.h"

namespace iiot::simulator {
namespace {

constexpr std::array kDeviceDataKinds{
    InvalidKind::kNotJson,           InvalidKind::kTruncatedJson,    InvalidKind::kInvalidUtf8,
    InvalidKind::kMissingDeviceId,   InvalidKind::kBadDeviceIdChars, InvalidKind::kBadTimestamp,
    InvalidKind::kMissingDeviceType, InvalidKind::kBadStatus,        InvalidKind::kEmptySensors,
    InvalidKind::kWrongValueType,
};

constexpr std::array kAlertKinds{
    InvalidKind::kNotJson,         InvalidKind::kTruncatedJson,    InvalidKind::kInvalidUtf8,
    InvalidKind::kMissingDeviceId, InvalidKind::kBadDeviceIdChars, InvalidKind::kBadTimestamp,
    InvalidKind::kMissingAlertId,  InvalidKind::kBadSeverity,      InvalidKind::kMissingTitle,
};

std::string string_field(const boost::json::object& record, std::string_view key) {
  const auto* value = record.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

// What a legacy gateway might send instead of JSON: "sensor-0001;temperature=25.53;seq=17".
std::string plain_text(const boost::json::object& record, RecordStream stream) {
  std::string text = string_field(record, "device_id");
  if (stream == RecordStream::kAlert) {
    text += ";ALERT;" + string_field(record, "severity") + ";" + string_field(record, "title");
  } else if (const auto* sensors = record.if_contains("sensors"); sensors && sensors->is_object()) {
    for (const auto& [name, entry] : sensors->get_object()) {
      text += ";";
      text += name;
      text += "=";
      if (const auto* value = entry.as_object().if_contains("value")) {
        text += text_formats::to_compact_json(*value);
      }
    }
  }
  if (const auto* seq = record.if_contains("seq"))
    text += ";seq=" + text_formats::to_compact_json(*seq);
  return text;
}

}  // namespace

std::string_view to_string(InvalidKind kind) {
  switch (kind) {
    case InvalidKind::kNotJson:
      return "not_json";
    case InvalidKind::kTruncatedJson:
      return "truncated_json";
    case InvalidKind::kInvalidUtf8:
      return "invalid_utf8";
    case InvalidKind::kMissingDeviceId:
      return "missing_device_id";
    case InvalidKind::kBadDeviceIdChars:
      return "bad_device_id_chars";
    case InvalidKind::kBadTimestamp:
      return "bad_timestamp";
    case InvalidKind::kMissingDeviceType:
      return "missing_device_type";
    case InvalidKind::kBadStatus:
      return "bad_status";
    case InvalidKind::kEmptySensors:
      return "empty_sensors";
    case InvalidKind::kWrongValueType:
      return "wrong_value_type";
    case InvalidKind::kMissingAlertId:
      return "missing_alert_id";
    case InvalidKind::kBadSeverity:
      return "bad_severity";
    case InvalidKind::kMissingTitle:
      return "missing_title";
  }
  return "unknown";
}

std::span<const InvalidKind> invalid_kinds(RecordStream stream) {
  if (stream == RecordStream::kAlert) return kAlertKinds;
  return kDeviceDataKinds;
}

std::string corrupt(boost::json::object record, RecordStream stream, InvalidKind kind) {
  switch (kind) {
    case InvalidKind::kNotJson:
      return plain_text(record, stream);
    case InvalidKind::kTruncatedJson: {
      // "seq" goes first so the surviving half still identifies the record.
      boost::json::object reordered;
      reordered.reserve(record.size());
      if (const auto* seq = record.if_contains("seq")) reordered["seq"] = *seq;
      for (const auto& [key, value] : record) reordered.emplace(key, value);
      std::string text = text_formats::to_compact_json(reordered);
      text.resize(text.size() / 2);
      return text;
    }
    case InvalidKind::kInvalidUtf8:
      // 0xC3 starts a two-byte sequence that 0x28 does not continue; 0xFF never appears in UTF-8.
      record[stream == RecordStream::kAlert ? "title" : "device_type"] = "bad-\xC3\x28-\xFF";
      break;
    case InvalidKind::kMissingDeviceId:
      record.stable_erase("device_id");
      break;
    case InvalidKind::kBadDeviceIdChars:
      record["device_id"] = string_field(record, "device_id") + " #1!";
      break;
    case InvalidKind::kBadTimestamp: {
      // Each looks like a timestamp and is not RFC 3339 (which needs a zone and year first).
      static constexpr std::array<std::string_view, 3> kBad{
          "26/11/2026 05:41:22", "2026-11-26T05:41:22.123456", "1764135682"};
      const auto* seq = record.if_contains("seq");
      const std::uint64_t n = seq != nullptr && seq->is_uint64() ? seq->get_uint64() : 0;
      record["timestamp"] = kBad[n % kBad.size()];
      break;
    }
    case InvalidKind::kMissingDeviceType:
      record.stable_erase("device_type");
      break;
    case InvalidKind::kBadStatus:
      record["status"] = "rebooting";
      break;
    case InvalidKind::kEmptySensors:
      record["sensors"] = boost::json::object();
      break;
    case InvalidKind::kWrongValueType:
      if (auto* sensors = record.if_contains("sensors"); sensors && sensors->is_object()) {
        for (auto& [name, entry] : sensors->get_object()) {
          auto& value = entry.as_object()["value"];
          value = text_formats::to_compact_json(value);  // 25.53 -> "25.53", a string
          break;
        }
      }
      break;
    case InvalidKind::kMissingAlertId:
      record.stable_erase("alert_id");
      break;
    case InvalidKind::kBadSeverity:
      record["severity"] = "fatal";
      break;
    case InvalidKind::kMissingTitle:
      record.stable_erase("title");
      break;
  }
  return text_formats::to_compact_json(record);
}

}  // namespace iiot::simulator
