#include "kafka_fixture.h"

#include <stdexcept>

#include "kafka_test_support.h"

namespace iiot::e2e {

namespace support = iiot::kafka_test;

std::string test_brokers() {
  return support::test_brokers();
}

std::string unique_name(std::string_view prefix) {
  return support::unique_name(prefix);
}

TestTopics::TestTopics(int partitions, int replication_factor)
    : device_data(unique_name("e2e.device-data")),
      alerts(unique_name("e2e.alerts")),
      dead_letter(unique_name("e2e.dead-letter")) {
  if (auto reachable = support::broker_reachable(std::chrono::seconds(10)); !reachable) {
    throw std::runtime_error(reachable.message());
  }
  for (const std::string* topic : {&device_data, &alerts, &dead_letter}) {
    support::create_topic(*topic, partitions, replication_factor);
  }
}

TestTopics::~TestTopics() {
  support::delete_topics({device_data, alerts, dead_letter});
}

struct RecordProducer::Impl {
  support::TestProducer producer;
};

RecordProducer::RecordProducer() : impl_(std::make_unique<Impl>()) {}

RecordProducer::~RecordProducer() {
  impl_->producer.flush(std::chrono::seconds(10));
}

void RecordProducer::produce(const std::string& topic, std::string_view key,
                             std::string_view value) {
  impl_->producer.produce(topic, std::string(key), std::string(value));
  impl_->producer.poll();
}

void RecordProducer::flush(std::chrono::milliseconds timeout) {
  if (!impl_->producer.flush(timeout)) {
    throw std::runtime_error("records not acknowledged within " + std::to_string(timeout.count()) +
                             " ms (is the broker running? scripts/kafka.sh start)");
  }
  for (const support::Delivery& delivery : impl_->producer.deliveries()) {
    if (!delivery.ok) throw std::runtime_error("a record was not delivered: " + delivery.error);
  }
}

}  // namespace iiot::e2e
