#include "ingest/kafka_consumer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/dead_letter_sink.h"
#include "ingest/dead_letter_writer.h"
#include "ingest/group_consumer_client.h"
#include "ingest/kafka_error.h"
#include "ingest/kafka_statistics.h"
#include "ingest/offset_tracker.h"
#include "ingest/rdkafka_group_consumer.h"

namespace iiot::ingest {
namespace {

using Clock = std::chrono::steady_clock;

// How long one poll may wait for a record: the longest request_stop() waits to be noticed.
constexpr std::chrono::milliseconds kPollTimeout{100};
// While dead letters are in flight the producer's delivery reports are served this often.
constexpr std::chrono::milliseconds kPollTimeoutWithDeadLetters{10};
// Done offsets are stored (for the next auto-commit) at least this often; storing per record
// would cost a list allocation and a lock per record for no gain against a 1 s commit interval.
constexpr auto kStoreInterval = std::chrono::milliseconds(20);
// On revocation, pending dead letters of the revoked partitions get this long to be
// acknowledged before the partitions are given up (well below max.poll.interval.ms).
constexpr auto kRevokeDrainTimeout = std::chrono::seconds(10);
// At shutdown, pending dead letters get this long; past it their records are read again later.
constexpr auto kShutdownDrainTimeout = std::chrono::seconds(10);
// A synchronous commit (on revocation, at shutdown) waits at most this long. librdkafka's own
// rd_kafka_commit() waits for a coordinator until the session times out (45 s by default) when
// the broker is away; an offset not committed only means its records are read again.
constexpr auto kCommitTimeout = std::chrono::seconds(5);
// Leaving the group at shutdown waits at most this long (rd_kafka_consumer_close() alone was
// measured blocking 90 s with the broker down); past it the group drops us after
// session.timeout.ms.
constexpr auto kCloseTimeout = std::chrono::seconds(5);

std::string describe(const std::vector<TopicPartition>& partitions) {
  std::string out;
  for (const TopicPartition& tp : partitions) {
    if (!out.empty()) out += ", ";
    out += tp.topic;
    if (tp.partition >= 0) out += '[' + std::to_string(tp.partition) + ']';
  }
  return out.empty() ? "none" : out;
}

}  // namespace

class KafkaConsumer::Impl final : public GroupConsumerListener {
 public:
  Impl(const config::KafkaConfig& config, processing::MessageProcessor& processor,
       observability::GatewayStats& stats, std::unique_ptr<GroupConsumerClient> client,
       std::unique_ptr<DeadLetterSink> dead_letters, const std::atomic<bool>& stop_requested);
  ~Impl() override { close(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void run();

  void on_rebalance(const Rebalance& rebalance) override;
  void on_statistics(std::string_view json) override;
  void on_error(const ClientError& error) override;
  void on_commit(const CommitResult& result) override;

 private:
  void handle(const ConsumedRecord& consumed);
  void handle_record(const ConsumedRecord& record);
  void on_dead_letter_written(const DeadLetter& letter);
  void store_offsets();
  void close();

  enum class Pause { kPause, kResume };
  // Pauses every assigned partition while the dead-letter backlog is full and resumes them once
  // it has drained to half (DeadLetterWriter's bounds): memory stays bounded while the broker
  // refuses or cannot take dead letters.
  void apply_backlog_limit();
  void pause_or_resume(const std::vector<TopicPartition>& partitions, Pause action);

  void assign(const std::vector<TopicPartition>& partitions);
  void revoke(const std::vector<TopicPartition>& partitions);
  void update_assignment_count();
  void update_partial(const KafkaStatistics& statistics);

  config::KafkaConfig config_;
  processing::MessageProcessor& processor_;
  observability::GatewayStats& stats_;
  const std::atomic<bool>& stop_requested_;
  OffsetTracker offsets_;
  std::unique_ptr<DeadLetterSink> dead_letters_;
  std::unique_ptr<GroupConsumerClient> client_;  // after dead_letters_: destroyed first
  Clock::time_point last_store_ = Clock::now();
  // The group has given this member an assignment, possibly empty (another member may hold
  // everything): from then on, holding fewer partitions than the topics have means "partial".
  bool in_group_ = false;
  bool closing_ = false;  // close() has drained and committed: the final revocation need not
  bool closed_ = false;
  bool failed_ = false;  // the client raised a fatal error
  bool paused_ = false;  // the assignment is paused for the dead-letter backlog
};

KafkaConsumer::Impl::Impl(const config::KafkaConfig& config,
                          processing::MessageProcessor& processor,
                          observability::GatewayStats& stats,
                          std::unique_ptr<GroupConsumerClient> client,
                          std::unique_ptr<DeadLetterSink> dead_letters,
                          const std::atomic<bool>& stop_requested)
    : config_(config),
      processor_(processor),
      stats_(stats),
      stop_requested_(stop_requested),
      dead_letters_(std::move(dead_letters)),
      client_(std::move(client)) {
  dead_letters_->set_on_written(
      [this](const DeadLetter& letter) { on_dead_letter_written(letter); });
  client_->set_listener(*this);
}

void KafkaConsumer::Impl::run() {
  // Records were processed since the processor was last told that none are ready: the next poll
  // only looks (timeout 0), and when it finds nothing the processor hands on what it holds
  // before the loop waits.
  bool batch_open = false;
  while (!stop_requested_.load(std::memory_order_relaxed) && !failed_) {
    const auto timeout = batch_open                     ? std::chrono::milliseconds(0)
                         : dead_letters_->pending() > 0 ? kPollTimeoutWithDeadLetters
                                                        : kPollTimeout;
    const std::optional<ConsumedRecord> consumed = client_->poll(timeout);
    if (consumed) {
      batch_open = batch_open || consumed->kind == ConsumedKind::kRecord;
      handle(*consumed);
    } else if (batch_open) {
      processor_.end_of_batch();
      batch_open = false;
    }
    dead_letters_->poll();
    apply_backlog_limit();
    const auto now = Clock::now();
    if (!consumed || now - last_store_ >= kStoreInterval) {
      store_offsets();
      last_store_ = now;
    }
  }
  if (batch_open) processor_.end_of_batch();
  close();
  if (failed_) {
    throw KafkaError("kafka error: the consumer failed (" + client_->fatal_error() +
                     "); restart the service");
  }
}

void KafkaConsumer::Impl::handle(const ConsumedRecord& consumed) {
  switch (consumed.kind) {
    case ConsumedKind::kRecord:
      handle_record(consumed);
      break;
    case ConsumedKind::kPartitionEof:
      break;
    case ConsumedKind::kFatal:
      failed_ = true;
      break;
    case ConsumedKind::kError:
      // Per-partition or client-level problems (a topic that does not exist yet, a broker
      // away): the client retries by itself, so they are reported and the loop carries on.
      if (!consumed.topic.empty()) {
        spdlog::warn("kafka consumer: topic={} partition={}: {}", consumed.topic,
                     consumed.partition, consumed.error);
      } else {
        spdlog::warn("kafka consumer: {}", consumed.error);
      }
      break;
  }
}

void KafkaConsumer::Impl::handle_record(const ConsumedRecord& record) {
  const std::string_view topic = record.topic;
  const auto kind = topic == config_.topics.alerts ? processing::RecordKind::kAlert
                                                   : processing::RecordKind::kDeviceData;
  const std::string_view value = record.value.value_or(std::string_view());
  if (!stats_.kafka.broker_reachable.load(std::memory_order_relaxed)) {
    stats_.kafka.broker_reachable.store(true, std::memory_order_relaxed);
  }

  model::RecordPosition position{std::string(topic), record.partition, record.offset};
  if (record.timestamp) position.kafka_timestamp = *record.timestamp;
  const processing::ProcessResult result = processor_.process(kind, value, position);
  spdlog::trace("processed topic={} partition={} offset={}", topic, record.partition,
                record.offset);
  TopicPartition tp{std::string(topic), record.partition};
  if (result.ok() && !value.empty()) {
    offsets_.begin_completed(tp, record.offset);
    return;
  }

  // The offset waits for the dead letter's acknowledgement (on_dead_letter_written).
  offsets_.begin(tp, record.offset);
  DeadLetter letter{std::move(tp), record.offset, std::nullopt, std::nullopt,
                    result.ok() ? "empty record value" : result.error()};
  if (record.key) letter.key.emplace(*record.key);
  if (record.value) letter.value.emplace(*record.value);
  dead_letters_->write(std::move(letter));
}

void KafkaConsumer::Impl::on_dead_letter_written(const DeadLetter& letter) {
  spdlog::debug("dead-lettered topic={} partition={} offset={} reason={}", letter.source.topic,
                letter.source.partition, letter.offset, letter.reason);
  offsets_.complete(letter.source, letter.offset);
}

void KafkaConsumer::Impl::store_offsets() {
  const std::vector<CommittableOffset> advanced = offsets_.take_advanced();
  if (advanced.empty()) return;
  if (const ClientStatus status = client_->store_offsets(advanced); !status.ok()) {
    spdlog::warn("kafka consumer: storing offsets failed: {}", status.error);
  }
}

void KafkaConsumer::Impl::close() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  if (!dead_letters_->flush(kShutdownDrainTimeout)) {
    spdlog::warn("kafka consumer: closing with {} dead-letter writes unacknowledged",
                 dead_letters_->pending());
  }
  store_offsets();
  if (!failed_) {
    const CommitResult result = client_->commit_stored(kCommitTimeout);
    if (result.status != CommitStatus::kCommitted &&
        result.status != CommitStatus::kNothingToCommit) {
      spdlog::warn(
          "kafka consumer: final commit failed: {}; uncommitted records will be read "
          "again",
          result.error);
    }
  }
  // The final revocation reaches on_rebalance from inside leave_group(), after the commit above.
  if (!client_->leave_group(kCloseTimeout)) {
    spdlog::warn(
        "kafka consumer: could not leave the group within {} s (broker away?); the "
        "group drops this member after session.timeout.ms",
        std::chrono::duration_cast<std::chrono::seconds>(kCloseTimeout).count());
  }
  stats_.kafka.group_joined.store(false, std::memory_order_relaxed);
  in_group_ = false;
  stats_.kafka.partial.store(false, std::memory_order_relaxed);
  stats_.kafka.partitions_assigned.store(0, std::memory_order_relaxed);
  stats_.kafka.consumer_lag.store(0, std::memory_order_relaxed);
  spdlog::info("kafka consumer closed");
}

void KafkaConsumer::Impl::apply_backlog_limit() {
  const bool full = dead_letters_->backlog_full();
  if (paused_ == full || (paused_ && !dead_letters_->backlog_drained())) return;
  const std::optional<std::vector<TopicPartition>> assignment = client_->assignment();
  if (!assignment) return;
  paused_ = full;
  if (paused_) {
    spdlog::warn(
        "kafka consumer: {} dead letters ({} bytes) wait for the broker; pausing {} until half "
        "of them are written",
        dead_letters_->pending(), dead_letters_->pending_bytes(), describe(*assignment));
  } else {
    spdlog::info("kafka consumer: dead-letter backlog drained; resuming {}", describe(*assignment));
  }
  stats_.pipeline.dead_letter_backlog_paused.store(paused_, std::memory_order_relaxed);
  pause_or_resume(*assignment, paused_ ? Pause::kPause : Pause::kResume);
}

void KafkaConsumer::Impl::pause_or_resume(const std::vector<TopicPartition>& partitions,
                                          Pause action) {
  if (partitions.empty()) return;
  const ClientStatus status =
      action == Pause::kPause ? client_->pause(partitions) : client_->resume(partitions);
  if (!status.ok()) {
    spdlog::warn("kafka consumer: {} {} failed: {}",
                 action == Pause::kPause ? "pausing" : "resuming", describe(partitions),
                 status.error);
  }
}

void KafkaConsumer::Impl::on_rebalance(const Rebalance& rebalance) {
  stats_.kafka.rebalances.fetch_add(1, std::memory_order_relaxed);
  switch (rebalance.kind) {
    case RebalanceKind::kAssign:
      in_group_ = true;
      assign(rebalance.partitions);
      break;
    case RebalanceKind::kRevoke:
      revoke(rebalance.partitions);
      break;
    case RebalanceKind::kError:
      spdlog::error("kafka consumer: rebalance failed: {}; dropping the assignment",
                    rebalance.error);
      (void)client_->unassign();
      offsets_.clear();
      break;
  }
  update_assignment_count();
}

void KafkaConsumer::Impl::assign(const std::vector<TopicPartition>& partitions) {
  spdlog::info("kafka consumer: assigned {}", describe(partitions));
  for (const TopicPartition& tp : partitions) offsets_.remove(tp);
  if (client_->rebalance_protocol() == RebalanceProtocol::kCooperative) {
    if (const ClientStatus status = client_->incremental_assign(partitions); !status.ok()) {
      spdlog::error("kafka consumer: incremental assign failed: {}", status.error);
    }
  } else if (const ClientStatus status = client_->assign(partitions); !status.ok()) {
    spdlog::error("kafka consumer: assign failed: {}", status.error);
  }
  // Partitions joining while the dead-letter backlog is full wait with the others.
  if (paused_) pause_or_resume(partitions, Pause::kPause);
}

void KafkaConsumer::Impl::revoke(const std::vector<TopicPartition>& partitions) {
  const bool lost = client_->assignment_lost();
  spdlog::info("kafka consumer: {} {}", lost ? "lost" : "revoked", describe(partitions));
  // A lost partition already has another owner: committing for it would fail or, worse,
  // overwrite the new owner's progress. While closing, close() has committed already.
  if (!lost && !closing_) {
    bool in_flight = false;
    for (const TopicPartition& tp : partitions) {
      in_flight = in_flight || offsets_.in_flight(tp) > 0;
    }
    if (in_flight) dead_letters_->flush(kRevokeDrainTimeout);
    store_offsets();
    std::vector<CommittableOffset> commit;
    for (const TopicPartition& tp : partitions) {
      if (const auto next = offsets_.committable(tp)) commit.push_back({tp, *next});
    }
    if (!commit.empty()) {
      if (const CommitResult result = client_->commit(commit, kCommitTimeout);
          result.status != CommitStatus::kCommitted) {
        spdlog::warn(
            "kafka consumer: commit on revocation failed: {}; the new owner reads the "
            "uncommitted records again",
            result.error);
      }
    }
  }
  for (const TopicPartition& tp : partitions) offsets_.remove(tp);
  if (client_->rebalance_protocol() == RebalanceProtocol::kCooperative) {
    if (const ClientStatus status = client_->incremental_unassign(partitions); !status.ok()) {
      spdlog::error("kafka consumer: incremental unassign failed: {}", status.error);
    }
  } else {
    (void)client_->unassign();
  }
}

void KafkaConsumer::Impl::update_assignment_count() {
  const std::optional<std::vector<TopicPartition>> assignment = client_->assignment();
  if (!assignment) return;
  const auto held = static_cast<std::int32_t>(assignment->size());
  stats_.kafka.partitions_assigned.store(held, std::memory_order_relaxed);
  // Ready means holding a partition: not after a revocation or a lost assignment.
  stats_.kafka.group_joined.store(held > 0, std::memory_order_relaxed);
}

void KafkaConsumer::Impl::on_statistics(std::string_view json) {
  const KafkaStatisticsResult parsed = parse_kafka_statistics(json);
  if (!parsed.statistics) {
    spdlog::warn("kafka consumer: {}", parsed.error);
    return;
  }
  const KafkaStatistics& s = *parsed.statistics;
  stats_.kafka.consumer_lag.store(s.consumer_lag, std::memory_order_relaxed);
  stats_.kafka.partitions_assigned.store(s.partitions_assigned, std::memory_order_relaxed);
  stats_.kafka.broker_reachable.store(s.broker_up, std::memory_order_relaxed);
  stats_.kafka.topics.replace(s.topics);
  update_partial(s);
}

void KafkaConsumer::Impl::update_partial(const KafkaStatistics& statistics) {
  const bool partial = in_group_ && holds_part_of_its_topics(statistics);
  if (partial == stats_.kafka.partial.exchange(partial, std::memory_order_relaxed)) return;
  if (partial) {
    std::string held;
    for (const observability::TopicFigures& t : statistics.topics) {
      if (!held.empty()) held += ", ";
      held += t.topic + " " + std::to_string(t.partitions_assigned) + "/" +
              std::to_string(t.partitions);
    }
    spdlog::warn(
        "kafka consumer: group {} is shared with another member: this instance holds only {} "
        "partitions, so its clients see part of the stream; give each instance its own group "
        "(e.g. kafka.group_id: \"iiot-gateway-{{hostname}}-{{port}}\")",
        config_.group_id, held);
  } else {
    spdlog::info("kafka consumer: this instance holds every partition of its topics again");
  }
}

void KafkaConsumer::Impl::on_error(const ClientError& error) {
  switch (error.kind) {
    case ClientErrorKind::kAllBrokersDown:
      stats_.kafka.broker_reachable.store(false, std::memory_order_relaxed);
      spdlog::warn("kafka consumer: all brokers are down ({}); reconnecting", error.reason);
      break;
    case ClientErrorKind::kFatal:
      failed_ = true;
      spdlog::error("kafka consumer: fatal error: {}", error.reason);
      break;
    case ClientErrorKind::kConnection:
      // librdkafka's own log has already said so, and it reconnects by itself.
      spdlog::debug("kafka consumer: {}: {}", error.name, error.reason);
      break;
    case ClientErrorKind::kOther:
      spdlog::warn("kafka consumer: {}: {}", error.name, error.reason);
      break;
  }
}

void KafkaConsumer::Impl::on_commit(const CommitResult& result) {
  // An auto-commit tick with nothing new stored.
  if (result.status == CommitStatus::kNothingToCommit) return;
  if (result.status != CommitStatus::kCommitted) {
    spdlog::log(
        result.status == CommitStatus::kTransientError ? spdlog::level::debug : spdlog::level::warn,
        "kafka consumer: offset commit failed: {}", result.error);
  }
  stats_.kafka.offsets_committed.fetch_add(result.partitions_committed, std::memory_order_relaxed);
}

KafkaConsumer::KafkaConsumer(const config::KafkaConfig& config,
                             processing::MessageProcessor& processor,
                             observability::GatewayStats& stats, std::int64_t max_payload_bytes) {
  // The dead-letter producer first, as it is destroyed last: the consumer is gone by then.
  auto dead_letters = std::make_unique<DeadLetterWriter>(config, max_payload_bytes, stats);
  auto client = std::make_unique<RdKafkaGroupConsumer>(config);
  impl_ = std::make_unique<Impl>(config, processor, stats, std::move(client),
                                 std::move(dead_letters), stop_requested_);
}

KafkaConsumer::KafkaConsumer(const config::KafkaConfig& config,
                             processing::MessageProcessor& processor,
                             observability::GatewayStats& stats,
                             std::unique_ptr<GroupConsumerClient> client,
                             std::unique_ptr<DeadLetterSink> dead_letters)
    : impl_(std::make_unique<Impl>(config, processor, stats, std::move(client),
                                   std::move(dead_letters), stop_requested_)) {}

KafkaConsumer::~KafkaConsumer() = default;

void KafkaConsumer::run() {
  impl_->run();
}

}  // namespace iiot::ingest
