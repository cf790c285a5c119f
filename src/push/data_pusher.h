// DataPusher: the fan-out stage (the seed's WebSocketDataPusher). It owns worker_count PushShards
// (the push threads, each also the I/O thread of its connections) and an input queue bounded by
// queue_size: an event counts against it from push until every shard has queued it at its
// matching clients. push may be called from any thread; the consumer thread is the usual caller.
//
// Snapshot and resume (CONTRACT section 8): push() also keeps the stream's position (a cursor of
// every partition) and appends each event to the replay ring, and a checkpoint thread puts a
// checkpoint event into the stream every resume.checkpoint_interval when events went out since
// the last one. Events and checkpoints enter every shard's inbox under one lock, so every shard
// sees them in the same order and a checkpoint's cursor passes exactly the events before it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.h"
#include "model/stream_cursor.h"
#include "observability/gateway_stats.h"
#include "push/event_ring.h"
#include "push/push_shard.h"

namespace iiot::push {

enum class PushMode { kHandOff, kWaitForFanOut };

class DataPusher final : public DeliveryListener {
 public:
  DataPusher(const config::WebSocketConfig& config, const config::ResumeConfig& resume,
             observability::GatewayStats& stats);
  ~DataPusher() override;

  // Lets clients resume and ask for snapshots; call before start(). The service must outlive
  // this pusher's threads (stop()).
  void set_replay_service(ReplayService* service);

  void start();
  void stop();  // joins the shard threads; clients should have been closed first

  // Accepts a record's event, and the events derived from it, into the input queue as one entry,
  // or returns false at once when the queue is full. kWaitForFanOut returns only after every
  // matching client has them queued. kHandOff holds the entry back to hand it to the shards with
  // the entries that follow it (one wake-up of each push thread per batch, not per event) until
  // flush(), until kMaxHeld entries are held, or until the queue is full.
  bool push(PushEventPtr event, std::vector<PushEventPtr> derived, PushMode mode);
  bool push(PushEventPtr event, PushMode mode) { return push(std::move(event), {}, mode); }
  // Hands the entries held back by push() to the shards. The pushing thread calls it when it has
  // nothing more to push for now (KafkaConsumer: a poll that found no record).
  void flush();

  // The most entries push() holds back before it hands them on by itself.
  static constexpr std::size_t kMaxHeld = 32;

  std::size_t queue_depth() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t queue_capacity() const { return capacity_; }

  // The shard a new connection is placed on (round robin).
  PushShard& next_shard();
  const std::vector<std::unique_ptr<PushShard>>& shards() const { return shards_; }

  // Closes every client with 1001 "server shutting down" (the service is stopping); a handshake
  // that completes afterwards is closed the same way. Any thread.
  void close_all_for_shutdown();
  std::size_t client_count() const;
  EventRing& ring() { return ring_; }
  std::size_t ring_capacity() const { return ring_.capacity(); }

  void delivered(const Delivery& delivery) override;

 private:
  // Hands the held deliveries to every shard, in stream order (stream_mutex_ held).
  void deliver_held_locked();
  void emit_checkpoints();

  SessionOptions options_;
  observability::GatewayStats& stats_;
  const std::size_t capacity_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> next_shard_{0};
  std::vector<std::unique_ptr<PushShard>> shards_;

  std::mutex wait_mutex_;  // pairs with wait_cv_ for PushMode::kWaitForFanOut
  std::condition_variable wait_cv_;

  const std::chrono::milliseconds checkpoint_interval_;
  EventRing ring_;
  std::mutex stream_mutex_;
  model::StreamCursor stream_;                   // guarded by stream_mutex_
  std::uint64_t stream_version_ = 0;             // guarded by stream_mutex_: events pushed
  std::uint64_t checkpoint_version_ = 0;         // guarded by stream_mutex_: at the last checkpoint
  std::vector<std::shared_ptr<Delivery>> held_;  // guarded by stream_mutex_: not yet handed on

  std::mutex checkpoint_mutex_;  // pairs with checkpoint_cv_
  std::condition_variable checkpoint_cv_;
  bool stopping_ = false;  // guarded by checkpoint_mutex_
  std::thread checkpoint_thread_;
};

SessionOptions session_options_from(const config::WebSocketConfig& config);

}  // namespace iiot::push
