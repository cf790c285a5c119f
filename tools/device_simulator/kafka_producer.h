// A small RAII producer over librdkafka's C API: enqueue records, serve delivery reports, flush.
// Delivery reports and client errors are handled inside poll()/flush(), on the caller's thread,
// so one thread must own the producer; not thread-safe. Client errors (broker down, ...) go to
// stderr, an identical message at most once per 10 s.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace iiot::simulator {

// The producer could not be created (bad property, client creation failed). The message names
// the cause and what to change.
class ProducerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProducerSettings {
  std::string brokers;
  std::vector<std::pair<std::string, std::string>> properties;  // applied after our defaults
};

// Outcome of the records handed to produce() so far.
struct DeliveryCounts {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;  // rejected by produce() or reported failed by the broker/client
  std::chrono::microseconds ack_latency_total{0};  // produce() to delivery report, delivered only
  std::chrono::microseconds ack_latency_max{0};
  std::string first_error;  // "" while nothing failed
};

enum class EnqueueResult {
  kQueued,     // its delivery report will arrive in a later poll()/flush()
  kQueueFull,  // the local queue is full: poll() and try again
  kRejected,   // will never be sent (too large, unknown partition...): counted as failed
};

class KafkaProducer {
 public:
  explicit KafkaProducer(const ProducerSettings& settings);  // throws ProducerError
  ~KafkaProducer();                                          // purges what is still queued
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Copies key and value; the key picks the partition, so one device's records stay in order.
  EnqueueResult produce(const std::string& topic, std::string_view key, std::string_view value);

  // Serves delivery reports and errors, waiting up to `timeout` for the first one.
  void poll(std::chrono::milliseconds timeout);

  // Waits until every queued record is delivered or failed (message.timeout.ms bounds this).
  // If `abandon()` becomes true meanwhile, the rest is purged and counted as failed.
  void flush(const std::function<bool()>& abandon);

  // Records queued or in flight (and pending reports).
  std::size_t in_flight() const;

  // The client hit a fatal error (e.g. idempotence broken); nothing more will be delivered.
  bool fatal() const { return fatal_; }

  const DeliveryCounts& counts() const { return counts_; }

 private:
  static void on_delivery(rd_kafka_s* client, const rd_kafka_message_s* message, void* opaque);
  static void on_error(rd_kafka_s* client, int error, const char* reason, void* opaque);
  static void on_log(const rd_kafka_s* client, int level, const char* facility,
                     const char* message);
  void record_failure(std::string_view reason);
  void log_error(const std::string& text);

  struct ClientDeleter {
    void operator()(rd_kafka_s* client) const;
  };
  std::unique_ptr<rd_kafka_s, ClientDeleter> client_;
  DeliveryCounts counts_;
  bool fatal_ = false;
  std::string last_logged_;
  std::chrono::steady_clock::time_point last_logged_at_{};
};

}  // namespace iiot::simulator
