// Where a record sits in Kafka (topic, partition, offset) and when Kafka stamped it, and the
// position's wire form, the "pos" string of every event frame (CONTRACT section 8). Processing
// derives rule alert ids from it, the push layer writes it into frames and builds stream cursors
// from it, and the Kafka timestamp starts the Kafka-to-client latency. A record from elsewhere
// (tests, benchmarks) has no position: partition and offset -1. A value type; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace iiot::model {

struct RecordPosition {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::chrono::system_clock::time_point kafka_timestamp{};  // epoch when unknown

  // Read from Kafka (a place in a partition), not made up by a test or a benchmark.
  bool known() const { return partition >= 0 && offset >= 0; }

  // The same record: the same place, whatever the timestamp says.
  friend bool operator==(const RecordPosition& a, const RecordPosition& b) {
    return a.partition == b.partition && a.offset == b.offset && a.topic == b.topic;
  }
};

// "<topic>:<partition>:<offset>", e.g. "iiot.device-data:3:18342". Kafka topic names cannot hold
// ':', so the form is unambiguous, and it depends only on the record: every instance reading the
// same topics writes the same string for the same record. An event that processing derived from
// the record (the n-th alert a threshold rule raised or cleared on it, n from 1) appends "/<n>",
// so every event has a position string of its own.
std::string format_position(const RecordPosition& position, std::uint32_t derived = 0);
// Appends format_position(position, derived) to out.
void append_position(std::string& out, const RecordPosition& position, std::uint32_t derived = 0);

}  // namespace iiot::model
