#include "device.h"

namespace iiot::simulator {

std::string_view to_string(DeviceStatus status) {
  switch (status) {
    case DeviceStatus::kOnline:
      return "online";
    case DeviceStatus::kOffline:
      return "offline";
    case DeviceStatus::kMaintenance:
      return "maintenance";
    case DeviceStatus::kError:
      return "error";
  }
  return "online";
}

}  // namespace iiot::simulator
