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

TEST(KafkaStatisticsTest, FiguresPerTopic) {
  const auto result = parse_kafka_statistics(read_sample("librdkafka_stats_two_topics.json"));
  ASSERT_TRUE(result.statistics) << result.error;
  const auto& topics = result.statistics->topics;
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].topic, "iiot.alerts");
  EXPECT_EQ(topics[0].partitions, 4);
  EXPECT_EQ(topics[0].partitions_assigned, 4);
  EXPECT_EQ(topics[1].topic, "iiot.device-data");
  EXPECT_FALSE(holds_part_of_its_topics(*result.statistics));

  const auto lag = parse_kafka_statistics(read_sample("librdkafka_stats_lag.json"));
  ASSERT_TRUE(lag.statistics);
  ASSERT_EQ(lag.statistics->topics.size(), 1u);
  EXPECT_EQ(lag.statistics->topics[0].topic, "capture-lag-sample");
  EXPECT_EQ(lag.statistics->topics[0].consumer_lag, 60);
}

TEST(KafkaStatisticsTest, PartitionsHeldByAnotherMemberMakeItPartial) {
  // Partitions 1 and 3 of one topic belong to another member of the group.
  const auto result = parse_kafka_statistics(
      R"({"topics":{"t":{"partitions":{)"
      R"("0":{"partition":0,"desired":true,"unknown":false,"consumer_lag":3},)"
      R"("1":{"partition":1,"desired":false,"unknown":false,"consumer_lag":-1},)"
      R"("2":{"partition":2,"desired":true,"unknown":false,"consumer_lag":4},)"
      R"("3":{"partition":3,"desired":false,"unknown":false,"consumer_lag":-1},)"
      R"("-1":{"partition":-1,"desired":false,"unknown":false}}},)"
      R"("u":{"partitions":{"0":{"partition":0,"desired":true,"unknown":false}}}}})");
  ASSERT_TRUE(result.statistics) << result.error;
  const auto& t = result.statistics->topics.at(0);
  EXPECT_EQ(t.partitions, 4);
  EXPECT_EQ(t.partitions_assigned, 2);
  EXPECT_EQ(t.consumer_lag, 7);
  EXPECT_TRUE(holds_part_of_its_topics(*result.statistics));

  // Holding nothing at all (the other member has everything) is partial too.
  std::string none = read_sample("librdkafka_stats_lag.json");
  replace_all(none, "\"desired\":true", "\"desired\":false");
  const auto nothing = parse_kafka_statistics(none);
  ASSERT_TRUE(nothing.statistics);
  EXPECT_TRUE(holds_part_of_its_topics(*nothing.statistics));
}

TEST(KafkaStatisticsTest, UnknownPartitionsAreNotPartOfTheTopic) {
  const auto result = parse_kafka_statistics(
      R"({"topics":{"t":{"partitions":{"0":{"partition":0,"desired":true,"unknown":false},)"
      R"("5":{"partition":5,"desired":true,"unknown":true}}}}})");
  ASSERT_TRUE(result.statistics);
  EXPECT_EQ(result.statistics->topics.at(0).partitions, 1);
  EXPECT_FALSE(holds_part_of_its_topics(*result.statistics));
}

TEST(KafkaStatisticsTest, MalformedDocumentIsAnError) {
  EXPECT_FALSE(parse_kafka_statistics("{\"brokers\":").statistics);
  EXPECT_FALSE(parse_kafka_statistics("[]").statistics);
  EXPECT_FALSE(parse_kafka_statistics("[]").error.empty());
}

}  // namespace
}  // namespace iiot::ingest
