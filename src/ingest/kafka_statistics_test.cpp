#include "ingest/kafka_statistics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace iiot::ingest {
namespace {

// Captured from librdkafka 2.0.2 against the project's Kafka 4.1 broker (scripts/kafka.sh).
std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(IIOT_INGEST_TESTDATA) + "/" + name);
  EXPECT_TRUE(in) << "missing test data " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

TEST(KafkaStatisticsTest, SumsKnownLagOverAssignedPartitions) {
  // One topic, four assigned partitions: partition 2 has a committed offset and lag 60, the
  // others an unknown lag (-1), plus the internal unassigned partition -1.
  const auto result = parse_kafka_statistics(read_sample("librdkafka_stats_lag.json"));
  ASSERT_TRUE(result.statistics) << result.error;
  EXPECT_EQ(result.statistics->consumer_lag, 60);
  EXPECT_EQ(result.statistics->partitions_assigned, 4);
  EXPECT_TRUE(result.statistics->broker_up);
}

TEST(KafkaStatisticsTest, CountsPartitionsOfEveryTopic) {
  // Device data and alerts, four partitions each, everything consumed (lag 0 or unknown).
  const auto result = parse_kafka_statistics(read_sample("librdkafka_stats_two_topics.json"));
  ASSERT_TRUE(result.statistics) << result.error;
  EXPECT_EQ(result.statistics->consumer_lag, 0);
  EXPECT_EQ(result.statistics->partitions_assigned, 8);
  EXPECT_TRUE(result.statistics->broker_up);
}

TEST(KafkaStatisticsTest, NoBrokerUpMeansUnreachable) {
  std::string json = read_sample("librdkafka_stats_lag.json");
  replace_all(json, "\"state\":\"UP\"", "\"state\":\"TRY_CONNECT\"");
  const auto result = parse_kafka_statistics(json);
  ASSERT_TRUE(result.statistics) << result.error;
  EXPECT_FALSE(result.statistics->broker_up);
}

TEST(KafkaStatisticsTest, PartitionsNotDesiredAreNotAssigned) {
  std::string json = read_sample("librdkafka_stats_lag.json");
  replace_all(json, "\"desired\":true", "\"desired\":false");
  const auto result = parse_kafka_statistics(json);
  ASSERT_TRUE(result.statistics) << result.error;
  EXPECT_EQ(result.statistics->partitions_assigned, 0);
  EXPECT_EQ(result.statistics->consumer_lag, 0);
}

TEST(KafkaStatisticsTest, MinimalDocuments) {
  const auto empty = parse_kafka_statistics("{}");
  ASSERT_TRUE(empty.statistics);
  EXPECT_EQ(empty.statistics->consumer_lag, 0);
  EXPECT_EQ(empty.statistics->partitions_assigned, 0);
  EXPECT_FALSE(empty.statistics->broker_up);

  const auto internal_only = parse_kafka_statistics(
      R"({"brokers":{"internal":{"source":"internal","state":"UP"}},)"
      R"("topics":{"t":{"partitions":{"0":{"partition":0,"desired":true,"consumer_lag":7},)"
      R"("1":{"partition":1,"desired":true,"consumer_lag":-1}}}}})");
  ASSERT_TRUE(internal_only.statistics);
  EXPECT_FALSE(internal_only.statistics->broker_up);
  EXPECT_EQ(internal_only.statistics->consumer_lag, 7);
  EXPECT_EQ(internal_only.statistics->partitions_assigned, 2);
}

TEST(KafkaStatisticsTest, MalformedDocumentIsAnError) {
  EXPECT_FALSE(parse_kafka_statistics("{\"brokers\":").statistics);
  EXPECT_FALSE(parse_kafka_statistics("[]").statistics);
  EXPECT_FALSE(parse_kafka_statistics("[]").error.empty());
}

}  // namespace
}  // namespace iiot::ingest
