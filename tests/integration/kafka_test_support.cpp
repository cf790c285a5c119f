#include "kafka_test_support.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace iiot::kafka_test {
namespace {

using Clock = std::chrono::steady_clock;

struct Deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
  void operator()(rd_kafka_DeleteTopic_t* topic) const { rd_kafka_DeleteTopic_destroy(topic); }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};
template <typename T>
using Ptr = std::unique_ptr<T, Deleter>;

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  std::array<char, 512> errstr{};
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr.data(), errstr.size()) !=
      RD_KAFKA_CONF_OK) {
    throw std::runtime_error(std::string("test client config ") + name + ": " + errstr.data());
  }
}

// Test clients log only what matters, through stderr.
void quiet_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (level <= 3) std::fprintf(stderr, "%s %s: %s\n", rd_kafka_name(rk), facility, message);
}

Ptr<rd_kafka_conf_t> base_conf() {
  Ptr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", test_brokers());
  set(conf.get(), "reconnect.backoff.max.ms", "1000");
  set(conf.get(), "log.connection.close", "false");
  rd_kafka_conf_set_log_cb(conf.get(), quiet_log);
  return conf;
}

Ptr<rd_kafka_t> make_client(rd_kafka_type_t type, Ptr<rd_kafka_conf_t> conf) {
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) throw std::runtime_error(std::string("test client: ") + errstr.data());
  (void)conf.release();
  return Ptr<rd_kafka_t>(rk);
}

Ptr<rd_kafka_t> admin_client() {
  return make_client(RD_KAFKA_PRODUCER, base_conf());
}

// Number of partitions of topic with a leader, or -1 if the topic is unknown or erroneous.
int ready_partitions(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &raw, 5000);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  const Ptr<const rd_kafka_metadata_t> metadata(raw);
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  int ready = 0;
  for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
    if (metadata->topics[0].partitions[i].leader >= 0 &&
        metadata->topics[0].partitions[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++ready;
    }
  }
  return ready;
}

std::optional<std::string> bytes(const void* data, size_t size) {
  if (data == nullptr) return std::nullopt;
  return std::string(static_cast<const char*>(data), size);
}

}  // namespace

std::string test_brokers() {
  const char* env = std::getenv("IIOT_TEST_BROKERS");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:9092";
}

::testing::AssertionResult broker_reachable(std::chrono::milliseconds timeout) {
  try {
    Ptr<rd_kafka_t> rk = admin_client();
    const rd_kafka_metadata_t* raw = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(rk.get(), 0, nullptr, &raw, static_cast<int>(timeout.count()));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(raw);
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "no Kafka broker answers at " << test_brokers() << " (" << rd_kafka_err2str(err)
           << "): run `scripts/kafka.sh start` (or set IIOT_TEST_BROKERS)";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << e.what();
  }
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
         std::to_string(counter.fetch_add(1));
}

void create_topic(const std::string& name, int partitions) {
  create_topic(name, partitions, 1, {});
}

void create_topic(const std::string& name, int partitions,
                  const std::map<std::string, std::string>& configs) {
  create_topic(name, partitions, 1, configs);
}

void create_topic(const std::string& name, int partitions, int replication_factor,
                  const std::map<std::string, std::string>& configs) {
  Ptr<rd_kafka_t> rk = admin_client();
  std::array<char, 512> errstr{};
  Ptr<rd_kafka_NewTopic_t> topic(rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor,
                                                       errstr.data(), errstr.size()));
  if (!topic) throw std::runtime_error("create_topic " + name + ": " + errstr.data());
  for (const auto& [key, value] : configs) {
    if (rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("create_topic " + name + ": bad config " + key);
    }
  }
  Ptr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk.get()));
  std::array<rd_kafka_NewTopic_t*, 1> topics{topic.get()};
  rd_kafka_CreateTopics(rk.get(), topics.data(), topics.size(), nullptr, queue.get());
  const Ptr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), 30000));
  if (!event) throw std::runtime_error("create_topic " + name + ": no answer within 30 s");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("create_topic " + name + ": " +
                             rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("create_topic " + name + ": " +
                               rd_kafka_topic_result_error_string(results[i]));
    }
  }
  // The controller answers before every broker's metadata has the topic.
  if (!wait_until([&] { return ready_partitions(rk.get(), name) == partitions; }, 30s, 100ms)) {
    throw std::runtime_error("create_topic " + name + ": partitions without leaders after 30 s");
  }
}

PartitionMetadata partition_metadata(const std::string& topic, std::int32_t partition) {
  Ptr<rd_kafka_t> rk = admin_client();
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, rkt, &raw, 10000);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("partition_metadata " + topic + ": " + rd_kafka_err2str(err));
  }
  const Ptr<const rd_kafka_metadata_t> metadata(raw);
  PartitionMetadata out;
  if (metadata->topic_cnt != 1) return out;
  const rd_kafka_metadata_topic_t& t = metadata->topics[0];
  for (int i = 0; i < t.partition_cnt; ++i) {
    const rd_kafka_metadata_partition_t& p = t.partitions[i];
    if (p.id != partition) continue;
    out.leader = p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? p.leader : -1;
    out.replicas.assign(p.replicas, p.replicas + p.replica_cnt);
    out.in_sync.assign(p.isrs, p.isrs + p.isr_cnt);
  }
  return out;
}

