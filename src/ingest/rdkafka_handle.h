// Owning smart pointers for librdkafka's C objects. Internal to src/ingest.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace iiot::ingest {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using ConfHandle = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using PartitionListHandle = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using MessageHandle = std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter>;
using HeadersHandle = std::unique_ptr<rd_kafka_headers_t, RdKafkaDeleter>;
using ErrorHandle = std::unique_ptr<rd_kafka_error_t, RdKafkaDeleter>;
using QueueHandle = std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, RdKafkaDeleter>;

}  // namespace iiot::ingest
