#include "push/client_queue.h"

#include <utility>

namespace iiot::push {

void ClientQueue::set_delivery(model::Delivery delivery) {
  if (delivery == delivery_) return;
  delivery_ = delivery;
  if (delivery_ == model::Delivery::kAll) {
    for (Slot& slot : telemetry_) slot.latest_entry = nullptr;
    latest_.clear();
  }
}

EnqueueOutcome ClientQueue::push(OutFrame frame, bool draining, std::string_view device_id) {
  EnqueueOutcome outcome;
  const std::size_t size = frame.data->size();
  const bool telemetry = frame.cls == FrameClass::kTelemetry;
  const bool drop_policy = limits_.policy == config::OverflowPolicy::kDropOldest;
  const bool conflate = telemetry && delivery_ == model::Delivery::kLatest && !device_id.empty();

  if (conflate) {
    if (auto it = latest_.find(device_id); it != latest_.end()) {
      return replace(telemetry_[it->second - telemetry_base_], std::move(frame));
    }
  }

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
  Slot slot{std::move(frame), next_order_++, nullptr};
  if (!telemetry) {
    priority_.push_back(std::move(slot));
    return outcome;
  }
  telemetry_.push_back(std::move(slot));
  if (conflate) {
    const std::uint64_t number = telemetry_base_ + telemetry_.size() - 1;
    telemetry_.back().latest_entry = &*latest_.emplace(device_id, number).first;
  }
  return outcome;
}

EnqueueOutcome ClientQueue::replace(Slot& slot, OutFrame frame) {
  EnqueueOutcome outcome;
  outcome.conflated = 1;
  bytes_ = bytes_ - slot.frame.data->size() + frame.data->size();
  slot.frame = std::move(frame);
  // The frame count is unchanged; only a larger replacement can break the byte cap. The
  // telemetry lane is not empty (it holds the replaced frame), so dropping makes progress.
  while (bytes_ > limits_.max_bytes) {
    if (limits_.policy != config::OverflowPolicy::kDropOldest) {
      outcome.disconnect = true;
      return outcome;
    }
    drop_oldest_telemetry();
    ++outcome.dropped;
  }
  return outcome;
}

OutFrame ClientQueue::pop_front() {
  const bool from_telemetry =
      priority_.empty() ||
      (!telemetry_.empty() && telemetry_.front().order < priority_.front().order);
  if (from_telemetry) return take_telemetry_front().frame;
  OutFrame frame = std::move(priority_.front().frame);
  priority_.pop_front();
  bytes_ -= frame.data->size();
  return frame;
}

void ClientQueue::clear() {
  telemetry_.clear();
  priority_.clear();
  latest_.clear();
  telemetry_base_ = 0;
  bytes_ = 0;
}

bool ClientQueue::drop_oldest_telemetry() {
  if (telemetry_.empty()) return false;
  take_telemetry_front();
  return true;
}

ClientQueue::Slot ClientQueue::take_telemetry_front() {
  Slot slot = std::move(telemetry_.front());
  telemetry_.pop_front();
  ++telemetry_base_;
  bytes_ -= slot.frame.data->size();
  if (slot.latest_entry != nullptr) {
    latest_.erase(latest_.find(slot.latest_entry->first));
    slot.latest_entry = nullptr;
  }
  return slot;
}

}  // namespace iiot::push
