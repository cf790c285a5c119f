#include "model/device_data.h"

#include <array>
#include <utility>

namespace iiot::model {
namespace {

constexpr std::array<std::pair<DeviceStatus, std::string_view>, 4> kStatusNames{{
    {DeviceStatus::kOnline, "online"},
    {DeviceStatus::kOffline, "offline"},
    {DeviceStatus::kMaintenance, "maintenance"},
    {DeviceStatus::kError, "error"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 4> kSeverityNames{{
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kError, "error"},
    {Severity::kCritical, "critical"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DeviceStatus status) {
  return name_of(kStatusNames, status);
}
std::string_view to_string(Severity severity) {
  return name_of(kSeverityNames, severity);
}

std::optional<DeviceStatus> parse_status(std::string_view text) {
  return value_of(kStatusNames, text);
}

std::optional<Severity> parse_severity(std::string_view text) {
  return value_of(kSeverityNames, text);
}

}  // namespace iiot::model
