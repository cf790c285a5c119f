#include "ingest/kafka_consumer.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/client_conf.h"
#include "ingest/dead_letter_writer.h"
#include "ingest/kafka_error.h"
#include "ingest/kafka_statistics.h"
#include "ingest/offset_tracker.h"
#include "ingest/rdkafka_handle.h"

namespace iiot::ingest {
namespace {

using Clock = std::chrono::steady_clock;

// How long one poll may wait for a record: the longest request_stop() waits to be noticed.
constexpr int kPollTimeoutMs = 100;
// While dead letters are in flight the producer's delivery reports are served this often.
constexpr int kPollTimeoutWithDeadLettersMs = 10;
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

// Commit failures expected while the broker or its coordinator is away: retried by the next
// auto-commit, so not worth a warning each second.
bool is_transient_commit_error(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__WAIT_COORD || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

std::string describe(const rd_kafka_topic_partition_list_t& partitions) {
  std::string out;
  for (int i = 0; i < partitions.cnt; ++i) {
    if (!out.empty()) out += ", ";
    out += partitions.elems[i].topic;
    if (partitions.elems[i].partition >= 0) {
      out += '[' + std::to_string(partitions.elems[i].partition) + ']';
    }
  }
  return out.empty() ? "none" : out;
}

TopicPartition to_topic_partition(const rd_kafka_topic_partition_t& p) {
  return TopicPartition{p.topic, p.partition};
}

}  // namespace

class KafkaConsumer::Impl {
 public:
  Impl(const config::KafkaConfig& config, processing::MessageProcessor& processor,
       observability::GatewayStats& stats, std::int64_t max_payload_bytes,
       const std::atomic<bool>& stop_requested);
  ~Impl() {
    close();
    topics_.clear();  // topic handles go before their client
    // close() left the group already, or gave up after kCloseTimeout: either way librdkafka
    // must not try again (and block) while destroying the handle.
    rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void run();

 private:
  void handle_message(const rd_kafka_message_t& message);
  void handle_record(const rd_kafka_message_t& message);
  void on_dead_letter_written(const DeadLetter& letter);
  void store_offsets();
  // Commits offsets (nullptr: every stored offset) and waits at most kCommitTimeout.
  rd_kafka_resp_err_t commit_sync(const rd_kafka_topic_partition_list_t* offsets);
  void close();

  enum class Pause { kPause, kResume };
  // Pauses every assigned partition while the dead-letter backlog is full and resumes them once
  // it has drained to half (DeadLetterWriter's bounds): memory stays bounded while the broker
  // refuses or cannot take dead letters.
  void apply_backlog_limit();
  void pause_or_resume(rd_kafka_topic_partition_list_t& partitions, Pause action);

  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t& partitions);
  void assign(rd_kafka_topic_partition_list_t& partitions);
  void revoke(rd_kafka_topic_partition_list_t& partitions);
  void update_assignment_count();
  void on_statistics(std::string_view json);
  void update_partial(const KafkaStatistics& statistics);
  void on_error(rd_kafka_resp_err_t err, const char* reason);
  void on_commit(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets);

  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);

