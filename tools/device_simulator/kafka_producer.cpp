#include "kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <iostream>

namespace iiot::simulator {
namespace {

using Clock = std::chrono::steady_clock;

// Defaults tuned for measuring end-to-end latency; any of them can be overridden by --property.
constexpr std::array<std::pair<const char*, const char*>, 5> kDefaults{{
    {"client.id", "iiot-device-simulator"},
    // A record waits at most 1 ms for batch-mates (librdkafka's default is 5 ms); under load
    // batches still fill while earlier requests are in flight, so throughput does not suffer.
    {"linger.ms", "1"},
    // acks=all with idempotence: a record counts as delivered only once all in-sync replicas
    // have it, and a retried send can neither duplicate nor reorder records, so tests counting
    // records by "seq" see each one exactly once. Against a single local broker acks=all costs
    // no more than acks=1.
    {"acks", "all"},
    {"enable.idempotence", "true"},
    // Give up on a record after 30 s instead of 5 min, so a run against a dead broker ends.
    {"message.timeout.ms", "30000"},
}};

constexpr auto kRepeatedErrorQuiet = std::chrono::seconds(10);

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  std::array<char, 512> error{};
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error.data(), error.size()) !=
      RD_KAFKA_CONF_OK) {
    throw ProducerError("Kafka property " + key + "=" + value + ": " + error.data() +
                        " (see librdkafka's CONFIGURATION.md for producer properties)");
  }
}

}  // namespace

void KafkaProducer::ClientDeleter::operator()(rd_kafka_s* client) const {
  rd_kafka_destroy(client);
}

KafkaProducer::KafkaProducer(const ProducerSettings& settings) {
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", settings.brokers);
  for (const auto& [key, value] : kDefaults) set(conf.get(), key, value);
  for (const auto& [key, value] : settings.properties) set(conf.get(), key, value);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaProducer::on_error);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaProducer::on_log);

  std::array<char, 512> error{};
  // On success rd_kafka_new takes ownership of the configuration.
  client_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
  if (!client_) {
    throw ProducerError(std::string("cannot create the Kafka producer: ") + error.data() +
                        " (check --brokers and --property values)");
  }
  static_cast<void>(conf.release());
}

KafkaProducer::~KafkaProducer() {
  if (!client_) return;
  if (rd_kafka_outq_len(client_.get()) > 0) {
    rd_kafka_purge(client_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(client_.get(), 0);
  }
  // Destroy while the members the callbacks touch still exist.
  client_.reset();
}

EnqueueResult KafkaProducer::produce(const std::string& topic, std::string_view key,
                                     std::string_view value) {
  std::array<rd_kafka_vu_t, 5> args{};
  args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  args[0].u.cstr = topic.c_str();
  args[1].vtype = RD_KAFKA_VTYPE_KEY;
  args[1].u.mem.ptr = const_cast<char*>(key.data());  // copied (RD_KAFKA_MSG_F_COPY)
  args[1].u.mem.size = key.size();
  args[2].vtype = RD_KAFKA_VTYPE_VALUE;
  args[2].u.mem.ptr = const_cast<char*>(value.data());
  args[2].u.mem.size = value.size();
  args[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[3].u.i = RD_KAFKA_MSG_F_COPY;
  // The enqueue time rides along as the message opaque, for the ack latency.
  args[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[4].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(now_micros()));

  rd_kafka_error_t* error = rd_kafka_produceva(client_.get(), args.data(), args.size());
  if (error == nullptr) return EnqueueResult::kQueued;
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  const std::string reason = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) return EnqueueResult::kQueueFull;
  record_failure("produce to " + topic + ": " + reason);
  return EnqueueResult::kRejected;
}

void KafkaProducer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(client_.get(), static_cast<int>(timeout.count()));
}

void KafkaProducer::flush(const std::function<bool()>& abandon) {
  while (rd_kafka_outq_len(client_.get()) > 0) {
    if (abandon()) {
      // Purged records get a delivery report with a purge error, so they count as failed.
      rd_kafka_purge(client_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush(client_.get(), 1000);
      return;
    }
    rd_kafka_flush(client_.get(), 100);
  }
}

std::size_t KafkaProducer::in_flight() const {
  return static_cast<std::size_t>(rd_kafka_outq_len(client_.get()));
}

void KafkaProducer::on_delivery(rd_kafka_s* /*client*/, const rd_kafka_message_s* message,
                                void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->record_failure(rd_kafka_err2str(message->err));
    return;
  }
  ++self->counts_.delivered;
  const auto sent = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(message->_private));
  const std::chrono::microseconds latency(now_micros() - sent);
  self->counts_.ack_latency_total += latency;
  if (latency > self->counts_.ack_latency_max) self->counts_.ack_latency_max = latency;
}

void KafkaProducer::on_error(rd_kafka_s* client, int error, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (error == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> text{};
    const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(client, text.data(), text.size());
    self->fatal_ = true;
    self->log_error(std::string("fatal Kafka error ") + rd_kafka_err2name(cause) + ": " +
                    text.data());
    return;
  }
  self->log_error(std::string("Kafka: ") +
                  rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error)) + ": " + reason);
}

void KafkaProducer::on_log(const rd_kafka_s* /*client*/, int /*level*/, const char* facility,
                           const char* message) {
  // Connection failures also arrive through on_error, which suppresses repeats; everything else
  // (warnings, and debug output asked for with --property debug=...) is passed on. This runs on
  // librdkafka's threads, so it only writes one line at once.
  if (std::string_view(facility) == "FAIL") return;
  std::cerr << (std::string("device_simulator: librdkafka ") + facility + ": " + message + "\n");
}

void KafkaProducer::record_failure(std::string_view reason) {
  ++counts_.failed;
  if (counts_.first_error.empty()) counts_.first_error = reason;
}

void KafkaProducer::log_error(const std::string& text) {
  // librdkafka repeats "brokers are down" on every reconnect attempt; say it once per while.
  const auto now = Clock::now();
  if (text == last_logged_ && now - last_logged_at_ < kRepeatedErrorQuiet) return;
  last_logged_ = text;
  last_logged_at_ = now;
  std::cerr << "device_simulator: " << text << '\n';
}

}  // namespace iiot::simulator
