#include "gateway/record_factory.h"

#include <array>
#include <cstdio>

#include "text_formats/rfc3339_format.h"

namespace iiot::bench {
namespace {

constexpr std::array<std::string_view, 12> kLocations{
    "Building-A/Line-1", "Building-A/Line-2",     "Building-A/Line-3",   "Building-B/Line-1",
    "Building-B/Line-2", "Building-B/Paint-Shop", "Building-C/Assembly", "Building-C/Packaging",
    "Warehouse/Dock-1",  "Warehouse/Cold-Store",  "Utility/Boiler-Room", "Utility/Compressor-Room",
};

}  // namespace

RecordFactory::RecordFactory(const DeviceFleet& fleet) {
  heads_.reserve(fleet.count);
  for (std::size_t j = 0; j < fleet.count; ++j) {
    std::string head =
        R"({"device_id":")" + fleet.id(j) + R"(","device_type":"temperature_sensor","location":")" +
        std::string(kLocations[j % kLocations.size()]) + R"(","status":"online","timestamp":")";
    heads_.push_back(std::move(head));
  }
  buffer_.reserve(512);
}

std::string_view RecordFactory::make(std::uint64_t seq, std::chrono::system_clock::time_point now) {
  buffer_.assign(heads_[seq % heads_.size()]);
  text_formats::append_rfc3339_utc(buffer_, now, text_formats::FractionDigits::kMicros);
  const auto step = static_cast<unsigned>(seq % 1000);
  char sensors[192];
  const int n = std::snprintf(
      sensors, sizeof sensors,
      R"(","sensors":{"temperature":{"value":%.2f,"unit":"°C"},"humidity":{"value":%.1f,)"
      R"("unit":"%%"}},"seq":%llu})",
      21.0 + step / 250.0, 40.0 + step / 50.0, static_cast<unsigned long long>(seq));
  buffer_.append(sensors, static_cast<std::size_t>(n));
  return buffer_;
}

}  // namespace iiot::bench
