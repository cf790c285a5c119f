// DataPusher: the fan-out stage (the seed's WebSocketDataPusher). It owns worker_count PushShards
// (the push threads, each also the I/O thread of its connections) and an input queue bounded by
// queue_size: an event counts against it from push until every shard has queued it at its
// matching clients. push may be called from any thread; the consumer thread is the usual caller.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "config/config.h"
#include "observability/gateway_stats.h"
#include "push/push_shard.h"

namespace iiot::push {

enum class PushMode { kHandOff, kWaitForFanOut };

class DataPusher final : public DeliveryListener {
 public:
  DataPusher(const config::WebSocketConfig& config, observability::GatewayStats& stats);
  ~DataPusher() override;

  void start();
  void stop();  // joins the shard threads; clients should have been closed first

  // Accepts the event into the input queue, or returns false at once when the queue is full.
  // kWaitForFanOut returns only after every matching client has the event queued.
  bool push(PushEventPtr event, PushMode mode);

  std::size_t queue_depth() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t queue_capacity() const { return capacity_; }

  // The shard a new connection is placed on (round robin).
  PushShard& next_shard();
  const std::vector<std::unique_ptr<PushShard>>& shards() const { return shards_; }
  const SessionOptions& session_options() const { return options_; }

  void close_all(boost::beast::websocket::close_reason reason);
  std::size_t client_count() const;

  void delivered(const Delivery& delivery) override;

 private:
  SessionOptions options_;
  observability::GatewayStats& stats_;
  const std::size_t capacity_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> next_shard_{0};
  std::vector<std::unique_ptr<PushShard>> shards_;

  std::mutex wait_mutex_;  // pairs with wait_cv_ for PushMode::kWaitForFanOut
  std::condition_variable wait_cv_;
};

SessionOptions session_options_from(const config::WebSocketConfig& config);

}  // namespace iiot::push
