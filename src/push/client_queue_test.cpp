#include "push/client_queue.h"

#include <gtest/gtest.h>

#include <list>
#include <random>
#include <string>
#include <vector>

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

// ---- Delivery "latest" (conflation) -------------------------------------------------------------

OutFrame named(FrameClass cls, const std::string& text) {
  return OutFrame{std::make_shared<const std::string>(text), cls};
}

std::vector<std::string> drain(ClientQueue& q) {
  std::vector<std::string> out;
  while (!q.empty()) out.push_back(*q.pop_front().data);
  return out;
}

ClientQueue latest_queue(std::size_t frames, std::size_t bytes, config::OverflowPolicy policy) {
  ClientQueue q(limits(frames, bytes, policy));
  q.set_delivery(model::Delivery::kLatest);
  return q;
}

TEST(ClientQueueLatest, NewerTelemetryReplacesUnsentOneInPlace) {
  ClientQueue q = latest_queue(100, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "a1"), kDraining, "a");
  q.push(named(FrameClass::kTelemetry, "b1"), kDraining, "b");
  q.push(named(FrameClass::kAlert, "alert-a"), kDraining, "a");
  const auto outcome = q.push(named(FrameClass::kTelemetry, "a2-longer"), kDraining, "a");
  EXPECT_EQ(outcome.conflated, 1u);
  EXPECT_EQ(outcome.dropped, 0u);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), std::string("a2-longerb1alert-a").size());
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a2-longer", "b1", "alert-a"}));
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(ClientQueueLatest, AllDeliveryKeepsEveryFrame) {
  ClientQueue q(limits(100, 1000, config::OverflowPolicy::kDropOldest));
  q.push(named(FrameClass::kTelemetry, "a1"), kDraining, "a");
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a2"), kDraining, "a").conflated, 0u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a1", "a2"}));
}

TEST(ClientQueueLatest, AlertsAndControlFramesAreNeverConflated) {
  ClientQueue q = latest_queue(100, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kAlert, "x1"), kDraining, "a");
  EXPECT_EQ(q.push(named(FrameClass::kAlert, "x2"), kDraining, "a").conflated, 0u);
  EXPECT_EQ(q.push(named(FrameClass::kControl, "c1"), kDraining).conflated, 0u);
  EXPECT_EQ(q.push(named(FrameClass::kControl, "c2"), kDraining).conflated, 0u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"x1", "x2", "c1", "c2"}));
}

TEST(ClientQueueLatest, SentFrameIsNotReplaced) {
  ClientQueue q = latest_queue(100, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "a1"), kDraining, "a");
  EXPECT_EQ(*q.pop_front().data, "a1");
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a2"), kDraining, "a").conflated, 0u);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a3"), kDraining, "a").conflated, 1u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a3"}));
}

TEST(ClientQueueLatest, TelemetryWithoutDeviceIsNotConflated) {
  ClientQueue q = latest_queue(100, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "t1"), kDraining);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "t2"), kDraining).conflated, 0u);
  EXPECT_EQ(q.size(), 2u);
}

TEST(ClientQueueLatest, LeavingLatestStopsConflating) {
  ClientQueue q = latest_queue(100, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "a1"), kDraining, "a");
  q.set_delivery(model::Delivery::kAll);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a2"), kDraining, "a").conflated, 0u);
  q.set_delivery(model::Delivery::kLatest);
  // a1 and a2 were queued under "all": the next frame of a is queued, then conflated.
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a3"), kDraining, "a").conflated, 0u);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "a4"), kDraining, "a").conflated, 1u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a1", "a2", "a4"}));
}

TEST(ClientQueueLatest, DropOldestStillAppliesToNewDevices) {
  ClientQueue q = latest_queue(2, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "a1"), kStalled, "a");
  q.push(named(FrameClass::kTelemetry, "b1"), kStalled, "b");
  // A device with nothing queued meets the frame limit: the oldest telemetry (a1) goes.
  auto outcome = q.push(named(FrameClass::kTelemetry, "c1"), kStalled, "c");
  EXPECT_EQ(outcome.dropped, 1u);
  EXPECT_EQ(outcome.conflated, 0u);
  // a1 was dropped, so a2 is new again and displaces b1.
  outcome = q.push(named(FrameClass::kTelemetry, "a2"), kStalled, "a");
  EXPECT_EQ(outcome.dropped, 1u);
  // c2 replaces c1 where it stands: no drop, though the queue is full and stalled.
  outcome = q.push(named(FrameClass::kTelemetry, "c2"), kStalled, "c");
  EXPECT_EQ(outcome.dropped, 0u);
  EXPECT_EQ(outcome.conflated, 1u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"c2", "a2"}));
}

