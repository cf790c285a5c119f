// What a run saw, for the one-line summary printed to stderr on exit: time connected, messages
// by type, events per second of connected time, reconnects, and (with --latency) the median,
// p99 and max of event latency. Owned by main; used on the client's single thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iiot::ws_client {

// Nearest-rank percentiles over the samples.
struct LatencyStats {
  std::chrono::nanoseconds median{0};
  std::chrono::nanoseconds p99{0};
  std::chrono::nanoseconds max{0};
  std::size_t samples = 0;
};
std::optional<LatencyStats> compute_latency_stats(std::vector<std::int64_t> samples_ns);

class RunSummary {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RunSummary(bool latency_enabled, Clock::time_point started = Clock::now())
      : latency_enabled_(latency_enabled), started_(started) {}

  void on_connected(Clock::time_point now);
  void on_disconnected(Clock::time_point now);
  void on_connect_failed() { ++failed_attempts_; }

  void count_message(std::string_view type);
  void count_event() { ++events_; }
  void count_skipped_before_ack() { ++skipped_before_ack_; }
  void add_latency(std::chrono::nanoseconds latency) { latency_ns_.push_back(latency.count()); }
  void count_unparsed_timestamp() { ++unparsed_timestamps_; }

  std::uint64_t events() const { return events_; }
  std::uint64_t reconnects() const { return connections_ > 0 ? connections_ - 1 : 0; }
  std::chrono::nanoseconds connected_time(Clock::time_point now) const;

  // "summary: connected 9.8s of 10.0s, reconnects 0, events 100 (10.2/s), messages alert=3
  //  device_data=97 filter_ack=1 welcome=1, latency median 1.2ms p99 4.0ms max 5.1ms (n=100)"
  std::string line(Clock::time_point now) const;

 private:
  bool latency_enabled_;
  Clock::time_point started_;
  std::optional<Clock::time_point> connected_since_;
  std::chrono::nanoseconds connected_total_{0};
  std::uint64_t connections_ = 0;
  std::uint64_t failed_attempts_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t skipped_before_ack_ = 0;
  std::uint64_t unparsed_timestamps_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> messages_;
  std::vector<std::int64_t> latency_ns_;
};

}  // namespace iiot::ws_client
