// RdKafkaGroupConsumer: the GroupConsumerClient of the service, a librdkafka group consumer
// subscribed to the device-data and alert topics. It serves every librdkafka callback
// (rebalance, statistics, errors, commits) from poll() and reports them to its listener, and
// keeps librdkafka's quirks to itself: bounded commits and a bounded leave of the group.
//
// Owned by KafkaConsumer and used on the consumer thread only. Internal to src/ingest.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "ingest/group_consumer_client.h"
#include "ingest/rdkafka_handle.h"

namespace iiot::ingest {

class RdKafkaGroupConsumer final : public GroupConsumerClient {
 public:
  // Creates the consumer and subscribes. Throws KafkaError (naming the cause and the fix) for an
  // invalid property or a client that cannot be created.
  explicit RdKafkaGroupConsumer(const config::KafkaConfig& config);
  // Does not leave the group: leave_group() did, or gave up.
  ~RdKafkaGroupConsumer() override;
  RdKafkaGroupConsumer(const RdKafkaGroupConsumer&) = delete;
  RdKafkaGroupConsumer& operator=(const RdKafkaGroupConsumer&) = delete;

  void set_listener(GroupConsumerListener& listener) override { listener_ = &listener; }
  std::optional<ConsumedRecord> poll(std::chrono::milliseconds timeout) override;
  ClientStatus store_offsets(const std::vector<CommittableOffset>& offsets) override;
  CommitResult commit_stored(std::chrono::milliseconds timeout) override;
  CommitResult commit(const std::vector<CommittableOffset>& offsets,
                      std::chrono::milliseconds timeout) override;
  RebalanceProtocol rebalance_protocol() const override;
  ClientStatus assign(const std::vector<TopicPartition>& partitions) override;
  ClientStatus unassign() override;
  ClientStatus incremental_assign(const std::vector<TopicPartition>& partitions) override;
  ClientStatus incremental_unassign(const std::vector<TopicPartition>& partitions) override;
  std::optional<std::vector<TopicPartition>> assignment() const override;
  bool assignment_lost() const override;
  ClientStatus pause(const std::vector<TopicPartition>& partitions) override;
  ClientStatus resume(const std::vector<TopicPartition>& partitions) override;
  bool leave_group(std::chrono::milliseconds timeout) override;
  std::string fatal_error() const override;

 private:
  // Commits offsets (nullptr: every stored offset) and waits at most timeout.
  CommitResult commit_sync(const rd_kafka_topic_partition_list_t* offsets,
                           std::chrono::milliseconds timeout);

  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);

  GroupConsumerListener* listener_ = nullptr;
  KafkaHandle consumer_;
  // Handles of the subscribed topics, held so that librdkafka keeps their metadata and lists
  // every partition in its statistics, also those of a topic this member holds none of
  // (how a partial assignment is seen).
  std::vector<TopicHandle> topics_;
  MessageHandle last_;  // the record poll() returned last: ConsumedRecord views into it
};

}  // namespace iiot::ingest
