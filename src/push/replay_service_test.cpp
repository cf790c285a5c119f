#include "push/replay_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "push/test_events.h"

namespace iiot::push {
namespace {

std::string device_record(const std::string& id, int seq) {
  return R"({"device_id":")" + id +
         R"(","device_type":"pump","location":"A","timestamp":)"
         R"("2024-08-01T20:50:09Z","sensors":{"seq":{"value":)" +
         std::to_string(seq) + "}}}";
}

// One partition "dd"[0] holding offsets [low, low + records.size()).
class FakeHistory final : public processing::RecordHistory {
 public:
  std::int64_t low = 0;
  std::vector<std::string> records;

  std::optional<processing::HistoryPlan> plan(const model::StreamCursor& from,
                                              std::string& /*error*/) override {
    processing::HistoryPlan plan;
    const std::int64_t high = low + static_cast<std::int64_t>(records.size());
    std::int64_t begin = from.next({"dd", 0}).value_or(low);
    if (begin < low) {
      plan.retention_cut = true;
      begin = low;
    }
    if (begin < high) plan.ranges.push_back({{"dd", 0}, begin, high});
    return plan;
  }

  bool read(const processing::HistoryPlan& plan,
            const std::function<bool(const processing::HistoryRecord&)>& sink,
            const std::atomic<bool>& cancel, std::string& /*error*/) override {
    for (const auto& range : plan.ranges) {
      for (std::int64_t o = range.begin; o < range.end && !cancel; ++o) {
        processing::HistoryRecord r{processing::RecordKind::kDeviceData,
                                    records[static_cast<std::size_t>(o - low)],
                                    {"dd", 0, o}};
        if (!sink(r)) return true;
      }
    }
    return true;
  }
};

// Polls `condition` until it holds or ten seconds pass.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class ReplayServiceTest : public ::testing::Test {
 protected:
  ReplayServiceTest() {
    for (int i = 0; i < 10; ++i)
      history_.records.push_back(device_record(i % 2 ? "odd" : "even", i));
    history_.records[4] = "{not json";  // a dead-lettered record: never replayed
    history_.low = 100;
  }

  // Runs a session to its end; returns the "seq" sensor of each replayed frame.
  std::vector<int> drain(ReplaySession& session) {
    std::vector<int> seqs;
    std::vector<ReplayFrame> frames;
    while (!session.done()) {
      frames.clear();
      session.take(100, frames);
      for (const auto& f : frames) {
        const auto v = boost::json::parse(test::text_of(f.frame));
        EXPECT_EQ(v.at("replay"), boost::json::value(true));
        seqs.push_back(static_cast<int>(
            v.at("data").at("device").at("sensors").at("seq").at("value").to_number<double>()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return seqs;
  }

  config::ResumeConfig config_;
  observability::GatewayStats stats_;
  processing::DefaultMessageProcessor decoder_{1 << 20, stats_};
  EventRing ring_{1 << 20};
  FakeHistory history_;
};

TEST_F(ReplayServiceTest, ReadsKafkaWhenTheRingDoesNotCoverAndAppliesTheFilter) {
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_);
  model::StreamCursor from;
  from.set({"dd", 0}, 102);
  model::Filter filter;
  filter.device_ids = {"even"};
  auto session = service.start_resume(from, {}, filter, 0);
  EXPECT_EQ(drain(*session), (std::vector<int>{2, 6, 8}));  // 4 is invalid
  EXPECT_TRUE(session->outcome().recovered);
  EXPECT_EQ(session->outcome().replayed, 3u);
  EXPECT_EQ(session->outcome().covered.next({"dd", 0}), 110);
  EXPECT_EQ(stats_.resume.replays_from_kafka.load(), 1u);
}

TEST_F(ReplayServiceTest, ACursorOlderThanRetentionStartsAtTheEarliestRecord) {
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_);
  model::StreamCursor from;
  from.set({"dd", 0}, 3);  // deleted long ago
  auto session = service.start_resume(from, {}, {}, 0);
  const auto seqs = drain(*session);
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), 0);
  EXPECT_FALSE(session->outcome().recovered);
}

TEST_F(ReplayServiceTest, TheCapStartsThatManyRecordsBeforeLive) {
  config_.max_replay_events = 3;
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_);
  model::StreamCursor from;
  from.set({"dd", 0}, 100);
  auto session = service.start_resume(from, {}, {}, 0);
  EXPECT_EQ(drain(*session), (std::vector<int>{7, 8, 9}));
  EXPECT_FALSE(session->outcome().recovered);
}

