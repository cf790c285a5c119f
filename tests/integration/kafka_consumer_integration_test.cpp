// KafkaConsumer against a real broker: every valid record processed, every invalid one
// dead-lettered unchanged with its headers, counters that agree, offsets committed on close, and
// an offset that never passes an unacknowledged dead letter.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "kafka_test_support.h"
#include "recording_processor.h"
#include "running_consumer.h"

namespace iiot::kafka_test {
namespace {

constexpr std::int64_t kMaxPayloadBytes = 4096;
constexpr std::uint64_t kInvalidTagBase = 1'000'000'000;

// One invalid record of kind k % 10; "bad-<k>" is its key so its dead letter can be matched.
std::optional<std::string> invalid_record(std::uint64_t k) {
  const std::string good_tail =
      R"("device_type":"sensor","timestamp":"2024-08-01T20:50:09Z","sensors":{"t":{"value":1}})";
  switch (k % 10) {
    case 0:
      return "not json at all bad-" + std::to_string(k);
    case 1:  // required field missing
      return "{" + good_tail + R"(,"seq_bad":)" + std::to_string(k) + "}";
    case 2:  // wrong type
      return R"({"device_id":"d-1","device_type":"sensor","timestamp":"2024-08-01T20:50:09Z",)"
             R"("sensors":"hot","seq_bad":)" +
             std::to_string(k) + "}";
    case 3:  // not RFC 3339
      return R"({"device_id":"d-1","device_type":"sensor","timestamp":"yesterday",)"
             R"("sensors":{"t":{"value":1}},"seq_bad":)" +
             std::to_string(k) + "}";
    case 4:  // unknown status
      return R"({"device_id":"d-1","status":"broken",)" + good_tail + R"(,"seq_bad":)" +
             std::to_string(k) + "}";
    case 5:  // a null value (tombstone)
      return std::nullopt;
    case 6:  // an empty value
      return std::string();
    case 7:  // larger than processor.max_payload_bytes
      return R"({"device_id":"d-1",)" + good_tail + R"(,"pad":")" +
             std::string(kMaxPayloadBytes, 'x') + R"(","seq_bad":)" + std::to_string(k) + "}";
    case 8:  // not UTF-8
      return "{\"device_id\":\"d-1\",\"location\":\"\xff\xfe\"," + good_tail +
             ",\"seq_bad\":" + std::to_string(k) + "}";
    default:  // no sensors
      return R"({"device_id":"d-1","device_type":"sensor","timestamp":"2024-08-01T20:50:09Z",)"
             R"("sensors":{},"seq_bad":)" +
             std::to_string(k) + "}";
  }
}

class KafkaConsumerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_reachable());
    data_ = unique_name("it-data");
    alerts_ = unique_name("it-alerts");
    dead_letter_ = unique_name("it-dlq");
    group_ = unique_name("it-group");
  }
  void TearDown() override {
    if (broker_reachable(2s)) delete_topics({data_, alerts_, dead_letter_});
  }

  std::string data_;
  std::string alerts_;
  std::string dead_letter_;
  std::string group_;
};

TEST_F(KafkaConsumerIntegrationTest, ProcessesValidAndDeadLettersInvalidRecords) {
  constexpr int kPartitions = 4;
  constexpr std::uint64_t kValid = 10'000;
  constexpr std::uint64_t kInvalid = 1'000;
  create_topic(data_, kPartitions);
  create_topic(alerts_, 1);
  create_topic(dead_letter_, 2);

  observability::GatewayStats stats;
  RecordingProcessor processor(kMaxPayloadBytes, stats);
  RunningConsumer consumer(consumer_config(group_, data_, alerts_, dead_letter_), processor, stats);

  // Every 11th record is invalid, spread over the partitions by key like the valid ones.
  TestProducer producer;
  std::map<std::string, std::optional<std::string>> invalid_by_key;
  std::uint64_t valid = 0;
  std::uint64_t invalid = 0;
  while (valid < kValid || invalid < kInvalid) {
    if ((valid + invalid) % 11 == 10 && invalid < kInvalid) {
      const std::string key = "bad-" + std::to_string(invalid);
      invalid_by_key[key] = invalid_record(invalid);
      producer.produce(data_, key, invalid_by_key[key], kInvalidTagBase + invalid);
      ++invalid;
    } else {
      producer.produce(data_, "dev-" + std::to_string(valid % 50),
                       device_data_record("dev-" + std::to_string(valid % 50), valid), valid);
      ++valid;
    }
  }
  ASSERT_TRUE(producer.flush(60s));
  ASSERT_EQ(producer.acknowledged(), kValid + kInvalid);

  ASSERT_TRUE(wait_until(
      [&] {
        return processor.distinct() == kValid &&
               stats.pipeline.dead_letter_written.load() == kInvalid;
      },
      180s))
      << "processed " << processor.distinct() << " of " << kValid << " valid records, "
      << stats.pipeline.dead_letter_written.load() << " of " << kInvalid << " dead letters";
  EXPECT_TRUE(stats.kafka.group_joined.load());
  EXPECT_EQ(consumer.stop(), "");
  EXPECT_FALSE(stats.kafka.group_joined.load());

  EXPECT_EQ(processor.distinct(), kValid);
  EXPECT_EQ(stats.pipeline.total_messages.load(), kValid + kInvalid);
  EXPECT_EQ(stats.pipeline.device_data_messages.load(), kValid);
  EXPECT_EQ(stats.pipeline.invalid_messages.load(), kInvalid);
  EXPECT_EQ(stats.pipeline.dead_letter_written.load(), kInvalid);

  // Where each invalid record was in the source topic.
  std::map<std::uint64_t, Delivery> source;
  std::map<std::int32_t, std::int64_t> end_offsets;
  for (const Delivery& d : producer.deliveries()) {
    source[d.tag] = d;
    end_offsets[d.partition] = std::max(end_offsets[d.partition], d.offset + 1);
  }
  EXPECT_GT(end_offsets.size(), 1U) << "records should be spread over several partitions";

  const std::vector<ConsumedRecord> letters = read_topic(dead_letter_);
  EXPECT_EQ(letters.size(), kInvalid);
  std::set<std::string> seen_keys;
  for (const ConsumedRecord& letter : letters) {
    ASSERT_TRUE(letter.key) << "dead letter without a key at offset " << letter.offset;
    const std::string& key = *letter.key;
    ASSERT_TRUE(invalid_by_key.contains(key)) << key;
    EXPECT_TRUE(seen_keys.insert(key).second) << "dead-lettered twice: " << key;
    EXPECT_EQ(letter.value.value_or(""), invalid_by_key[key].value_or("")) << key;
    if (!invalid_by_key[key]) {
      EXPECT_FALSE(letter.value) << key << ": null value not kept";
    }

    const Delivery& from = source[kInvalidTagBase + std::stoull(key.substr(4))];
    ASSERT_EQ(letter.headers.count("x-error"), 1U) << key;
    EXPECT_FALSE(letter.headers.at("x-error").empty()) << key;
    EXPECT_EQ(letter.headers.count("x-source-topic") == 1 ? letter.headers.at("x-source-topic")
                                                          : "<missing>",
              data_);
    EXPECT_EQ(letter.headers.count("x-source-partition") == 1
                  ? letter.headers.at("x-source-partition")
                  : "<missing>",
              std::to_string(from.partition))
        << key;
    EXPECT_EQ(letter.headers.count("x-source-offset") == 1 ? letter.headers.at("x-source-offset")
                                                           : "<missing>",
              std::to_string(from.offset))
        << key;
  }

  // Closing committed everything that was processed.
  const auto committed = committed_offsets(group_, data_, kPartitions);
  for (const auto& [partition, end] : end_offsets) {
    EXPECT_EQ(committed.at(partition), end) << "partition " << partition;
  }
}

