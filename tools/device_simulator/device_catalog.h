// The kinds of plant equipment the simulator knows: device types, their sensors (unit, normal
// operating point, noise, alert thresholds) and the plant locations devices are spread over.
// Static, immutable data; safe to read from any thread.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace iiot::simulator {

enum class SensorKind {
  kGauge,    // random walk around a per-device set point, with occasional spikes
  kCounter,  // monotonically increasing total (energy, volume, parts)
};

// Readings at or above these values are an excursion worth an alert.
struct Thresholds {
  double warning = 0.0;
  double critical = 0.0;
};

struct SensorSpec {
  std::string_view name;   // key in the record's "sensors" object
  std::string_view label;  // for alert titles, e.g. "Bearing Temperature"
  std::string_view unit;   // empty: the record carries no "unit" (it is optional)
  SensorKind kind = SensorKind::kGauge;
  double set_point_low = 0.0;  // each device draws its set point (or counter start) from this range
  double set_point_high = 0.0;
  double step = 0.0;   // gauge: std. deviation of one random-walk step; counter: mean increment
  double floor = 0.0;  // physical range the value is clamped to
  double ceiling = 0.0;
  int decimals = 2;                      // 0: the value is written as a JSON integer
  std::optional<Thresholds> thresholds;  // nullopt: never the subject of a threshold alert
};

struct DeviceTypeSpec {
  std::string_view type;  // the record's "device_type"
  int weight = 1;         // relative share of the fleet
  std::span<const SensorSpec> sensors;
};

std::span<const DeviceTypeSpec> device_types();

// "Building-A/Line-1" style plant locations.
std::span<const std::string_view> locations();

}  // namespace iiot::simulator
