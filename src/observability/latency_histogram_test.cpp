#include "observability/latency_histogram.h"

#include <gtest/gtest.h>

#include <array>

namespace iiot::observability {
namespace {

using std::chrono::nanoseconds;

TEST(LatencyHistogram, EmptySnapshotIsZero) {
  LatencyHistogram h;
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99_ns, 0u);
}

TEST(LatencyHistogram, QuantilesWithinBucketError) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(nanoseconds(i * 1000));
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 1000u);
  EXPECT_EQ(s.max_ns, 1'000'000u);
  EXPECT_NEAR(static_cast<double>(s.p50_ns), 500'000.0, 500'000.0 * 0.13);
  EXPECT_NEAR(static_cast<double>(s.p99_ns), 990'000.0, 990'000.0 * 0.13);
  EXPECT_NEAR(s.mean_ns, 500'500.0, 1.0);
}

TEST(LatencyHistogram, SmallAndHugeValuesLandInRange) {
  LatencyHistogram h;
  h.record(nanoseconds(0));
  h.record(nanoseconds(3));
  h.record(nanoseconds(-5));
  h.record(nanoseconds(std::int64_t{1} << 62));
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.max_ns, std::uint64_t{1} << 62);
  EXPECT_LE(s.p50_ns, 3u);
}

TEST(LatencyHistogram, ResetClears) {
  LatencyHistogram h;
  h.record(nanoseconds(100));
  h.reset();
  EXPECT_EQ(h.snapshot().count, 0u);
}

TEST(LatencyHistogram, CumulativeCountsNeverOverstate) {
  LatencyHistogram h;
  for (int i = 1; i <= 100; ++i) h.record(std::chrono::microseconds(i * 10));  // 10 us .. 1 ms
  const std::array bounds = {nanoseconds(5'000), nanoseconds(100'000), nanoseconds(500'000),
                             nanoseconds(2'000'000)};
  const auto c = h.cumulative(bounds);
  ASSERT_EQ(c.counts.size(), 4u);
  EXPECT_EQ(c.counts[0], 0u);
  EXPECT_LE(c.counts[1], 10u);  // exactly 10 values are <= 100 us
  EXPECT_GE(c.counts[1], 8u);   // bucket error: values near the bound may go to the next one
  EXPECT_LE(c.counts[2], 50u);
  EXPECT_GE(c.counts[2], 44u);
  EXPECT_EQ(c.counts[3], 100u);
  EXPECT_EQ(c.count, 100u);
  EXPECT_NEAR(c.sum_seconds, 0.0505, 1e-12);
}

}  // namespace
}  // namespace iiot::observability
