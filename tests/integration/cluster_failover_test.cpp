// At least once through a broker crash in a 3-broker cluster (scripts/kafka.sh start --brokers 3):
// an idempotent producer with acks=all streams device records to a topic with replication factor
// 3 and min.insync.replicas 2, bin/consumer pushes them to WebSocket clients, and midway the
// partition's leader is SIGKILLed. Every record the producer had acknowledged must reach every
// client (a record may arrive twice, none may be missing). The killed node is started again while
// the stream goes on, so the cluster is whole when the test ends.
//
// Needs the cluster's bootstrap servers in IIOT_TEST_CLUSTER_BROKERS (scripts/test.sh sets it);
// skipped when that is unset. The node is killed and restarted through scripts/kafka.sh, which
// finds the cluster from IIOT_KAFKA_PORT (derived from the first bootstrap server) and
// IIOT_KAFKA_DATA (inherited).
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "broker_control.h"
#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "kafka_test_support.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::kafka_test {
namespace {

constexpr const char* kClusterEnv = "IIOT_TEST_CLUSTER_BROKERS";
constexpr int kClients = 3;
constexpr int kDevices = 50;
constexpr std::uint64_t kRecords = 20'000;
constexpr std::uint64_t kKillAfterDelivered = 3'000;  // events each client has before the kill
constexpr std::uint64_t kAckedWhileDown = 2'000;      // acknowledged after the kill, node down
constexpr std::int32_t kPartition = 0;

// Records whose sequence number reaches the clients (a sensor, as unknown fields are dropped).
std::string record_with_visible_seq(const std::string& device_id, std::uint64_t seq) {
  return e2e::to_json(e2e::DeviceRecord{.device_id = device_id, .seq = seq});
}

std::string device_of(std::uint64_t seq) {
  return "dev-" + std::to_string(seq % kDevices);  // as BackgroundProducer keys them
}

// Starts the killed node again however the test ends, so later tests find the whole cluster.
class NodeRestartGuard {
 public:
  explicit NodeRestartGuard(std::int32_t node) : node_(node) {}
  ~NodeRestartGuard() {
    if (node_ > 0 && !restarted_) (void)kafka_script("start-node " + std::to_string(node_));
  }
  void restarted() { restarted_ = true; }
  NodeRestartGuard(const NodeRestartGuard&) = delete;
  NodeRestartGuard& operator=(const NodeRestartGuard&) = delete;

