#include "support/device_fleet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace iiot::bench {

std::string DeviceFleet::id(std::size_t j) const {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*zu", width, base + j);
  return prefix + digits;
}

SubscriptionPlan::SubscriptionPlan(DeviceFleet fleet, double match_fraction)
    : fleet_(std::move(fleet)) {
  const double wanted = std::round(match_fraction * static_cast<double>(fleet_.count));
  ids_per_connection_ =
      std::clamp<std::size_t>(wanted < 1 ? 1 : static_cast<std::size_t>(wanted), 1, fleet_.count);
}

double SubscriptionPlan::effective_fraction() const {
  return static_cast<double>(ids_per_connection_) / static_cast<double>(fleet_.count);
}

std::vector<std::string> SubscriptionPlan::device_ids(std::size_t g) const {
  std::vector<std::string> ids;
  if (matches_everything()) return ids;
  ids.reserve(ids_per_connection_);
  const std::size_t start = g % fleet_.count;
  for (std::size_t t = 0; t < ids_per_connection_; ++t) {
    ids.push_back(fleet_.id((start + t) % fleet_.count));
  }
  return ids;
}

std::string SubscriptionPlan::filter_frame(std::size_t g, bool latest) const {
  std::string frame = R"({"type":"filter","data":{"device_ids":[)";
  bool first = true;
  for (const std::string& id : device_ids(g)) {
    if (!first) frame.push_back(',');
    first = false;
    frame.push_back('"');
    frame.append(id);  // ids are [A-Za-z0-9._:/-]: nothing to escape
    frame.push_back('"');
  }
  frame.append(latest ? R"(],"delivery":"latest"}})" : "]}}");
  return frame;
}

}  // namespace iiot::bench
