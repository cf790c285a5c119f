// Paces events at a steady rate: tokens accrue continuously at `rate` per second, and at most
// 50 ms' worth (at least 4 tokens) can be saved up, so a late wake-up is made good by a short
// catch-up, never by a burst of a whole second. A rate of 0 means no limit. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>

namespace iiot::simulator {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, Clock::time_point start);

  // Takes up to `max` tokens available at `now` and returns how many were taken.
  std::uint64_t take(Clock::time_point now, std::uint64_t max);

  // When the next token is available (`now` or earlier if one already is).
  Clock::time_point next_token(Clock::time_point now) const;

  bool unlimited() const { return rate_ <= 0.0; }

 private:
  void refill(Clock::time_point now);

  double rate_;
  double capacity_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace iiot::simulator
