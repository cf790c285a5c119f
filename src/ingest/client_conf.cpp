#include "ingest/client_conf.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "ingest/kafka_error.h"

namespace iiot::ingest {
namespace {

std::string join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// librdkafka logs with syslog levels, possibly from its own threads (spdlog's loggers are
// thread-safe). Its LOG_ERR lines are mostly connection failures that it heals by itself (a
// broker restarting), so they are warnings here; the error callbacks report what needs action.
void log_to_spdlog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const auto spd_level = level <= 2   ? spdlog::level::err
                         : level <= 4 ? spdlog::level::warn
                         : level <= 6 ? spdlog::level::info
                                      : spdlog::level::debug;
  spdlog::log(spd_level, "librdkafka {} {}: {}", rd_kafka_name(rk), facility, message);
}

void set_common(rd_kafka_conf_t* conf, const config::KafkaConfig& config) {
  // spdlog makes its default logger on first use; that first use is here, on the thread creating
  // the client, not inside the callback on one of librdkafka's threads, whose lazy initialization
  // no sanitizer can follow through the uninstrumented libspdlog.
  spdlog::default_logger_raw();
  rd_kafka_conf_set_log_cb(conf, log_to_spdlog);
  set_property(conf, "bootstrap.servers", join(config.brokers, ','), "kafka.brokers");
  // A broker restart must be noticed and healed quickly: the default backoff grows to 10 s.
  set_property(conf, "reconnect.backoff.ms", "50", "reconnect.backoff.ms");
  set_property(conf, "reconnect.backoff.max.ms", "1000", "reconnect.backoff.max.ms");
  // Small requests must not wait for Nagle's delayed-ACK dance (up to 40 ms per round trip).
  set_property(conf, "socket.nagle.disable", "true", "socket.nagle.disable");
  // Brokers close idle connections by design; that is not worth an error line.
  set_property(conf, "log.connection.close", "false", "log.connection.close");
}

void apply_user_properties(rd_kafka_conf_t* conf, const config::KafkaConfig& config) {
  for (const auto& [name, value] : config.properties) {
    set_property(conf, name, value, "kafka.properties." + name);
  }
}

}  // namespace

void set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                  std::string_view origin) {
  std::array<char, 512> errstr{};
  const rd_kafka_conf_res_t res =
      rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr.data(), errstr.size());
  if (res == RD_KAFKA_CONF_OK) return;
  const char* fix = res == RD_KAFKA_CONF_UNKNOWN
                        ? "remove it or use a librdkafka property name (see librdkafka's "
                          "CONFIGURATION.md)"
                        : "correct the value";
  throw KafkaError("kafka error: " + std::string(origin) + ": " + errstr.data() + " (" + fix + ")");
}

ConfHandle make_consumer_conf(const config::KafkaConfig& config) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_t* c = conf.get();
  set_common(c, config);
  set_property(c, "group.id", config.group_id, "kafka.group_id");
  set_property(c, "client.id", config.client_id, "kafka.client_id");
  set_property(c, "auto.offset.reset",
               config.auto_offset_reset == config::OffsetReset::kEarliest ? "earliest" : "latest",
               "kafka.auto_offset_reset");
  // Incremental rebalancing: a member joining or leaving moves only the partitions that must
  // move, so the others keep streaming to WebSocket clients during a rebalance.
  set_property(c, "partition.assignment.strategy", "cooperative-sticky",
               "partition.assignment.strategy");
  // At least once: an offset is stored only once its record is done (processed, or its dead
  // letter acknowledged), and only up to the highest contiguous done offset (OffsetTracker).
  set_property(c, "enable.auto.offset.store", "false", "enable.auto.offset.store");
  // Stored offsets are committed by librdkafka's background timer rather than by us: a commit
  // never blocks the poll loop, and a crash re-delivers at most about one interval of records.
  // On revocation and on close we commit synchronously ourselves.
  set_property(c, "enable.auto.commit", "true", "enable.auto.commit");
  set_property(c, "auto.commit.interval.ms", "1000", "auto.commit.interval.ms");
  // Latency over batching: the broker answers a fetch as soon as one byte is there, waiting at
  // most 5 ms (the default 500 ms would add up to half a second to an idle-to-busy record).
  set_property(c, "fetch.wait.max.ms", "5", "fetch.wait.max.ms");
  set_property(c, "fetch.min.bytes", "1", "fetch.min.bytes");
  // Prefetch threshold per partition, kept at librdkafka's default on purpose: before 2.4
  // (fetch.queue.backoff.ms) a partition whose prefetch queue is over it stops fetching for a
  // hard 1000 ms (librdkafka issue #2879), so a "moderate" 10,000 capped a single consumer at
  // ~25,000 records/s (measured, 262-byte records, 4 partitions) against ~160,000 with 100,000.
  // Memory stays bounded by queued.max.messages.kbytes (65536 by default).
  set_property(c, "queued.min.messages", "100000", "queued.min.messages");
  // Lag, assignment and broker state for /stats and /ready, once a second.
  set_property(c, "statistics.interval.ms", "1000", "statistics.interval.ms");
  apply_user_properties(c, config);
  return conf;
}

