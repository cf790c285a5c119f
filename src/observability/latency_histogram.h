// A lock-free, allocation-free latency histogram: log-linear buckets (8 sub-buckets per power of
// two of nanoseconds, about 12% relative error), written by any thread, read by any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace iiot::observability {

class LatencyHistogram {
 public:
  struct Snapshot {
    std::uint64_t count = 0;
    double mean_ns = 0;
    std::uint64_t p50_ns = 0;
    std::uint64_t p99_ns = 0;
    std::uint64_t p999_ns = 0;
    std::uint64_t max_ns = 0;
  };

  // Cumulative counts for Prometheus: counts[i] is the number of recordings whose bucket lies
  // wholly at or below bounds[i] (bounds ascending). A recording in the one bucket that straddles
  // a bound is counted under the next bound, so a count is never overstated; the error is the
  // bucket width (about 12%). count includes everything (the +Inf bucket).
  struct Cumulative {
    std::vector<std::uint64_t> counts;
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  void record(std::chrono::nanoseconds latency);
  Snapshot snapshot() const;
  Cumulative cumulative(std::span<const std::chrono::nanoseconds> bounds) const;
  void reset();

  static constexpr int kSubBits = 3;
  static constexpr int kBuckets = 64 << kSubBits;

 private:
  static int bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_upper(int bucket);

  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
  std::atomic<std::uint64_t> max_ns_{0};
};

}  // namespace iiot::observability