TEST(ClientQueueLatest, AlertsDisplaceConflatedTelemetryAndAreKept) {
  ClientQueue q = latest_queue(2, 1000, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, "a1"), kStalled, "a");
  q.push(named(FrameClass::kTelemetry, "b1"), kStalled, "b");
  EXPECT_EQ(q.push(named(FrameClass::kAlert, "x"), kStalled, "a").dropped, 1u);  // a1 goes
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "b2"), kStalled, "b").conflated, 1u);
  EXPECT_EQ(q.push(named(FrameClass::kAlert, "y"), kStalled, "b").dropped, 1u);  // b2 goes
  EXPECT_EQ(q.push(named(FrameClass::kAlert, "z"), kStalled, "b").dropped, 0u);  // kept beyond
  EXPECT_EQ(drain(q), (std::vector<std::string>{"x", "y", "z"}));
}

TEST(ClientQueueLatest, LargerReplacementPastByteCapDropsOldestTelemetry) {
  ClientQueue q = latest_queue(100, 24, config::OverflowPolicy::kDropOldest);
  q.push(named(FrameClass::kTelemetry, std::string(10, 'a')), kDraining, "a");
  q.push(named(FrameClass::kTelemetry, std::string(10, 'b')), kDraining, "b");
  const auto outcome = q.push(named(FrameClass::kTelemetry, std::string(15, 'B')), kDraining, "b");
  EXPECT_EQ(outcome.conflated, 1u);
  EXPECT_EQ(outcome.dropped, 1u);
  EXPECT_LE(q.bytes(), 24u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{std::string(15, 'B')}));
}

TEST(ClientQueueLatest, LargerReplacementPastByteCapDisconnectsUnderDisconnectPolicy) {
  ClientQueue q = latest_queue(100, 24, config::OverflowPolicy::kDisconnect);
  q.push(named(FrameClass::kTelemetry, std::string(10, 'a')), kDraining, "a");
  q.push(named(FrameClass::kTelemetry, std::string(10, 'b')), kDraining, "b");
  EXPECT_TRUE(
      q.push(named(FrameClass::kTelemetry, std::string(15, 'B')), kDraining, "b").disconnect);
}

TEST(ClientQueueLatest, StalledClientHoldsOneFramePerDevice) {
  constexpr int kDevices = 100;
  ClientQueue q = latest_queue(1000, 1 << 20, config::OverflowPolicy::kDropOldest);
  std::size_t conflated = 0;
  for (int round = 0; round < 50; ++round) {
    for (int d = 0; d < kDevices; ++d) {
      const std::string id = "dev-" + std::to_string(d);
      conflated +=
          q.push(named(FrameClass::kTelemetry, id + "#" + std::to_string(round)), kStalled, id)
              .conflated;
    }
  }
  EXPECT_EQ(q.size(), static_cast<std::size_t>(kDevices));
  EXPECT_EQ(conflated, static_cast<std::size_t>(kDevices * 49));
  const std::vector<std::string> sent = drain(q);
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kDevices));
  for (int d = 0; d < kDevices; ++d) EXPECT_EQ(sent[d], "dev-" + std::to_string(d) + "#49");
}

// The queue against a plain list with the same rules, where every replacement and drop is a
// scan: over random pushes, pops and stalls both must send the same frames in the same order.
class ReferenceQueue {
 public:
  ReferenceQueue(std::size_t max_frames, std::size_t max_bytes)
      : max_frames_(max_frames), max_bytes_(max_bytes) {}

  void push(FrameClass cls, const std::string& text, const std::string& device, bool draining) {
    const bool telemetry = cls == FrameClass::kTelemetry;
    if (telemetry) {
      for (Entry& e : frames_) {
        if (e.telemetry && e.device == device) {
          bytes_ = bytes_ - e.text.size() + text.size();
          e.text = text;
          while (bytes_ > max_bytes_) drop_oldest_telemetry();
          return;
        }
      }
    }
    if (frames_.size() >= max_frames_ && !draining) {
      while (frames_.size() >= max_frames_ && drop_oldest_telemetry()) {
      }
      if (frames_.size() >= max_frames_ && telemetry) return;
    }
    while (bytes_ + text.size() > max_bytes_) {
      if (drop_oldest_telemetry()) continue;
      return;  // the tests keep alerts within the byte cap
    }
    bytes_ += text.size();
    frames_.push_back(Entry{telemetry, device, text});
  }

