#include "push/event_ring.h"

#include <algorithm>

namespace iiot::push {
namespace {

// The shared event, its routing attributes and its WireFrames beside the frame's bytes.
constexpr std::size_t kEventOverhead = 384;

}  // namespace

// The JSON text, its plain wire frame (the text again) and the decoded record (about as large).
// Deflated frames built for clients that negotiated compression are smaller than the text and
// not counted.
std::size_t EventRing::cost(const PushEvent& event) {
  return kEventOverhead + 3 * event.frame->size();
}

EventRing::Usage EventRing::append(PushEventPtr event) {
  if (max_bytes_ == 0) return {};
  const std::size_t event_cost = cost(*event);
  std::vector<PushEventPtr> evicted;  // released after the lock
  std::lock_guard lock(mutex_);
  const model::RecordPosition& position = event->position();
  // The first event of a partition starts its coverage: what came before was read by another
  // consumer (or before a restart), so the ring cannot vouch for it.
  held_from_.try_emplace(model::PartitionKey{position.topic, position.partition}, position.offset);
  bytes_ += event_cost;
  events_.push_back(std::move(event));
  while (bytes_ > max_bytes_ && !events_.empty()) {
    PushEventPtr& oldest = events_.front();
    const model::RecordPosition& gone = oldest->position();
    auto& from = held_from_[model::PartitionKey{gone.topic, gone.partition}];
    from = std::max(from, gone.offset + 1);
    bytes_ -= cost(*oldest);
    evicted.push_back(std::move(oldest));
    events_.pop_front();
  }
  return Usage{events_.size(), bytes_};
}

EventRing::Selection EventRing::select(const model::StreamCursor& from,
                                       const model::StreamCursor& until,
                                       const model::Filter& filter, std::size_t max_events) const {
  Selection out;
  std::lock_guard lock(mutex_);
  const auto covers = [&](const model::PartitionKey& key) {
    const std::int64_t wanted = from.next(key).value_or(0);
    const auto end = until.next(key);
    if (end && wanted >= *end) return true;  // nothing wanted from this partition
    const auto held = held_from_.find(key);
    return held != held_from_.end() && held->second <= wanted;
  };
  for (const auto& [key, next] : from.offsets()) {
    if (!covers(key)) return out;
  }
  for (const auto& [key, next] : until.offsets()) {
    if (!covers(key)) return out;
  }
  out.covered = true;
  for (const PushEventPtr& event : events_) {
    const model::RecordPosition& p = event->position();
    if (from.passed(p) || !until.passed(p)) continue;
    if (!filter.matches(event->type, event->device_id, event->device_type, event->location,
                        event->severity)) {
      continue;
    }
    out.events.push_back(event);
  }
  if (out.events.size() > max_events) {
    out.capped = true;
    out.events.erase(out.events.begin(),
                     out.events.end() - static_cast<std::ptrdiff_t>(max_events));
  }
  return out;
}

std::size_t EventRing::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t EventRing::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

}  // namespace iiot::push
