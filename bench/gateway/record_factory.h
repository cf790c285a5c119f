// RecordFactory: device-data records as the device simulator writes them (a temperature sensor
// with two readings, about 280 bytes as a frame), for the devices of a DeviceFleet, stamped
// with the time of the call (RFC 3339 UTC with microseconds, like the simulator at send time).
// Reuses one buffer: the returned view is valid until the next call. Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/device_fleet.h"

namespace iiot::bench {

class RecordFactory {
 public:
  explicit RecordFactory(const DeviceFleet& fleet);

  // The record of device (seq mod K) for its seq-th reading, stamped now.
  std::string_view make(std::uint64_t seq, std::chrono::system_clock::time_point now);

 private:
  std::vector<std::string> heads_;  // everything up to the timestamp's opening quote
  std::string buffer_;
};

}  // namespace iiot::bench
