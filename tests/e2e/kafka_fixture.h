// Kafka side of the end-to-end tests: the broker address, a test's own topics (created through
// the Admin API with N partitions, deleted at the end) and a producer of records.
// The broker is the project's own (scripts/kafka.sh start); IIOT_TEST_BROKERS names it
// (default 127.0.0.1:9092). Each object is used by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace iiot::e2e {

// IIOT_TEST_BROKERS, default "127.0.0.1:9092".
std::string test_brokers();

// "<prefix>-<pid>-<counter>-<time>": unique across tests, runs and processes.
std::string unique_name(std::string_view prefix);

// The three topics a gateway reads and writes, uniquely named, created with `partitions`
// partitions and `replication_factor` replicas each (waits until every partition has a leader)
// and deleted on destruction. Throws std::runtime_error naming the fix when the broker does not
// answer.
class TestTopics {
 public:
  explicit TestTopics(int partitions, int replication_factor = 1);
  ~TestTopics();
  TestTopics(const TestTopics&) = delete;
  TestTopics& operator=(const TestTopics&) = delete;

  std::string device_data;
  std::string alerts;
  std::string dead_letter;
};

// A producer that waits for every record to be acknowledged by flush().
class RecordProducer {
 public:
  RecordProducer();
  ~RecordProducer();
  RecordProducer(const RecordProducer&) = delete;
  RecordProducer& operator=(const RecordProducer&) = delete;

  // Queues one record keyed by key (the device id), so one device's records keep their order.
  // Throws std::runtime_error on a local error.
  void produce(const std::string& topic, std::string_view key, std::string_view value);
  // Waits until every queued record is acknowledged; throws if one failed or the time ran out.
  void flush(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Deletes the records of topic[partition] before `offset` (the Admin API's DeleteRecords), as
// retention would. Throws std::runtime_error on failure.
void delete_records_before(const std::string& topic, int partition, std::int64_t offset);

}  // namespace iiot::e2e
