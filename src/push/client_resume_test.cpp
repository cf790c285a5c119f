#include "push/client_resume.h"

#include <gtest/gtest.h>

#include "push/test_events.h"

namespace iiot::push {
namespace {

using test::record_event;
using Verdict = ClientResume::Verdict;

std::shared_ptr<ReplaySession> finished_session(ReplaySession::Purpose purpose,
                                                ReplayOutcome outcome) {
  auto session = std::make_shared<ReplaySession>(purpose, 16);
  session->finish(std::move(outcome));
  return session;
}

TEST(ClientResumeTest, CheckpointOnlyAfterSomethingWasSent) {
  ClientResume r(100);
  const auto checkpoint = make_checkpoint_event("{}");
  EXPECT_EQ(r.on_live(checkpoint), Verdict::kSkip);
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 1)), Verdict::kSend);
  EXPECT_EQ(r.on_live(checkpoint), Verdict::kSend);
  EXPECT_EQ(r.on_live(checkpoint), Verdict::kSkip);
}

TEST(ClientResumeTest, HoldsDuringASessionAndDropsWhatTheReplayCovered) {
  ClientResume r(100);
  ReplayOutcome outcome;
  outcome.replayed = 2;
  outcome.covered.set({"t", 0}, 12);  // the replay read partition 0 up to offset 12
  r.begin(finished_session(ReplaySession::Purpose::kResume, outcome), {});
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 11)), Verdict::kHold);  // replayed already
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 12)), Verdict::kHold);
  EXPECT_EQ(r.on_live(make_checkpoint_event("{}")), Verdict::kHold);
  EXPECT_EQ(r.on_live(record_event("b", "t", 1, 3)), Verdict::kHold);  // not in the replay
  const auto out = r.end();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0]->position().offset, 12);
  EXPECT_TRUE(out[1]->is_checkpoint());
  EXPECT_EQ(out[2]->position().partition, 1);
  EXPECT_FALSE(r.busy());
}

TEST(ClientResumeTest, HoldingIsBounded) {
  ClientResume r(2);
  r.begin(std::make_shared<ReplaySession>(ReplaySession::Purpose::kResume, 16), {});
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 1)), Verdict::kHold);
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 2)), Verdict::kHold);
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 3)), Verdict::kOverflow);
}

TEST(ClientResumeTest, LiveEventsOlderThanTheSnapshotStateAreSkipped) {
  ClientResume r(100);
  ReplayOutcome outcome;
  outcome.replayed = 2;
  outcome.device_positions.emplace("a", model::RecordPosition{"t", 0, 10});
  outcome.device_positions.emplace("b", model::RecordPosition{"t", 1, 5});
  r.begin(finished_session(ReplaySession::Purpose::kSnapshot, outcome), {});
  // Held during the snapshot: the store was ahead of this shard's fan-out.
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 9)), Verdict::kHold);
  const auto held = r.end();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(r.on_live(held[0]), Verdict::kSkip);                        // older than state
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 10)), Verdict::kSkip);  // the state itself
  EXPECT_EQ(r.on_live(record_event("a", "t", 0, 11)), Verdict::kSend);  // newer
  EXPECT_EQ(r.on_live(record_event("b", "t", 1, 6)), Verdict::kSend);
  EXPECT_EQ(r.on_live(record_event("c", "t", 0, 1)), Verdict::kSend);  // not in the snapshot
}

TEST(ClientResumeTest, BudgetFollowsTheRate) {
  ClientResume r(10);
  const ClientResume::Clock::time_point t0{};
  r.begin(std::make_shared<ReplaySession>(ReplaySession::Purpose::kResume, 16), t0);
  EXPECT_EQ(r.budget(t0, 1000), 0u);
  EXPECT_EQ(r.budget(t0 + std::chrono::milliseconds(10), 1000), 10u);
  r.spend(10);
  // At most a tenth of a second is saved up.
  EXPECT_EQ(r.budget(t0 + std::chrono::seconds(5), 1000), 100u);
}

}  // namespace
}  // namespace iiot::push
