// KafkaConsumer across a restart of the broker (scripts/kafka.sh stop, then start, data kept):
// it notices the broker going and coming back, never exits, and processes every record produced
// before, during and after the outage at least once. Stops the shared broker: RUN_SERIAL.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "broker_control.h"
#include "kafka_test_support.h"
#include "observability/stats_report.h"
#include "recording_processor.h"
#include "running_consumer.h"

namespace iiot::kafka_test {
namespace {

TEST(KafkaBrokerRestartTest, ConsumerCarriesOnAcrossABrokerRestart) {
  ASSERT_TRUE(broker_reachable());
  ASSERT_EQ(kafka_script("status"), 0)
      << "this test restarts the broker through scripts/kafka.sh, which did not start the one at "
      << test_brokers() << ": run `scripts/kafka.sh start`";

  const std::string data = unique_name("it-restart-data");
  const std::string alerts = unique_name("it-restart-alerts");
  const std::string dead_letter = unique_name("it-restart-dlq");
  const TopicsGuard topics({data, alerts, dead_letter});
  create_topic(data, 4);
  create_topic(alerts, 1);
  create_topic(dead_letter, 1);

  observability::GatewayStats stats;
  RecordingProcessor processor(1 << 20, stats);
  RunningConsumer consumer(
      consumer_config(unique_name("it-restart-group"), data, alerts, dead_letter), processor,
      stats);

  // About 2,000 records a second until told to stop; a record produced while the broker is
  // away waits in the producer (no message timeout) and is delivered once it is back.
  TestProducer producer;
  BackgroundProducer background(producer, data, 40, 20);

  ASSERT_TRUE(wait_until([&] { return processor.distinct() >= 2000; }, 120s))
      << "processed " << processor.distinct() << " before the restart";
  EXPECT_TRUE(stats.kafka.broker_reachable.load());
  EXPECT_TRUE(observability::kafka_ready(stats));

  // Declared here so that it is destroyed first: the broker is back before anything else
  // (consumer close, topic deletion) needs it.
  const BrokerRunningGuard restart_broker_at_exit;
  ASSERT_EQ(kafka_script("stop"), 0);
  EXPECT_TRUE(wait_until([&] { return !stats.kafka.broker_reachable.load(); }, 60s))
      << "the consumer did not notice the broker going away";
  const std::uint64_t at_stop = background.produced();
  wait_until([&] { return background.produced() >= at_stop + 2000; },
             30s);  // produce while it is away

  ASSERT_EQ(kafka_script("start"), 0);
  EXPECT_TRUE(wait_until([&] { return stats.kafka.broker_reachable.load(); }, 120s))
      << "the consumer did not notice the broker coming back";
  const std::uint64_t at_start = background.produced();
  wait_until([&] { return background.produced() >= at_start + 2000; }, 60s);

  ASSERT_EQ(background.stop(), "");
  ASSERT_TRUE(producer.flush(180s)) << "records still unacknowledged after the restart";
  // Ready again once the partitions are back.
  EXPECT_TRUE(wait_until([&] { return observability::kafka_ready(stats); }, 120s));

  std::set<std::uint64_t> acknowledged;
  for (const Delivery& d : producer.deliveries()) {
    ASSERT_TRUE(d.ok) << "seq " << d.tag << ": " << d.error;
    acknowledged.insert(d.tag);
  }
  ASSERT_EQ(acknowledged.size(), background.produced());

  const bool all = wait_until([&] { return processor.distinct() >= acknowledged.size(); }, 300s);
  EXPECT_EQ(consumer.stop(), "");
  const std::set<std::uint64_t> seen = processor.seqs();
  std::vector<std::uint64_t> missing;
  for (const std::uint64_t seq : acknowledged) {
    if (!seen.contains(seq)) missing.push_back(seq);
  }
  EXPECT_TRUE(all && missing.empty())
      << missing.size() << " of " << acknowledged.size() << " records never processed"
      << (missing.empty() ? "" : ", the first " + std::to_string(missing.front()));
  // At least once: a record may have been processed twice around the restart, never lost.
  EXPECT_GE(stats.pipeline.device_data_messages.load(), acknowledged.size());
  RecordProperty("records", static_cast<int>(acknowledged.size()));
  RecordProperty("processed_twice", static_cast<int>(stats.pipeline.device_data_messages.load() -
                                                     acknowledged.size()));
}

}  // namespace
}  // namespace iiot::kafka_test
