#include "websocket_client/run_summary.h"

#include <gtest/gtest.h>

namespace iiot::ws_client {
namespace {

using namespace std::chrono_literals;

TEST(LatencyStats, NearestRankPercentiles) {
  std::vector<std::int64_t> samples;
  for (std::int64_t i = 100; i >= 1; --i) samples.push_back(i * 1'000'000);  // 1..100 ms
  const auto stats = compute_latency_stats(samples);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->samples, 100u);
  EXPECT_EQ(stats->median, 50ms);
  EXPECT_EQ(stats->p99, 99ms);
  EXPECT_EQ(stats->max, 100ms);
}

TEST(LatencyStats, SingleAndEmpty) {
  EXPECT_FALSE(compute_latency_stats({}));
  const auto one = compute_latency_stats({7});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->median.count(), 7);
  EXPECT_EQ(one->p99.count(), 7);
  EXPECT_EQ(one->max.count(), 7);
}

TEST(RunSummary, LineCountsConnectedTimeMessagesAndReconnects) {
  const RunSummary::Clock::time_point t0{};
  RunSummary summary(true, t0);
  summary.on_connected(t0);
  summary.count_message("welcome");
  for (int i = 0; i < 4; ++i) {
    summary.count_message("device_data");
    summary.count_event();
    summary.add_latency(2ms);
  }
  summary.on_disconnected(t0 + 1s);
  summary.on_connect_failed();
  summary.on_connected(t0 + 2s);
  summary.count_skipped_before_ack();
  EXPECT_EQ(summary.reconnects(), 1u);
  EXPECT_EQ(summary.line(t0 + 3s),
            "summary: connected 2.000s of 3.000s, reconnects 1, failed attempts 1, events 4 "
            "(2.0/s), messages device_data=4 welcome=1, skipped before filter_ack 1, latency "
            "median 2.000ms p99 2.000ms max 2.000ms (n=4)");
}

TEST(RunSummary, EmptyRun) {
  const RunSummary::Clock::time_point t0{};
  RunSummary summary(false, t0);
  EXPECT_EQ(summary.line(t0 + 1s),
            "summary: connected 0.000s of 1.000s, reconnects 0, events 0 (0.0/s), messages none");
}

}  // namespace
}  // namespace iiot::ws_client
