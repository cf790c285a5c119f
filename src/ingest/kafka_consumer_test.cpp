#include "ingest/kafka_consumer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ingest/dead_letter_sink.h"
#include "ingest/group_consumer_client.h"
#include "ingest/kafka_error.h"

// KafkaConsumer's decisions against fakes of its two clients: no broker, no timing. The fakes
// write every call that matters into one journal, so the tests can check the order of
// dead-letter flushes, stores, commits and leaving the group.

namespace iiot::ingest {
namespace {

using Journal = std::vector<std::string>;

std::string name_of(const TopicPartition& tp) {
  return tp.topic + "[" + std::to_string(tp.partition) + "]";
}

std::string names_of(const std::vector<TopicPartition>& partitions) {
  std::string out;
  for (const TopicPartition& tp : partitions) out += (out.empty() ? "" : ",") + name_of(tp);
  return out;
}

std::string names_of(const std::vector<CommittableOffset>& offsets) {
  std::string out;
  for (const CommittableOffset& c : offsets) {
    out += (out.empty() ? "" : ",") + name_of(c.partition) + "@" + std::to_string(c.offset);
  }
  return out;
}

// A MessageProcessor that records the position of every record it sees and rejects the values
// that start with "bad".
class RecordingProcessor final : public processing::MessageProcessor {
 public:
  using MessageProcessor::process;
  processing::ProcessResult process(processing::RecordKind kind, std::string_view payload,
                                    const model::RecordPosition& position) override {
    seen.push_back(position);
    kinds.push_back(kind);
    if (payload.starts_with("bad")) return processing::ProcessResult::rejected("invalid JSON");
    auto event = std::make_shared<processing::ProcessedEvent>();
    event->position = position;
    return processing::ProcessResult::accepted(std::move(event));
  }
  void end_of_batch() override { batch_ends.push_back(seen.size()); }

  std::vector<model::RecordPosition> seen;
  std::vector<processing::RecordKind> kinds;
  std::vector<std::size_t> batch_ends;  // how many records had been seen at each end_of_batch()
};

// A DeadLetterSink that holds every letter until the test acknowledges it. flush() acknowledges
// all of them, or none (a broker that does not answer), as the test chose.
class FakeDeadLetterSink final : public DeadLetterSink {
 public:
  enum class OnFlush { kAcknowledgeAll, kAcknowledgeNone };

  FakeDeadLetterSink(Journal& journal, std::size_t backlog_limit)
      : journal_(journal), backlog_limit_(backlog_limit) {}

  void set_on_written(OnWritten on_written) override { on_written_ = std::move(on_written); }
  void write(DeadLetter letter) override {
    journal_.push_back("dead-letter " + name_of(letter.source) + "@" +
                       std::to_string(letter.offset));
    written.push_back(letter);
    pending_.push_back(std::move(letter));
  }
  void poll() override {}
  bool flush(std::chrono::milliseconds /*timeout*/) override {
    journal_.push_back("flush");
    if (on_flush == OnFlush::kAcknowledgeAll) {
      while (!pending_.empty()) acknowledge_next();
    }
    return pending_.empty();
  }
  std::size_t pending() const override { return pending_.size(); }
  std::size_t pending_bytes() const override {
    std::size_t bytes = 0;
    for (const DeadLetter& letter : pending_) bytes += letter.bytes();
    return bytes;
  }
  bool backlog_full() const override { return pending_.size() >= backlog_limit_; }
  bool backlog_drained() const override { return pending_.size() <= backlog_limit_ / 2; }

  void acknowledge_next() {
    if (pending_.empty()) {
      ADD_FAILURE() << "no dead letter to acknowledge";
      return;
    }
    const DeadLetter letter = std::move(pending_.front());
    pending_.pop_front();
    on_written_(letter);
  }

  OnFlush on_flush = OnFlush::kAcknowledgeAll;
  std::vector<DeadLetter> written;

 private:
  Journal& journal_;
  std::size_t backlog_limit_;
  OnWritten on_written_;
  std::deque<DeadLetter> pending_;
};

struct OwnedRecord {
  ConsumedKind kind = ConsumedKind::kRecord;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// A GroupConsumerClient that plays a script: each poll() takes the next step, a record to
// return or an action to run inside poll() (a rebalance, an acknowledgement, a check). Once the
// script is played out, poll() runs when_done (typically request_stop()) and returns nothing.
class FakeGroupConsumer final : public GroupConsumerClient {
 public:
  FakeGroupConsumer(Journal& journal, RebalanceProtocol protocol)
      : journal_(journal), protocol_(protocol) {}