  config::KafkaConfig config_;
  processing::MessageProcessor& processor_;
  observability::GatewayStats& stats_;
  const std::atomic<bool>& stop_requested_;
  OffsetTracker offsets_;
  DeadLetterWriter dead_letters_;
  KafkaHandle consumer_;  // after dead_letters_: destroyed first
  // Handles of the subscribed topics, held so that librdkafka keeps their metadata and lists
  // every partition in its statistics, also those of a topic this member holds none of
  // (how a partial assignment is seen).
  std::vector<TopicHandle> topics_;
  Clock::time_point last_store_ = Clock::now();
  // The group has given this member an assignment, possibly empty (another member may hold
  // everything): from then on, holding fewer partitions than the topics have means "partial".
  bool in_group_ = false;
  bool closing_ = false;  // close() has drained and committed: the final revocation need not
  bool closed_ = false;
  bool failed_ = false;  // librdkafka raised a fatal error
  bool paused_ = false;  // the assignment is paused for the dead-letter backlog
};

KafkaConsumer::Impl::Impl(const config::KafkaConfig& config,
                          processing::MessageProcessor& processor,
                          observability::GatewayStats& stats, std::int64_t max_payload_bytes,
                          const std::atomic<bool>& stop_requested)
    : config_(config),
      processor_(processor),
      stats_(stats),
      stop_requested_(stop_requested),
      dead_letters_(config, max_payload_bytes, stats,
                    [this](const DeadLetter& letter) { on_dead_letter_written(letter); }) {
  ConfHandle conf = make_consumer_conf(config_);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::rebalance_cb);
  rd_kafka_conf_set_stats_cb(conf.get(), &Impl::stats_cb);
  rd_kafka_conf_set_error_cb(conf.get(), &Impl::error_cb);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), &Impl::commit_cb);
  consumer_ = make_client(RD_KAFKA_CONSUMER, std::move(conf), "Kafka consumer");
  // Serve every callback (rebalance, statistics, errors) from rd_kafka_consumer_poll().
  rd_kafka_poll_set_consumer(consumer_.get());

  PartitionListHandle topics(rd_kafka_topic_partition_list_new(2));
  rd_kafka_topic_partition_list_add(topics.get(), config_.topics.device_data.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (config_.topics.alerts != config_.topics.device_data) {
    rd_kafka_topic_partition_list_add(topics.get(), config_.topics.alerts.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get())) {
    throw KafkaError("kafka error: cannot subscribe to " + describe(*topics) + ": " +
                     rd_kafka_err2str(err) + " (check kafka.topics)");
  }
  for (int i = 0; i < topics->cnt; ++i) {
    topics_.emplace_back(rd_kafka_topic_new(consumer_.get(), topics->elems[i].topic, nullptr));
  }
  spdlog::info("kafka consumer subscribed to {} as group {}", describe(*topics), config_.group_id);
}

void KafkaConsumer::Impl::run() {
  while (!stop_requested_.load(std::memory_order_relaxed) && !failed_) {
    const int timeout =
        dead_letters_.pending() > 0 ? kPollTimeoutWithDeadLettersMs : kPollTimeoutMs;
    const MessageHandle message(rd_kafka_consumer_poll(consumer_.get(), timeout));
    if (message) handle_message(*message);
    dead_letters_.poll();
    apply_backlog_limit();
    const auto now = Clock::now();
    if (!message || now - last_store_ >= kStoreInterval) {
      store_offsets();
      last_store_ = now;
    }
  }
  close();
  if (failed_) {
    std::array<char, 512> errstr{};
    const rd_kafka_resp_err_t err =
        rd_kafka_fatal_error(consumer_.get(), errstr.data(), errstr.size());
    throw KafkaError("kafka error: the consumer failed (" + std::string(rd_kafka_err2name(err)) +
                     ": " + errstr.data() + "); restart the service");
  }
}

void KafkaConsumer::Impl::handle_message(const rd_kafka_message_t& message) {
  switch (message.err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      handle_record(message);
      break;
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
      break;
    case RD_KAFKA_RESP_ERR__FATAL:
      failed_ = true;
      break;
    default:
      // Per-partition or client-level problems (a topic that does not exist yet, a broker
      // away): librdkafka retries by itself, so they are reported and the loop carries on.
      if (message.rkt != nullptr) {
        spdlog::warn("kafka consumer: topic={} partition={}: {}", rd_kafka_topic_name(message.rkt),
                     message.partition, rd_kafka_message_errstr(&message));
      } else {
        spdlog::warn("kafka consumer: {}", rd_kafka_message_errstr(&message));
      }
      break;
  }
}

void KafkaConsumer::Impl::handle_record(const rd_kafka_message_t& message) {
  const std::string_view topic = rd_kafka_topic_name(message.rkt);
  const auto kind = topic == config_.topics.alerts ? processing::RecordKind::kAlert
                                                   : processing::RecordKind::kDeviceData;
  const std::string_view value =
      message.payload == nullptr
          ? std::string_view()
          : std::string_view(static_cast<const char*>(message.payload), message.len);
  if (!stats_.kafka.broker_reachable.load(std::memory_order_relaxed)) {
    stats_.kafka.broker_reachable.store(true, std::memory_order_relaxed);
  }

  model::RecordPosition position{std::string(topic), message.partition, message.offset};
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  if (const std::int64_t ms = rd_kafka_message_timestamp(&message, &timestamp_type); ms >= 0) {
    position.kafka_timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  }
  const processing::ProcessResult result = processor_.process(kind, value, position);
  spdlog::trace("processed topic={} partition={} offset={}", topic, message.partition,
                message.offset);
  TopicPartition tp{std::string(topic), message.partition};
  if (result.ok() && !value.empty()) {
    offsets_.begin_completed(tp, message.offset);
    return;
  }

  // The offset waits for the dead letter's acknowledgement (on_dead_letter_written).
  offsets_.begin(tp, message.offset);
  DeadLetter letter{std::move(tp), message.offset, std::nullopt, std::nullopt,
                    result.ok() ? "empty record value" : result.error()};
  if (message.key != nullptr) {
    letter.key.emplace(static_cast<const char*>(message.key), message.key_len);
  }
  if (message.payload != nullptr) letter.value.emplace(value);
  dead_letters_.write(std::move(letter));
}

