// The device ids the benchmark injects and subscribes to, and the subscription scheme that makes
// a chosen fraction of connections match each event.
//
// Scheme: the fleet has K devices, ids prefix + zero-padded (base + j), j = 0..K-1 (the injector
// uses "dev-0000".."dev-0999"; the device simulator "sensor-0001".. with base 1). Events are
// produced round robin over the fleet. For a match fraction F, each connection subscribes to
// m = round(F * K) consecutive ids (at least 1) starting at j = g mod K, wrapping, where g is the
// connection's global index. So device j is in the windows of exactly m of every K consecutive
// connections, and with N a multiple of K every event matches exactly m/K = F of the N
// connections (otherwise within one connection of it). F >= 1 (m = K) sends the empty filter,
// which matches everything. Distinct filters: min(N, K), so the gateway cannot fold thousands of
// clients into a handful of filter groups. Value type; thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace iiot::bench {

struct DeviceFleet {
  std::string prefix = "dev-";
  int width = 4;
  std::size_t base = 0;
  std::size_t count = 1000;

  std::string id(std::size_t j) const;
};

class SubscriptionPlan {
 public:
  SubscriptionPlan(DeviceFleet fleet, double match_fraction);

  std::size_t ids_per_connection() const { return ids_per_connection_; }
  bool matches_everything() const { return ids_per_connection_ >= fleet_.count; }
  double effective_fraction() const;
  // The device ids of connection g; empty when matches_everything().
  std::vector<std::string> device_ids(std::size_t g) const;
  // The client frame {"type":"filter","data":{"device_ids":[...]}} for connection g; with
  // latest, the filter also asks for "delivery":"latest" (per-device conflation).
  std::string filter_frame(std::size_t g, bool latest = false) const;

 private:
  DeviceFleet fleet_;
  std::size_t ids_per_connection_;
};

}  // namespace iiot::bench
