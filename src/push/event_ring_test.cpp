#include "push/event_ring.h"

#include <gtest/gtest.h>

#include "push/test_events.h"

namespace iiot::push {
namespace {

using test::record_event;

model::StreamCursor cursor(std::initializer_list<std::pair<std::int32_t, std::int64_t>> next) {
  model::StreamCursor c;
  for (const auto& [partition, offset] : next) c.set({"t", partition}, offset);
  return c;
}

std::vector<std::int64_t> offsets(const EventRing::Selection& s) {
  std::vector<std::int64_t> out;
  for (const auto& e : s.events) out.push_back(e->position().offset);
  return out;
}

TEST(EventRingTest, EvictsOldestEventsPastTheByteBound) {
  const std::size_t one = EventRing::cost(*record_event("d", "t", 0, 0));
  EventRing ring(3 * one);
  for (std::int64_t o = 0; o < 5; ++o) ring.append(record_event("d", "t", 0, o));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_LE(ring.bytes(), 3 * one);
  // Offsets 0 and 1 left: a range from 1 is no longer covered, one from 2 is.
  EXPECT_FALSE(ring.select(cursor({{0, 1}}), cursor({{0, 5}}), {}, 100).covered);
  const auto from_two = ring.select(cursor({{0, 2}}), cursor({{0, 5}}), {}, 100);
  ASSERT_TRUE(from_two.covered);
  EXPECT_EQ(offsets(from_two), (std::vector<std::int64_t>{2, 3, 4}));
}

TEST(EventRingTest, ZeroBytesKeepsNothing) {
  EventRing ring(0);
  ring.append(record_event("d", "t", 0, 0));
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_FALSE(ring.select(cursor({{0, 0}}), cursor({{0, 1}}), {}, 10).covered);
}

TEST(EventRingTest, SelectsTheRangeBetweenCursorsPerPartitionAndTheFilter) {
  EventRing ring(1 << 20);
  ring.append(record_event("a", "t", 0, 10));
  ring.append(record_event("b", "t", 1, 20));
  ring.append(record_event("a", "t", 0, 11, "B"));
  ring.append(record_event("b", "t", 1, 21));
  ring.append(record_event("a", "t", 0, 12));  // not yet live for the client: after `until`
  const auto all = ring.select(cursor({{0, 11}, {1, 20}}), cursor({{0, 12}, {1, 22}}), {}, 100);
  ASSERT_TRUE(all.covered);
  EXPECT_EQ(offsets(all), (std::vector<std::int64_t>{20, 11, 21}));
  EXPECT_FALSE(all.capped);

  model::Filter only_b;
  only_b.locations = {"B"};
  EXPECT_EQ(
      offsets(ring.select(cursor({{0, 10}, {1, 20}}), cursor({{0, 13}, {1, 22}}), only_b, 100)),
      (std::vector<std::int64_t>{11}));
}

TEST(EventRingTest, APartitionTheRingStartedLateOrTheCursorOmitsIsNotCovered) {
  EventRing ring(1 << 20);
  ring.append(record_event("a", "t", 0, 50));  // the ring never saw offsets before 50
  EXPECT_FALSE(ring.select(cursor({{0, 40}}), cursor({{0, 51}}), {}, 10).covered);
  EXPECT_TRUE(ring.select(cursor({{0, 50}}), cursor({{0, 51}}), {}, 10).covered);
  // The cursor does not name partition 0: wanted from its start, which the ring lacks.
  EXPECT_FALSE(ring.select(cursor({}), cursor({{0, 51}}), {}, 10).covered);
  // A partition the cursor names but the ring never saw.
  EXPECT_FALSE(ring.select(cursor({{0, 50}, {7, 3}}), cursor({{0, 51}}), {}, 10).covered);
  // Nothing wanted from a partition already at its live position.
  EXPECT_TRUE(ring.select(cursor({{0, 51}}), cursor({{0, 51}}), {}, 10).covered);
}

TEST(EventRingTest, CapKeepsTheLastEventsBeforeLive) {
  EventRing ring(1 << 20);
  for (std::int64_t o = 0; o < 10; ++o) ring.append(record_event("a", "t", 0, o));
  const auto capped = ring.select(cursor({{0, 0}}), cursor({{0, 10}}), {}, 3);
  EXPECT_TRUE(capped.covered);
  EXPECT_TRUE(capped.capped);
  EXPECT_EQ(offsets(capped), (std::vector<std::int64_t>{7, 8, 9}));
}

}  // namespace
}  // namespace iiot::push
