// Helpers for tests against a real Kafka broker (scripts/kafka.sh start): the broker address,
// uniquely named topics created and deleted through the Admin API, a producer that reports where
// each record landed, reading a topic with headers, committed offsets of a group, valid records
// per CONTRACT section 1, and waiting with a deadline. Shared by every integration test.
//
// Every function may be called from any thread; a TestProducer is used by one thread at a time.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"

namespace iiot::kafka_test {

using namespace std::chrono_literals;

// IIOT_TEST_BROKERS, default "127.0.0.1:9092".
std::string test_brokers();

// Success if a broker answers a metadata request within timeout; otherwise a failure whose
// message says to run scripts/kafka.sh start. Use: ASSERT_TRUE(broker_reachable());
::testing::AssertionResult broker_reachable(std::chrono::milliseconds timeout = 15s);

// "<prefix>-<pid>-<time>-<counter>": unique across tests, runs and processes.
std::string unique_name(std::string_view prefix);

// Creates topics through the Admin API and waits until their partitions have leaders.
// Throws std::runtime_error on failure.
void create_topic(const std::string& name, int partitions);
// The same with topic configs, e.g. {{"max.message.bytes", "4194304"}}.
void create_topic(const std::string& name, int partitions,
                  const std::map<std::string, std::string>& configs);
// The same with `replication_factor` replicas of each partition (a cluster's topics).
void create_topic(const std::string& name, int partitions, int replication_factor,
                  const std::map<std::string, std::string>& configs = {});
// The broker (node) id leading a partition, and the broker ids of its replicas and in-sync
// replicas, from a metadata request; leader -1 if the partition has none or is unknown.
struct PartitionMetadata {
  std::int32_t leader = -1;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> in_sync;
};
PartitionMetadata partition_metadata(const std::string& topic, std::int32_t partition);
// Best effort (a test's cleanup): errors are ignored.
void delete_topics(const std::vector<std::string>& names);

// A KafkaConfig for the gateway's consumer on these topics, reading from the earliest offset.
config::KafkaConfig consumer_config(const std::string& group_id, const std::string& device_data,
                                    const std::string& alerts, const std::string& dead_letter);

// Where an acknowledged record landed; tag is the caller's number for it (e.g. its seq).
struct Delivery {
  std::uint64_t tag = 0;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  bool ok = false;
  std::string error;
};

// An idempotent producer (acks=all) with no message timeout: a record produced while the broker
// is away waits, and is delivered once it is back. It takes records up to 16 MiB (the topic's
// max.message.bytes decides).
class TestProducer {
 public:
  TestProducer();
  ~TestProducer();
  TestProducer(const TestProducer&) = delete;
  TestProducer& operator=(const TestProducer&) = delete;

  // Queues one record (nullopt key/value: null). partition < 0: by key. Throws on a local error.
  void produce(const std::string& topic, const std::optional<std::string>& key,
               const std::optional<std::string>& value, std::uint64_t tag = 0,
               std::int32_t partition = -1);
  // Serves delivery reports.
  void poll();
  // Waits until every queued record is acknowledged or failed; true if none is left.
  bool flush(std::chrono::milliseconds timeout);
  // Delivery reports so far (acknowledged and failed), in report order.
  std::vector<Delivery> deliveries() const;
  std::size_t acknowledged() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The value of record `seq` of device `device_id`.
using RecordMaker = std::function<std::string(const std::string& device_id, std::uint64_t seq)>;

// A valid device-data record (CONTRACT section 1), about 220 bytes, with an extra "seq" field
// that the decoder ignores.
std::string device_data_record(const std::string& device_id, std::uint64_t seq);

// Produces device-data records (seq 0, 1, ...; device_data_record unless make_record says
// otherwise) to one topic from a thread of its own: a batch of `batch` records keyed over
// `devices` device ids ("dev-<seq % devices>", tagged with their seq), then a 10 ms pause, until
// `limit` records or stop(). The destructor stops and joins. Records and reports stay in
// `producer`.
class BackgroundProducer {
 public:
  BackgroundProducer(TestProducer& producer, std::string topic, int devices, int batch,
                     std::uint64_t limit = UINT64_MAX,
                     RecordMaker make_record = device_data_record);
  ~BackgroundProducer();
  BackgroundProducer(const BackgroundProducer&) = delete;
  BackgroundProducer& operator=(const BackgroundProducer&) = delete;

  // Records handed to the producer so far (a whole batch at a time).
  std::uint64_t produced() const { return produced_.load(); }
  // Waits for the thread to reach `limit` and returns its error ("" if none).
  std::string wait();
  // Stops producing, joins and returns the thread's error ("" if none).
  std::string stop();

 private:
  std::atomic<bool> producing_{true};
  std::atomic<std::uint64_t> produced_{0};
  std::string error_;  // written by the thread, read after join
  std::thread thread_;
};

struct ConsumedRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::map<std::string, std::string> headers;  // last value wins for a repeated name
};

// Every record of a topic from the beginning up to its end now (the high watermarks when
// called), outside any consumer group. Throws std::runtime_error if that takes past timeout.
std::vector<ConsumedRecord> read_topic(const std::string& topic,
                                       std::chrono::milliseconds timeout = 60s);

// The group's committed offsets for partitions 0..partitions-1 of topic (-1001 if none).
std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& group,
                                                       const std::string& topic, int partitions);

// A valid alert record with an extra "seq" field.
std::string alert_record(const std::string& device_id, std::uint64_t seq);
// The "seq" of a record made above, if present.
std::optional<std::uint64_t> seq_of(std::string_view record);

// Polls predicate every step until it holds or timeout passes; returns its last value.
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = 20ms);

// Deletes the named topics when it goes out of scope.
class TopicsGuard {
 public:
  explicit TopicsGuard(std::vector<std::string> names) : names_(std::move(names)) {}
  ~TopicsGuard() { delete_topics(names_); }
  TopicsGuard(const TopicsGuard&) = delete;
  TopicsGuard& operator=(const TopicsGuard&) = delete;

 private:
  std::vector<std::string> names_;
};

}  // namespace iiot::kafka_test