TEST_F(KafkaConsumerIntegrationTest, RecordsOfTheAlertsTopicAreProcessedAsAlerts) {
  create_topic(data_, 1);
  create_topic(alerts_, 2);
  create_topic(dead_letter_, 1);
  TestProducer producer;
  for (std::uint64_t i = 0; i < 5; ++i) {
    producer.produce(data_, "dev-1", device_data_record("dev-1", i), i);
  }
  for (std::uint64_t i = 5; i < 25; ++i)
    producer.produce(alerts_, "dev-1", alert_record("dev-1", i), i);
  // A device-data record on the alerts topic is not a valid alert.
  producer.produce(alerts_, "bad-alert", device_data_record("dev-1", 99), 99);
  ASSERT_TRUE(producer.flush(30s));

  observability::GatewayStats stats;
  RecordingProcessor processor(kMaxPayloadBytes, stats);
  RunningConsumer consumer(consumer_config(group_, data_, alerts_, dead_letter_), processor, stats);
  ASSERT_TRUE(wait_until(
      [&] { return processor.distinct() == 25 && stats.pipeline.dead_letter_written == 1; }, 120s));
  EXPECT_EQ(consumer.stop(), "");
  EXPECT_EQ(stats.pipeline.device_data_messages.load(), 5U);
  EXPECT_EQ(stats.pipeline.alert_messages.load(), 20U);
  EXPECT_EQ(stats.pipeline.invalid_messages.load(), 1U);
  const auto letters = read_topic(dead_letter_);
  ASSERT_EQ(letters.size(), 1U);
  EXPECT_EQ(letters[0].headers.at("x-source-topic"), alerts_);
}

TEST_F(KafkaConsumerIntegrationTest, OffsetWaitsForAnUnacknowledgedDeadLetter) {
  // The dead-letter topic's name is illegal, so no dead-letter write is ever acknowledged: the
  // committed offset must stop at the invalid record although every later record is processed.
  create_topic(data_, 1);
  create_topic(alerts_, 1);
  constexpr std::int64_t kInvalidOffset = 10;
  TestProducer producer;
  for (std::uint64_t i = 0; i < 20; ++i) {
    if (static_cast<std::int64_t>(i) == kInvalidOffset) {
      producer.produce(data_, "bad", std::string("not json"), i, 0);
    } else {
      producer.produce(data_, "dev-1", device_data_record("dev-1", i), i, 0);
    }
  }
  ASSERT_TRUE(producer.flush(30s));

  observability::GatewayStats stats;
  RecordingProcessor processor(kMaxPayloadBytes, stats);
  RunningConsumer consumer(consumer_config(group_, data_, alerts_, "illegal topic name!"),
                           processor, stats);
  ASSERT_TRUE(wait_until(
      [&] {
        return processor.distinct() == 19 && stats.pipeline.dead_letter_retries.load() >= 2 &&
               stats.kafka.offsets_committed.load() > 0;
      },
      120s))
      << "processed " << processor.distinct() << ", retries "
      << stats.pipeline.dead_letter_retries.load() << ", commits "
      << stats.kafka.offsets_committed.load();
  EXPECT_TRUE(wait_until(
      [&] { return committed_offsets(group_, data_, 1).at(0) == kInvalidOffset; }, 30s, 200ms))
      << "committed " << committed_offsets(group_, data_, 1).at(0);

  EXPECT_EQ(consumer.stop(), "");  // gives up waiting for the dead letter after a bounded time
  EXPECT_EQ(stats.pipeline.dead_letter_written.load(), 0U);
  EXPECT_EQ(committed_offsets(group_, data_, 1).at(0), kInvalidOffset);
}

}  // namespace
}  // namespace iiot::kafka_test