  void add_record(const std::string& topic, std::int32_t partition, std::int64_t offset,
                  const std::string& value, std::optional<std::string> key = std::nullopt) {
    script_.emplace_back(
        OwnedRecord{ConsumedKind::kRecord, topic, partition, offset, std::move(key), value});
  }
  void add_null_record(const std::string& topic, std::int32_t partition, std::int64_t offset) {
    script_.emplace_back(
        OwnedRecord{ConsumedKind::kRecord, topic, partition, offset, std::nullopt, std::nullopt});
  }
  void add_fatal_record() {
    OwnedRecord fatal;
    fatal.kind = ConsumedKind::kFatal;
    script_.emplace_back(std::move(fatal));
  }
  void add_step(std::function<void()> action) { script_.emplace_back(std::move(action)); }
  void add_idle_poll() {
    add_step([] {});
  }

  // Rebalances as the group coordinator would start them, run inside poll().
  void group_assigns(const std::vector<TopicPartition>& partitions) {
    listener_->on_rebalance(Rebalance{RebalanceKind::kAssign, partitions, ""});
  }
  void group_revokes(const std::vector<TopicPartition>& partitions) {
    journal_.push_back("revoke " + names_of(partitions));
    listener_->on_rebalance(Rebalance{RebalanceKind::kRevoke, partitions, ""});
  }
  void group_loses(const std::vector<TopicPartition>& partitions) {
    lost_ = true;
    listener_->on_rebalance(Rebalance{RebalanceKind::kRevoke, partitions, ""});
    lost_ = false;
  }
  void rebalance_fails() {
    listener_->on_rebalance(Rebalance{RebalanceKind::kError, {}, "Broker: Unknown member"});
  }
  void reports_statistics(std::string_view json) { listener_->on_statistics(json); }
  void raise_fatal_error() {
    fatal_ = "UNKNOWN_MEMBER_ID: fenced by a newer instance";
    listener_->on_error(ClientError{ClientErrorKind::kFatal, "_FATAL", fatal_});
  }

  void set_listener(GroupConsumerListener& listener) override { listener_ = &listener; }

  std::optional<ConsumedRecord> poll(std::chrono::milliseconds timeout) override {
    ++polls;
    timeouts.push_back(timeout);
    if (script_.empty()) {
      if (when_done) when_done();
      return std::nullopt;
    }
    auto step = std::move(script_.front());
    script_.pop_front();
    if (auto* action = std::get_if<std::function<void()>>(&step)) {
      (*action)();
      return std::nullopt;
    }
    current_ = std::get<OwnedRecord>(std::move(step));
    ConsumedRecord record;
    record.kind = current_.kind;
    record.topic = current_.topic;
    record.partition = current_.partition;
    record.offset = current_.offset;
    if (current_.key) record.key = *current_.key;
    if (current_.value) record.value = *current_.value;
    return record;
  }

  ClientStatus store_offsets(const std::vector<CommittableOffset>& offsets) override {
    journal_.push_back("store " + names_of(offsets));
    for (const CommittableOffset& c : offsets) stored_.push_back(c);
    return {};
  }

  CommitResult commit_stored(std::chrono::milliseconds /*timeout*/) override {
    journal_.push_back("commit stored");
    if (commit_result.status != CommitStatus::kCommitted) return commit_result;
    CommitResult result;
    std::vector<TopicPartition> seen;
    for (auto c = stored_.rbegin(); c != stored_.rend(); ++c) {
      if (std::find(seen.begin(), seen.end(), c->partition) != seen.end()) continue;
      seen.push_back(c->partition);
      const auto last = committed(c->partition);
      if (!last || *last < c->offset) {
        committed_.push_back(*c);
        ++result.partitions_committed;
      }
    }
    if (result.partitions_committed == 0) result.status = CommitStatus::kNothingToCommit;
    listener_->on_commit(result);
    return result;
  }

