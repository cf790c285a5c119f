// MessageRateLimiter: the per-connection limit on client messages (CONTRACT section 7,
// websocket.max_client_messages_per_second). A token bucket of `rate` tokens per second holding at
// most twice that (the burst) decides whether a message is taken or ignored; a client that sends
// more than ten times the rate in each of five consecutive one-second windows is abusive and is
// to be closed. Time is passed in, so tests need no clock. Owned by one Client; its shard's
// thread only.
#pragma once

#include <chrono>
#include <cstdint>

namespace iiot::push {

class MessageRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict { kAccept, kReject, kAbusive };

  static constexpr int kBurstFactor = 2;
  static constexpr int kAbuseFactor = 10;
  static constexpr int kAbuseSeconds = 5;

  // per_second 0 means unlimited: every message is accepted.
  MessageRateLimiter(int per_second, Clock::time_point now);

  // One client message arrived at `now` (non-decreasing between calls).
  Verdict on_message(Clock::time_point now);

 private:
  void close_windows(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point refilled_at_;

  std::uint64_t abuse_threshold_;  // messages per one-second window
  Clock::time_point window_start_;
  std::uint64_t window_count_ = 0;
  int flooded_windows_ = 0;  // consecutive completed windows over the threshold
};

}  // namespace iiot::push
