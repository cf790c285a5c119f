#include "push/client_queue.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace iiot::push {

namespace {
constexpr std::size_t kFirstLaneCapacity = 16;
}

void ClientQueue::push_back(Lane& lane, Slot slot) {
  if (lane.full()) lane.set_capacity(std::max(kFirstLaneCapacity, lane.capacity() * 2));
  lane.push_back(std::move(slot));
}

void ClientQueue::set_delivery(model::Delivery delivery) {
  if (delivery == delivery_) return;
  delivery_ = delivery;
  if (delivery_ == model::Delivery::kAll) {
    if (lanes_) {
      for (Slot& slot : lanes_->telemetry) slot.latest_entry = nullptr;
    }
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
      return replace(lanes_->telemetry[it->second - telemetry_base_], std::move(frame));
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
  if (!lanes_) lanes_.emplace();
  Slot slot{std::move(frame), next_order_++, nullptr};
  if (!telemetry) {
    push_back(lanes_->priority, std::move(slot));
    return outcome;
  }
  auto& lane = lanes_->telemetry;
  push_back(lane, std::move(slot));
  if (conflate) {
    const std::uint64_t number = telemetry_base_ + lane.size() - 1;
    lane.back().latest_entry = &*latest_.emplace(device_id, number).first;
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

bool ClientQueue::front_is_telemetry() const {
  const auto& telemetry = lanes_->telemetry;
  const auto& priority = lanes_->priority;
  return priority.empty() ||
         (!telemetry.empty() && telemetry.front().order < priority.front().order);
}

OutFrame ClientQueue::pop_front() {
  if (front_is_telemetry()) return take_telemetry_front().frame;
  auto& priority = lanes_->priority;
  OutFrame frame = std::move(priority.front().frame);
  priority.pop_front();
  bytes_ -= frame.data->size();
  return frame;
}

std::size_t ClientQueue::take(WriteBudget budget, std::vector<OutFrame>& out) {
  std::size_t taken = 0;
  std::size_t taken_bytes = 0;
  while (!empty() && taken < budget.frames) {
    const Slot& front = front_is_telemetry() ? lanes_->telemetry.front() : lanes_->priority.front();
    const std::size_t size = front.frame.data->size();
    if (taken > 0 && taken_bytes + size > budget.bytes) break;
    // pop_front() takes a telemetry frame's index entry with it: a later frame of the same
    // device is queued anew instead of replacing the one being written.
    out.push_back(pop_front());
    taken_bytes += size;
    ++taken;
  }
  return taken;
}

void ClientQueue::clear() {
  if (lanes_) {
    lanes_->telemetry.clear();
    lanes_->priority.clear();
  }
  latest_.clear();
  telemetry_base_ = 0;
  bytes_ = 0;
}

void ClientQueue::release_memory() {
  if (!lanes_ || !empty()) return;
  lanes_.reset();
  LatestIndex{}.swap(latest_);  // empty with the lanes, but keeps its buckets until swapped out
}

bool ClientQueue::drop_oldest_telemetry() {
  if (!lanes_ || lanes_->telemetry.empty()) return false;
  take_telemetry_front();
  return true;
}

ClientQueue::Slot ClientQueue::take_telemetry_front() {
  auto& telemetry = lanes_->telemetry;
  Slot slot = std::move(telemetry.front());
  telemetry.pop_front();
  ++telemetry_base_;
  bytes_ -= slot.frame.data->size();
  if (slot.latest_entry != nullptr) {
    latest_.erase(latest_.find(slot.latest_entry->first));
    slot.latest_entry = nullptr;
  }
  return slot;
}

}  // namespace iiot::push