  CommitResult commit(const std::vector<CommittableOffset>& offsets,
                      std::chrono::milliseconds /*timeout*/) override {
    journal_.push_back("commit " + names_of(offsets));
    explicit_commits.push_back(offsets);
    if (commit_result.status != CommitStatus::kCommitted) return commit_result;
    committed_.insert(committed_.end(), offsets.begin(), offsets.end());
    CommitResult result;
    result.partitions_committed = offsets.size();
    listener_->on_commit(result);
    return result;
  }

  RebalanceProtocol rebalance_protocol() const override { return protocol_; }
  ClientStatus assign(const std::vector<TopicPartition>& partitions) override {
    journal_.push_back("assign " + names_of(partitions));
    assignment_ = partitions;
    return {};
  }
  ClientStatus unassign() override {
    journal_.push_back("unassign");
    assignment_.clear();
    return {};
  }
  ClientStatus incremental_assign(const std::vector<TopicPartition>& partitions) override {
    journal_.push_back("incremental assign " + names_of(partitions));
    assignment_.insert(assignment_.end(), partitions.begin(), partitions.end());
    return {};
  }
  ClientStatus incremental_unassign(const std::vector<TopicPartition>& partitions) override {
    journal_.push_back("incremental unassign " + names_of(partitions));
    std::erase_if(assignment_, [&](const TopicPartition& tp) {
      return std::find(partitions.begin(), partitions.end(), tp) != partitions.end();
    });
    return {};
  }
  std::optional<std::vector<TopicPartition>> assignment() const override { return assignment_; }
  bool assignment_lost() const override { return lost_; }
  ClientStatus pause(const std::vector<TopicPartition>& partitions) override {
    journal_.push_back("pause " + names_of(partitions));
    for (const TopicPartition& tp : partitions) paused.push_back(name_of(tp));
    return {};
  }
  ClientStatus resume(const std::vector<TopicPartition>& partitions) override {
    journal_.push_back("resume " + names_of(partitions));
    for (const TopicPartition& tp : partitions) std::erase(paused, name_of(tp));
    return {};
  }

  bool leave_group(std::chrono::milliseconds /*timeout*/) override {
    journal_.push_back("leave");
    // As librdkafka does: the final revocation runs from inside the close.
    if (!assignment_.empty()) group_revokes(assignment_);
    return leaves_in_time;
  }
  std::string fatal_error() const override { return fatal_; }

  // The last offset stored for a partition.
  std::optional<std::int64_t> stored(const TopicPartition& tp) const {
    return last_of(stored_, tp);
  }
  std::optional<std::int64_t> committed(const TopicPartition& tp) const {
    return last_of(committed_, tp);
  }
  std::vector<std::int64_t> stored_offsets(const TopicPartition& tp) const {
    std::vector<std::int64_t> out;
    for (const CommittableOffset& c : stored_) {
      if (c.partition == tp) out.push_back(c.offset);
    }
    return out;
  }

  std::function<void()> when_done;
  CommitResult commit_result;  // kCommitted: commits work
  bool leaves_in_time = true;
  std::vector<std::vector<CommittableOffset>> explicit_commits;
  std::vector<std::string> paused;
  int polls = 0;
  std::vector<std::chrono::milliseconds> timeouts;  // of every poll, in order

 private:
  static std::optional<std::int64_t> last_of(const std::vector<CommittableOffset>& offsets,
                                             const TopicPartition& tp) {
    std::optional<std::int64_t> last;
    for (const CommittableOffset& c : offsets) {
      if (c.partition == tp) last = c.offset;
    }
    return last;
  }

  Journal& journal_;
  RebalanceProtocol protocol_;
  GroupConsumerListener* listener_ = nullptr;
  std::deque<std::variant<OwnedRecord, std::function<void()>>> script_;
  OwnedRecord current_;
  std::vector<TopicPartition> assignment_;
  bool lost_ = false;
  std::string fatal_;
  std::vector<CommittableOffset> stored_;
  std::vector<CommittableOffset> committed_;
};

const TopicPartition kData0{"data", 0};
const TopicPartition kData1{"data", 1};
const TopicPartition kAlerts0{"alerts", 0};

// The consumer under test over the two fakes; run() plays the script and then stops.
class KafkaConsumerLogicTest : public ::testing::Test {
 protected:
  void SetUp() override { make_consumer(RebalanceProtocol::kCooperative, 1000); }

