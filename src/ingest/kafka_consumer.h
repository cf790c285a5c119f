// KafkaConsumer: the gateway's Kafka group consumer (RAII over librdkafka). It subscribes to the
// device-data and alert topics, hands every record to the MessageProcessor, dead-letters the
// rejected ones, and stores each offset for commit only once its record is done: at least once
// into processing (CONTRACT section 1, "Delivery").
//
// Owned by ConsumerService. run() is the poll loop and runs on the calling thread (the consumer
// thread), which is also where the processor, the rebalance, statistics and error callbacks and
// the dead-letter delivery reports run. request_stop() may be called from any thread and from a
// signal handler. Figures go to GatewayStats: kafka.consumer_lag, partitions_assigned,
// broker_reachable, group_joined, rebalances, offsets_committed, pipeline.dead_letter_*.
//
// The decisions live here; librdkafka stays behind two narrow interfaces, GroupConsumerClient
// (the group consumer) and DeadLetterSink (the dead-letter producer), which tests replace.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "config/config.h"
#include "observability/gateway_stats.h"
#include "processing/message_processor.h"

namespace iiot::ingest {

class DeadLetterSink;
class GroupConsumerClient;

class KafkaConsumer {
 public:
  // Creates the consumer and the dead-letter producer and subscribes. Throws KafkaError (naming
  // the cause and the fix) for an invalid property or a client that cannot be created. The
  // processor and stats must outlive this object; config is copied. max_payload_bytes is
  // processor.max_payload_bytes: the dead-letter producer is sized from it.
  KafkaConsumer(const config::KafkaConfig& config, processing::MessageProcessor& processor,
                observability::GatewayStats& stats, std::int64_t max_payload_bytes = 1048576);
  // The same consumer over the given clients (tests: fakes, no broker). Only
  // config.topics.alerts and config.group_id are read from config.
  KafkaConsumer(const config::KafkaConfig& config, processing::MessageProcessor& processor,
                observability::GatewayStats& stats, std::unique_ptr<GroupConsumerClient> client,
                std::unique_ptr<DeadLetterSink> dead_letters);
  // Closes the consumer if run() did not.
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Polls until request_stop(), carrying on while brokers are away (librdkafka reconnects).
  // On the way out: waits for pending dead-letter writes (at most 10 s), commits the stored
  // offsets synchronously (at most 5 s) and leaves the group (at most 5 s), so a stop with the
  // broker away still ends; what was not committed is read again by the next owner. Call once.
  // Throws KafkaError only if librdkafka reports the consumer unusable (a fatal error).
  void run();

  // Makes run() return within about one poll timeout (100 ms). Thread-safe and async-signal-safe:
  // it only sets a lock-free atomic flag.
  void request_stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

 private:
  class Impl;
  std::atomic<bool> stop_requested_{false};
  std::unique_ptr<Impl> impl_;
};

}  // namespace iiot::ingest
