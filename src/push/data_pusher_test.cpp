#include "push/data_pusher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "push/test_events.h"

namespace iiot::push {
namespace {

using std::chrono::steady_clock;

// The shards fan every event out (to no client here) and give it back; the input queue's depth
// is what is still held or on its way.
class DataPusherTest : public ::testing::Test {
 protected:
  explicit DataPusherTest(int queue_size = 100) {
    websocket_.worker_count = 2;
    websocket_.queue_size = queue_size;
  }

  void SetUp() override {
    pusher_ = std::make_unique<DataPusher>(websocket_, resume_, stats_);
    pusher_->start();
  }
  void TearDown() override { pusher_->stop(); }

  PushEventPtr next_event() { return test::record_event("dev-1", "t", 0, offset_++); }

  // Waits (bounded) until every accepted event has been fanned out by every shard.
  bool drains() {
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    while (pusher_->queue_depth() > 0) {
      if (steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  config::WebSocketConfig websocket_;
  config::ResumeConfig resume_;
  observability::GatewayStats stats_;
  std::unique_ptr<DataPusher> pusher_;
  std::int64_t offset_ = 0;
};

TEST_F(DataPusherTest, HandOffHoldsEventsUntilFlush) {
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  // Held back for one hand-over with the events that follow: no shard has them yet.
  EXPECT_EQ(pusher_->queue_depth(), 2U);
  pusher_->flush();
  EXPECT_TRUE(drains());
  EXPECT_EQ(stats_.push_latency.snapshot().count, 2U);
}

TEST_F(DataPusherTest, HandsOnByItselfOnceMaxHeldAreHeld) {
  for (std::size_t i = 0; i + 1 < DataPusher::kMaxHeld; ++i) {
    ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  }
  EXPECT_EQ(pusher_->queue_depth(), DataPusher::kMaxHeld - 1);
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  EXPECT_TRUE(drains());  // no flush()
}

TEST_F(DataPusherTest, WaitForFanOutReturnsWithEverythingBeforeItFannedOut) {
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  ASSERT_TRUE(pusher_->push(next_event(), PushMode::kWaitForFanOut));
  // Every shard fans out in stream order: the held events went first.
  EXPECT_EQ(pusher_->queue_depth(), 0U);
  EXPECT_EQ(stats_.push_latency.snapshot().count, 3U);
}

class SmallQueueDataPusherTest : public DataPusherTest {
 protected:
  SmallQueueDataPusherTest() : DataPusherTest(4) {}
};

TEST_F(SmallQueueDataPusherTest, FullQueueHandsOnWhatItHoldsSoThatItDrains) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  EXPECT_EQ(pusher_->queue_depth(), 4U);
  // Full of held events: refused, and the held ones go on, so a retry finds room.
  EXPECT_FALSE(pusher_->push(next_event(), PushMode::kHandOff));
  EXPECT_TRUE(drains());
  EXPECT_TRUE(pusher_->push(next_event(), PushMode::kHandOff));
  pusher_->flush();
  EXPECT_TRUE(drains());
}

}  // namespace
}  // namespace iiot::push
