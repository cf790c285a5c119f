// ReplaySession: one replay (resume) or snapshot on its way to one client. A replay job thread
// (ReplayService) puts frames in; the client's shard thread takes them out at the client's pace
// and rate. The buffer between them is bounded, so a job reading Kafka faster than the client
// takes waits instead of piling up memory.
// Thread-safety: every member is safe from any thread (one mutex, one condition variable).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "model/frame_encoder.h"
#include "model/stream_cursor.h"
#include "push/client_queue.h"
#include "push/push_event.h"

namespace iiot::push {

// One replayed or snapshot event for one client: the event (its routing attributes, checked
// again against the client's filter when it is queued) and the frame the client is sent (the
// event's text marked as replayed or snapshot, framed for the client's deflate window).
struct ReplayFrame {
  PushEventPtr event;
  model::SharedFrame frame;
  FrameClass cls = FrameClass::kTelemetry;
};

// How a finished replay or snapshot went; read by the shard once the session is done.
struct ReplayOutcome {
  bool recovered = true;       // the whole range was replayed (resume)
  std::uint64_t replayed = 0;  // events put in (resume) or devices (snapshot)
  // Every partition's position the replay reached: a live event held meanwhile that is behind
  // it was replayed already (a duplicate).
  model::StreamCursor covered;
  // Snapshot only: the position of the state sent for each device.
  std::map<std::string, model::RecordPosition, std::less<>> device_positions;
};

class ReplaySession {
 public:
  enum class Purpose : std::uint8_t { kResume, kSnapshot };

  ReplaySession(Purpose purpose, std::size_t buffer_frames)
      : purpose_(purpose), buffer_frames_(buffer_frames) {}

  Purpose purpose() const { return purpose_; }

  // Job side: waits while the buffer is full; false once the session is cancelled.
  bool put(ReplayFrame frame);
  void finish(ReplayOutcome outcome);

  // Shard side: moves up to `max` frames into `out`; returns how many.
  std::size_t take(std::size_t max, std::vector<ReplayFrame>& out);
  // Finished and every frame taken: outcome() may be read.
  bool done() const;
  // Frames put and not yet taken.
  std::size_t buffered() const;
  const ReplayOutcome& outcome() const { return outcome_; }

  // Any side: the client is gone or the service stops; put() returns false from now on.
  void cancel();
  const std::atomic<bool>& cancelled() const { return cancelled_; }

 private:
  const Purpose purpose_;
  const std::size_t buffer_frames_;
  mutable std::mutex mutex_;
  std::condition_variable room_;
  std::deque<ReplayFrame> frames_;  // guarded by mutex_
  bool finished_ = false;           // guarded by mutex_
  ReplayOutcome outcome_;           // written before finished_ is set, read after done()
  std::atomic<bool> cancelled_{false};
};

}  // namespace iiot::push