void delete_topics(const std::vector<std::string>& names) {
  if (names.empty()) return;
  try {
    Ptr<rd_kafka_t> rk = admin_client();
    std::vector<Ptr<rd_kafka_DeleteTopic_t>> owned;
    std::vector<rd_kafka_DeleteTopic_t*> topics;
    for (const std::string& name : names) {
      owned.emplace_back(rd_kafka_DeleteTopic_new(name.c_str()));
      topics.push_back(owned.back().get());
    }
    Ptr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk.get()));
    rd_kafka_DeleteTopics(rk.get(), topics.data(), topics.size(), nullptr, queue.get());
    const Ptr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), 15000));
  } catch (const std::exception&) {  // cleanup only: a leftover topic is harmless
  }
}

config::KafkaConfig consumer_config(const std::string& group_id, const std::string& device_data,
                                    const std::string& alerts, const std::string& dead_letter) {
  config::KafkaConfig config;
  config.brokers = {test_brokers()};
  config.group_id = group_id;
  config.client_id = "iiot-integration-test";
  config.topics.device_data = device_data;
  config.topics.alerts = alerts;
  config.topics.dead_letter = dead_letter;
  config.auto_offset_reset = config::OffsetReset::kEarliest;
  return config;
}

struct TestProducer::Impl {
  Ptr<rd_kafka_t> rk;
  mutable std::mutex mutex;
  std::vector<Delivery> deliveries;
  std::size_t acknowledged = 0;

  static void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
    auto& self = *static_cast<Impl*>(opaque);
    Delivery d;
    d.tag = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message->_private));
    d.topic = rd_kafka_topic_name(message->rkt);
    d.partition = message->partition;
    d.offset = message->offset;
    d.ok = message->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!d.ok) d.error = rd_kafka_err2str(message->err);
    const std::lock_guard lock(self.mutex);
    if (d.ok) ++self.acknowledged;
    self.deliveries.push_back(std::move(d));
  }
};

TestProducer::TestProducer() : impl_(std::make_unique<Impl>()) {
  Ptr<rd_kafka_conf_t> conf = base_conf();
  set(conf.get(), "enable.idempotence", "true");
  set(conf.get(), "acks", "all");
  set(conf.get(), "message.timeout.ms", "0");  // wait for the broker however long it is away
  set(conf.get(), "linger.ms", "5");
  set(conf.get(), "message.max.bytes", std::to_string(16 * 1024 * 1024));
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
  impl_->rk = make_client(RD_KAFKA_PRODUCER, std::move(conf));
}

TestProducer::~TestProducer() {
  rd_kafka_flush(impl_->rk.get(), 10000);
}

void TestProducer::produce(const std::string& topic, const std::optional<std::string>& key,
                           const std::optional<std::string>& value, std::uint64_t tag,
                           std::int32_t partition) {
  std::array<rd_kafka_vu_t, 6> args{};
  args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  args[0].u.cstr = topic.c_str();
  args[1].vtype = RD_KAFKA_VTYPE_KEY;
  args[1].u.mem.ptr = key ? const_cast<char*>(key->data()) : nullptr;
  args[1].u.mem.size = key ? key->size() : 0;
  args[2].vtype = RD_KAFKA_VTYPE_VALUE;
  args[2].u.mem.ptr = value ? const_cast<char*>(value->data()) : nullptr;
  args[2].u.mem.size = value ? value->size() : 0;
  args[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[3].u.i = RD_KAFKA_MSG_F_COPY;
  args[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[4].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag));
  args[5].vtype = RD_KAFKA_VTYPE_PARTITION;
  args[5].u.i32 = partition < 0 ? RD_KAFKA_PARTITION_UA : partition;
  for (;;) {
    rd_kafka_error_t* error = rd_kafka_produceva(impl_->rk.get(), args.data(), args.size());
    if (error == nullptr) return;
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    const std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw std::runtime_error("produce: " + text);
    rd_kafka_poll(impl_->rk.get(), 10);  // local queue full: let deliveries drain it
  }
}

void TestProducer::poll() {
  rd_kafka_poll(impl_->rk.get(), 0);
}

bool TestProducer::flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(impl_->rk.get(), static_cast<int>(timeout.count())) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

std::vector<Delivery> TestProducer::deliveries() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->deliveries;
}

std::size_t TestProducer::acknowledged() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->acknowledged;
}

