// A simulated device and its sensors as plain values. Owned by Fleet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "device_catalog.h"

namespace iiot::simulator {

enum class DeviceStatus { kOnline, kOffline, kMaintenance, kError };

// Wire names of CONTRACT section 1: "online", "offline", "maintenance", "error".
std::string_view to_string(DeviceStatus status);

struct Sensor {
  const SensorSpec* spec = nullptr;
  double set_point = 0.0;  // where a gauge drifts back to
  double value = 0.0;      // current reading, unrounded
};

struct Device {
  std::string id;  // "sensor-0001"
  const DeviceTypeSpec* type = nullptr;
  std::string_view location;  // points into the static catalog
  DeviceStatus status = DeviceStatus::kOnline;
  std::vector<Sensor> sensors;  // in the order of type->sensors
};

}  // namespace iiot::simulator
