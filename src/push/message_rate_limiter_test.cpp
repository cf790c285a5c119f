#include "push/message_rate_limiter.h"

#include <gtest/gtest.h>

namespace iiot::push {
namespace {

using Verdict = MessageRateLimiter::Verdict;
using std::chrono::milliseconds;
const MessageRateLimiter::Clock::time_point kStart{};

// Sends n messages spread evenly over `span` starting at `from`; counts the verdicts.
struct Tally {
  int accepted = 0;
  int rejected = 0;
  int abusive = 0;
};

Tally send(MessageRateLimiter& limiter, MessageRateLimiter::Clock::time_point from, int n,
           milliseconds span) {
  Tally t;
  for (int i = 0; i < n; ++i) {
    switch (limiter.on_message(from + span * i / n)) {
      case Verdict::kAccept:
        ++t.accepted;
        break;
      case Verdict::kReject:
        ++t.rejected;
        break;
      case Verdict::kAbusive:
        ++t.abusive;
        break;
    }
  }
  return t;
}

TEST(MessageRateLimiter, BurstOfTwiceTheRateThenRejects) {
  MessageRateLimiter limiter(10, kStart);
  const Tally t = send(limiter, kStart, 25, milliseconds(0));
  EXPECT_EQ(t.accepted, 20);
  EXPECT_EQ(t.rejected, 5);
  EXPECT_EQ(t.abusive, 0);
}

TEST(MessageRateLimiter, RefillsAtTheRate) {
  MessageRateLimiter limiter(10, kStart);
  send(limiter, kStart, 20, milliseconds(0));
  EXPECT_EQ(limiter.on_message(kStart), Verdict::kReject);
  EXPECT_EQ(limiter.on_message(kStart + milliseconds(100)), Verdict::kAccept);
  EXPECT_EQ(limiter.on_message(kStart + milliseconds(110)), Verdict::kReject);
  // A second later there are 10 tokens again.
  const Tally t = send(limiter, kStart + milliseconds(1110), 12, milliseconds(0));
  EXPECT_EQ(t.accepted, 10);
  EXPECT_EQ(t.rejected, 2);
}

TEST(MessageRateLimiter, SteadyRateIsNeverRejected) {
  MessageRateLimiter limiter(10, kStart);
  const Tally t = send(limiter, kStart, 600, milliseconds(60'000));
  EXPECT_EQ(t.accepted, 600);
}

TEST(MessageRateLimiter, ZeroMeansUnlimited) {
  MessageRateLimiter limiter(0, kStart);
  const Tally t = send(limiter, kStart, 100'000, milliseconds(6'000));
  EXPECT_EQ(t.accepted, 100'000);
}

TEST(MessageRateLimiter, FiveSecondsOverTenTimesTheRateIsAbusive) {
  MessageRateLimiter limiter(10, kStart);
  // 101 messages per second (> 10 x 10) for five whole seconds: rejected, not yet abusive.
  for (int s = 0; s < 5; ++s) {
    const Tally t = send(limiter, kStart + milliseconds(1000 * s), 101, milliseconds(1000));
    EXPECT_EQ(t.abusive, 0) << "second " << s;
    EXPECT_GT(t.rejected, 0);
  }
  EXPECT_EQ(limiter.on_message(kStart + milliseconds(5000)), Verdict::kAbusive);
}

TEST(MessageRateLimiter, AQuietSecondBreaksTheRun) {
  MessageRateLimiter limiter(10, kStart);
  for (int s = 0; s < 4; ++s) {
    send(limiter, kStart + milliseconds(1000 * s), 101, milliseconds(1000));
  }
  // Second 4 stays under the abuse threshold (not under the rate: still rejected messages).
  send(limiter, kStart + milliseconds(4000), 100, milliseconds(1000));
  const Tally t = send(limiter, kStart + milliseconds(5000), 101, milliseconds(1000));
  EXPECT_EQ(t.abusive, 0);
  // An empty second also breaks it.
  MessageRateLimiter gap(10, kStart);
  for (int s = 0; s < 4; ++s) send(gap, kStart + milliseconds(1000 * s), 101, milliseconds(1000));
  const Tally after_gap = send(gap, kStart + milliseconds(5000), 101, milliseconds(1000));
  EXPECT_EQ(after_gap.abusive, 0);
}

TEST(MessageRateLimiter, JustAtTenTimesTheRateIsNotAbusive) {
  MessageRateLimiter limiter(10, kStart);
  const Tally t = send(limiter, kStart, 600, milliseconds(6000));  // exactly 100 per second
  EXPECT_EQ(t.abusive, 0);
}

}  // namespace
}  // namespace iiot::push
