#include "push/message_rate_limiter.h"

#include <algorithm>

namespace iiot::push {

namespace {
constexpr std::chrono::seconds kWindow{1};
}

MessageRateLimiter::MessageRateLimiter(int per_second, Clock::time_point now)
    : rate_(per_second),
      burst_(static_cast<double>(kBurstFactor) * per_second),
      tokens_(burst_),
      refilled_at_(now),
      abuse_threshold_(static_cast<std::uint64_t>(kAbuseFactor) *
                       static_cast<std::uint64_t>(std::max(per_second, 0))),
      window_start_(now) {}

void MessageRateLimiter::close_windows(Clock::time_point now) {
  const auto elapsed = (now - window_start_) / kWindow;
  if (elapsed < 1) return;
  // The window that held window_count_ ended; any further elapsed window was empty and breaks
  // the run.
  flooded_windows_ = elapsed == 1 && window_count_ > abuse_threshold_ ? flooded_windows_ + 1 : 0;
  window_count_ = 0;
  window_start_ += elapsed * kWindow;
}

MessageRateLimiter::Verdict MessageRateLimiter::on_message(Clock::time_point now) {
  if (rate_ <= 0) return Verdict::kAccept;
  close_windows(now);
  ++window_count_;
  if (flooded_windows_ >= kAbuseSeconds) return Verdict::kAbusive;

  const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  refilled_at_ = now;
  if (tokens_ < 1.0) return Verdict::kReject;
  tokens_ -= 1.0;
  return Verdict::kAccept;
}

}  // namespace iiot::push
