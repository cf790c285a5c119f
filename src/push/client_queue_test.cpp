#include "push/client_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace iiot::push {
namespace {

OutFrame frame(FrameClass cls, std::size_t bytes = 10, char fill = 'x') {
  return OutFrame{std::make_shared<const std::string>(bytes, fill), cls};
}

QueueLimits limits(std::size_t frames, std::size_t bytes, config::OverflowPolicy policy) {
  return QueueLimits{frames, bytes, policy};
}

constexpr bool kDraining = true;
constexpr bool kStalled = false;

TEST(ClientQueue, QueuesWithinLimits) {
  ClientQueue q(limits(3, 1000, config::OverflowPolicy::kDropOldest));
  EXPECT_FALSE(q.push(frame(FrameClass::kTelemetry), kStalled).disconnect);
  EXPECT_FALSE(q.push(frame(FrameClass::kAlert), kStalled).disconnect);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 20u);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kTelemetry);
  EXPECT_EQ(q.bytes(), 10u);
}

TEST(ClientQueue, DropOldestDropsOldestTelemetryWhenStalled) {
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry, 10, 'a'), kStalled);
  q.push(frame(FrameClass::kTelemetry, 10, 'b'), kStalled);
  const auto outcome = q.push(frame(FrameClass::kTelemetry, 10, 'c'), kStalled);
  EXPECT_EQ(outcome.dropped, 1u);
  EXPECT_FALSE(outcome.disconnect);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ((*q.pop_front().data)[0], 'b');
  EXPECT_EQ((*q.pop_front().data)[0], 'c');
}

TEST(ClientQueue, DrainingClientMayExceedFrameLimitButNotBytes) {
  ClientQueue q(limits(2, 35, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry), kDraining);
  q.push(frame(FrameClass::kTelemetry), kDraining);
  EXPECT_EQ(q.push(frame(FrameClass::kTelemetry), kDraining).dropped, 0u);
  EXPECT_EQ(q.size(), 3u);
  const auto outcome = q.push(frame(FrameClass::kTelemetry), kDraining);
  EXPECT_EQ(outcome.dropped, 1u);  // the byte cap is hard
  EXPECT_EQ(q.size(), 3u);
  EXPECT_LE(q.bytes(), 35u);
}

TEST(ClientQueue, StalledClientIsTrimmedBackToFrameLimit) {
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDropOldest));
  for (int i = 0; i < 5; ++i) q.push(frame(FrameClass::kTelemetry), kDraining);
  q.push(frame(FrameClass::kAlert), kDraining);
  ASSERT_EQ(q.size(), 6u);
  const auto outcome = q.push(frame(FrameClass::kTelemetry, 10, 'n'), kStalled);
  EXPECT_EQ(outcome.dropped, 5u);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kAlert);
  EXPECT_EQ((*q.pop_front().data)[0], 'n');
}

TEST(ClientQueue, AlertDisplacesTelemetry) {
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry, 10, 't'), kStalled);
  q.push(frame(FrameClass::kAlert, 10, 'a'), kStalled);
  const auto outcome = q.push(frame(FrameClass::kAlert, 10, 'b'), kStalled);
  EXPECT_EQ(outcome.dropped, 1u);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kAlert);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kAlert);
}

TEST(ClientQueue, AlertsKeptBeyondFrameLimitWhenNoTelemetryLeft) {
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kAlert), kStalled);
  q.push(frame(FrameClass::kControl), kStalled);
  const auto outcome = q.push(frame(FrameClass::kAlert), kStalled);
  EXPECT_EQ(outcome.dropped, 0u);
  EXPECT_FALSE(outcome.disconnect);
  EXPECT_EQ(q.size(), 3u);
}

TEST(ClientQueue, TelemetryDroppedWhenQueueHoldsOnlyAlerts) {
  ClientQueue q(limits(1, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kAlert), kStalled);
  const auto outcome = q.push(frame(FrameClass::kTelemetry), kStalled);
  EXPECT_EQ(outcome.dropped, 1u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kAlert);
}

TEST(ClientQueue, AlertPastByteCapWithNoTelemetryDisconnects) {
  ClientQueue q(limits(10, 25, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kAlert), kStalled);
  q.push(frame(FrameClass::kAlert), kStalled);
  EXPECT_TRUE(q.push(frame(FrameClass::kAlert), kStalled).disconnect);
}

TEST(ClientQueue, DisconnectPolicyWhenStalledAndFull) {
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDisconnect));
  q.push(frame(FrameClass::kTelemetry), kStalled);
  q.push(frame(FrameClass::kTelemetry), kStalled);
  EXPECT_FALSE(q.push(frame(FrameClass::kTelemetry), kDraining).disconnect);
  EXPECT_TRUE(q.push(frame(FrameClass::kTelemetry), kStalled).disconnect);
}

TEST(ClientQueue, DisconnectPolicyPastByteCap) {
  ClientQueue q(limits(100, 15, config::OverflowPolicy::kDisconnect));
  q.push(frame(FrameClass::kTelemetry), kDraining);
  EXPECT_TRUE(q.push(frame(FrameClass::kTelemetry), kDraining).disconnect);
}

TEST(ClientQueue, ClearEmpties) {
  ClientQueue q(limits(5, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry), kDraining);
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace iiot::push
