// OffsetTracker: per partition, the offset up to which every consumed record is done, so that a
// commit never passes a record still in flight (a dead-letter write not yet acknowledged).
//
// Records of one partition are begun in offset order; they may be completed in any order. The
// committable offset of a partition is one past the highest offset below which every begun record
// is done (Kafka's "next offset to read" convention). Offsets need not be contiguous integers
// (compaction, transaction markers): only the order of begun records matters.
//
// Pure bookkeeping, no I/O. Not thread-safe: owned and used by the consumer thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace iiot::ingest {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  bool operator==(const TopicPartition&) const = default;
};

struct TopicPartitionHash {
  std::size_t operator()(const TopicPartition& tp) const {
    return std::hash<std::string>{}(tp.topic) * 31U + std::hash<std::int32_t>{}(tp.partition);
  }
};

struct CommittableOffset {
  TopicPartition partition;
  std::int64_t offset = 0;  // the next offset to read: last done offset + 1
};

class OffsetTracker {
 public:
  // A record was handed over for processing. If offset is not above the last begun offset of its
  // partition (a rewind), the partition's pending records are forgotten: they will be read again.
  void begin(const TopicPartition& tp, std::int64_t offset);
  // The record is done (processed, or its dead letter acknowledged). Unknown offsets (a partition
  // revoked meanwhile) are ignored.
  void complete(const TopicPartition& tp, std::int64_t offset);
  // begin() and complete() at once, for a record done synchronously.
  void begin_completed(const TopicPartition& tp, std::int64_t offset);

  // Partitions whose committable offset advanced since the last call, with that offset.
  std::vector<CommittableOffset> take_advanced();
  // The committable offset of a partition, if any record of it is done.
  std::optional<std::int64_t> committable(const TopicPartition& tp) const;
  // Records begun but not yet done (in flight) in one partition.
  std::size_t in_flight(const TopicPartition& tp) const;

  // Forget a partition (revoked or lost), or every partition.
  void remove(const TopicPartition& tp);
  void clear();

 private:
  struct Pending {
    std::int64_t offset;
    bool done;
  };
  struct PartitionState {
    std::deque<Pending> pending;  // begun records not yet committable, in offset order
    std::optional<std::int64_t> last_begun;
    std::optional<std::int64_t> committable;
    bool advanced = false;
  };

  void advance(PartitionState& state, const TopicPartition& tp, std::int64_t next_offset);

  std::unordered_map<TopicPartition, PartitionState, TopicPartitionHash> partitions_;
  std::vector<TopicPartition> advanced_;  // partitions with advanced == true, each once
};

}  // namespace iiot::ingest
