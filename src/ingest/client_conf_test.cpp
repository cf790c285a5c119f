#include "ingest/client_conf.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "ingest/kafka_consumer.h"
#include "ingest/kafka_error.h"
#include "processing/default_message_processor.h"

namespace iiot::ingest {
namespace {

std::string get(const rd_kafka_conf_t* conf, const char* name) {
  std::array<char, 512> value{};
  size_t size = value.size();
  if (rd_kafka_conf_get(conf, name, value.data(), &size) != RD_KAFKA_CONF_OK) return "<unset>";
  return value.data();
}

std::string error_of(const config::KafkaConfig& config) {
  try {
    (void)make_consumer_conf(config);
  } catch (const KafkaError& e) {
    return e.what();
  }
  return "";
}

TEST(ClientConfTest, ConsumerDefaults) {
  config::KafkaConfig config;
  config.brokers = {"a:9092", "b:9093"};
  config.auto_offset_reset = config::OffsetReset::kEarliest;
  const ConfHandle conf = make_consumer_conf(config);
  EXPECT_EQ(get(conf.get(), "bootstrap.servers"), "a:9092,b:9093");
  EXPECT_EQ(get(conf.get(), "group.id"), "iiot-gateway");
  EXPECT_EQ(get(conf.get(), "auto.offset.reset"), "smallest");  // librdkafka's alias
  EXPECT_EQ(get(conf.get(), "partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(get(conf.get(), "enable.auto.offset.store"), "false");
  EXPECT_EQ(get(conf.get(), "enable.auto.commit"), "true");
  EXPECT_EQ(get(conf.get(), "fetch.wait.max.ms"), "5");
  EXPECT_EQ(get(conf.get(), "statistics.interval.ms"), "1000");
}

TEST(ClientConfTest, PropertiesOverrideDefaults) {
  config::KafkaConfig config;
  config.properties = {{"fetch.wait.max.ms", "50"}, {"auto.commit.interval.ms", "200"}};
  const ConfHandle conf = make_consumer_conf(config);
  EXPECT_EQ(get(conf.get(), "fetch.wait.max.ms"), "50");
  EXPECT_EQ(get(conf.get(), "auto.commit.interval.ms"), "200");
}

TEST(ClientConfTest, UnknownPropertyIsNamed) {
  config::KafkaConfig config;
  config.properties = {{"no.such.property", "1"}};
  const std::string error = error_of(config);
  EXPECT_NE(error.find("kafka.properties.no.such.property"), std::string::npos) << error;
  EXPECT_NE(error.find("remove it"), std::string::npos) << error;
}

TEST(ClientConfTest, InvalidValueIsNamed) {
  config::KafkaConfig config;
  config.properties = {{"fetch.wait.max.ms", "soon"}};
  const std::string error = error_of(config);
  EXPECT_NE(error.find("kafka.properties.fetch.wait.max.ms"), std::string::npos) << error;
  EXPECT_NE(error.find("correct the value"), std::string::npos) << error;
}

TEST(ClientConfTest, DeadLetterProducerIsIdempotent) {
  const ConfHandle conf = make_dead_letter_producer_conf(config::KafkaConfig{}, 1048576);
  EXPECT_EQ(get(conf.get(), "enable.idempotence"), "true");
  EXPECT_EQ(get(conf.get(), "client.id"), "iiot-gateway-dead-letter");
}

TEST(ClientConfTest, DeadLetterProducerTakesRecordsPastTheMaximumPayload) {
  // librdkafka's default message.max.bytes (1,000,000) is below the default max_payload_bytes.
  const ConfHandle conf = make_dead_letter_producer_conf(config::KafkaConfig{}, 1048576);
  EXPECT_EQ(get(conf.get(), "message.max.bytes"), std::to_string(16 * 1048576 + 65536));
  EXPECT_EQ(dead_letter_max_message_bytes(1), 1'000'000);
  EXPECT_EQ(dead_letter_max_message_bytes(4096), 1'000'000);
  EXPECT_EQ(dead_letter_max_message_bytes(100'000'000), 1'000'000'000);
  EXPECT_EQ(dead_letter_max_message_bytes(INT64_MAX), 1'000'000'000);
}

TEST(ClientConfTest, PropertiesOverrideTheDeadLetterSize) {
  config::KafkaConfig config;
  config.properties = {{"message.max.bytes", "2000000"}};
  const ConfHandle conf = make_dead_letter_producer_conf(config, 1048576);
  EXPECT_EQ(get(conf.get(), "message.max.bytes"), "2000000");
}

TEST(KafkaConsumerTest, InvalidPropertyFailsConstruction) {
  config::KafkaConfig config;
  config.properties = {{"session.timeout.ms", "-5"}};
  observability::GatewayStats stats;
  processing::DefaultMessageProcessor processor(1024, stats);
  try {
    KafkaConsumer consumer(config, processor, stats);
    FAIL() << "expected a KafkaError";
  } catch (const KafkaError& e) {
    EXPECT_NE(std::string(e.what()).find("kafka.properties.session.timeout.ms"), std::string::npos)
        << e.what();
  }
}

TEST(KafkaConsumerTest, StopBeforeRunClosesWithoutBroker) {
  // Nothing listens on port 1: construction, run() after request_stop() and close must still
  // finish (and not throw) with no broker at all.
  config::KafkaConfig config;
  config.brokers = {"127.0.0.1:1"};
  observability::GatewayStats stats;
  processing::DefaultMessageProcessor processor(1024, stats);
  KafkaConsumer consumer(config, processor, stats);
  consumer.request_stop();
  consumer.run();
  EXPECT_FALSE(stats.kafka.group_joined.load());
}

}  // namespace
}  // namespace iiot::ingest
