#include "kafka_fixture.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace iiot::e2e {
namespace {

using Clock = std::chrono::steady_clock;

struct Deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
template <typename T>
using Ptr = std::unique_ptr<T, Deleter>;

const char* const kStartBroker =
    " (is the broker running? start it with scripts/kafka.sh start, or point IIOT_TEST_BROKERS "
    "at one)";

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  std::array<char, 512> errstr{};
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr.data(), errstr.size()) !=
      RD_KAFKA_CONF_OK) {
    throw std::runtime_error(std::string("e2e kafka config ") + name + ": " + errstr.data());
  }
}

void quiet_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (level <= 3) std::fprintf(stderr, "%s %s: %s\n", rd_kafka_name(rk), facility, message);
}

Ptr<rd_kafka_conf_t> base_conf() {
  Ptr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", test_brokers());
  set(conf.get(), "log.connection.close", "false");
  rd_kafka_conf_set_log_cb(conf.get(), quiet_log);
  return conf;
}

Ptr<rd_kafka_t> make_producer(Ptr<rd_kafka_conf_t> conf) {
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) throw std::runtime_error(std::string("e2e kafka client: ") + errstr.data());
  (void)conf.release();  // owned by rk now
  return Ptr<rd_kafka_t>(rk);
}

// Partitions of topic that have a leader, or -1 while the topic is unknown.
int partitions_with_leader(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &raw, 5000);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  const Ptr<const rd_kafka_metadata_t> metadata(raw);
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  int ready = 0;
  for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
    const auto& p = metadata->topics[0].partitions[i];
    if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.leader >= 0) ++ready;
  }
  return ready;
}

// Runs one admin request and returns its result event (nullptr on timeout).
Ptr<rd_kafka_event_t> await_admin(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout) {
  return Ptr<rd_kafka_event_t>(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count())));
}

// Fails fast, and from then on at once, when no broker answers: every test needs one.
void require_broker(rd_kafka_t* rk) {
  static std::atomic<bool> unreachable{false};
  if (!unreachable.load()) {
    const rd_kafka_metadata_t* raw = nullptr;
    if (rd_kafka_metadata(rk, 0, nullptr, &raw, 15000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(raw);
      return;
    }
    unreachable.store(true);
  }
  throw std::runtime_error("no Kafka broker answers at " + test_brokers() + kStartBroker);
}

void create_topics(const std::vector<std::string>& names, int partitions) {
  Ptr<rd_kafka_t> rk = make_producer(base_conf());
  require_broker(rk.get());
  std::vector<rd_kafka_NewTopic_t*> topics;
  std::array<char, 512> errstr{};
  for (const std::string& name : names) {
    topics.push_back(
        rd_kafka_NewTopic_new(name.c_str(), partitions, 1, errstr.data(), errstr.size()));
    if (topics.back() == nullptr)
      throw std::runtime_error("NewTopic: " + std::string(errstr.data()));
  }
  Ptr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk.get()));
  Ptr<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), 30000, errstr.data(), errstr.size());
  rd_kafka_AdminOptions_set_request_timeout(options.get(), 30000, errstr.data(), errstr.size());
  rd_kafka_CreateTopics(rk.get(), topics.data(), topics.size(), options.get(), queue.get());
  for (auto* t : topics) rd_kafka_NewTopic_destroy(t);

  Ptr<rd_kafka_event_t> event = await_admin(queue.get(), std::chrono::seconds(45));
  if (!event) throw std::runtime_error(std::string("CreateTopics timed out") + kStartBroker);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("CreateTopics: ") +
                             rd_kafka_event_error_string(event.get()) + kStartBroker);
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      throw std::runtime_error(std::string("create topic ") +
                               rd_kafka_topic_result_name(results[i]) + ": " +
                               rd_kafka_err2str(err));
    }
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (const std::string& name : names) {
    while (partitions_with_leader(rk.get(), name) < partitions) {
      if (Clock::now() > deadline) throw std::runtime_error("topic " + name + " has no leaders");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

void delete_topics(const std::vector<std::string>& names) noexcept {
  try {
    Ptr<rd_kafka_t> rk = make_producer(base_conf());
    std::vector<rd_kafka_DeleteTopic_t*> topics;
    for (const std::string& name : names) topics.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
    Ptr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk.get()));
    rd_kafka_DeleteTopics(rk.get(), topics.data(), topics.size(), nullptr, queue.get());
    for (auto* t : topics) rd_kafka_DeleteTopic_destroy(t);
    (void)await_admin(queue.get(), std::chrono::seconds(10));
  } catch (const std::exception&) {
    // Best effort: a leftover uniquely named topic harms no other test.
  }
}

}  // namespace

std::string test_brokers() {
  const char* env = std::getenv("IIOT_TEST_BROKERS");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:9092";
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

TestTopics::TestTopics(int partitions)
    : device_data(unique_name("e2e.device-data")),
      alerts(unique_name("e2e.alerts")),
      dead_letter(unique_name("e2e.dead-letter")) {
  create_topics({device_data, alerts, dead_letter}, partitions);
}

TestTopics::~TestTopics() {
  delete_topics({device_data, alerts, dead_letter});
}

struct RecordProducer::Impl {
  Ptr<rd_kafka_t> rk;
  std::mutex mutex;
  std::string first_error;  // guarded by mutex

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<Impl*>(opaque);
    std::lock_guard lock(self->mutex);
    if (self->first_error.empty()) self->first_error = rd_kafka_err2str(message->err);
  }
};

RecordProducer::RecordProducer() : impl_(std::make_unique<Impl>()) {
  Ptr<rd_kafka_conf_t> conf = base_conf();
  set(conf.get(), "enable.idempotence", "true");
  set(conf.get(), "linger.ms", "5");
  set(conf.get(), "queue.buffering.max.messages", "200000");
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  impl_->rk = make_producer(std::move(conf));
}

RecordProducer::~RecordProducer() {
  if (impl_->rk) rd_kafka_flush(impl_->rk.get(), 10000);
}

void RecordProducer::produce(const std::string& topic, std::string_view key,
                             std::string_view value) {
  for (int attempt = 0;; ++attempt) {
    std::array<rd_kafka_vu_t, 4> fields{};
    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    fields[0].u.cstr = topic.c_str();
    fields[1].vtype = RD_KAFKA_VTYPE_KEY;
    fields[1].u.mem = {const_cast<char*>(key.data()), key.size()};
    fields[2].vtype = RD_KAFKA_VTYPE_VALUE;
    fields[2].u.mem = {const_cast<char*>(value.data()), value.size()};
    fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    fields[3].u.i = RD_KAFKA_MSG_F_COPY;
    rd_kafka_error_t* error = rd_kafka_produceva(impl_->rk.get(), fields.data(), fields.size());
    const rd_kafka_resp_err_t err =
        error == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_error_code(error);
    if (error != nullptr) rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt > 1000) {
      throw std::runtime_error("produce to " + topic + ": " + rd_kafka_err2str(err));
    }
    rd_kafka_poll(impl_->rk.get(), 10);
  }
  rd_kafka_poll(impl_->rk.get(), 0);
}

void RecordProducer::flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err =
      rd_kafka_flush(impl_->rk.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("flush: ") + rd_kafka_err2str(err) + kStartBroker);
  }
  std::lock_guard lock(impl_->mutex);
  if (!impl_->first_error.empty()) {
    throw std::runtime_error("a record was not delivered: " + impl_->first_error);
  }
}

}  // namespace iiot::e2e
