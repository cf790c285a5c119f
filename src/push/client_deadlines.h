// ClientDeadlines: the time rules of one WebSocket session (CONTRACT sections 2 and 6), kept apart
// from its socket so they are tested with made-up times:
// - once closing (our close frame sent, the peer's answered, or a protocol error answered), the
//   closing handshake and the lingering teardown after it may last handshake_timeout;
// - a write that makes no progress for write_timeout ends the connection;
// - a token past its expiry (plus the authenticator's leeway) closes the session with 4001;
// - a client that sends nothing (no message, no control frame) for client_timeout is closed;
// - a ping is due every ping_interval, one at a time;
// - a write in flight that took no bytes for kSlowAfter means the client is not draining (its
//   queue's overflow policy applies then, ClientQueue).
// Time is passed in. Owned by one Client; its shard's thread only.
#pragma once

#include <chrono>
#include <optional>

namespace iiot::push {

class ClientDeadlines {
 public:
  using Clock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;

  static constexpr std::chrono::milliseconds kSlowAfter{100};

  struct Timeouts {
    std::chrono::milliseconds handshake{10000};
    std::chrono::milliseconds write{10000};
    std::chrono::milliseconds ping_interval{54000};
    std::chrono::milliseconds client{60000};
  };

  // What a sweep must do: the first rule of the list above that applies.
  enum class Action {
    kNone,
    kAbort,              // close the socket without a close frame
    kCloseTokenExpired,  // close with 4001
    kCloseIdle,          // close with 1008 "client timeout"
    kPing,
  };

  explicit ClientDeadlines(const Timeouts& timeouts) : timeouts_(timeouts) {}

  // The WebSocket handshake is done: every period starts now.
  void opened(Clock::time_point now);
  // A message or a control frame came from the client.
  void heard_from_client(Clock::time_point now) { last_heard_ = now; }
  // A write was issued, or the socket took some bytes of the one in flight.
  void write_progressed(Clock::time_point now) { last_write_progress_ = now; }
  // The closing handshake, or the teardown after it, began: each restarts the handshake_timeout
  // period.
  void closing_started(Clock::time_point now) { closing_since_ = now; }
  void ping_sent(Clock::time_point now) {
    last_ping_ = now;
    ping_in_flight_ = true;
  }
  void ping_done() { ping_in_flight_ = false; }
  // When the token stops being honoured (expiry plus leeway); nullopt: never.
  void set_expiry(std::optional<WallClock::time_point> deadline) { expiry_ = deadline; }

  bool closing() const { return closing_since_.has_value(); }
  // False while a write in flight has taken nothing for kSlowAfter.
  bool draining(Clock::time_point now, bool write_in_flight) const;
  Action check(Clock::time_point now, WallClock::time_point wall, bool write_in_flight) const;

 private:
  Timeouts timeouts_;
  Clock::time_point last_heard_;
  Clock::time_point last_ping_;
  Clock::time_point last_write_progress_;
  std::optional<Clock::time_point> closing_since_;
  std::optional<WallClock::time_point> expiry_;
  bool ping_in_flight_ = false;
};

}  // namespace iiot::push
