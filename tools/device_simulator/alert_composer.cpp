#include "alert_composer.h"

#include <cstdio>

namespace iiot::simulator {
namespace {

// "sensor-0012 (temperature_sensor, Building-A/Line-2)"
std::string where(const Device& device) {
  std::string out = device.id;
  out += " (";
  out += device.type->type;
  out += ", ";
  out += device.location;
  out += ')';
  return out;
}

AlertEvent make(const Device& device, Severity severity, std::string title,
                std::string description) {
  AlertEvent alert;
  alert.device_id = device.id;
  alert.severity = severity;
  alert.title = std::move(title);
  alert.description = std::move(description);
  alert.device_type = std::string(device.type->type);
  alert.location = std::string(device.location);
  return alert;
}

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::string format_reading(double value, const SensorSpec& spec) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", spec.decimals, value);
  std::string out(buffer);
  if (!spec.unit.empty()) {
    out += ' ';
    out += spec.unit;
  }
  return out;
}

AlertEvent threshold_alert(const Device& device, const Sensor& sensor, Severity severity) {
  const SensorSpec& spec = *sensor.spec;
  const bool critical = severity == Severity::kCritical;
  const double limit =
      spec.thresholds ? (critical ? spec.thresholds->critical : spec.thresholds->warning) : 0.0;
  std::string title(spec.label);
  title += critical ? " Critical" : " High";
  std::string description = std::string(spec.label) + " at " + format_reading(sensor.value, spec) +
                            " on " + where(device) + " exceeds the " +
                            (critical ? "critical limit" : "warning threshold") + " of " +
                            format_reading(limit, spec);
  description += critical ? "; immediate action required" : "";
  return make(device, severity, std::move(title), std::move(description));
}

AlertEvent back_to_normal_alert(const Device& device, const Sensor& sensor) {
  const SensorSpec& spec = *sensor.spec;
  std::string description = std::string(spec.label) + " on " + where(device) +
                            " is back within limits at " + format_reading(sensor.value, spec);
  return make(device, Severity::kInfo, std::string(spec.label) + " Back To Normal",
              std::move(description));
}

AlertEvent sensor_fault_alert(const Device& device, const Sensor& sensor) {
  const SensorSpec& spec = *sensor.spec;
  std::string description = where(device) + ": channel '" + std::string(spec.name) +
                            "' returned an implausible reading; check wiring and calibration";
  return make(device, Severity::kError, std::string(spec.label) + " Sensor Fault",
              std::move(description));
}

AlertEvent calibration_due_alert(const Device& device, const Sensor& sensor, int days_left) {
  const SensorSpec& spec = *sensor.spec;
  std::string description = std::string(spec.label) + " sensor on " + where(device) +
                            " is due for calibration in " + std::to_string(days_left) + " days";
  return make(device, Severity::kInfo, "Calibration Due", std::move(description));
}

AlertEvent status_alert(const Device& device) {
  switch (device.status) {
    case DeviceStatus::kError:
      return make(device, Severity::kError, "Device Fault",
                  where(device) + " reported status error; readings may be unreliable");
    case DeviceStatus::kOffline:
      return make(device, Severity::kWarning, "Device Offline",
                  where(device) + " lost its field-bus link and reports status offline");
    case DeviceStatus::kMaintenance:
      return make(device, Severity::kInfo, "Maintenance Started",
                  where(device) + " entered scheduled maintenance");
    case DeviceStatus::kOnline:
      break;
  }
  return make(device, Severity::kInfo, "Device Back Online", where(device) + " is online again");
}

}  // namespace iiot::simulator
