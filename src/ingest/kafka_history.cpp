#include "ingest/kafka_history.h"

#include <array>
#include <chrono>
#include <map>
#include <stdexcept>

#include "ingest/client_conf.h"
#include "ingest/rdkafka_handle.h"

namespace iiot::ingest {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMetadataTimeoutMs = 5000;
constexpr int kPollTimeoutMs = 100;
// A read that receives nothing at all for this long has lost its brokers: it gives up.
constexpr auto kStallTimeout = std::chrono::seconds(30);

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
using MetadataHandle = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

KafkaHandle make_reader(const config::KafkaConfig& config, std::string& error) {
  try {
    return make_client(RD_KAFKA_CONSUMER, make_history_consumer_conf(config),
                       "Kafka replay reader");
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

}  // namespace

std::optional<processing::HistoryPlan> KafkaHistory::plan(const model::StreamCursor& from,
                                                          std::string& error) {
  const KafkaHandle reader = make_reader(config_, error);
  if (!reader) return std::nullopt;
  processing::HistoryPlan plan;
  for (const std::string& topic : {config_.topics.device_data, config_.topics.alerts}) {
    const TopicHandle handle(rd_kafka_topic_new(reader.get(), topic.c_str(), nullptr));
    const rd_kafka_metadata_t* raw = nullptr;
    if (const rd_kafka_resp_err_t err =
            rd_kafka_metadata(reader.get(), 0, handle.get(), &raw, kMetadataTimeoutMs)) {
      error = "metadata of " + topic + ": " + rd_kafka_err2str(err);
      return std::nullopt;
    }
    const MetadataHandle metadata(raw);
    for (int t = 0; t < metadata->topic_cnt; ++t) {
      const rd_kafka_metadata_topic_t& md = metadata->topics[t];
      if (md.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;  // nothing to replay
      if (md.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = "metadata of " + topic + ": " + rd_kafka_err2str(md.err);
        return std::nullopt;
      }
      for (int p = 0; p < md.partition_cnt; ++p) {
        const std::int32_t partition = md.partitions[p].id;
        std::int64_t low = 0;
        std::int64_t high = 0;
        if (const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
                reader.get(), topic.c_str(), partition, &low, &high, kMetadataTimeoutMs)) {
          error = "watermarks of " + topic + "[" + std::to_string(partition) +
                  "]: " + rd_kafka_err2str(err);
          return std::nullopt;
        }
        model::PartitionKey key{topic, partition};
        const std::optional<std::int64_t> wanted = from.next(key);
        std::int64_t begin = wanted.value_or(low);
        if (begin < low) {
          plan.retention_cut = true;
          begin = low;
        }
        if (begin < high) plan.ranges.push_back({std::move(key), begin, high});
      }
    }
  }
  return plan;
}

bool KafkaHistory::read(const processing::HistoryPlan& plan,
                        const std::function<bool(const processing::HistoryRecord&)>& sink,
                        const std::atomic<bool>& cancel, std::string& error) {
  if (plan.ranges.empty()) return true;
  KafkaHandle reader = make_reader(config_, error);
  if (!reader) return false;
  PartitionListHandle assignment(
      rd_kafka_topic_partition_list_new(static_cast<int>(plan.ranges.size())));
  std::map<model::PartitionKey, std::int64_t> end_of;  // partitions still being read
  for (const processing::HistoryRange& range : plan.ranges) {
    rd_kafka_topic_partition_list_add(assignment.get(), range.partition.topic.c_str(),
                                      range.partition.partition)
        ->offset = range.begin;
    end_of.emplace(range.partition, range.end);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(reader.get(), assignment.get())) {
    error = std::string("assign: ") + rd_kafka_err2str(err);
    return false;
  }
  auto last_progress = Clock::now();
  bool ok = true;
  while (!end_of.empty() && !cancel.load(std::memory_order_relaxed)) {
    const MessageHandle message(rd_kafka_consumer_poll(reader.get(), kPollTimeoutMs));
    if (!message) {
      if (Clock::now() - last_progress > kStallTimeout) {
        error = "no record for " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::seconds>(kStallTimeout).count()) +
                " s (brokers unreachable?)";
        ok = false;
        break;
      }
      continue;
    }
    last_progress = Clock::now();
    if (message->rkt == nullptr) continue;  // a client-level event
    model::PartitionKey key{rd_kafka_topic_name(message->rkt), message->partition};
    const auto it = end_of.find(key);
    if (it == end_of.end()) continue;  // a partition already read to its end
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      end_of.erase(it);  // the high watermark now: the planned end is behind us
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // librdkafka retries by itself
    if (message->offset >= it->second) {
      end_of.erase(it);
      continue;
    }
    const bool last = message->offset + 1 >= it->second;
    processing::HistoryRecord record;
    record.kind = key.topic == config_.topics.alerts ? processing::RecordKind::kAlert
                                                     : processing::RecordKind::kDeviceData;
    record.payload =
        message->payload == nullptr
            ? std::string_view()
            : std::string_view(static_cast<const char*>(message->payload), message->len);
    record.position = model::RecordPosition{key.topic, key.partition, message->offset};
    if (last) end_of.erase(it);
    if (!sink(record)) break;
  }
  rd_kafka_assign(reader.get(), nullptr);
  // Not a group member: there is no group to leave.
  rd_kafka_destroy_flags(reader.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return ok;
}

}  // namespace iiot::ingest
