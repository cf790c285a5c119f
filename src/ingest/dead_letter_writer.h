// DeadLetterWriter: writes rejected records to the dead-letter topic unchanged (same key and
// value) with the headers x-error, x-source-topic, x-source-partition and x-source-offset, through
// an idempotent producer, and produces each again until the broker acknowledges it
// (CONTRACT section 1). The caller learns of each acknowledgement through on_written and only
// then lets the source offset be committed.
//
// A record the dead-letter topic refuses for good because of its size (locally past the
// producer's message.max.bytes, or by the broker) is written as a stub instead: the same headers,
// x-error naming the refusal, and the first kStubValueBytes of the value; so a source partition's
// offsets never freeze behind it.
//
// The writes waiting for acknowledgement are bounded: backlog_full() once kMaxBacklogLetters
// writes or kMaxBacklogBytes bytes wait (KafkaConsumer then pauses its partitions), and
// backlog_drained() once half of both are left.
//
// The DeadLetterSink of the service: owned by KafkaConsumer and used on the consumer thread only:
// write() never blocks, and poll() serves delivery reports (and so on_written) on the calling
// thread. Internal to src/ingest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "config/config.h"
#include "ingest/dead_letter_sink.h"
#include "ingest/offset_tracker.h"
#include "ingest/rdkafka_handle.h"
#include "observability/gateway_stats.h"

namespace iiot::ingest {

class DeadLetterWriter final : public DeadLetterSink {
 public:
  static constexpr std::size_t kStubValueBytes = std::size_t{64} * 1024;
  static constexpr std::size_t kMaxBacklogLetters = 10'000;
  static constexpr std::size_t kMaxBacklogBytes = std::size_t{64} * 1024 * 1024;

  // Throws KafkaError if the producer cannot be created. max_payload_bytes sizes the producer
  // (dead_letter_max_message_bytes).
  DeadLetterWriter(const config::KafkaConfig& config, std::int64_t max_payload_bytes,
                   observability::GatewayStats& stats);
  ~DeadLetterWriter() override;
  DeadLetterWriter(const DeadLetterWriter&) = delete;
  DeadLetterWriter& operator=(const DeadLetterWriter&) = delete;

  void set_on_written(OnWritten on_written) override { on_written_ = std::move(on_written); }
  void write(DeadLetter letter) override;
  // Serves delivery reports and produces again the writes that are due for a retry.
  void poll() override;
  bool flush(std::chrono::milliseconds timeout) override;
  std::size_t pending() const override { return pending_.size(); }
  std::size_t pending_bytes() const override { return pending_bytes_; }
  bool backlog_full() const override {
    return pending_.size() >= kMaxBacklogLetters || pending_bytes_ >= kMaxBacklogBytes;
  }
  bool backlog_drained() const override {
    return pending_.size() <= kMaxBacklogLetters / 2 && pending_bytes_ <= kMaxBacklogBytes / 2;
  }

 private:
  using Clock = std::chrono::steady_clock;

  void produce(std::uint64_t id);
  void schedule_retry(std::uint64_t id);
  // Replaces the pending write's value by its stub (or, for a refused stub, by nothing) and
  // produces it again at once.
  void write_stub(std::uint64_t id, rd_kafka_resp_err_t refusal);
  // Removes an acknowledged write from pending_.
  DeadLetter take(std::unordered_map<std::uint64_t, DeadLetter>::iterator it);
  void update_pending_gauge();
  void replace_failed_producer();
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  config::KafkaConfig config_;  // a copy: the producer may have to be created again
  std::int64_t max_payload_bytes_;
  observability::GatewayStats& stats_;
  OnWritten on_written_;
  std::string topic_;
  KafkaHandle producer_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, DeadLetter> pending_;
  std::size_t pending_bytes_ = 0;  // DeadLetter::bytes() summed over pending_
  std::deque<std::pair<Clock::time_point, std::uint64_t>> retries_;  // in due-time order
  bool producer_failed_ = false;  // a fatal (idempotence) error: the producer must be replaced
};

}  // namespace iiot::ingest
