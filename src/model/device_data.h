// Device telemetry and alert records as plain values (CONTRACT section 1).
// Values are immutable once decoded; safe to share between threads as const.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace iiot::model {

enum class DeviceStatus { kOnline, kOffline, kMaintenance, kError };
enum class Severity { kInfo, kWarning, kError, kCritical };

// Wire names: "online", "offline", ...; "info", "warning", ...
std::string_view to_string(DeviceStatus status);
std::string_view to_string(Severity severity);
std::optional<DeviceStatus> parse_status(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);

struct SensorReading {
  std::string name;
  double value = 0.0;
  std::optional<std::string> unit;  // absent or null in the record -> nullopt
  // The value's JSON number exactly as the record wrote it ("60.0", "1.25e3"): frames repeat it
  // so that clients see what the device sent. Empty when the reading did not come from a record;
  // frames then write value in its shortest form.
  std::string value_text;
};

struct DeviceData {
  std::string device_id;
  std::string device_type;
  std::string location;  // "" when absent
  DeviceStatus status = DeviceStatus::kOnline;
  std::string timestamp;               // the record's RFC 3339 string, unchanged
  std::vector<SensorReading> sensors;  // in record order
};

// Who raised an alert: the device (an alert record) or a threshold rule of the gateway.
enum class AlertSource { kDevice, kRule };

struct Alert {
  std::string alert_id;
  std::string device_id;
  Severity severity = Severity::kInfo;
  std::string title;
  std::string description;                 // "" when absent
  std::optional<std::string> device_type;  // nullopt when absent: enriched by the processor
  std::optional<std::string> location;     // nullopt when absent: enriched by the processor
  std::string timestamp;
  AlertSource source = AlertSource::kDevice;  // kRule: frames carry "source":"rule"
};

}  // namespace iiot::model