  std::string pop() {
    std::string text = frames_.front().text;
    bytes_ -= text.size();
    frames_.pop_front();
    return text;
  }
  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    bool telemetry;
    std::string device;
    std::string text;
  };
  bool drop_oldest_telemetry() {
    for (auto it = frames_.begin(); it != frames_.end(); ++it) {
      if (it->telemetry) {
        bytes_ -= it->text.size();
        frames_.erase(it);
        return true;
      }
    }
    return false;
  }
  std::size_t max_frames_;
  std::size_t max_bytes_;
  std::list<Entry> frames_;
  std::size_t bytes_ = 0;
};

TEST(ClientQueueLatest, MatchesReferenceModelUnderRandomTraffic) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    constexpr std::size_t kFrames = 8;
    constexpr std::size_t kBytes = 400;
    ClientQueue q = latest_queue(kFrames, kBytes, config::OverflowPolicy::kDropOldest);
    ReferenceQueue ref(kFrames, kBytes);
    for (int step = 0; step < 3000; ++step) {
      const unsigned roll = rng() % 10;
      if (roll < 3 && !ref.empty()) {
        ASSERT_FALSE(q.empty());
        ASSERT_EQ(*q.pop_front().data, ref.pop()) << "seed " << seed << " step " << step;
        continue;
      }
      const bool draining = rng() % 2 == 0;
      const std::string device = "d" + std::to_string(rng() % 6);
      const FrameClass cls = roll == 9 ? FrameClass::kAlert : FrameClass::kTelemetry;
      const std::string text = device + "/" + std::to_string(step) +
                               std::string(rng() % 30, cls == FrameClass::kAlert ? '!' : '.');
      if (cls == FrameClass::kAlert && q.bytes() + text.size() > kBytes) continue;
      q.push(named(cls, text), draining, device);
      ref.push(cls, text, device, draining);
      ASSERT_EQ(q.size(), ref.size()) << "seed " << seed << " step " << step;
      ASSERT_EQ(q.bytes(), ref.bytes()) << "seed " << seed << " step " << step;
    }
    while (!ref.empty()) ASSERT_EQ(*q.pop_front().data, ref.pop());
    EXPECT_TRUE(q.empty());
  }
}

TEST(ClientQueue, TakeMovesFramesInOrderWithinTheFrameBudget) {
  ClientQueue q(limits(100, 100000, config::OverflowPolicy::kDropOldest));
  for (char c = 'a'; c <= 'e'; ++c) q.push(frame(FrameClass::kTelemetry, 10, c), kDraining);
  std::vector<OutFrame> batch;
  EXPECT_EQ(q.take(WriteBudget{3, 1000}, batch), 3u);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ((*batch[0].data)[0], 'a');
  EXPECT_EQ((*batch[1].data)[0], 'b');
  EXPECT_EQ((*batch[2].data)[0], 'c');
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 20u);
  EXPECT_EQ(q.take(WriteBudget{3, 1000}, batch), 2u);  // appends
  ASSERT_EQ(batch.size(), 5u);
  EXPECT_EQ((*batch[4].data)[0], 'e');
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(ClientQueue, TakeStopsAtTheByteBudgetButAlwaysTakesOneFrame) {
  ClientQueue q(limits(100, 100000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry, 400, 'a'), kDraining);
  q.push(frame(FrameClass::kTelemetry, 300, 'b'), kDraining);
  q.push(frame(FrameClass::kTelemetry, 300, 'c'), kDraining);
  q.push(frame(FrameClass::kTelemetry, 10, 'd'), kDraining);
  std::vector<OutFrame> batch;
  EXPECT_EQ(q.take(WriteBudget{64, 350}, batch), 1u);  // larger than the budget: alone
  EXPECT_EQ(q.take(WriteBudget{64, 600}, batch), 2u);  // b + c = 600: d would pass it
  batch.clear();
  EXPECT_EQ(q.take(WriteBudget{64, 650}, batch), 1u);
  EXPECT_EQ((*batch[0].data)[0], 'd');
  // Stops before the frame that would pass the budget.
  for (int i = 0; i < 5; ++i) q.push(frame(FrameClass::kTelemetry, 100), kDraining);
  batch.clear();
  EXPECT_EQ(q.take(WriteBudget{64, 250}, batch), 2u);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 300u);
}

