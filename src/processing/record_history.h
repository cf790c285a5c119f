// RecordHistory: the input topics read again from a position, for replays that the in-memory
// ring no longer covers (CONTRACT section 8). Implemented over Kafka in src/ingest
// (KafkaHistory: partitions assigned directly, no consumer group), replaceable in tests.
// Thread-safety: each call is independent and may block; call only from a replay thread, never
// from the consumer thread or a push thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/stream_cursor.h"
#include "processing/message_processor.h"

namespace iiot::processing {

struct HistoryRange {
  model::PartitionKey partition;
  std::int64_t begin = 0;  // first offset to read
  std::int64_t end = 0;    // first offset not to read
};

struct HistoryPlan {
  std::vector<HistoryRange> ranges;  // partitions with something to read
  bool retention_cut = false;        // part of the wanted range is no longer retained
};

struct HistoryRecord {
  RecordKind kind = RecordKind::kDeviceData;
  std::string_view payload;
  model::RecordPosition position;
};

class RecordHistory {
 public:
  virtual ~RecordHistory() = default;

  // What to read to go from `from` to the end of every partition of the input topics now: per
  // partition from the cursor's offset (from the earliest retained record when the cursor does
  // not name the partition, or names an offset no longer retained: retention_cut) to the high
  // watermark. nullopt with `error` set when the brokers cannot say.
  virtual std::optional<HistoryPlan> plan(const model::StreamCursor& from, std::string& error) = 0;

  // Reads every record of the plan's ranges, each partition in offset order, calling `sink` for
  // each. Stops early, returning true, when `sink` returns false or `cancel` is set; false with
  // `error` set when reading fails.
  virtual bool read(const HistoryPlan& plan, const std::function<bool(const HistoryRecord&)>& sink,
                    const std::atomic<bool>& cancel, std::string& error) = 0;
};

}  // namespace iiot::processing
