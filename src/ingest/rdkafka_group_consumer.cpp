#include "ingest/rdkafka_group_consumer.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string_view>
#include <utility>

#include "ingest/client_conf.h"
#include "ingest/kafka_error.h"

namespace iiot::ingest {
namespace {

using Clock = std::chrono::steady_clock;

// Commit failures expected while the broker or its coordinator is away: retried by the next
// auto-commit, so not worth a warning each second.
bool is_transient_commit_error(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__WAIT_COORD || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

CommitResult commit_result(rd_kafka_resp_err_t err,
                           const rd_kafka_topic_partition_list_t* offsets) {
  CommitResult result;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    result.status = CommitStatus::kCommitted;
  } else if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    result.status = CommitStatus::kNothingToCommit;
  } else {
    result.status =
        is_transient_commit_error(err) ? CommitStatus::kTransientError : CommitStatus::kError;
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) result.error = rd_kafka_err2str(err);
  if (offsets != nullptr) {
    for (int i = 0; i < offsets->cnt; ++i) {
      if (offsets->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && offsets->elems[i].offset >= 0) {
        ++result.partitions_committed;
      }
    }
  }
  return result;
}

ClientStatus status_of(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return ClientStatus{rd_kafka_err2str(err)};
}

ClientStatus status_of(const ErrorHandle& error) {
  if (!error) return {};
  return ClientStatus{rd_kafka_error_string(error.get())};
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

PartitionListHandle to_list(const std::vector<TopicPartition>& partitions) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartition& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

PartitionListHandle to_list(const std::vector<CommittableOffset>& offsets) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const CommittableOffset& c : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), c.partition.topic.c_str(), c.partition.partition)
        ->offset = c.offset;
  }
  return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t& list) {
  std::vector<TopicPartition> partitions;
  partitions.reserve(static_cast<std::size_t>(list.cnt));
  for (int i = 0; i < list.cnt; ++i) {
    partitions.push_back(TopicPartition{list.elems[i].topic, list.elems[i].partition});
  }
  return partitions;
}

}  // namespace

RdKafkaGroupConsumer::RdKafkaGroupConsumer(const config::KafkaConfig& config) {
  ConfHandle conf = make_consumer_conf(config);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &RdKafkaGroupConsumer::rebalance_cb);
  rd_kafka_conf_set_stats_cb(conf.get(), &RdKafkaGroupConsumer::stats_cb);
  rd_kafka_conf_set_error_cb(conf.get(), &RdKafkaGroupConsumer::error_cb);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), &RdKafkaGroupConsumer::commit_cb);
  consumer_ = make_client(RD_KAFKA_CONSUMER, std::move(conf), "Kafka consumer");
  // Serve every callback (rebalance, statistics, errors) from rd_kafka_consumer_poll().
  rd_kafka_poll_set_consumer(consumer_.get());

  PartitionListHandle topics(rd_kafka_topic_partition_list_new(2));
  rd_kafka_topic_partition_list_add(topics.get(), config.topics.device_data.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (config.topics.alerts != config.topics.device_data) {
    rd_kafka_topic_partition_list_add(topics.get(), config.topics.alerts.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get())) {
    throw KafkaError("kafka error: cannot subscribe to " + describe(*topics) + ": " +
                     rd_kafka_err2str(err) + " (check kafka.topics)");
  }
  for (int i = 0; i < topics->cnt; ++i) {
    topics_.emplace_back(rd_kafka_topic_new(consumer_.get(), topics->elems[i].topic, nullptr));
  }
  spdlog::info("kafka consumer subscribed to {} as group {}", describe(*topics), config.group_id);
}