void KafkaConsumer::Impl::on_dead_letter_written(const DeadLetter& letter) {
  spdlog::debug("dead-lettered topic={} partition={} offset={} reason={}", letter.source.topic,
                letter.source.partition, letter.offset, letter.reason);
  offsets_.complete(letter.source, letter.offset);
}

void KafkaConsumer::Impl::store_offsets() {
  const std::vector<CommittableOffset> advanced = offsets_.take_advanced();
  if (advanced.empty()) return;
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(advanced.size())));
  for (const CommittableOffset& c : advanced) {
    rd_kafka_topic_partition_list_add(list.get(), c.partition.topic.c_str(), c.partition.partition)
        ->offset = c.offset;
  }
  const rd_kafka_resp_err_t err = rd_kafka_offsets_store(consumer_.get(), list.get());
  // __STATE: the partition was revoked meanwhile; its new owner reads the record again.
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__STATE &&
      err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    spdlog::warn("kafka consumer: storing offsets failed: {}", rd_kafka_err2str(err));
  }
}

rd_kafka_resp_err_t KafkaConsumer::Impl::commit_sync(
    const rd_kafka_topic_partition_list_t* offsets) {
  struct Outcome {
    Impl* self;
    std::optional<rd_kafka_resp_err_t> err;
  } outcome{this, std::nullopt};
  const auto on_result = [](rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* committed, void* opaque) {
    auto& o = *static_cast<Outcome*>(opaque);
    o.err = err;
    o.self->on_commit(err, committed);
  };
  const QueueHandle queue(rd_kafka_queue_new(consumer_.get()));
  if (const rd_kafka_resp_err_t err =
          rd_kafka_commit_queue(consumer_.get(), offsets, queue.get(), on_result, &outcome)) {
    return err;
  }
  const auto deadline = Clock::now() + kCommitTimeout;
  while (!outcome.err && Clock::now() < deadline) rd_kafka_queue_poll_callback(queue.get(), 100);
  // A late result is dropped with the queue and never reaches outcome.
  return outcome.err.value_or(RD_KAFKA_RESP_ERR__TIMED_OUT);
}

void KafkaConsumer::Impl::close() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  if (!dead_letters_.flush(kShutdownDrainTimeout)) {
    spdlog::warn("kafka consumer: closing with {} dead-letter writes unacknowledged",
                 dead_letters_.pending());
  }
  store_offsets();
  if (!failed_) {
    const rd_kafka_resp_err_t err = commit_sync(nullptr);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
      spdlog::warn(
          "kafka consumer: final commit failed: {}; uncommitted records will be read "
          "again",
          rd_kafka_err2str(err));
    }
  }
  // Leaves the group, the final revocation running through rebalance_cb; bounded, unlike
  // rd_kafka_consumer_close(). The destructor then skips librdkafka's own close.
  const QueueHandle queue(rd_kafka_queue_new(consumer_.get()));
  if (const ErrorHandle error{rd_kafka_consumer_close_queue(consumer_.get(), queue.get())}) {
    spdlog::warn("kafka consumer: close: {}", rd_kafka_error_string(error.get()));
  }
  const auto deadline = Clock::now() + kCloseTimeout;
  while (rd_kafka_consumer_closed(consumer_.get()) == 0) {
    if (Clock::now() >= deadline) {
      spdlog::warn(
          "kafka consumer: could not leave the group within {} s (broker away?); the "
          "group drops this member after session.timeout.ms",
          std::chrono::duration_cast<std::chrono::seconds>(kCloseTimeout).count());
      break;
    }
    // Fetched records still buffered are forwarded to this queue too, so it is served like the
    // consumer queue (callbacks run, records returned): a callback-only poll aborts on them.
    // The records returned here were never processed; their offsets were not stored, so the
    // next owner reads them.
    const MessageHandle left_over(rd_kafka_consume_queue(queue.get(), 100));
  }
  stats_.kafka.group_joined.store(false, std::memory_order_relaxed);
  in_group_ = false;
  stats_.kafka.partial.store(false, std::memory_order_relaxed);
  stats_.kafka.partitions_assigned.store(0, std::memory_order_relaxed);
  stats_.kafka.consumer_lag.store(0, std::memory_order_relaxed);
  spdlog::info("kafka consumer closed");
}

