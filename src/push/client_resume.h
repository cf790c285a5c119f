// ClientResume: one client's snapshot and resume state (CONTRACT section 8), as pure logic: which
// live events it gets, which it holds while a replay or snapshot is under way, which it skips as
// duplicates or as older than the snapshot it got, and when a checkpoint is due. The Client owns
// one and uses it on its shard's thread only.
//
// Rules:
// - While a session (replay or snapshot) runs, live events and checkpoints are held, in order
//   (at most max_held; past that the client must be closed). When it ends, the held events go
//   out in order, except records the replay already covered (no duplicate, no gap).
// - After a snapshot, a live record of a device that is not newer (same partition, later offset)
//   than the state the snapshot sent for it is skipped.
// - A checkpoint goes out only when something was sent since the last one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "push/push_event.h"
#include "push/replay_session.h"

namespace iiot::push {

class ClientResume {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict : std::uint8_t { kSend, kHold, kSkip, kOverflow };

  explicit ClientResume(std::size_t max_held) : max_held_(max_held) {}

  // What to do with a live event (a record or a checkpoint) that matches the client.
  Verdict on_live(const PushEventPtr& event);

  bool busy() const { return session_ != nullptr; }
  ReplaySession* session() const { return session_.get(); }
  // Starts holding live events for `session`.
  void begin(std::shared_ptr<ReplaySession> session, Clock::time_point now);
  // The session is done: adopts its outcome and returns the held events still to send, in order.
  std::vector<PushEventPtr> end();
  // The client is gone or changed its mind: the session is cancelled, held events dropped.
  void cancel();
  // A new filter: the snapshot rule of an earlier snapshot no longer applies.
  void reset_snapshot() { device_positions_.clear(); }

  // Replay pacing: how many frames may go out now at `rate` per second (a token bucket holding at
  // most a tenth of a second), and taking them.
  std::size_t budget(Clock::time_point now, std::int64_t rate);
  void spend(std::size_t frames) { tokens_ -= static_cast<double>(frames); }

  std::size_t held() const { return held_.size(); }

 private:
  bool older_than_snapshot(const PushEvent& event);

  const std::size_t max_held_;
  std::shared_ptr<ReplaySession> session_;
  std::vector<PushEventPtr> held_;  // a vector: an idle client holds no storage
  std::map<std::string, model::RecordPosition, std::less<>> device_positions_;
  bool sent_since_checkpoint_ = false;
  double tokens_ = 0;
  Clock::time_point refilled_{};
};

}  // namespace iiot::push