RdKafkaGroupConsumer::~RdKafkaGroupConsumer() {
  last_.reset();
  topics_.clear();  // topic handles go before their client
  // leave_group() left the group already, or gave up after its timeout: either way librdkafka
  // must not try again (and block) while destroying the handle.
  rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

std::optional<ConsumedRecord> RdKafkaGroupConsumer::poll(std::chrono::milliseconds timeout) {
  last_.reset(rd_kafka_consumer_poll(consumer_.get(), static_cast<int>(timeout.count())));
  if (!last_) return std::nullopt;
  const rd_kafka_message_t& message = *last_;
  ConsumedRecord record;
  if (message.rkt != nullptr) record.topic = rd_kafka_topic_name(message.rkt);
  record.partition = message.partition;
  record.offset = message.offset;
  switch (message.err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: {
      record.kind = ConsumedKind::kRecord;
      if (message.key != nullptr) {
        record.key.emplace(static_cast<const char*>(message.key), message.key_len);
      }
      if (message.payload != nullptr) {
        record.value.emplace(static_cast<const char*>(message.payload), message.len);
      }
      rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
      if (const std::int64_t ms = rd_kafka_message_timestamp(&message, &timestamp_type); ms >= 0) {
        record.timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
      }
      break;
    }
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
      record.kind = ConsumedKind::kPartitionEof;
      break;
    case RD_KAFKA_RESP_ERR__FATAL:
      record.kind = ConsumedKind::kFatal;
      break;
    default:
      record.kind = ConsumedKind::kError;
      record.error = rd_kafka_message_errstr(&message);
      break;
  }
  return record;
}

ClientStatus RdKafkaGroupConsumer::store_offsets(const std::vector<CommittableOffset>& offsets) {
  const PartitionListHandle list = to_list(offsets);
  const rd_kafka_resp_err_t err = rd_kafka_offsets_store(consumer_.get(), list.get());
  // __STATE: the partition was revoked meanwhile; its new owner reads the record again.
  if (err == RD_KAFKA_RESP_ERR__STATE || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) return {};
  return status_of(err);
}

CommitResult RdKafkaGroupConsumer::commit_stored(std::chrono::milliseconds timeout) {
  return commit_sync(nullptr, timeout);
}

CommitResult RdKafkaGroupConsumer::commit(const std::vector<CommittableOffset>& offsets,
                                          std::chrono::milliseconds timeout) {
  const PartitionListHandle list = to_list(offsets);
  return commit_sync(list.get(), timeout);
}

// librdkafka's own rd_kafka_commit() waits for a coordinator until the session times out (45 s by
// default) when the broker is away, so the commit goes through a queue of its own, served here
// until the deadline.
CommitResult RdKafkaGroupConsumer::commit_sync(const rd_kafka_topic_partition_list_t* offsets,
                                               std::chrono::milliseconds timeout) {
  struct Outcome {
    GroupConsumerListener* listener;
    std::optional<CommitResult> result;
  } outcome{listener_, std::nullopt};
  const auto on_result = [](rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* committed, void* opaque) {
    auto& o = *static_cast<Outcome*>(opaque);
    o.result = commit_result(err, committed);
    if (o.listener != nullptr) o.listener->on_commit(*o.result);
  };
  const QueueHandle queue(rd_kafka_queue_new(consumer_.get()));
  if (const rd_kafka_resp_err_t err =
          rd_kafka_commit_queue(consumer_.get(), offsets, queue.get(), on_result, &outcome)) {
    return commit_result(err, nullptr);
  }
  const auto deadline = Clock::now() + timeout;
  while (!outcome.result && Clock::now() < deadline) {
    rd_kafka_queue_poll_callback(queue.get(), 100);
  }
  // A late result is dropped with the queue and never reaches outcome.
  if (!outcome.result) return commit_result(RD_KAFKA_RESP_ERR__TIMED_OUT, nullptr);
  return *outcome.result;
}

RebalanceProtocol RdKafkaGroupConsumer::rebalance_protocol() const {
  return std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE"
             ? RebalanceProtocol::kCooperative
             : RebalanceProtocol::kEager;
}

ClientStatus RdKafkaGroupConsumer::assign(const std::vector<TopicPartition>& partitions) {
  const PartitionListHandle list = to_list(partitions);
  return status_of(rd_kafka_assign(consumer_.get(), list.get()));
}

ClientStatus RdKafkaGroupConsumer::unassign() {
  return status_of(rd_kafka_assign(consumer_.get(), nullptr));
}

ClientStatus RdKafkaGroupConsumer::incremental_assign(
    const std::vector<TopicPartition>& partitions) {
  const PartitionListHandle list = to_list(partitions);
  return status_of(ErrorHandle(rd_kafka_incremental_assign(consumer_.get(), list.get())));
}

ClientStatus RdKafkaGroupConsumer::incremental_unassign(
    const std::vector<TopicPartition>& partitions) {
  const PartitionListHandle list = to_list(partitions);
  return status_of(ErrorHandle(rd_kafka_incremental_unassign(consumer_.get(), list.get())));
}

std::optional<std::vector<TopicPartition>> RdKafkaGroupConsumer::assignment() const {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const PartitionListHandle owned(assignment);
  return from_list(*assignment);
}

bool RdKafkaGroupConsumer::assignment_lost() const {
  return rd_kafka_assignment_lost(consumer_.get()) != 0;
}

ClientStatus RdKafkaGroupConsumer::pause(const std::vector<TopicPartition>& partitions) {
  const PartitionListHandle list = to_list(partitions);
  return status_of(rd_kafka_pause_partitions(consumer_.get(), list.get()));
}

ClientStatus RdKafkaGroupConsumer::resume(const std::vector<TopicPartition>& partitions) {
  const PartitionListHandle list = to_list(partitions);
  return status_of(rd_kafka_resume_partitions(consumer_.get(), list.get()));
}

bool RdKafkaGroupConsumer::leave_group(std::chrono::milliseconds timeout) {
  last_.reset();
  // Leaves the group, the final revocation running through rebalance_cb; bounded, unlike
  // rd_kafka_consumer_close() (measured blocking 90 s with the broker down). The destructor then
  // skips librdkafka's own close.
  const QueueHandle queue(rd_kafka_queue_new(consumer_.get()));
  if (const ErrorHandle error{rd_kafka_consumer_close_queue(consumer_.get(), queue.get())}) {
    spdlog::warn("kafka consumer: close: {}", rd_kafka_error_string(error.get()));
  }
  const auto deadline = Clock::now() + timeout;
  while (rd_kafka_consumer_closed(consumer_.get()) == 0) {
    if (Clock::now() >= deadline) return false;
    // Fetched records still buffered are forwarded to this queue too, so it is served like the
    // consumer queue (callbacks run, records returned): a callback-only poll aborts on them.
    // The records returned here were never processed; their offsets were not stored, so the
    // next owner reads them.
    const MessageHandle left_over(rd_kafka_consume_queue(queue.get(), 100));
  }
  return true;
}

std::string RdKafkaGroupConsumer::fatal_error() const {
  std::array<char, 512> errstr{};
  const rd_kafka_resp_err_t err =
      rd_kafka_fatal_error(consumer_.get(), errstr.data(), errstr.size());
  return std::string(rd_kafka_err2name(err)) + ": " + errstr.data();
}

void RdKafkaGroupConsumer::rebalance_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto& self = *static_cast<RdKafkaGroupConsumer*>(opaque);
  Rebalance rebalance;
  rebalance.partitions = from_list(*partitions);
  switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      rebalance.kind = RebalanceKind::kAssign;
      break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      rebalance.kind = RebalanceKind::kRevoke;
      break;
    default:
      rebalance.kind = RebalanceKind::kError;
      rebalance.error = rd_kafka_err2str(err);
      break;
  }
  if (self.listener_ != nullptr) self.listener_->on_rebalance(rebalance);
}

int RdKafkaGroupConsumer::stats_cb(rd_kafka_t* /*rk*/, char* json, size_t json_len, void* opaque) {
  auto& self = *static_cast<RdKafkaGroupConsumer*>(opaque);
  if (self.listener_ != nullptr) self.listener_->on_statistics(std::string_view(json, json_len));
  return 0;  // librdkafka frees the JSON
}

void RdKafkaGroupConsumer::error_cb(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<RdKafkaGroupConsumer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  ClientError error;
  switch (code) {
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
      error.kind = ClientErrorKind::kAllBrokersDown;
      break;
    case RD_KAFKA_RESP_ERR__FATAL:
      error.kind = ClientErrorKind::kFatal;
      break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
      error.kind = ClientErrorKind::kConnection;
      break;
    default:
      error.kind = ClientErrorKind::kOther;
      break;
  }
  error.name = rd_kafka_err2name(code);
  error.reason = reason;
  if (self.listener_ != nullptr) self.listener_->on_error(error);
}

void RdKafkaGroupConsumer::commit_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                     rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto& self = *static_cast<RdKafkaGroupConsumer*>(opaque);
  if (self.listener_ != nullptr) self.listener_->on_commit(commit_result(err, offsets));
}

}  // namespace iiot::ingest
