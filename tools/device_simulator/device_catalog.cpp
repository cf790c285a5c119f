#include "device_catalog.h"

#include <array>

namespace iiot::simulator {
namespace {

// Thresholds follow common practice where there is one: ISO 10816 zone limits for vibration,
// EN 50160 (+10 %) for mains voltage, occupational CO2 limits.
constexpr std::array kTemperatureSensor{
    SensorSpec{"temperature", "Temperature", "°C", SensorKind::kGauge, 19, 27, 0.15, -40, 150, 2,
               Thresholds{35, 45}},
    SensorSpec{"humidity", "Humidity", "%", SensorKind::kGauge, 35, 60, 0.4, 0, 100, 1,
               Thresholds{75, 90}},
};

constexpr std::array kPressureSensor{
    SensorSpec{"pressure", "Pressure", "bar", SensorKind::kGauge, 2, 7, 0.05, 0, 16, 3,
               Thresholds{9, 12}},
    SensorSpec{"temperature", "Temperature", "°C", SensorKind::kGauge, 25, 45, 0.1, -40, 150, 2,
               Thresholds{70, 85}},
};

constexpr std::array kVibrationSensor{
    SensorSpec{"vibration_rms", "Vibration", "mm/s", SensorKind::kGauge, 0.8, 2.5, 0.06, 0, 50, 2,
               Thresholds{7.1, 11.2}},
    SensorSpec{"peak_frequency", "Peak Frequency", "Hz", SensorKind::kGauge, 24, 60, 0.3, 0, 1000,
               1, std::nullopt},
    SensorSpec{"bearing_temperature", "Bearing Temperature", "°C", SensorKind::kGauge, 35, 55, 0.1,
               -20, 150, 2, Thresholds{80, 95}},
};

constexpr std::array kFlowMeter{
    SensorSpec{"flow_rate", "Flow Rate", "m³/h", SensorKind::kGauge, 40, 120, 1.0, 0, 500, 2,
               Thresholds{150, 180}},
    SensorSpec{"pressure", "Line Pressure", "bar", SensorKind::kGauge, 1.5, 4, 0.03, 0, 16, 3,
               Thresholds{6, 8}},
    SensorSpec{"total_volume", "Total Volume", "m³", SensorKind::kCounter, 1000, 50000, 0.02, 0,
               1e12, 2, std::nullopt},
};

constexpr std::array kPowerMeter{
    SensorSpec{"voltage", "Voltage", "V", SensorKind::kGauge, 228, 232, 0.3, 0, 300, 1,
               Thresholds{245, 253}},
    SensorSpec{"current", "Current", "A", SensorKind::kGauge, 20, 120, 1.0, 0, 400, 2,
               Thresholds{160, 200}},
    SensorSpec{"active_power", "Active Power", "kW", SensorKind::kGauge, 5, 80, 0.5, 0, 300, 2,
               Thresholds{100, 120}},
    SensorSpec{"power_factor", "Power Factor", "", SensorKind::kGauge, 0.85, 0.98, 0.004, 0, 1, 3,
               std::nullopt},
    SensorSpec{"energy", "Energy", "kWh", SensorKind::kCounter, 1e4, 1e6, 0.01, 0, 1e12, 3,
               std::nullopt},
};

constexpr std::array kPlc{
    SensorSpec{"cycle_time", "Cycle Time", "ms", SensorKind::kGauge, 8, 20, 0.2, 1, 1000, 2,
               Thresholds{30, 50}},
    SensorSpec{"cpu_load", "CPU Load", "%", SensorKind::kGauge, 20, 50, 1.0, 0, 100, 1,
               Thresholds{80, 95}},
    SensorSpec{"motor_speed", "Motor Speed", "rpm", SensorKind::kGauge, 1200, 1800, 5, 0, 3600, 0,
               Thresholds{2000, 2200}},
    SensorSpec{"parts_produced", "Parts Produced", "pcs", SensorKind::kCounter, 0, 100000, 1.0, 0,
               1e12, 0, std::nullopt},
};

constexpr std::array kLevelSensor{
    SensorSpec{"level", "Tank Level", "%", SensorKind::kGauge, 30, 70, 0.5, 0, 100, 1,
               Thresholds{85, 95}},
    SensorSpec{"temperature", "Tank Temperature", "°C", SensorKind::kGauge, 15, 40, 0.1, -40, 150,
               2, Thresholds{60, 75}},
};

constexpr std::array kGasDetector{
    SensorSpec{"co2", "CO2", "ppm", SensorKind::kGauge, 420, 800, 10, 0, 10000, 0,
               Thresholds{1500, 5000}},
    SensorSpec{"o2", "Oxygen", "%", SensorKind::kGauge, 20.8, 20.95, 0.01, 0, 100, 2, std::nullopt},
};

constexpr std::array kDeviceTypes{
    DeviceTypeSpec{"temperature_sensor", 4, kTemperatureSensor},
    DeviceTypeSpec{"pressure_sensor", 3, kPressureSensor},
    DeviceTypeSpec{"vibration_sensor", 3, kVibrationSensor},
    DeviceTypeSpec{"flow_meter", 2, kFlowMeter},
    DeviceTypeSpec{"power_meter", 2, kPowerMeter},
    DeviceTypeSpec{"plc", 2, kPlc},
    DeviceTypeSpec{"level_sensor", 1, kLevelSensor},
    DeviceTypeSpec{"gas_detector", 1, kGasDetector},
};

constexpr std::array<std::string_view, 12> kLocations{
    "Building-A/Line-1", "Building-A/Line-2",     "Building-A/Line-3",   "Building-B/Line-1",
    "Building-B/Line-2", "Building-B/Paint-Shop", "Building-C/Assembly", "Building-C/Packaging",
    "Warehouse/Dock-1",  "Warehouse/Cold-Store",  "Utility/Boiler-Room", "Utility/Compressor-Room",
};

}  // namespace

std::span<const DeviceTypeSpec> device_types() {
  return kDeviceTypes;
}

std::span<const std::string_view> locations() {
  return kLocations;
}

}  // namespace iiot::simulator
