#include "support/latency_recorder.h"

#include <algorithm>
#include <bit>

namespace iiot::bench {

int LatencyRecorder::bucket_of(std::uint64_t ns) {
  if (ns < (std::uint64_t{1} << (kSubBits + 1))) return static_cast<int>(ns);
  const int msb = std::bit_width(ns) - 1;  // > kSubBits
  const int shift = msb - kSubBits;
  const auto sub = static_cast<int>((ns >> shift) & ((1u << kSubBits) - 1));
  return ((shift + 1) << kSubBits) + sub;
}

std::uint64_t LatencyRecorder::bucket_upper(int bucket) {
  if (bucket < (2 << kSubBits)) return static_cast<std::uint64_t>(bucket);
  const int shift = (bucket >> kSubBits) - 1;
  const auto sub = static_cast<std::uint64_t>(bucket & ((1 << kSubBits) - 1));
  const std::uint64_t lower = ((std::uint64_t{1} << kSubBits) | sub) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyRecorder::merge(const LatencyRecorder& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  negative_ += other.negative_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyRecorder::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[static_cast<std::size_t>(b)];
    if (seen >= rank) return std::min(bucket_upper(b), max_);
  }
  return max_;
}

std::vector<std::pair<int, std::uint64_t>> LatencyRecorder::sparse_buckets() const {
  std::vector<std::pair<int, std::uint64_t>> out;
  for (int b = 0; b < kBuckets; ++b) {
    if (buckets_[static_cast<std::size_t>(b)] != 0) {
      out.emplace_back(b, buckets_[static_cast<std::size_t>(b)]);
    }
  }
  return out;
}

}  // namespace iiot::bench
