// ReplayService: runs replays (resume) and snapshots for clients (CONTRACT section 8), each on a
// job thread of its own, so neither a ring scan, nor a Kafka read, nor encoding a snapshot ever
// runs on the consumer thread or a push thread. A replay comes from the EventRing when it covers
// the range, else from RecordHistory (Kafka, partitions assigned directly); a snapshot from the
// device state store. Jobs mark and frame each event for their client (the only per-client
// encoding there is) and put it into the client's ReplaySession; the client's shard takes them at
// the client's pace, at most resume.max_replay_rate per second, and queues them like live frames.
// A replay read from Kafka carries the records only: alerts that threshold rules derived from
// them live in the ring alone (the rules' state belongs to the live stream).
// At most max_jobs jobs run at a time; later ones wait in order, their clients holding live events
// meanwhile (bounded by resume.max_replay_events): a failover that sends thousands of resuming
// clients to one instance costs max_jobs threads and buffers, not thousands. A job thread takes
// the next waiting job when its own ends.
// Owned by ConsumerService (through the DataPusher); start_* from any thread; stop() joins.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "model/filter.h"
#include "model/stream_cursor.h"
#include "observability/gateway_stats.h"
#include "processing/default_message_processor.h"
#include "processing/record_history.h"
#include "push/event_ring.h"
#include "push/replay_session.h"

namespace iiot::push {

class ReplayService {
 public:
  // decoder: decodes records read again from Kafka and holds the device state store.
  // history may be null (no Kafka replay: a range the ring does not cover is not recovered).
  ReplayService(const config::ResumeConfig& config, std::vector<std::string> topics,
                EventRing& ring, const processing::DefaultMessageProcessor& decoder,
                processing::RecordHistory* history, observability::GatewayStats& stats,
                std::size_t max_jobs = kMaxJobs);
  ~ReplayService();
  ReplayService(const ReplayService&) = delete;
  ReplayService& operator=(const ReplayService&) = delete;

  const config::ResumeConfig& config() const { return config_; }
  model::DecodeResult<model::StreamCursor> decode_cursor(std::string_view text) const;

  // Replays the events matching `filter` (the client's filter in force, narrowed by its scope)
  // after `from` up to `until` (the client's live position: its shard's position when it started
  // holding live events). Frames are built for a client whose deflate window is window_bits (0:
  // no compression).
  std::shared_ptr<ReplaySession> start_resume(model::StreamCursor from, model::StreamCursor until,
                                              model::Filter filter, int window_bits);
  // The latest device_data of every device matching `filter`; `until` is reported as the cursor.
  std::shared_ptr<ReplaySession> start_snapshot(model::Filter filter, model::StreamCursor until,
                                                int window_bits);

  // Cancels every job and joins its thread.
  void stop();

  // Frames a session buffers between its job and its client.
  static constexpr std::size_t kSessionBuffer = 4096;
  // Jobs running at once.
  static constexpr std::size_t kMaxJobs = 16;

 private:
  struct Job {
    std::shared_ptr<ReplaySession> session;  // the one being served; guarded by mutex_
    std::thread thread;
    std::atomic<bool> finished{false};
  };
  struct Waiting {
    std::shared_ptr<ReplaySession> session;
    std::function<void()> work;
  };
  void launch(std::shared_ptr<ReplaySession> session, std::function<void()> work);
  void serve(Job& job, std::function<void()> work);
  void run_resume(ReplaySession& session, const model::StreamCursor& from,
                  const model::StreamCursor& until, const model::Filter& filter, int window_bits);
  void run_snapshot(ReplaySession& session, const model::Filter& filter,
                    const model::StreamCursor& until, int window_bits);
  bool replay_from_kafka(ReplaySession& session, const model::StreamCursor& from,
                         const model::Filter& filter, int window_bits, ReplayOutcome& outcome);

  const config::ResumeConfig config_;
  const std::vector<std::string> topics_;
  EventRing& ring_;
  const processing::DefaultMessageProcessor& decoder_;
  processing::RecordHistory* history_;
  observability::GatewayStats& stats_;

  const std::size_t max_jobs_;
  std::mutex mutex_;
  std::list<Job> jobs_;          // guarded by mutex_
  std::deque<Waiting> waiting_;  // guarded by mutex_
  bool stopped_ = false;         // guarded by mutex_
};

}  // namespace iiot::push