std::vector<ConsumedRecord> read_topic(const std::string& topic,
                                       std::chrono::milliseconds timeout) {
  Ptr<rd_kafka_conf_t> conf = base_conf();
  set(conf.get(), "group.id", unique_name("iiot-it-reader"));
  set(conf.get(), "enable.auto.commit", "false");
  Ptr<rd_kafka_t> rk = make_client(RD_KAFKA_CONSUMER, std::move(conf));

  const int partitions = ready_partitions(rk.get(), topic);
  if (partitions <= 0) throw std::runtime_error("read_topic " + topic + ": unknown topic");
  std::map<std::int32_t, std::int64_t> end;  // partition -> high watermark (next offset)
  Ptr<rd_kafka_topic_partition_list_t> assignment(rd_kafka_topic_partition_list_new(partitions));
  for (std::int32_t p = 0; p < partitions; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("read_topic " + topic + ": watermarks: " + rd_kafka_err2str(err));
    }
    if (high > low) end[p] = high;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk.get(), assignment.get());

  std::vector<ConsumedRecord> records;
  const auto deadline = Clock::now() + timeout;
  while (!end.empty()) {
    if (Clock::now() > deadline) {
      throw std::runtime_error("read_topic " + topic + ": not at the end after the timeout");
    }
    const Ptr<rd_kafka_message_t> message(rd_kafka_consumer_poll(rk.get(), 100));
    if (!message || message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    ConsumedRecord record;
    record.topic = topic;
    record.partition = message->partition;
    record.offset = message->offset;
    record.key = bytes(message->key, message->key_len);
    record.value = bytes(message->payload, message->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        record.headers[name] = bytes(value, size).value_or("");
      }
    }
    const auto it = end.find(record.partition);
    if (it != end.end() && record.offset + 1 >= it->second) end.erase(it);
    records.push_back(std::move(record));
  }
  rd_kafka_consumer_close(rk.get());
  return records;
}

std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& group,
                                                       const std::string& topic, int partitions) {
  Ptr<rd_kafka_conf_t> conf = base_conf();
  set(conf.get(), "group.id", group);
  set(conf.get(), "enable.auto.commit", "false");
  Ptr<rd_kafka_t> rk = make_client(RD_KAFKA_CONSUMER, std::move(conf));
  Ptr<rd_kafka_topic_partition_list_t> list(rd_kafka_topic_partition_list_new(partitions));
  for (std::int32_t p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  }
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk.get(), list.get(), 15000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("committed_offsets " + group + ": " + rd_kafka_err2str(err));
  }
  std::map<std::int32_t, std::int64_t> out;
  for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  // No consumer_close(): this handle never joined the group.
  return out;
}

std::string device_data_record(const std::string& device_id, std::uint64_t seq) {
  return R"({"device_id":")" + device_id +
         R"(","device_type":"sensor","location":"Building-A","status":"online",)"
         R"("timestamp":"2024-08-01T20:50:09.123+08:00","sensors":{"temperature":{"value":25.5,)"
         R"("unit":"°C"},"humidity":{"value":60.0,"unit":"%"},"pressure":{"value":1013.2}},)"
         R"("seq":)" +
         std::to_string(seq) + "}";
}

std::string alert_record(const std::string& device_id, std::uint64_t seq) {
  return R"({"alert_id":"alert-)" + std::to_string(seq) + R"(","device_id":")" + device_id +
         R"(","severity":"warning","title":"Temperature High",)"
         R"("description":"Temperature exceeds threshold",)"
         R"("timestamp":"2024-08-01T20:50:09Z","seq":)" +
         std::to_string(seq) + "}";
}

std::optional<std::uint64_t> seq_of(std::string_view record) {
  constexpr std::string_view kField = "\"seq\":";
  const auto pos = record.rfind(kField);
  if (pos == std::string_view::npos) return std::nullopt;
  const char* begin = record.data() + pos + kField.size();
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(begin, record.data() + record.size(), seq);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return seq;
}

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  const auto deadline = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() >= deadline) return predicate();
    std::this_thread::sleep_for(step);
  }
  return true;
}

BackgroundProducer::BackgroundProducer(TestProducer& producer, std::string topic, int devices,
                                       int batch, std::uint64_t limit, RecordMaker make_record)
    : thread_([this, &producer, topic = std::move(topic), devices, batch, limit,
               make_record = std::move(make_record)] {
        try {
          std::uint64_t seq = 0;
          while (seq < limit && producing_.load()) {
            for (int i = 0; i < batch; ++i, ++seq) {
              const std::string device =
                  "dev-" + std::to_string(seq % static_cast<std::uint64_t>(devices));
              producer.produce(topic, device, make_record(device, seq), seq);
            }
            produced_.store(seq);
            producer.poll();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        } catch (const std::exception& e) {
          error_ = e.what();
        }
      }) {}

BackgroundProducer::~BackgroundProducer() {
  stop();
}

std::string BackgroundProducer::wait() {
  if (thread_.joinable()) thread_.join();
  return error_;
}

std::string BackgroundProducer::stop() {
  producing_.store(false);
  return wait();
}

}  // namespace iiot::kafka_test
