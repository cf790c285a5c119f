// LatencyRecorder: an allocation-free log-linear histogram of latencies in nanoseconds for one
// thread (no atomics), mergeable across threads and, through its sparse bucket list, across
// processes (bench/driver/latency_histogram.py merges the load clients' lists with the same
// bucket arithmetic).
// 32 sub-buckets per power of two: values below 64 ns are exact, the rest within 3.2 %; a
// quantile is reported as the upper bound of its bucket (never optimistic), capped at the max.
// Thread-compatible: one writer; merge/read after the writer has stopped.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace iiot::bench {

class LatencyRecorder {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;

  void record(std::int64_t nanos) {
    if (nanos < 0) {
      ++negative_;
      nanos = 0;
    }
    const auto ns = static_cast<std::uint64_t>(nanos);
    ++buckets_[static_cast<std::size_t>(bucket_of(ns))];
    ++count_;
    sum_ += ns;
    if (ns > max_) max_ = ns;
  }

  void merge(const LatencyRecorder& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t negative() const { return negative_; }
  std::uint64_t max() const { return max_; }
  double mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
  }
  // q in [0, 1]; 0 when empty.
  std::uint64_t quantile(double q) const;
  // (bucket, count) of every non-empty bucket, for the JSON report.
  std::vector<std::pair<int, std::uint64_t>> sparse_buckets() const;

  static int bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_upper(int bucket);

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t negative_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace iiot::bench
