// Several instances (CONTRACT section 11): kafka.group_id expands {hostname} and {port}, and an
// instance that shares its consumer group with another member (so it holds only part of the
// partitions) warns and reports "partial": true under /stats kafka and "degraded" on /health.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <string>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

bool partial(unsigned short port) {
  return get_stats(port).at("kafka").at("partial").as_bool();
}

std::string health_status(unsigned short port) {
  return std::string(json::parse(http_get(port, "/health").body).at("status").as_string());
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string hostname() {
  std::array<char, 256> name{};
  ::gethostname(name.data(), name.size() - 1);
  return name.data();
}

TEST(SeveralInstances, GroupIdExpandsHostnameAndPort) {
  TestTopics topics(1);
  const std::string prefix = unique_name("inst");
  GatewayProcess gateway(topics, {.kafka = {{"group_id", "\"" + prefix + "-{hostname}-{port}\""}}});
  const std::string expected = prefix + "-" + hostname() + "-" + std::to_string(gateway.port());
  EXPECT_NE(file_text(gateway.log_path()).find("as group " + expected), std::string::npos)
      << gateway.log_tail();
  EXPECT_FALSE(partial(gateway.port()));
}

TEST(SeveralInstances, SharedGroupIsPartialAndDegraded) {
  TestTopics topics(2);  // device data and alerts, two partitions each
  const std::string group = "\"" + unique_name("shared") + "\"";
  GatewayProcess first(topics, {.kafka = {{"group_id", group}}});
  // Alone in its group it holds every partition.
  ASSERT_TRUE(eventually(
      [&] { return get_stats(first.port()).at("kafka").at("topics").as_array().size() == 2; }, 30s,
      100ms))
      << get_stats(first.port());
  EXPECT_FALSE(partial(first.port()));
  EXPECT_EQ(health_status(first.port()), "ok");

  {
    GatewayProcess second(topics, {.kafka = {{"group_id", group}}});
    for (const unsigned short port : {first.port(), second.port()}) {
      EXPECT_TRUE(eventually([&] { return partial(port); }, 60s, 100ms)) << get_stats(port);
      EXPECT_EQ(health_status(port), "degraded");
      EXPECT_EQ(http_get(port, "/ready").status, 200);  // still serving its share
      const auto metrics = http_get(port, "/metrics").body;
      EXPECT_EQ(metric_value(metrics, "iiot_kafka_partial"), 1.0);
    }
    const json::object stats = get_stats(first.port());
    std::int64_t held = 0;
    std::int64_t total = 0;
    for (const auto& topic : stats.at("kafka").at("topics").as_array()) {
      held += topic.at("partitions_assigned").to_number<std::int64_t>();
      total += topic.at("partitions").to_number<std::int64_t>();
    }
    EXPECT_EQ(total, 4);
    EXPECT_LT(held, total);
    EXPECT_NE(file_text(first.log_path()).find("is shared with another member"), std::string::npos)
        << first.log_tail();
    ASSERT_TRUE(second.terminate().has_value());
  }

  // The other member left: the first holds everything again.
  EXPECT_TRUE(eventually([&] { return !partial(first.port()); }, 60s, 100ms))
      << get_stats(first.port());
  EXPECT_EQ(health_status(first.port()), "ok");
}

TEST(SeveralInstances, MemberHoldingNothingIsPartialToo) {
  TestTopics topics(1);  // two partitions in all: the third member of the group gets none
  const std::string group = "\"" + unique_name("crowded") + "\"";
  GatewayProcess first(topics, {.kafka = {{"group_id", group}}});
  GatewayProcess second(topics, {.kafka = {{"group_id", group}}});
  GatewayProcess third(topics, {.kafka = {{"group_id", group}}}, WaitFor::kListening);
  unsigned short idle = 0;
  ASSERT_TRUE(eventually(
      [&] {
        for (const unsigned short port : {first.port(), second.port(), third.port()}) {
          const auto kafka = get_stats(port).at("kafka");
          if (kafka.at("partitions_assigned").to_number<int>() == 0 &&
              kafka.at("partial").as_bool()) {
            idle = port;
          }
        }
        return idle != 0;
      },
      60s, 100ms))
      << get_stats(third.port());
  EXPECT_EQ(health_status(idle), "degraded");
  EXPECT_EQ(http_get(idle, "/ready").status, 503);  // no partition: no clients should come here
}

}  // namespace
}  // namespace iiot::e2e