TEST_F(ReplayServiceTest, ServesFromTheRingWhenItCovers) {
  ReplayService service(config_, {"t"}, ring_, decoder_, nullptr, stats_);
  for (std::int64_t o = 0; o < 5; ++o) ring_.append(test::record_event("d", "t", 0, o));
  model::StreamCursor from;
  from.set({"t", 0}, 2);
  model::StreamCursor until;
  until.set({"t", 0}, 4);
  auto session = service.start_resume(from, until, {}, 0);
  std::vector<ReplayFrame> frames;
  while (!session->done()) {
    session->take(10, frames);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_NE(test::text_of(frames[0].frame).find(R"("pos":"t:0:2","replay":true)"),
            std::string::npos);
  EXPECT_EQ(frames[0].event->position().offset, 2);
  EXPECT_TRUE(session->outcome().recovered);
  EXPECT_EQ(stats_.resume.replays_from_memory.load(), 1u);
}

TEST_F(ReplayServiceTest, SnapshotSendsTheLatestStateOfEveryMatchingDevice) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(decoder_
                    .process(processing::RecordKind::kDeviceData,
                             device_record("dev-" + std::to_string(i % 3), i), {"dd", 0, i})
                    .ok());
  }
  ReplayService service(config_, {"dd"}, ring_, decoder_, nullptr, stats_);
  model::Filter filter;
  filter.device_ids = {"dev-0", "dev-2"};
  auto session = service.start_snapshot(filter, {}, 0);
  std::vector<ReplayFrame> frames;
  while (!session->done()) {
    session->take(10, frames);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(session->outcome().replayed, 2u);
  EXPECT_EQ(session->outcome().device_positions.at("dev-0").offset, 3);
  EXPECT_EQ(session->outcome().device_positions.at("dev-2").offset, 5);
  for (const auto& f : frames) {
    EXPECT_EQ(boost::json::parse(test::text_of(f.frame)).at("snapshot"), boost::json::value(true));
  }
}

TEST_F(ReplayServiceTest, StopCancelsAJobWaitingForItsClient) {
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_);
  for (int i = 0; i < 10000; ++i) history_.records.push_back(device_record("x", i));
  model::StreamCursor from;
  from.set({"dd", 0}, 100);
  auto session = service.start_resume(from, {}, {}, 0);  // nobody takes: the job fills its buffer
  ASSERT_TRUE(eventually([&] { return session->buffered() == ReplayService::kSessionBuffer; }));
  service.stop();
  EXPECT_TRUE(session->cancelled());
}

TEST_F(ReplayServiceTest, JobsBeyondTheLimitWaitForARunningOneToEnd) {
  for (int i = 0; i < 10000; ++i) history_.records.push_back(device_record("x", i));
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_, /*max_jobs=*/1);
  model::StreamCursor from;  // the ring (empty) does not cover it: the jobs read Kafka
  from.set({"dd", 0}, 100);
  auto first = service.start_resume(from, {}, {}, 0);
  auto second = service.start_resume(from, {}, {}, 0);
  // Nobody takes the first session's frames: its job fills the buffer and waits for its client,
  // so the second cannot have a job yet.
  ASSERT_TRUE(eventually([&] { return first->buffered() == ReplayService::kSessionBuffer; }));
  EXPECT_EQ(stats_.resume.replays_active.load(), 1u);
  EXPECT_EQ(second->buffered(), 0u);
  EXPECT_FALSE(second->done());

  // Once the first client has everything, the same job serves the second one in full.
  const std::size_t first_count = drain(*first).size();
  EXPECT_EQ(drain(*second).size(), first_count);
  EXPECT_TRUE(second->outcome().recovered);
  EXPECT_TRUE(eventually([&] { return stats_.resume.replays_active.load() == 0; }));
}

TEST_F(ReplayServiceTest, StopEndsWaitingJobsUnrecoveredAndCancelsRunningOnes) {
  for (int i = 0; i < 10000; ++i) history_.records.push_back(device_record("x", i));
  ReplayService service(config_, {"dd"}, ring_, decoder_, &history_, stats_, /*max_jobs=*/1);
  model::StreamCursor from;
  from.set({"dd", 0}, 100);
  auto running = service.start_resume(from, {}, {}, 0);
  auto waiting = service.start_resume(from, {}, {}, 0);
  ASSERT_TRUE(eventually([&] { return running->buffered() == ReplayService::kSessionBuffer; }));
  service.stop();
  EXPECT_TRUE(running->cancelled());
  EXPECT_TRUE(waiting->done());
  EXPECT_FALSE(waiting->outcome().recovered);
  EXPECT_EQ(waiting->outcome().replayed, 0u);
}

}  // namespace
}  // namespace iiot::push