void KafkaConsumer::Impl::apply_backlog_limit() {
  const bool full = dead_letters_.backlog_full();
  if (paused_ == full || (paused_ && !dead_letters_.backlog_drained())) return;
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const PartitionListHandle owned(assignment);
  paused_ = full;
  if (paused_) {
    spdlog::warn(
        "kafka consumer: {} dead letters ({} bytes) wait for the broker; pausing {} until half "
        "of them are written",
        dead_letters_.pending(), dead_letters_.pending_bytes(), describe(*assignment));
  } else {
    spdlog::info("kafka consumer: dead-letter backlog drained; resuming {}", describe(*assignment));
  }
  stats_.pipeline.dead_letter_backlog_paused.store(paused_, std::memory_order_relaxed);
  pause_or_resume(*assignment, paused_ ? Pause::kPause : Pause::kResume);
}

void KafkaConsumer::Impl::pause_or_resume(rd_kafka_topic_partition_list_t& partitions,
                                          Pause action) {
  if (partitions.cnt == 0) return;
  const rd_kafka_resp_err_t err = action == Pause::kPause
                                      ? rd_kafka_pause_partitions(consumer_.get(), &partitions)
                                      : rd_kafka_resume_partitions(consumer_.get(), &partitions);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka consumer: {} {} failed: {}",
                 action == Pause::kPause ? "pausing" : "resuming", describe(partitions),
                 rd_kafka_err2str(err));
  }
}

void KafkaConsumer::Impl::on_rebalance(rd_kafka_resp_err_t err,
                                       rd_kafka_topic_partition_list_t& partitions) {
  stats_.kafka.rebalances.fetch_add(1, std::memory_order_relaxed);
  switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      in_group_ = true;
      assign(partitions);
      break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      revoke(partitions);
      break;
    default:
      spdlog::error("kafka consumer: rebalance failed: {}; dropping the assignment",
                    rd_kafka_err2str(err));
      rd_kafka_assign(consumer_.get(), nullptr);
      offsets_.clear();
      break;
  }
  update_assignment_count();
}

void KafkaConsumer::Impl::assign(rd_kafka_topic_partition_list_t& partitions) {
  spdlog::info("kafka consumer: assigned {}", describe(partitions));
  for (int i = 0; i < partitions.cnt; ++i) offsets_.remove(to_topic_partition(partitions.elems[i]));
  if (std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE") {
    if (const ErrorHandle error{rd_kafka_incremental_assign(consumer_.get(), &partitions)}) {
      spdlog::error("kafka consumer: incremental assign failed: {}",
                    rd_kafka_error_string(error.get()));
    }
  } else if (const rd_kafka_resp_err_t e = rd_kafka_assign(consumer_.get(), &partitions)) {
    spdlog::error("kafka consumer: assign failed: {}", rd_kafka_err2str(e));
  }
  // Partitions joining while the dead-letter backlog is full wait with the others.
  if (paused_) pause_or_resume(partitions, Pause::kPause);
}

