// A client's bounded outgoing queue and its overflow policy (CONTRACT section 6). Pure logic, no
// I/O: the Client owns one and uses it on its shard's thread only.
//
// Rules: a frame is queued while the queue holds fewer than max_frames frames and the bytes stay
// within max_bytes. Past max_frames the policy acts only on a client that is not draining
// (nothing accepted by its socket for 100 ms): drop_oldest drops the oldest telemetry,
// disconnect asks for a 4000 close. A draining client may briefly hold more than max_frames.
// Alerts and control frames displace telemetry and are otherwise kept beyond max_frames. The byte
// cap is hard: telemetry is dropped to make room (drop_oldest), else the client is closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "config/config.h"
#include "model/frame_encoder.h"

namespace iiot::push {

enum class FrameClass : std::uint8_t { kTelemetry, kAlert, kControl };

struct OutFrame {
  model::SharedFrame data;
  FrameClass cls = FrameClass::kTelemetry;
  // The record's Kafka timestamp, for the Kafka-to-client latency; epoch when unknown.
  std::chrono::system_clock::time_point kafka_timestamp{};
};

struct QueueLimits {
  std::size_t max_frames = 1000;
  std::size_t max_bytes = 4 * 1024 * 1024;
  config::OverflowPolicy policy = config::OverflowPolicy::kDropOldest;
};

struct EnqueueOutcome {
  std::size_t dropped = 0;  // telemetry frames dropped (possibly the new one)
  bool disconnect = false;  // the client must be closed with 4000
};

class ClientQueue {
 public:
  explicit ClientQueue(QueueLimits limits) : limits_(limits) {}

  // Whether a push now would need to know if the client is draining (the queue is at its
  // frame limit). Lets the caller read the clock only when it matters.
  bool at_frame_limit() const { return frames_.size() >= limits_.max_frames; }

  EnqueueOutcome push(OutFrame frame, bool draining);

  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  std::size_t bytes() const { return bytes_; }
  OutFrame pop_front();
  void clear();

 private:
  // Drops the oldest telemetry frame; false if there is none.
  bool drop_oldest_telemetry();

  QueueLimits limits_;
  std::deque<OutFrame> frames_;
  std::size_t bytes_ = 0;
};

}  // namespace iiot::push
