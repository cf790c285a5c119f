#include "push/replay_session.h"

namespace iiot::push {

bool ReplaySession::put(ReplayFrame frame) {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] {
    return frames_.size() < buffer_frames_ || cancelled_.load(std::memory_order_relaxed);
  });
  if (cancelled_.load(std::memory_order_relaxed)) return false;
  frames_.push_back(std::move(frame));
  return true;
}

void ReplaySession::finish(ReplayOutcome outcome) {
  std::lock_guard lock(mutex_);
  outcome_ = std::move(outcome);
  finished_ = true;
}

std::size_t ReplaySession::take(std::size_t max, std::vector<ReplayFrame>& out) {
  std::size_t n = 0;
  {
    std::lock_guard lock(mutex_);
    for (; n < max && !frames_.empty(); ++n) {
      out.push_back(std::move(frames_.front()));
      frames_.pop_front();
    }
  }
  if (n > 0) room_.notify_one();
  return n;
}

bool ReplaySession::done() const {
  std::lock_guard lock(mutex_);
  return finished_ && frames_.empty();
}

std::size_t ReplaySession::buffered() const {
  std::lock_guard lock(mutex_);
  return frames_.size();
}

void ReplaySession::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_.store(true, std::memory_order_relaxed);
    frames_.clear();
  }
  room_.notify_all();
}

}  // namespace iiot::push
