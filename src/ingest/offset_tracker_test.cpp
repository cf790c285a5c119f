#include "ingest/offset_tracker.h"

#include <gtest/gtest.h>

namespace iiot::ingest {
namespace {

const TopicPartition kP0{"data", 0};
const TopicPartition kP1{"data", 1};

TEST(OffsetTrackerTest, NothingCommittableBeforeAnyRecordIsDone) {
  OffsetTracker tracker;
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  tracker.begin(kP0, 5);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_TRUE(tracker.take_advanced().empty());
  EXPECT_EQ(tracker.in_flight(kP0), 1U);
}

TEST(OffsetTrackerTest, SynchronouslyDoneRecordsAdvanceToNextOffset) {
  OffsetTracker tracker;
  tracker.begin_completed(kP0, 0);
  tracker.begin_completed(kP0, 1);
  tracker.begin_completed(kP0, 2);
  EXPECT_EQ(tracker.committable(kP0), 3);
  const auto advanced = tracker.take_advanced();
  ASSERT_EQ(advanced.size(), 1U);
  EXPECT_EQ(advanced[0].partition, kP0);
  EXPECT_EQ(advanced[0].offset, 3);
  EXPECT_TRUE(tracker.take_advanced().empty());
}

TEST(OffsetTrackerTest, PendingRecordHoldsBackLaterDoneRecords) {
  OffsetTracker tracker;
  tracker.begin_completed(kP0, 10);
  tracker.begin(kP0, 11);  // a dead letter in flight
  tracker.begin_completed(kP0, 12);
  tracker.begin_completed(kP0, 13);
  EXPECT_EQ(tracker.committable(kP0), 11);
  EXPECT_EQ(tracker.in_flight(kP0), 1U);

  tracker.complete(kP0, 11);
  EXPECT_EQ(tracker.committable(kP0), 14);
  EXPECT_EQ(tracker.in_flight(kP0), 0U);
}

TEST(OffsetTrackerTest, OutOfOrderCompletionCommitsOnlyContiguousPrefix) {
  OffsetTracker tracker;
  tracker.begin(kP0, 0);
  tracker.begin(kP0, 1);
  tracker.begin(kP0, 2);
  tracker.complete(kP0, 2);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  tracker.complete(kP0, 0);
  EXPECT_EQ(tracker.committable(kP0), 1);
  tracker.complete(kP0, 1);
  EXPECT_EQ(tracker.committable(kP0), 3);
}

TEST(OffsetTrackerTest, OffsetGapsDoNotBlockProgress) {
  // Compacted topics and transaction markers leave holes in the offsets.
  OffsetTracker tracker;
  tracker.begin(kP0, 100);
  tracker.begin_completed(kP0, 105);
  tracker.complete(kP0, 100);
  EXPECT_EQ(tracker.committable(kP0), 106);
}

TEST(OffsetTrackerTest, PartitionsAreIndependent) {
  OffsetTracker tracker;
  tracker.begin(kP0, 0);
  tracker.begin_completed(kP1, 0);
  tracker.begin_completed(kP1, 1);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(tracker.committable(kP1), 2);
  const TopicPartition other_topic{"alerts", 0};
  tracker.begin_completed(other_topic, 7);
  EXPECT_EQ(tracker.committable(other_topic), 8);
  EXPECT_EQ(tracker.take_advanced().size(), 2U);
}

TEST(OffsetTrackerTest, CompletionOfUnknownOffsetOrPartitionIsIgnored) {
  OffsetTracker tracker;
  tracker.complete(kP0, 3);
  tracker.begin(kP0, 4);
  tracker.complete(kP0, 3);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(tracker.in_flight(kP0), 1U);
}

TEST(OffsetTrackerTest, RemovedPartitionForgetsPendingAndIgnoresLateAcks) {
  OffsetTracker tracker;
  tracker.begin(kP0, 0);
  tracker.remove(kP0);
  tracker.complete(kP0, 0);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_TRUE(tracker.take_advanced().empty());
}

TEST(OffsetTrackerTest, RemovedThenReassignedPartitionStartsAfresh) {
  OffsetTracker tracker;
  tracker.begin_completed(kP0, 0);
  tracker.remove(kP0);
  tracker.begin_completed(kP0, 50);
  const auto advanced = tracker.take_advanced();
  ASSERT_EQ(advanced.size(), 1U);
  EXPECT_EQ(advanced[0].offset, 51);
}

TEST(OffsetTrackerTest, RewindForgetsPendingRecords) {
  OffsetTracker tracker;
  tracker.begin_completed(kP0, 0);
  tracker.begin(kP0, 1);
  tracker.begin_completed(kP0, 2);
  tracker.begin_completed(kP0, 1);  // read again from 1
  EXPECT_EQ(tracker.committable(kP0), 2);
  EXPECT_EQ(tracker.in_flight(kP0), 0U);
}

}  // namespace
}  // namespace iiot::ingest
