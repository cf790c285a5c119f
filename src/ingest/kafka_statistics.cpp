#include "ingest/kafka_statistics.h"

#include <boost/json.hpp>

namespace iiot::ingest {
namespace {

namespace json = boost::json;

bool bool_field(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::optional<std::int64_t> int_field(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::string_view string_field(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return v->get_string();
}

bool any_broker_up(const json::object& root) {
  const json::value* brokers = root.if_contains("brokers");
  if (brokers == nullptr || !brokers->is_object()) return false;
  for (const auto& [name, broker] : brokers->get_object()) {
    if (!broker.is_object()) continue;
    const json::object& b = broker.get_object();
    // "internal" is librdkafka's own placeholder broker, never a connection.
    if (string_field(b, "source") == "internal") continue;
    if (string_field(b, "state") == "UP") return true;
  }
  return false;
}

void add_partitions(std::string_view name, const json::object& topic, KafkaStatistics& out) {
  const json::value* partitions = topic.if_contains("partitions");
  if (partitions == nullptr || !partitions->is_object()) return;
  observability::TopicFigures figures;
  figures.topic = std::string(name);
  for (const auto& [id, partition] : partitions->get_object()) {
    if (!partition.is_object()) continue;
    const json::object& p = partition.get_object();
    const auto number = int_field(p, "partition");
    if (!number || *number < 0) continue;  // the unassigned ("UA", -1) partition
    // A partition the client wants but whose topic metadata lacks it ("unknown") is no part
    // of the topic's count.
    if (!bool_field(p, "unknown")) ++figures.partitions;
    if (!bool_field(p, "desired")) continue;
    ++figures.partitions_assigned;
    const auto lag = int_field(p, "consumer_lag");
    if (lag && *lag >= 0) figures.consumer_lag += *lag;
  }
  out.partitions_assigned += figures.partitions_assigned;
  out.consumer_lag += figures.consumer_lag;
  out.topics.push_back(std::move(figures));
}

}  // namespace

KafkaStatisticsResult parse_kafka_statistics(std::string_view text) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec) return {std::nullopt, "statistics JSON: " + ec.message()};
  if (!root.is_object()) return {std::nullopt, "statistics JSON: not an object"};

  KafkaStatistics stats;
  stats.broker_up = any_broker_up(root.get_object());
  if (const json::value* topics = root.get_object().if_contains("topics");
      topics != nullptr && topics->is_object()) {
    for (const auto& [name, topic] : topics->get_object()) {
      if (topic.is_object()) add_partitions(name, topic.get_object(), stats);
    }
  }
  return {stats, {}};
}

bool holds_part_of_its_topics(const KafkaStatistics& statistics) {
  for (const observability::TopicFigures& t : statistics.topics) {
    if (t.partitions > 0 && t.partitions_assigned < t.partitions) return true;
  }
  return false;
}

}  // namespace iiot::ingest