  void make_consumer(RebalanceProtocol protocol, std::size_t backlog_limit) {
    consumer_.reset();
    journal.clear();
    config::KafkaConfig config;
    config.topics.device_data = "data";
    config.topics.alerts = "alerts";
    auto client = std::make_unique<FakeGroupConsumer>(journal, protocol);
    auto sink = std::make_unique<FakeDeadLetterSink>(journal, backlog_limit);
    group = client.get();
    dead_letters = sink.get();
    consumer_ = std::make_unique<KafkaConsumer>(config, processor, stats, std::move(client),
                                                std::move(sink));
    group->when_done = [this] { consumer_->request_stop(); };
  }

  void run() { consumer_->run(); }

  // The journal from the first entry equal to first, to the end.
  std::vector<std::string> journal_from(const std::string& first) const {
    const auto start = std::find(journal.begin(), journal.end(), first);
    return {start, journal.end()};
  }
  std::size_t count_in_journal(const std::string& prefix) const {
    return static_cast<std::size_t>(
        std::count_if(journal.begin(), journal.end(),
                      [&](const std::string& e) { return e.starts_with(prefix); }));
  }

  Journal journal;
  RecordingProcessor processor;
  observability::GatewayStats stats;
  FakeGroupConsumer* group = nullptr;
  FakeDeadLetterSink* dead_letters = nullptr;

