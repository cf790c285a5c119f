#include "ingest/offset_tracker.h"

#include <algorithm>

namespace iiot::ingest {

void OffsetTracker::begin(const TopicPartition& tp, std::int64_t offset) {
  PartitionState& state = partitions_[tp];
  if (state.last_begun && offset <= *state.last_begun) state.pending.clear();
  state.pending.push_back({offset, false});
  state.last_begun = offset;
}

void OffsetTracker::begin_completed(const TopicPartition& tp, std::int64_t offset) {
  PartitionState& state = partitions_[tp];
  if (state.last_begun && offset <= *state.last_begun) state.pending.clear();
  state.last_begun = offset;
  // The common case, nothing in flight before it: no queue entry needed.
  if (state.pending.empty()) {
    advance(state, tp, offset + 1);
  } else {
    state.pending.push_back({offset, true});
  }
}

void OffsetTracker::complete(const TopicPartition& tp, std::int64_t offset) {
  const auto found = partitions_.find(tp);
  if (found == partitions_.end()) return;
  PartitionState& state = found->second;
  auto it = std::lower_bound(state.pending.begin(), state.pending.end(), offset,
                             [](const Pending& p, std::int64_t o) { return p.offset < o; });
  if (it == state.pending.end() || it->offset != offset) return;
  it->done = true;
  std::optional<std::int64_t> next;
  while (!state.pending.empty() && state.pending.front().done) {
    next = state.pending.front().offset + 1;
    state.pending.pop_front();
  }
  if (next) advance(state, tp, *next);
}

void OffsetTracker::advance(PartitionState& state, const TopicPartition& tp,
                            std::int64_t next_offset) {
  state.committable = next_offset;
  if (!state.advanced) {
    state.advanced = true;
    advanced_.push_back(tp);
  }
}

std::vector<CommittableOffset> OffsetTracker::take_advanced() {
  std::vector<CommittableOffset> out;
  out.reserve(advanced_.size());
  for (TopicPartition& tp : advanced_) {
    const auto found = partitions_.find(tp);
    if (found == partitions_.end() || !found->second.advanced) continue;
    found->second.advanced = false;
    out.push_back({std::move(tp), *found->second.committable});
  }
  advanced_.clear();
  return out;
}

std::optional<std::int64_t> OffsetTracker::committable(const TopicPartition& tp) const {
  const auto found = partitions_.find(tp);
  if (found == partitions_.end()) return std::nullopt;
  return found->second.committable;
}

std::size_t OffsetTracker::in_flight(const TopicPartition& tp) const {
  const auto found = partitions_.find(tp);
  if (found == partitions_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(found->second.pending.begin(),
                                                found->second.pending.end(),
                                                [](const Pending& p) { return !p.done; }));
}

void OffsetTracker::remove(const TopicPartition& tp) {
  partitions_.erase(tp);
}

void OffsetTracker::clear() {
  partitions_.clear();
  advanced_.clear();
}

}  // namespace iiot::ingest