TEST(ClientQueue, TakenFramesAreOutOfReachOfTheOverflowPolicy) {
  // A stalled client's alerts survive; telemetry already taken for a write is not dropped again.
  ClientQueue q(limits(2, 1000, config::OverflowPolicy::kDropOldest));
  q.push(frame(FrameClass::kTelemetry, 10, 'a'), kDraining);
  q.push(frame(FrameClass::kAlert, 10, 'A'), kDraining);
  std::vector<OutFrame> batch;
  ASSERT_EQ(q.take(WriteBudget{1, 1000}, batch), 1u);
  q.push(frame(FrameClass::kTelemetry, 10, 'b'), kStalled);
  const auto outcome = q.push(frame(FrameClass::kTelemetry, 10, 'c'), kStalled);
  EXPECT_EQ(outcome.dropped, 1u);  // b, the oldest queued telemetry; the alert stays
  batch.clear();
  ASSERT_EQ(q.take(WriteBudget{64, 1000}, batch), 2u);
  EXPECT_EQ(batch[0].cls, FrameClass::kAlert);
  EXPECT_EQ((*batch[1].data)[0], 'c');
}

TEST(ClientQueue, ReleasesItsStorageOnlyWhenEmpty) {
  ClientQueue q(limits(10, 1000, config::OverflowPolicy::kDropOldest));
  q.release_memory();
  EXPECT_TRUE(q.empty());
  q.push(frame(FrameClass::kTelemetry), kDraining);
  q.release_memory();
  EXPECT_EQ(q.size(), 1u);  // kept: not empty
  std::vector<OutFrame> batch;
  q.take(WriteBudget{}, batch);
  q.release_memory();
  EXPECT_TRUE(q.empty());
  q.push(frame(FrameClass::kAlert), kDraining);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_front().cls, FrameClass::kAlert);
}

// ---- Gather writes under delivery "latest" ------------------------------------------------------

TEST(ClientQueue, FrameTakenForAWriteIsNeitherReplacedNorDropped) {
  ClientQueue q(limits(100, 1000, config::OverflowPolicy::kDropOldest));
  q.set_delivery(model::Delivery::kLatest);
  q.push(named(FrameClass::kTelemetry, "d1-v1"), kDraining, "d1");
  q.push(named(FrameClass::kTelemetry, "d2-v1"), kDraining, "d2");
  std::vector<OutFrame> batch;
  ASSERT_EQ(q.take(WriteBudget{1, 1000}, batch), 1u);  // d1-v1 is in flight
  // d1's next frame cannot replace the one being written: it is queued anew.
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "d1-v2"), kDraining, "d1").conflated, 0u);
  // d2's unsent frame is still replaced in place.
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "d2-v2"), kDraining, "d2").conflated, 1u);
  // And the new d1 frame, unsent, is replaceable again.
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "d1-v3"), kDraining, "d1").conflated, 1u);
  EXPECT_EQ(*batch[0].data, "d1-v1");
  ASSERT_EQ(q.take(WriteBudget{}, batch), 2u);
  EXPECT_EQ(*batch[1].data, "d2-v2");
  EXPECT_EQ(*batch[2].data, "d1-v3");
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(ClientQueue, TakeMergesTheLanesInArrivalOrder) {
  ClientQueue q(limits(100, 1000, config::OverflowPolicy::kDropOldest));
  q.set_delivery(model::Delivery::kLatest);
  q.push(named(FrameClass::kTelemetry, "t1"), kDraining, "d1");
  q.push(named(FrameClass::kAlert, "a1"), kDraining, "d1");
  q.push(named(FrameClass::kControl, "c1"), kDraining);
  q.push(named(FrameClass::kTelemetry, "t2"), kDraining, "d1");  // replaces t1 in place
  std::vector<OutFrame> batch;
  ASSERT_EQ(q.take(WriteBudget{}, batch), 3u);
  EXPECT_EQ(*batch[0].data, "t2");
  EXPECT_EQ(*batch[1].data, "a1");
  EXPECT_EQ(*batch[2].data, "c1");
}

TEST(ClientQueue, ConflatesAgainAfterItsStorageWasReleased) {
  ClientQueue q(limits(100, 1000, config::OverflowPolicy::kDropOldest));
  q.set_delivery(model::Delivery::kLatest);
  q.push(named(FrameClass::kTelemetry, "v1"), kDraining, "d1");
  std::vector<OutFrame> batch;
  q.take(WriteBudget{}, batch);
  q.release_memory();
  EXPECT_EQ(q.delivery(), model::Delivery::kLatest);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "v2"), kDraining, "d1").conflated, 0u);
  EXPECT_EQ(q.push(named(FrameClass::kTelemetry, "v3"), kDraining, "d1").conflated, 1u);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.pop_front().data, "v3");
}

}  // namespace
}  // namespace iiot::push
