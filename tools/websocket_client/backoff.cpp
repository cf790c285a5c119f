#include "websocket_client/backoff.h"

#include <algorithm>

namespace iiot::ws_client {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), random_(seed) {}

std::chrono::milliseconds Backoff::current_cap() const {
  // Doubling stops once the cap is reached, so the shift never overflows.
  auto cap = initial_;
  for (unsigned i = 0; i < attempt_ && cap < max_; ++i) cap *= 2;
  return std::min(cap, max_);
}

std::chrono::milliseconds Backoff::next_delay() {
  const auto cap = current_cap();
  ++attempt_;
  std::uniform_int_distribution<std::int64_t> pick(0, cap.count());
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace iiot::ws_client
