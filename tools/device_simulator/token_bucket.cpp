#include "token_bucket.h"

#include <algorithm>
#include <cmath>

namespace iiot::simulator {
namespace {

// How much sending may be saved up: enough to make up for a late wake-up of the sender (sleep
// granularity, a busy machine) without losing rate, short enough that the stream stays smooth.
constexpr double kCapacitySeconds = 0.050;
constexpr double kMinCapacity = 4.0;

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, Clock::time_point start)
    : rate_(rate_per_second),
      capacity_(std::max(kMinCapacity, rate_per_second * kCapacitySeconds)),
      tokens_(1.0),
      last_(start) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
  last_ = now;
}

std::uint64_t TokenBucket::take(Clock::time_point now, std::uint64_t max) {
  if (unlimited()) return max;
  refill(now);
  const auto available = static_cast<std::uint64_t>(std::floor(tokens_));
  const std::uint64_t taken = std::min(available, max);
  tokens_ -= static_cast<double>(taken);
  return taken;
}

TokenBucket::Clock::time_point TokenBucket::next_token(Clock::time_point now) const {
  if (unlimited()) return now;
  // tokens_ is as of last_; the deficit accrues at rate_ from there.
  const double missing = 1.0 - tokens_;
  if (missing <= 0.0) return now;
  const auto wait =
      std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(missing / rate_));
  return std::max(now, last_ + wait);
}

}  // namespace iiot::simulator
