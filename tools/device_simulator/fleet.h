// The simulated plant: a fixed set of devices whose sensors drift around their set points, spike
// now and then, and change status once in a while; plus the alerts such a plant raises.
// Owned by Simulation and used only on its thread; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "alert_composer.h"
#include "device.h"

namespace iiot::simulator {

class Fleet {
 public:
  // Devices sensor-0001 .. sensor-<device_count>, types and locations drawn from `seed`.
  Fleet(std::size_t device_count, std::uint64_t seed);

  // Advances the next device in round-robin order by one reading and returns it. The reference
  // stays valid until the next call.
  const Device& next_reading();

  // An alert in one of the four severities: about a recent excursion or status change when there
  // is one, otherwise about a random device (a warning or critical one also pushes that sensor
  // over its threshold, so the next reading agrees with the alert). alert_id is unique to this
  // run; device_type and location are sometimes left out, as real sources do.
  AlertEvent next_alert();

  std::size_t size() const { return devices_.size(); }
  const Device& device(std::size_t index) const { return devices_[index]; }

 private:
  // Something that happened to a device and deserves an alert.
  struct Incident {
    std::size_t device = 0;
    std::size_t sensor = 0;  // meaningful only for spikes
    bool status_change = false;
  };

  void advance(Device& device, std::size_t index);
  void advance_status(Device& device, std::size_t index);
  void advance_sensor(Sensor& sensor, std::size_t device_index, std::size_t sensor_index);
  AlertEvent alert_for_incident(const Incident& incident);
  AlertEvent random_alert();
  void remember(const Incident& incident);
  double uniform(double low, double high);
  bool chance(double probability);

  std::mt19937_64 rng_;
  std::vector<Device> devices_;
  std::size_t next_device_ = 0;
  std::deque<Incident> incidents_;  // newest at the back, bounded
  std::uint64_t alerts_made_ = 0;
  std::string alert_id_prefix_;  // "alert-<run tag>-"
};

}  // namespace iiot::simulator