void KafkaConsumer::Impl::revoke(rd_kafka_topic_partition_list_t& partitions) {
  const bool lost = rd_kafka_assignment_lost(consumer_.get()) != 0;
  spdlog::info("kafka consumer: {} {}", lost ? "lost" : "revoked", describe(partitions));
  // A lost partition already has another owner: committing for it would fail or, worse,
  // overwrite the new owner's progress. While closing, close() has committed already.
  if (!lost && !closing_) {
    bool in_flight = false;
    for (int i = 0; i < partitions.cnt; ++i) {
      in_flight = in_flight || offsets_.in_flight(to_topic_partition(partitions.elems[i])) > 0;
    }
    if (in_flight) dead_letters_.flush(kRevokeDrainTimeout);
    store_offsets();
    PartitionListHandle commit(rd_kafka_topic_partition_list_new(partitions.cnt));
    for (int i = 0; i < partitions.cnt; ++i) {
      const auto next = offsets_.committable(to_topic_partition(partitions.elems[i]));
      if (!next) continue;
      rd_kafka_topic_partition_list_add(commit.get(), partitions.elems[i].topic,
                                        partitions.elems[i].partition)
          ->offset = *next;
    }
    if (commit->cnt > 0) {
      if (const rd_kafka_resp_err_t err = commit_sync(commit.get())) {
        spdlog::warn(
            "kafka consumer: commit on revocation failed: {}; the new owner reads the "
            "uncommitted records again",
            rd_kafka_err2str(err));
      }
    }
  }
  for (int i = 0; i < partitions.cnt; ++i) offsets_.remove(to_topic_partition(partitions.elems[i]));
  if (std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE") {
    if (const ErrorHandle error{rd_kafka_incremental_unassign(consumer_.get(), &partitions)}) {
      spdlog::error("kafka consumer: incremental unassign failed: {}",
                    rd_kafka_error_string(error.get()));
    }
  } else {
    rd_kafka_assign(consumer_.get(), nullptr);
  }
}

void KafkaConsumer::Impl::update_assignment_count() {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const PartitionListHandle owned(assignment);
  stats_.kafka.partitions_assigned.store(assignment->cnt, std::memory_order_relaxed);
  // Ready means holding a partition: not after a revocation or a lost assignment.
  stats_.kafka.group_joined.store(assignment->cnt > 0, std::memory_order_relaxed);
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

void KafkaConsumer::Impl::on_error(rd_kafka_resp_err_t err, const char* reason) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
      stats_.kafka.broker_reachable.store(false, std::memory_order_relaxed);
      spdlog::warn("kafka consumer: all brokers are down ({}); reconnecting", reason);
      break;
    case RD_KAFKA_RESP_ERR__FATAL:
      failed_ = true;
      spdlog::error("kafka consumer: fatal error: {}", reason);
      break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
      // librdkafka's own log has already said so, and it reconnects by itself.
      spdlog::debug("kafka consumer: {}: {}", rd_kafka_err2name(err), reason);
      break;
    default:
      spdlog::warn("kafka consumer: {}: {}", rd_kafka_err2name(err), reason);
      break;
  }
}

void KafkaConsumer::Impl::on_commit(rd_kafka_resp_err_t err,
                                    const rd_kafka_topic_partition_list_t* offsets) {
  // __NO_OFFSET: an auto-commit tick with nothing new stored.
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::log(is_transient_commit_error(err) ? spdlog::level::debug : spdlog::level::warn,
                "kafka consumer: offset commit failed: {}", rd_kafka_err2str(err));
  }
  if (offsets == nullptr) return;
  std::uint64_t committed = 0;
  for (int i = 0; i < offsets->cnt; ++i) {
    if (offsets->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && offsets->elems[i].offset >= 0) {
      ++committed;
    }
  }
  stats_.kafka.offsets_committed.fetch_add(committed, std::memory_order_relaxed);
}

void KafkaConsumer::Impl::rebalance_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                       rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Impl*>(opaque)->on_rebalance(err, *partitions);
}

int KafkaConsumer::Impl::stats_cb(rd_kafka_t* /*rk*/, char* json, size_t json_len, void* opaque) {
  static_cast<Impl*>(opaque)->on_statistics(std::string_view(json, json_len));
  return 0;  // librdkafka frees the JSON
}

void KafkaConsumer::Impl::error_cb(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  static_cast<Impl*>(opaque)->on_error(static_cast<rd_kafka_resp_err_t>(err), reason);
}

void KafkaConsumer::Impl::commit_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  static_cast<Impl*>(opaque)->on_commit(err, offsets);
}

KafkaConsumer::KafkaConsumer(const config::KafkaConfig& config,
                             processing::MessageProcessor& processor,
                             observability::GatewayStats& stats, std::int64_t max_payload_bytes)
    : impl_(std::make_unique<Impl>(config, processor, stats, max_payload_bytes, stop_requested_)) {}

KafkaConsumer::~KafkaConsumer() = default;

void KafkaConsumer::run() {
  impl_->run();
}

}  // namespace iiot::ingest
