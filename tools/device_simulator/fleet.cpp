#include "fleet.h"

#include <algorithm>
#include <cstdio>

namespace iiot::simulator {
namespace {

// Per reading of one device. A device leaves "online" about once every 1700 readings and comes
// back after about 50, so roughly 97 % of readings say online.
constexpr double kLeaveOnline = 0.0006;
constexpr double kBackOnline = 0.02;
// Per reading of one gauge sensor.
constexpr double kSpike = 0.0005;
// Share of the distance to the set point a gauge recovers per reading (spikes decay over ~40).
constexpr double kReversion = 0.05;
constexpr std::size_t kMaxIncidents = 64;

std::string device_id(std::size_t number) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "sensor-%04zu", number);
  return buffer;
}

}  // namespace

Fleet::Fleet(std::size_t device_count, std::uint64_t seed) : rng_(seed) {
  const auto types = device_types();
  std::vector<int> weights;
  for (const auto& type : types) weights.push_back(type.weight);
  std::discrete_distribution<std::size_t> pick_type(weights.begin(), weights.end());
  std::uniform_int_distribution<std::size_t> pick_location(0, locations().size() - 1);

  devices_.reserve(device_count);
  for (std::size_t i = 0; i < device_count; ++i) {
    Device device;
    device.id = device_id(i + 1);
    device.type = &types[pick_type(rng_)];
    device.location = locations()[pick_location(rng_)];
    for (const SensorSpec& spec : device.type->sensors) {
      const double set_point = uniform(spec.set_point_low, spec.set_point_high);
      device.sensors.push_back(Sensor{&spec, set_point, set_point});
    }
    devices_.push_back(std::move(device));
  }

  char tag[16];
  std::snprintf(tag, sizeof tag, "%06llx", static_cast<unsigned long long>(rng_() & 0xffffffU));
  alert_id_prefix_ = std::string("alert-") + tag + "-";
}

const Device& Fleet::next_reading() {
  const std::size_t index = next_device_;
  next_device_ = (next_device_ + 1) % devices_.size();
  advance(devices_[index], index);
  return devices_[index];
}

void Fleet::advance(Device& device, std::size_t index) {
  advance_status(device, index);
  for (std::size_t s = 0; s < device.sensors.size(); ++s) {
    advance_sensor(device.sensors[s], index, s);
  }
}

void Fleet::advance_status(Device& device, std::size_t index) {
  const DeviceStatus before = device.status;
  if (device.status == DeviceStatus::kOnline) {
    if (chance(kLeaveOnline)) {
      static constexpr DeviceStatus kAway[] = {DeviceStatus::kMaintenance, DeviceStatus::kError,
                                               DeviceStatus::kOffline};
      device.status = kAway[std::uniform_int_distribution<int>(0, 2)(rng_)];
    }
  } else if (chance(kBackOnline)) {
    device.status = DeviceStatus::kOnline;
  }
  if (device.status != before) remember(Incident{index, 0, true});
}

void Fleet::advance_sensor(Sensor& sensor, std::size_t device_index, std::size_t sensor_index) {
  const SensorSpec& spec = *sensor.spec;
  if (spec.kind == SensorKind::kCounter) {
    sensor.value += uniform(0.0, 2.0 * spec.step);
  } else if (chance(kSpike)) {
    // Far enough to cross the warning threshold most of the time, now and then the critical one.
    const double reach =
        spec.thresholds ? spec.thresholds->warning - sensor.set_point : 20.0 * spec.step;
    sensor.value = sensor.set_point + reach * uniform(0.9, 1.6);
    remember(Incident{device_index, sensor_index, false});
  } else {
    sensor.value += std::normal_distribution<double>(0.0, spec.step)(rng_) +
                    kReversion * (sensor.set_point - sensor.value);
  }
  sensor.value = std::clamp(sensor.value, spec.floor, spec.ceiling);
}

AlertEvent Fleet::next_alert() {
  AlertEvent alert;
  // Half the alerts come from what actually happened, the rest keep all severities in the mix.
  if (!incidents_.empty() && chance(0.5)) {
    const Incident incident = incidents_.back();
    incidents_.pop_back();
    alert = alert_for_incident(incident);
  } else {
    alert = random_alert();
  }

  alert.alert_id = alert_id_prefix_ + std::to_string(++alerts_made_);
  // Real sources often send only the device id; the gateway fills the rest from the latest data.
  const double omit = uniform(0.0, 1.0);
  if (omit < 0.25) {
    alert.device_type.reset();
    alert.location.reset();
  } else if (omit < 0.35) {
    alert.location.reset();
  } else if (omit < 0.45) {
    alert.device_type.reset();
  }
  return alert;
}

AlertEvent Fleet::alert_for_incident(const Incident& incident) {
  const Device& device = devices_[incident.device];
  if (incident.status_change) return status_alert(device);
  const Sensor& sensor = device.sensors[incident.sensor];
  const auto& thresholds = sensor.spec->thresholds;
  if (thresholds && sensor.value >= thresholds->critical) {
    return threshold_alert(device, sensor, Severity::kCritical);
  }
  if (thresholds && sensor.value >= thresholds->warning) {
    return threshold_alert(device, sensor, Severity::kWarning);
  }
  if (thresholds) return back_to_normal_alert(device, sensor);
  return sensor_fault_alert(device, sensor);
}

AlertEvent Fleet::random_alert() {
  const std::size_t index =
      std::uniform_int_distribution<std::size_t>(0, devices_.size() - 1)(rng_);
  Device& device = devices_[index];
  // Every device type has at least one sensor with thresholds; prefer those.
  std::vector<std::size_t> candidates;
  for (std::size_t s = 0; s < device.sensors.size(); ++s) {
    if (device.sensors[s].spec->thresholds) candidates.push_back(s);
  }
  if (candidates.empty()) {
    for (std::size_t s = 0; s < device.sensors.size(); ++s) candidates.push_back(s);
  }
  Sensor& sensor = device.sensors[candidates[std::uniform_int_distribution<std::size_t>(
      0, candidates.size() - 1)(rng_)]];
  const SensorSpec& spec = *sensor.spec;

  static constexpr double kWeights[] = {40, 35, 15, 10};  // info, warning, error, critical
  const auto severity = static_cast<Severity>(
      std::discrete_distribution<int>(std::begin(kWeights), std::end(kWeights))(rng_));
  switch (severity) {
    case Severity::kWarning:
    case Severity::kCritical:
      if (spec.thresholds) {
        const bool critical = severity == Severity::kCritical;
        const double low = critical ? spec.thresholds->critical : spec.thresholds->warning;
        const double high = critical ? spec.thresholds->critical * 1.1 : spec.thresholds->critical;
        sensor.value = std::min(uniform(low, high), spec.ceiling);
        return threshold_alert(device, sensor, severity);
      }
      return status_alert(device);
    case Severity::kError:
      return sensor_fault_alert(device, sensor);
    case Severity::kInfo:
      break;
  }
  const bool above_warning = spec.thresholds && sensor.value >= spec.thresholds->warning;
  if (above_warning || chance(0.5)) {
    return calibration_due_alert(device, sensor, 1 + static_cast<int>(uniform(0, 30)));
  }
  return back_to_normal_alert(device, sensor);
}

void Fleet::remember(const Incident& incident) {
  if (incidents_.size() == kMaxIncidents) incidents_.pop_front();
  incidents_.push_back(incident);
}

double Fleet::uniform(double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng_);
}

bool Fleet::chance(double probability) {
  return uniform(0.0, 1.0) < probability;
}

}  // namespace iiot::simulator
