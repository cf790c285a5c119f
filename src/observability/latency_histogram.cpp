#include "observability/latency_histogram.h"

#include <bit>
#include <limits>

namespace iiot::observability {

int LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < (1u << kSubBits)) return static_cast<int>(ns);
  const int msb = std::bit_width(ns) - 1;  // >= kSubBits
  const auto sub = static_cast<int>((ns >> (msb - kSubBits)) & ((1u << kSubBits) - 1));
  return ((msb - kSubBits + 1) << kSubBits) + sub;
}

std::uint64_t LatencyHistogram::bucket_upper(int bucket) {
  if (bucket < (1 << kSubBits)) return static_cast<std::uint64_t>(bucket);
  const int group = (bucket >> kSubBits) - 1;  // msb - kSubBits
  const auto sub = static_cast<std::uint64_t>(bucket & ((1 << kSubBits) - 1));
  const int msb = group + kSubBits;
  // Buckets past the 64-bit range (never filled) end at the largest value.
  if (msb >= 64) return std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t base = (std::uint64_t{1} << msb) | (sub << group);
  return base + ((std::uint64_t{1} << group) - 1);
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const auto ns = static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count());
  buckets_[static_cast<std::size_t>(bucket_of(ns))].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  auto prev = max_ns_.load(std::memory_order_relaxed);
  while (prev < ns && !max_ns_.compare_exchange_weak(prev, ns, std::memory_order_relaxed)) {
  }
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot s;
  std::array<std::uint64_t, kBuckets> copy{};
  for (std::size_t i = 0; i < copy.size(); ++i) {
    copy[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count += copy[i];
  }
  if (s.count == 0) return s;
  s.mean_ns = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) /
              static_cast<double>(count_.load(std::memory_order_relaxed));
  s.max_ns = max_ns_.load(std::memory_order_relaxed);
  auto quantile = [&](double q) {
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(s.count - 1)) + 1;
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += copy[static_cast<std::size_t>(b)];
      if (seen >= rank) return std::min(bucket_upper(b), s.max_ns);
    }
    return s.max_ns;
  };
  s.p50_ns = quantile(0.50);
  s.p99_ns = quantile(0.99);
  s.p999_ns = quantile(0.999);
  return s;
}

LatencyHistogram::Cumulative LatencyHistogram::cumulative(
    std::span<const std::chrono::nanoseconds> bounds) const {
  Cumulative out;
  out.counts.assign(bounds.size(), 0);
  std::size_t bound = 0;
  for (int b = 0; b < kBuckets; ++b) {
    const std::uint64_t n = buckets_[static_cast<std::size_t>(b)].load(std::memory_order_relaxed);
    const std::uint64_t upper = bucket_upper(b);
    while (bound < bounds.size() && static_cast<std::uint64_t>(bounds[bound].count()) < upper) {
      out.counts[bound++] = out.count;
    }
    out.count += n;
  }
  while (bound < bounds.size()) out.counts[bound++] = out.count;
  // The sum is read after the buckets: a recording racing with this read may be in one and not
  // the other, which Prometheus tolerates (the next scrape is consistent again).
  out.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

void LatencyHistogram::reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_ns_.store(0, std::memory_order_relaxed);
  max_ns_.store(0, std::memory_order_relaxed);
}

}  // namespace iiot::observability
