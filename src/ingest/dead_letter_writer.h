// DeadLetterWriter: writes rejected records to the dead-letter topic unchanged (same key and
// value) with the headers x-error, x-source-topic, x-source-partition and x-source-offset, through
// an idempotent producer, and produces each again until the broker acknowledges it
// (CONTRACT section 1). The caller learns of each acknowledgement through on_written and only
// then lets the source offset be committed.
//
// Owned by KafkaConsumer and used on the consumer thread only: write() never blocks, and poll()
// serves delivery reports (and so on_written) on the calling thread. Internal to src/ingest.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/config.h"
#include "ingest/offset_tracker.h"
#include "ingest/rdkafka_handle.h"
#include "observability/gateway_stats.h"

namespace iiot::ingest {

struct DeadLetter {
  TopicPartition source;
  std::int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: the source record had a null key
  std::optional<std::string> value;  // nullopt: the source record had a null value
  std::string reason;
};

class DeadLetterWriter {
 public:
  using OnWritten = std::function<void(const DeadLetter&)>;

  // Throws KafkaError if the producer cannot be created.
  DeadLetterWriter(const config::KafkaConfig& config, observability::GatewayStats& stats,
                   OnWritten on_written);
  ~DeadLetterWriter();
  DeadLetterWriter(const DeadLetterWriter&) = delete;
  DeadLetterWriter& operator=(const DeadLetterWriter&) = delete;

  void write(DeadLetter letter);
  // Serves delivery reports and produces again the writes that are due for a retry.
  void poll();
  // Polls until every write is acknowledged or the timeout passes; true if none is left.
  bool flush(std::chrono::milliseconds timeout);
  // Writes not yet acknowledged.
  std::size_t pending() const { return pending_.size(); }

 private:
  using Clock = std::chrono::steady_clock;

  void produce(std::uint64_t id);
  void schedule_retry(std::uint64_t id);
  void replace_failed_producer();
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  config::KafkaConfig config_;  // a copy: the producer may have to be created again
  observability::GatewayStats& stats_;
  OnWritten on_written_;
  std::string topic_;
  KafkaHandle producer_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, DeadLetter> pending_;
  std::deque<std::pair<Clock::time_point, std::uint64_t>> retries_;  // in due-time order
  bool producer_failed_ = false;  // a fatal (idempotence) error: the producer must be replaced
};

}  // namespace iiot::ingest
