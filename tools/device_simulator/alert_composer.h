// Alert records as plain values, and the wording of each kind of alert (title and description
// naming the device, its location and the sensor reading that triggered it).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "device.h"

namespace iiot::simulator {

enum class Severity { kInfo, kWarning, kError, kCritical };

// Wire names of CONTRACT section 1: "info", "warning", "error", "critical".
std::string_view to_string(Severity severity);

struct AlertEvent {
  std::string alert_id;
  std::string device_id;
  Severity severity = Severity::kInfo;
  std::string title;
  std::string description;
  std::optional<std::string> device_type;  // nullopt: left out of the record
  std::optional<std::string> location;     // nullopt: left out of the record
};

// A reading at or above a threshold; `severity` is kWarning or kCritical.
AlertEvent threshold_alert(const Device& device, const Sensor& sensor, Severity severity);
// A sensor that was over its threshold and has come back (info).
AlertEvent back_to_normal_alert(const Device& device, const Sensor& sensor);
// An implausible reading or a dead channel (error).
AlertEvent sensor_fault_alert(const Device& device, const Sensor& sensor);
// A routine notice (info).
AlertEvent calibration_due_alert(const Device& device, const Sensor& sensor, int days_left);
// The device's current status: error -> error, offline -> warning, maintenance/online -> info.
AlertEvent status_alert(const Device& device);

// "91.30 °C", or "0.912" for a sensor without unit, with the sensor's decimals.
std::string format_reading(double value, const SensorSpec& spec);

}  // namespace iiot::simulator