ConfHandle make_history_consumer_conf(const config::KafkaConfig& config) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_t* c = conf.get();
  set_common(c, config);
  // librdkafka wants a group id for a consumer; with assign() and no commits it never joins.
  set_property(c, "group.id", config.group_id + ".replay", "kafka.group_id");
  set_property(c, "client.id", config.client_id + "-replay", "kafka.client_id");
  set_property(c, "enable.auto.commit", "false", "enable.auto.commit");
  set_property(c, "enable.auto.offset.store", "false", "enable.auto.offset.store");
  set_property(c, "enable.partition.eof", "true", "enable.partition.eof");
  // A start offset deleted by retention between planning and reading: start at the earliest.
  set_property(c, "auto.offset.reset", "earliest", "auto.offset.reset");
  set_property(c, "fetch.wait.max.ms", "10", "fetch.wait.max.ms");
  apply_user_properties(c, config);
  return conf;
}

std::int64_t dead_letter_max_message_bytes(std::int64_t max_payload_bytes) {
  constexpr std::int64_t kDefault = 1'000'000;                 // librdkafka's default
  constexpr std::int64_t kMaximum = 1'000'000'000;             // librdkafka's maximum
  constexpr std::int64_t kHeadroom = std::int64_t{64} * 1024;  // key, headers, record overhead
  if (max_payload_bytes >= (kMaximum - kHeadroom) / 16) return kMaximum;
  return std::clamp(max_payload_bytes * 16 + kHeadroom, kDefault, kMaximum);
}

ConfHandle make_dead_letter_producer_conf(const config::KafkaConfig& config,
                                          std::int64_t max_payload_bytes) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_t* c = conf.get();
  set_common(c, config);
  // The default (1,000,000) is below processor.max_payload_bytes' default (1 MiB): a rejected
  // record near that size was refused locally, retried forever, and froze its partition.
  set_property(c, "message.max.bytes",
               std::to_string(dead_letter_max_message_bytes(max_payload_bytes)),
               "message.max.bytes");
  set_property(c, "client.id", config.client_id + "-dead-letter", "kafka.client_id");
  // Idempotence gives acks=all, per-partition order and no duplicates from librdkafka's own
  // retries, so a dead letter is acknowledged once it is durable.
  set_property(c, "enable.idempotence", "true", "enable.idempotence");
  // A write not acknowledged within this time is reported failed and we produce it again
  // (counted in dead_letter_retries); the source offset waits either way.
  set_property(c, "message.timeout.ms", "30000", "message.timeout.ms");
  // Dead letters are rare: send each at once rather than lingering for a batch.
  set_property(c, "linger.ms", "0", "linger.ms");
  // Security and connection settings in kafka.properties concern both clients. Consumer-only
  // properties are ignored by librdkafka here, with a warning.
  apply_user_properties(c, config);
  return conf;
}

KafkaHandle make_client(rd_kafka_type_t type, ConfHandle conf, std::string_view role) {
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) {
    throw KafkaError("kafka error: cannot create the " + std::string(role) + ": " + errstr.data() +
                     " (check kafka.brokers and kafka.properties)");
  }
  (void)conf.release();  // rd_kafka_new() took ownership
  return KafkaHandle(rk);
}

}  // namespace iiot::ingest
