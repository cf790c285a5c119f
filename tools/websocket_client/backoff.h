// Reconnect delays: exponential growth with "full jitter" (each delay is uniform in
// [0, min(max, initial * 2^attempt)]), so many clients dropped at once do not return in step.
// Owned by the ReconnectingClient; not thread-safe (used on the client's single thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace iiot::ws_client {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; each call raises the cap for the following one.
  std::chrono::milliseconds next_delay();
  // The cap the next call to next_delay() will draw under.
  std::chrono::milliseconds current_cap() const;
  // Back to the initial cap, after a connection proved healthy.
  void reset() { attempt_ = 0; }
  // Attempts since the last reset.
  unsigned attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  unsigned attempt_ = 0;
  std::mt19937_64 random_;
};

}  // namespace iiot::ws_client
