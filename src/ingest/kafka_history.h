// KafkaHistory: RecordHistory over Kafka. plan() asks the brokers for the partitions of the input
// topics and their low and high watermarks; read() creates a consumer of its own with the
// partitions assigned directly at the planned offsets (no consumer group, no commits), so it
// never disturbs the gateway's group consumer, and reads each range to its end.
// Thread-safety: every call creates its own librdkafka client; calls may run concurrently on
// replay threads. The config is copied.
#pragma once

#include "config/config.h"
#include "processing/record_history.h"

namespace iiot::ingest {

class KafkaHistory final : public processing::RecordHistory {
 public:
  explicit KafkaHistory(config::KafkaConfig config) : config_(std::move(config)) {}

  std::optional<processing::HistoryPlan> plan(const model::StreamCursor& from,
                                              std::string& error) override;
  bool read(const processing::HistoryPlan& plan,
            const std::function<bool(const processing::HistoryRecord&)>& sink,
            const std::atomic<bool>& cancel, std::string& error) override;

 private:
  const config::KafkaConfig config_;
};

}  // namespace iiot::ingest