 private:
  std::unique_ptr<KafkaConsumer> consumer_;
};

TEST_F(KafkaConsumerLogicTest, ProcessesRecordsAndStoresTheirOffsetsInOrder) {
  group->add_step([this] { group->group_assigns({kData0, kAlerts0}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "r1");
  group->add_record("alerts", 0, 7, "a7");
  group->add_idle_poll();
  group->add_record("data", 0, 2, "r2");
  run();

  ASSERT_EQ(processor.seen.size(), 4U);
  EXPECT_EQ(processor.seen[0], (model::RecordPosition{"data", 0, 0}));
  EXPECT_EQ(processor.seen[1], (model::RecordPosition{"data", 0, 1}));
  EXPECT_EQ(processor.seen[2], (model::RecordPosition{"alerts", 0, 7}));
  EXPECT_EQ(processor.seen[3], (model::RecordPosition{"data", 0, 2}));
  EXPECT_EQ(processor.kinds[2], processing::RecordKind::kAlert);
  EXPECT_EQ(processor.kinds[3], processing::RecordKind::kDeviceData);

  const std::vector<std::int64_t> stored = group->stored_offsets(kData0);
  ASSERT_FALSE(stored.empty());
  EXPECT_TRUE(std::is_sorted(stored.begin(), stored.end()));
  EXPECT_EQ(std::adjacent_find(stored.begin(), stored.end()), stored.end()) << "stored twice";
  EXPECT_EQ(stored.back(), 3);
  EXPECT_EQ(group->stored(kAlerts0), 8);
  EXPECT_EQ(group->committed(kData0), 3);
  EXPECT_EQ(group->committed(kAlerts0), 8);
  EXPECT_EQ(stats.kafka.offsets_committed.load(), 2U);
  EXPECT_TRUE(dead_letters->written.empty());
}

TEST_F(KafkaConsumerLogicTest, EndsABatchWhenAPollFindsNothingBeforeItWaits) {
  group->add_step([this] { group->group_assigns({kData0, kAlerts0}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "r1");
  group->add_record("alerts", 0, 7, "a7");
  group->add_idle_poll();
  group->add_idle_poll();
  group->add_record("data", 0, 2, "r2");
  run();

  // Once after the first three records, once after the last; not for the idle poll between.
  EXPECT_EQ(processor.batch_ends, (std::vector<std::size_t>{3, 3 + 1}));
  using std::chrono::milliseconds;
  ASSERT_GE(group->timeouts.size(), 8U);
  // After a record the next poll only looks; after the batch ended, polls wait again.
  EXPECT_GT(group->timeouts[1], milliseconds(0));  // r0: nothing held yet
  EXPECT_EQ(group->timeouts[2], milliseconds(0));  // r1
  EXPECT_EQ(group->timeouts[3], milliseconds(0));  // a7
  EXPECT_EQ(group->timeouts[4], milliseconds(0));  // empty: the batch ends
  EXPECT_GT(group->timeouts[5], milliseconds(0));  // empty: waits
  EXPECT_GT(group->timeouts[6], milliseconds(0));  // r2
  EXPECT_EQ(group->timeouts[7], milliseconds(0));  // empty: the batch ends, the run stops
}

TEST_F(KafkaConsumerLogicTest, RejectedRecordHoldsItsOffsetUntilTheDeadLetterIsAcknowledged) {
  group->add_step([this] { group->group_assigns({kData0}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "bad1", "device-7");
  group->add_record("data", 0, 2, "r2");
  group->add_idle_poll();
  group->add_step([this] {
    EXPECT_EQ(group->stored(kData0), 1) << "offset 1 must wait for its dead letter";
    ASSERT_EQ(dead_letters->written.size(), 1U);
    const DeadLetter& letter = dead_letters->written[0];
    EXPECT_EQ(letter.source, kData0);
    EXPECT_EQ(letter.offset, 1);
    EXPECT_EQ(letter.key, "device-7");
    EXPECT_EQ(letter.value, "bad1");
    EXPECT_EQ(letter.reason, "invalid JSON");
  });
  group->add_record("data", 0, 3, "r3");
  group->add_idle_poll();
  group->add_step([this] {
    EXPECT_EQ(group->stored(kData0), 1) << "later offsets wait behind the dead letter";
    dead_letters->acknowledge_next();
  });
  group->add_idle_poll();
  group->add_step([this] { EXPECT_EQ(group->stored(kData0), 4); });
  run();

  EXPECT_EQ(processor.seen.size(), 4U);
  EXPECT_EQ(group->committed(kData0), 4);
}

TEST_F(KafkaConsumerLogicTest, EmptyAndNullValuesAreDeadLettered) {
  group->add_step([this] { group->group_assigns({kData0}); });
  group->add_record("data", 0, 0, "");
  group->add_null_record("data", 0, 1);
  run();

  ASSERT_EQ(dead_letters->written.size(), 2U);
  EXPECT_EQ(dead_letters->written[0].reason, "empty record value");
  EXPECT_EQ(dead_letters->written[0].key, std::nullopt);
  EXPECT_EQ(dead_letters->written[0].value, "");
  EXPECT_EQ(dead_letters->written[1].reason, "empty record value");
  EXPECT_EQ(dead_letters->written[1].value, std::nullopt);
  EXPECT_EQ(group->committed(kData0), 2);  // acknowledged by the shutdown flush
}

TEST_F(KafkaConsumerLogicTest, RevocationFlushesDeadLettersAndCommitsOnlyTheRevokedPartitions) {
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "bad1");
  group->add_record("data", 1, 0, "r0");
  group->add_record("data", 1, 1, "r1");
  group->add_step([this] {
    // data[1] has nothing in flight: no flush, and the commit names it alone.
    group->group_revokes({kData1});
    EXPECT_EQ(count_in_journal("flush"), 0U);
    ASSERT_EQ(group->explicit_commits.size(), 1U);
    EXPECT_EQ(names_of(group->explicit_commits[0]), "data[1]@2");
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 1);
    EXPECT_TRUE(stats.kafka.group_joined.load());
  });
  group->add_step([this] {
    group->group_revokes({kData0});
    EXPECT_EQ(journal_from("revoke data[0]"),
              (Journal{"revoke data[0]", "flush", "store data[0]@2", "commit data[0]@2",
                       "incremental unassign data[0]"}));
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
    EXPECT_FALSE(stats.kafka.group_joined.load());
  });
  run();

  EXPECT_EQ(group->explicit_commits.size(), 2U) << "nothing more at shutdown";
  EXPECT_EQ(group->committed(kData0), 2);
  EXPECT_EQ(group->committed(kData1), 2);
}

TEST_F(KafkaConsumerLogicTest, RevocationCommitsWhatIsDoneWhenDeadLettersStayUnacknowledged) {
  dead_letters->on_flush = FakeDeadLetterSink::OnFlush::kAcknowledgeNone;
  group->add_step([this] { group->group_assigns({kData0}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "bad1");
  group->add_record("data", 0, 2, "r2");
  group->add_step([this] { group->group_revokes({kData0}); });
  group->add_step([this] { dead_letters->acknowledge_next(); });  // too late: not held any more
  group->add_idle_poll();
  run();

  ASSERT_EQ(group->explicit_commits.size(), 1U);
  EXPECT_EQ(names_of(group->explicit_commits[0]), "data[0]@1");
  EXPECT_EQ(group->stored(kData0), 1);
  EXPECT_EQ(group->committed(kData0), 1);
}

TEST_F(KafkaConsumerLogicTest, LostAssignmentCommitsNothingAndForgetsThePartitions) {
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 0, 1, "bad1");
  group->add_record("data", 0, 2, "r2");
  group->add_record("data", 1, 0, "r0");
  group->add_step([this] {
    const std::size_t stores = count_in_journal("store");
    group->group_loses({kData0, kData1});
    EXPECT_EQ(count_in_journal("store"), stores);
    EXPECT_EQ(count_in_journal("flush"), 0U);
    EXPECT_TRUE(group->explicit_commits.empty());
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
    EXPECT_FALSE(stats.kafka.group_joined.load());
  });
  group->add_step([this] { dead_letters->acknowledge_next(); });
  group->add_idle_poll();
  run();

  EXPECT_TRUE(group->explicit_commits.empty());
  // Neither the late acknowledgement nor the shutdown store anything for a lost partition.
  const std::optional<std::int64_t> stored = group->stored(kData0);
  EXPECT_TRUE(!stored || *stored <= 1) << *stored;
}

TEST_F(KafkaConsumerLogicTest, ShutdownFlushesStoresCommitsThenLeavesWithoutCommittingAgain) {
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 0, 0, "r0");
  group->add_record("data", 1, 0, "r0");
  group->add_record("data", 1, 1, "bad1");
  run();

  EXPECT_EQ(journal_from("flush"),
            (Journal{"flush", "store data[1]@2", "commit stored", "leave", "revoke data[0],data[1]",
                     "incremental unassign data[0],data[1]"}));
  EXPECT_TRUE(group->explicit_commits.empty()) << "the final revocation commits nothing extra";
  EXPECT_EQ(group->committed(kData0), 1);
  EXPECT_EQ(group->committed(kData1), 2);
  EXPECT_FALSE(stats.kafka.group_joined.load());
  EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
}

TEST_F(KafkaConsumerLogicTest, FailedOrTimedOutFinalCommitStillLeavesTheGroup) {
  for (const CommitStatus status : {CommitStatus::kError, CommitStatus::kTransientError}) {
    make_consumer(RebalanceProtocol::kCooperative, 1000);
    group->commit_result = CommitResult{status, "Local: Timed out", 0};
    group->leaves_in_time = false;
    group->add_step([this] { group->group_assigns({kData0}); });
    group->add_record("data", 0, 0, "r0");
    run();

    EXPECT_EQ(journal_from("commit stored"), (Journal{"commit stored", "leave", "revoke data[0]",
                                                      "incremental unassign data[0]"}));
    EXPECT_FALSE(stats.kafka.group_joined.load());
  }
}

TEST_F(KafkaConsumerLogicTest, FatalErrorEndsRunWithKafkaErrorAndSkipsTheCommit) {
  group->add_step([this] { group->group_assigns({kData0}); });
  group->add_record("data", 0, 0, "r0");
  group->add_step([this] { group->raise_fatal_error(); });
  group->add_record("data", 0, 1, "never read");
  try {
    run();
    FAIL() << "expected a KafkaError";
  } catch (const KafkaError& e) {
    EXPECT_NE(std::string(e.what()).find("fenced by a newer instance"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(processor.seen.size(), 1U);
  EXPECT_EQ(count_in_journal("commit"), 0U);
  EXPECT_EQ(count_in_journal("leave"), 1U);
}

TEST_F(KafkaConsumerLogicTest, FatalRecordEndsRunWithKafkaError) {
  group->add_step([this] { group->group_assigns({kData0}); });
  group->add_fatal_record();
  group->add_record("data", 0, 0, "never read");
  EXPECT_THROW(run(), KafkaError);
  EXPECT_TRUE(processor.seen.empty());
}

TEST_F(KafkaConsumerLogicTest, FullBacklogPausesEveryPartitionUntilItDrains) {
  make_consumer(RebalanceProtocol::kCooperative, 2);  // full at 2 letters, drained at 1
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 0, 0, "bad0");
  group->add_step([this] { EXPECT_TRUE(group->paused.empty()); });
  group->add_record("data", 1, 0, "bad0");
  group->add_step([this] {
    EXPECT_EQ(group->paused, (std::vector<std::string>{"data[0]", "data[1]"}));
    EXPECT_TRUE(stats.pipeline.dead_letter_backlog_paused.load());
    group->group_assigns({kAlerts0});
    EXPECT_EQ(group->paused, (std::vector<std::string>{"data[0]", "data[1]", "alerts[0]"}));
  });
  group->add_step([this] { dead_letters->acknowledge_next(); });
  group->add_step([this] {
    EXPECT_TRUE(group->paused.empty());
    EXPECT_FALSE(stats.pipeline.dead_letter_backlog_paused.load());
  });
  run();

  EXPECT_EQ(count_in_journal("pause"), 2U);
  EXPECT_EQ(count_in_journal("resume data[0],data[1],alerts[0]"), 1U);
}

TEST_F(KafkaConsumerLogicTest, GroupJoinedFollowsWhetherPartitionsAreHeld) {
  group->add_step([this] {
    group->group_assigns({});  // in the group, holding nothing
    EXPECT_FALSE(stats.kafka.group_joined.load());
    group->group_assigns({kData0, kData1});
    EXPECT_TRUE(stats.kafka.group_joined.load());
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 2);
    group->group_revokes({kData0, kData1});
    EXPECT_FALSE(stats.kafka.group_joined.load());
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
    group->group_assigns({kData0});
    EXPECT_TRUE(stats.kafka.group_joined.load());
    group->group_loses({kData0});
    EXPECT_FALSE(stats.kafka.group_joined.load());
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
  });
  run();
  EXPECT_EQ(stats.kafka.rebalances.load(), 5U);
}

TEST_F(KafkaConsumerLogicTest, PartialOnlyOnceTheGroupHasAssignedThisMember) {
  // Partition 1 of "data" belongs to another member of the group.
  const std::string shared =
      R"({"brokers":{"localhost:9092/1":{"source":"learned","state":"UP"}},)"
      R"("topics":{"data":{"partitions":{)"
      R"("0":{"partition":0,"desired":true,"unknown":false,"consumer_lag":5},)"
      R"("1":{"partition":1,"desired":false,"unknown":false,"consumer_lag":-1}}}}})";
  group->add_step([&] {
    group->reports_statistics(shared);
    EXPECT_FALSE(stats.kafka.partial.load()) << "not given an assignment yet";
    EXPECT_EQ(stats.kafka.consumer_lag.load(), 5);
    EXPECT_TRUE(stats.kafka.broker_reachable.load());
    group->group_assigns({kData0});
    group->reports_statistics(shared);
    EXPECT_TRUE(stats.kafka.partial.load());
  });
  run();

  EXPECT_FALSE(stats.kafka.partial.load());
  EXPECT_EQ(stats.kafka.consumer_lag.load(), 0);
}

TEST_F(KafkaConsumerLogicTest, RebalanceErrorDropsTheAssignment) {
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 0, 0, "bad0");
  group->add_step([this] {
    group->rebalance_fails();
    EXPECT_EQ(group->assignment(), std::vector<TopicPartition>{});
    EXPECT_FALSE(stats.kafka.group_joined.load());
    EXPECT_EQ(stats.kafka.partitions_assigned.load(), 0);
  });
  group->add_step([this] { dead_letters->acknowledge_next(); });
  group->add_idle_poll();
  run();

  EXPECT_EQ(count_in_journal("unassign"), 1U);
  EXPECT_EQ(group->stored(kData0), std::nullopt) << "the dropped partition's tracking is gone";
  EXPECT_TRUE(group->explicit_commits.empty());
}

TEST_F(KafkaConsumerLogicTest, EagerProtocolReplacesAndDropsTheWholeAssignment) {
  make_consumer(RebalanceProtocol::kEager, 1000);
  group->add_step([this] { group->group_assigns({kData0, kData1}); });
  group->add_record("data", 1, 4, "r4");
  group->add_step([this] { group->group_revokes({kData0, kData1}); });
  run();

  EXPECT_EQ(count_in_journal("assign data[0],data[1]"), 1U);
  EXPECT_EQ(count_in_journal("incremental"), 0U);
  ASSERT_EQ(group->explicit_commits.size(), 1U);
  EXPECT_EQ(names_of(group->explicit_commits[0]), "data[1]@5");
  EXPECT_EQ(journal.back(), "leave") << "nothing left to revoke at shutdown";
  EXPECT_EQ(count_in_journal("unassign"), 1U);
}

}  // namespace
}  // namespace iiot::ingest
