#include "websocket_client/backoff.h"

#include <gtest/gtest.h>

namespace iiot::ws_client {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CapDoublesUpToTheMaximum) {
  Backoff backoff(milliseconds(250), milliseconds(10'000), 1);
  const milliseconds expected_caps[] = {milliseconds(250),   milliseconds(500),  milliseconds(1000),
                                        milliseconds(2000),  milliseconds(4000), milliseconds(8000),
                                        milliseconds(10000), milliseconds(10000)};
  for (const auto cap : expected_caps) {
    EXPECT_EQ(backoff.current_cap(), cap);
    const auto delay = backoff.next_delay();
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, cap);
  }
}

TEST(Backoff, ManyAttemptsStayAtTheCap) {
  Backoff backoff(milliseconds(250), milliseconds(10'000), 2);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(backoff.next_delay(), milliseconds(10'000));
  EXPECT_EQ(backoff.current_cap(), milliseconds(10'000));
}

TEST(Backoff, ResetReturnsToTheInitialCap) {
  Backoff backoff(milliseconds(250), milliseconds(10'000), 3);
  for (int i = 0; i < 5; ++i) backoff.next_delay();
  EXPECT_EQ(backoff.attempt(), 5u);
  backoff.reset();
  EXPECT_EQ(backoff.attempt(), 0u);
  EXPECT_EQ(backoff.current_cap(), milliseconds(250));
}

TEST(Backoff, JitterSpreadsDelaysOverTheWholeRange) {
  // Full jitter: draws under one cap cover both halves of [0, cap].
  bool low = false;
  bool high = false;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Backoff backoff(milliseconds(1000), milliseconds(1000), seed);
    const auto delay = backoff.next_delay();
    low = low || delay < milliseconds(500);
    high = high || delay > milliseconds(500);
  }
  EXPECT_TRUE(low);
  EXPECT_TRUE(high);
}

}  // namespace
}  // namespace iiot::ws_client