 private:
  std::int32_t node_;
  bool restarted_ = false;
};

TEST(ClusterFailoverTest, EveryAcknowledgedRecordReachesTheClientsWhenTheLeaderIsKilled) {
  const char* cluster = std::getenv(kClusterEnv);
  if (cluster == nullptr || *cluster == '\0') {
    GTEST_SKIP() << kClusterEnv
                 << " is not set: this test needs a 3-broker cluster (scripts/test.sh starts one; "
                    "by hand: IIOT_KAFKA_PORT=29092 scripts/kafka.sh start --brokers 3, then "
                 << kClusterEnv << "=$(IIOT_KAFKA_PORT=29092 scripts/kafka.sh bootstrap))";
  }
  // Every helper below (topics, producer, the gateway's configuration, kafka.sh) talks to the
  // cluster: they all read IIOT_TEST_BROKERS.
  ::setenv("IIOT_TEST_BROKERS", cluster, 1);
  ASSERT_TRUE(broker_reachable());
  ASSERT_EQ(kafka_script("status"), 0)
      << "scripts/kafka.sh does not see every node of the cluster at " << cluster;

  const e2e::TestTopics topics(1, 3);
  const PartitionMetadata before = partition_metadata(topics.device_data, kPartition);
  ASSERT_EQ(before.replicas.size(), 3U) << "the topic should have 3 replicas";
  ASSERT_GE(before.leader, 1);

  e2e::GatewaySettings settings;
  // Only the broker's failure is under test: the pipeline must not give events up on its own.
  settings.retry_pushes_until_queued();
  settings.websocket["queue_size"] = "100000";
  settings.websocket["max_queue_bytes"] = "268435456";
  e2e::GatewayProcess gateway(topics, settings);
  std::vector<std::unique_ptr<e2e::WsTestClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<e2e::WsTestClient>(gateway.port()));
    clients.back()->client_id();
  }

  // About 1,000 records a second, for about 20 s: the stream runs through the kill and restart.
  TestProducer producer;
  BackgroundProducer background(producer, topics.device_data, kDevices, 10, kRecords,
                                record_with_visible_seq);
  for (const auto& client : clients) {
    ASSERT_TRUE(client->wait_for_events(kKillAfterDelivered, 120s))
        << "a client received " << client->event_count() << " events before the kill";
  }

  const std::int32_t leader = partition_metadata(topics.device_data, kPartition).leader;
  ASSERT_GE(leader, 1) << "the partition has no leader";
  NodeRestartGuard restart_at_exit(leader);
  const std::size_t acked_at_kill = producer.acknowledged();
  ASSERT_EQ(kafka_script("kill-node " + std::to_string(leader)), 0);
  std::printf("killed node %d (the leader) after %zu acknowledged records\n", leader,
              acked_at_kill);

  // The stream goes on through a new leader while the node is down...
  ASSERT_TRUE(wait_until([&] { return producer.acknowledged() >= acked_at_kill + kAckedWhileDown; },
                         120s, 50ms))
      << "only " << producer.acknowledged() - acked_at_kill
      << " records acknowledged since the kill";
  const PartitionMetadata during = partition_metadata(topics.device_data, kPartition);
  EXPECT_GE(during.leader, 1);
  EXPECT_NE(during.leader, leader) << "the killed node still leads the partition";
  const std::size_t acked_while_down = producer.acknowledged() - acked_at_kill;

  // ...and while the node comes back.
  auto restart = std::async(std::launch::async,
                            [&] { return kafka_script("start-node " + std::to_string(leader)); });
  ASSERT_EQ(background.wait(), "");
  ASSERT_TRUE(producer.flush(120s)) << "records still unacknowledged after 120 s";
  const int restart_status = restart.get();
  restart_at_exit.restarted();
  EXPECT_EQ(restart_status, 0) << "scripts/kafka.sh start-node " << leader << " failed";

  std::set<std::string> acknowledged;
  std::size_t failed = 0;
  for (const Delivery& d : producer.deliveries()) {
    if (d.ok) {
      acknowledged.insert(e2e::device_key(device_of(d.tag), d.tag));
    } else if (++failed <= 5) {
      ADD_FAILURE() << "seq " << d.tag << " was not acknowledged: " << d.error;
    }
  }
  EXPECT_EQ(acknowledged.size(), kRecords) << "the idempotent producer should get every record in";

  // Every acknowledged record reaches every client; more may arrive (at least once).
  const auto missing_at = [&](const e2e::WsTestClient& client) {
    std::set<std::string> missing = acknowledged;
    for (const std::string& key : client.event_keys()) missing.erase(key);
    return missing;
  };
  const bool complete = e2e::eventually(
      [&] {
        for (const auto& client : clients) {
          if (client->event_count() < acknowledged.size() || !missing_at(*client).empty()) {
            return false;
          }
        }
        return true;
      },
      180s, 500ms);
  EXPECT_TRUE(complete) << "the clients did not receive every acknowledged record in time";

  for (int i = 0; i < kClients; ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    const std::vector<std::string> keys = clients[static_cast<std::size_t>(i)]->event_keys();
    const std::set<std::string> missing = missing_at(*clients[static_cast<std::size_t>(i)]);
    std::string sample;
    for (auto it = missing.begin(); it != missing.end() && sample.size() < 300; ++it) {
      sample += *it + " ";
    }
    EXPECT_TRUE(missing.empty()) << missing.size() << " of " << acknowledged.size()
                                 << " acknowledged records never arrived: " << sample;
    std::size_t unexpected = 0;
    for (const std::string& key : keys) unexpected += acknowledged.contains(key) ? 0 : 1;
    EXPECT_EQ(unexpected, 0U) << "events of records that were never acknowledged";
    const std::size_t duplicates =
        keys.size() - std::set<std::string>(keys.begin(), keys.end()).size();
    std::printf("client %d: %zu events, %zu acknowledged records, %zu arrived twice\n", i,
                keys.size(), acknowledged.size(), duplicates);
  }
  std::printf(
      "leader %d killed after %zu acknowledged, %zu acknowledged while it was down, new "
      "leader %d\n",
      leader, acked_at_kill, acked_while_down, during.leader);
  const auto stats = e2e::get_stats(gateway.port());
  EXPECT_EQ(e2e::stat_value(stats, "dropped_messages"), 0);
}

}  // namespace
}  // namespace iiot::kafka_test
