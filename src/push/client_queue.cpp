#include "push/client_queue.h"

#include <algorithm>

namespace iiot::push {

EnqueueOutcome ClientQueue::push(OutFrame frame, bool draining) {
  EnqueueOutcome outcome;
  const std::size_t size = frame.data->size();
  const bool telemetry = frame.cls == FrameClass::kTelemetry;
  const bool drop_policy = limits_.policy == config::OverflowPolicy::kDropOldest;

  if (at_frame_limit() && !draining) {
    if (!drop_policy) {
      outcome.disconnect = true;
      return outcome;
    }
    // A stalled client is brought back within max_frames, even if it grew past them while it
    // was still draining.
    while (at_frame_limit() && drop_oldest_telemetry()) ++outcome.dropped;
    if (at_frame_limit() && telemetry) {
      ++outcome.dropped;  // nothing older to displace: the newest telemetry is the one dropped
      return outcome;
    }
    // An alert or control frame with no telemetry left to displace is kept beyond max_frames.
  }

  while (bytes_ + size > limits_.max_bytes) {
    if (!drop_policy) {
      outcome.disconnect = true;
      return outcome;
    }
    if (drop_oldest_telemetry()) {
      ++outcome.dropped;
      continue;
    }
    if (telemetry) {
      ++outcome.dropped;
      return outcome;
    }
    outcome.disconnect = true;
    return outcome;
  }

  bytes_ += size;
  frames_.push_back(std::move(frame));
  return outcome;
}

OutFrame ClientQueue::pop_front() {
  OutFrame frame = std::move(frames_.front());
  frames_.pop_front();
  bytes_ -= frame.data->size();
  return frame;
}

void ClientQueue::clear() {
  frames_.clear();
  bytes_ = 0;
}

bool ClientQueue::drop_oldest_telemetry() {
  auto it = std::find_if(frames_.begin(), frames_.end(),
                         [](const OutFrame& f) { return f.cls == FrameClass::kTelemetry; });
  if (it == frames_.end()) return false;
  bytes_ -= it->data->size();
  frames_.erase(it);
  return true;
}

}  // namespace iiot::push
