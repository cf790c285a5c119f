// The figures the gateway takes from librdkafka's statistics JSON (emitted every
// statistics.interval.ms to the stats callback), and their parser. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observability/gateway_stats.h"

namespace iiot::ingest {

struct KafkaStatistics {
  std::int64_t consumer_lag = 0;         // summed over assigned partitions whose lag is known
  std::int32_t partitions_assigned = 0;  // partitions desired by this consumer
  bool broker_up = false;                // some broker connection is in state "UP"
  // Per subscribed topic, in the document's order: its partitions (all that the consumer's
  // metadata knows), how many of them this consumer holds, and their summed lag.
  std::vector<observability::TopicFigures> topics;
};

// True when some topic has partitions that this consumer does not hold: another member of the
// group holds them.
bool holds_part_of_its_topics(const KafkaStatistics& statistics);

// Parses one statistics document. Partitions with an unknown lag (-1) add nothing to the sum;
// the internal "-1" partition is skipped. Returns the parse error for a malformed document.
struct KafkaStatisticsResult {
  std::optional<KafkaStatistics> statistics;
  std::string error;
};
KafkaStatisticsResult parse_kafka_statistics(std::string_view json);

}  // namespace iiot::ingest
