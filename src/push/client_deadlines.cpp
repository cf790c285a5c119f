#include "push/client_deadlines.h"

namespace iiot::push {

void ClientDeadlines::opened(Clock::time_point now) {
  last_heard_ = now;
  last_ping_ = now;
  last_write_progress_ = now;
}

bool ClientDeadlines::draining(Clock::time_point now, bool write_in_flight) const {
  return !write_in_flight || now - last_write_progress_ < kSlowAfter;
}

ClientDeadlines::Action ClientDeadlines::check(Clock::time_point now, WallClock::time_point wall,
                                               bool write_in_flight) const {
  // While closing, only the closing handshake's own bound applies: the session ends either way.
  if (closing_since_) {
    return now - *closing_since_ > timeouts_.handshake ? Action::kAbort : Action::kNone;
  }
  if (write_in_flight && now - last_write_progress_ > timeouts_.write) return Action::kAbort;
  if (expiry_ && wall >= *expiry_) return Action::kCloseTokenExpired;
  if (now - last_heard_ > timeouts_.client) return Action::kCloseIdle;
  if (!ping_in_flight_ && now - last_ping_ >= timeouts_.ping_interval) return Action::kPing;
  return Action::kNone;
}

}  // namespace iiot::push
