// Dead letters of any accepted size (CONTRACT section 6): records near and past
// processor.max_payload_bytes are written to the dead-letter topic whole when the topic takes
// them, as a 64 KiB stub when it refuses them for good; either way the source offsets commit and
// the partition never freezes behind them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kafka_test_support.h"
#include "recording_processor.h"
#include "running_consumer.h"

namespace iiot::kafka_test {
namespace {

constexpr std::int64_t kMaxPayloadBytes = 1024 * 1024;
constexpr std::size_t kStubBytes = 64 * 1024;
const std::string kTopicLimit = std::to_string(4 * 1024 * 1024);

// Not JSON, `bytes` long, recognisable by its first characters.
std::string junk(std::size_t bytes, char fill) {
  std::string value = "not json " + std::string(1, fill) + " ";
  value.resize(bytes, fill);
  return value;
}

class DeadLetterSizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_reachable());
    data_ = unique_name("it-big-data");
    alerts_ = unique_name("it-big-alerts");
    dead_letter_ = unique_name("it-big-dlq");
    group_ = unique_name("it-big-group");
    // The source topic takes 1.5 MiB records; the broker's default would refuse them.
    create_topic(data_, 1, {{"max.message.bytes", kTopicLimit}});
    create_topic(alerts_, 1);
  }
  void TearDown() override {
    if (broker_reachable(2s)) delete_topics({data_, alerts_, dead_letter_});
  }

  // Produces the three big invalid records and one valid record after them to partition 0, runs
  // the consumer until the valid one is processed and every dead letter acknowledged, and returns
  // the dead-letter topic's records.
  std::vector<ConsumedRecord> run_consumer(observability::GatewayStats& stats) {
    TestProducer producer;
    for (const std::string& value : values_) producer.produce(data_, "big", value, 0, 0);
    producer.produce(data_, "dev-1", device_data_record("dev-1", 1), 0, 0);
    EXPECT_TRUE(producer.flush(60s));
    EXPECT_EQ(producer.acknowledged(), values_.size() + 1);

    RecordingProcessor processor(kMaxPayloadBytes, stats);
    RunningConsumer consumer(consumer_config(group_, data_, alerts_, dead_letter_), processor,
                             stats);
    EXPECT_TRUE(wait_until(
        [&] {
          return processor.distinct() == 1 &&
                 stats.pipeline.dead_letter_written.load() == values_.size();
        },
        120s))
        << stats.pipeline.dead_letter_written.load() << " of " << values_.size()
        << " dead letters written, " << stats.pipeline.dead_letter_retries.load() << " retries";
    EXPECT_EQ(consumer.stop(), "");
    // Every record of the partition is done: the committed offset is past all four.
    EXPECT_EQ(committed_offsets(group_, data_, 1).at(0),
              static_cast<std::int64_t>(values_.size()) + 1);
    return read_topic(dead_letter_);
  }

  std::string data_;
  std::string alerts_;
  std::string dead_letter_;
  std::string group_;
  // 0.9 MiB and exactly max_payload_bytes (invalid JSON), 1.5 MiB (oversized).
  std::vector<std::string> values_ = {junk(943718, 'a'), junk(1048576, 'b'), junk(1572864, 'c')};
};

TEST_F(DeadLetterSizeTest, RecordsUpToTheTopicLimitAreDeadLetteredWhole) {
  create_topic(dead_letter_, 1, {{"max.message.bytes", kTopicLimit}});
  observability::GatewayStats stats;
  const std::vector<ConsumedRecord> letters = run_consumer(stats);
  ASSERT_EQ(letters.size(), values_.size());
  for (std::size_t i = 0; i < letters.size(); ++i) {
    EXPECT_EQ(letters[i].value.value_or("").size(), values_[i].size()) << i;
    EXPECT_TRUE(letters[i].value == values_[i]) << "dead letter " << i << " differs";
    EXPECT_EQ(letters[i].headers.at("x-source-offset"), std::to_string(i));
  }
  EXPECT_NE(letters[2].headers.at("x-error").find("max_payload_bytes"), std::string::npos)
      << letters[2].headers.at("x-error");
  EXPECT_EQ(stats.pipeline.dead_letter_stubs.load(), 0U);
}

TEST_F(DeadLetterSizeTest, RecordsTheTopicRefusesAreDeadLetteredAsStubs) {
  // A dead-letter topic that takes at most 512 KiB: every one of the three is refused whole.
  create_topic(dead_letter_, 1, {{"max.message.bytes", std::to_string(512 * 1024)}});
  observability::GatewayStats stats;
  const std::vector<ConsumedRecord> letters = run_consumer(stats);
  ASSERT_EQ(letters.size(), values_.size());
  for (std::size_t i = 0; i < letters.size(); ++i) {
    EXPECT_TRUE(letters[i].value == values_[i].substr(0, kStubBytes)) << "stub " << i;
    EXPECT_EQ(letters[i].key.value_or(""), "big");
    EXPECT_EQ(letters[i].headers.at("x-source-topic"), data_);
    EXPECT_EQ(letters[i].headers.at("x-source-offset"), std::to_string(i));
    const std::string& error = letters[i].headers.at("x-error");
    EXPECT_NE(error.find("refused"), std::string::npos) << error;
    EXPECT_NE(error.find(std::to_string(values_[i].size())), std::string::npos) << error;
  }
  EXPECT_EQ(stats.pipeline.dead_letter_stubs.load(), values_.size());
}

}  // namespace
}  // namespace iiot::kafka_test
