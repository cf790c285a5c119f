#include "kafka_fixture.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <memory>
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

void delete_records_before(const std::string& topic, int partition, std::int64_t offset) {
  std::array<char, 512> errstr{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers().c_str(), errstr.data(),
                    errstr.size());
  const std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> admin(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr.data(), errstr.size()), &rd_kafka_destroy);
  if (!admin) throw std::runtime_error(std::string("admin client: ") + errstr.data());
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = offset;
  rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(offsets);
  rd_kafka_topic_partition_list_destroy(offsets);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin.get());
  rd_kafka_DeleteRecords(admin.get(), &request, 1, nullptr, queue);
  rd_kafka_DeleteRecords_destroy(request);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  std::string error;
  if (event == nullptr) {
    error = "no answer within 30 s";
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = rd_kafka_event_error_string(event);
  } else {
    const rd_kafka_topic_partition_list_t* done =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event));
    if (done != nullptr && done->cnt > 0 && done->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = rd_kafka_err2str(done->elems[0].err);
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  if (!error.empty()) throw std::runtime_error("DeleteRecords on " + topic + ": " + error);
}

}  // namespace iiot::e2e
