// Renders GatewayStats, plus the push layer's queue figures and client list, as the /stats JSON
// and the /metrics Prometheus text (exposition format 0.0.4): one source, two views, so they
// always agree. Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "observability/gateway_stats.h"

namespace iiot::observability {

struct ClientReport {
  std::string id;
  std::string remote;
  std::size_t queue_depth = 0;
  std::size_t queue_bytes = 0;
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;
  std::uint64_t conflated = 0;
  std::string delivery = "all";
  std::map<std::string, std::vector<std::string>> filter;  // non-empty lists only
};

struct PushReport {
  std::size_t queue_size = 0;      // events in the DataPusher's input queue now
  std::size_t queue_capacity = 0;  // its capacity (websocket.queue_size)
  std::vector<ClientReport> clients;
  std::size_t clients_limit = 0;        // the cap applied to `clients`
  std::size_t ring_capacity_bytes = 0;  // resume.memory_bytes
};

// Maximum number of clients listed in /stats.
inline constexpr std::size_t kMaxClientsInStats = 100;

std::string render_stats_json(const GatewayStats& stats, const PushReport& push);
std::string render_metrics(const GatewayStats& stats, const PushReport& push);
// {"status":"ok"|"degraded","kafka":{"reachable":..,"group_joined":..},"uptime_seconds":..}
std::string render_health_json(const GatewayStats& stats);
bool kafka_ready(const GatewayStats& stats);

}  // namespace iiot::observability
