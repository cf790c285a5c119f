// PushShard: one push thread with its own io_context, owning a share of the connections and the
// FilterIndex over them. Events reach it through an inbox (a short mutex-guarded vector, drained
// in batches on the shard thread), so the fan-out itself touches no shared lock: each shard finds
// its matching clients in its own index and queues the event's shared frame on each.
// Thread-safety: deliver(), close_all(), client_infos() and client_count() from any thread;
// everything else on the shard's thread only.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model/stream_cursor.h"
#include "observability/gateway_stats.h"
#include "push/client.h"
#include "push/filter_index.h"
#include "push/push_event.h"

namespace iiot::push {

// One event on its way through every shard; the last shard to finish with it completes it.
// A record's events travel together (its own event, then the alerts rules derived from it), so
// no checkpoint and no resume falls between them.
struct Delivery {
  PushEventPtr event;
  std::vector<PushEventPtr> derived;
  std::atomic<int> remaining{0};
  bool counted = true;                    // in the input queue (a checkpoint is not)
  bool waited = false;                    // a pusher thread waits for `done`
  mutable std::atomic<bool> done{false};  // set by the listener once fanned out
};

// Told when an event has been queued at every matching client of every shard.
class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  virtual void delivered(const Delivery& delivery) = 0;
};

// A client with the filter it had when /stats asked.
struct ClientView {
  ClientInfo info;
  model::Filter filter;
};

class ReplayService;

class PushShard {
 public:
  PushShard(int index, const SessionOptions& options, observability::GatewayStats& stats,
            DeliveryListener& listener);
  ~PushShard();
  PushShard(const PushShard&) = delete;
  PushShard& operator=(const PushShard&) = delete;

  void start();
  void stop();  // stops the io_context and joins the thread

  boost::asio::io_context& io() { return io_; }
  observability::GatewayStats& stats() { return stats_; }
  const SessionOptions& options() const { return options_; }
  int index() const { return index_; }
  // Null when the gateway runs without snapshot and resume support.
  ReplayService* replay_service() const { return replay_service_; }
  void set_replay_service(ReplayService* service) { replay_service_ = service; }
  // Shard thread: the stream position this shard has fanned out (the live position of its
  // clients).
  const model::StreamCursor& live_position() const { return live_; }

  // Queues deliveries in their order; the shard thread is woken once for all of them.
  void deliver(const std::vector<std::shared_ptr<Delivery>>& deliveries);
  void close_all(const boost::beast::websocket::close_reason& reason);
  std::vector<ClientView> client_views(std::size_t max) const;
  std::size_t client_count() const;

  // Shard thread: a client finished its handshake / changed its filter / ended.
  void attach(std::shared_ptr<Client> client);
  void update_filter(Client& client);
  void detach(Client& client, bool was_attached);
  // Shard thread: the client has frames to write; it is flushed once, after the handlers that
  // are ready now (a drained inbox, a read) have queued everything they have for it.
  void request_flush(std::shared_ptr<Client> client);

  // Shard thread: the time a client's policy decision uses. While an inbox is drained it is the
  // time read at the start of that drain, so that a fan-out to many stalled clients reads the
  // clock once rather than once per client.
  Client::Clock::time_point now() const {
    return draining_now_ ? *draining_now_ : Client::Clock::now();
  }
  // Shard thread: telemetry frames the overflow policy dropped and the delivery policy
  // conflated. While an inbox is drained they are summed here and added to the gateway's
  // counters once at its end: those counters are shared by every shard, and one atomic add per
  // dropped frame kept their cache line moving between the push threads.
  void count_policy_outcome(std::uint64_t dropped, std::uint64_t conflated);

 private:
  void drain();
  // Fans out one delivery: a checkpoint to the clients that resume, else a record's events.
  void fan_out(const Delivery& delivery);
  void fan_out_event(const PushEventPtr& event);
  void flush_clients();
  void schedule_sweep();
  void sweep();
  // The attached clients, copied out of the lock: closing or sweeping one may detach it.
  std::vector<std::shared_ptr<Client>> clients_snapshot() const;

  const int index_;
  const SessionOptions& options_;
  observability::GatewayStats& stats_;
  DeliveryListener& listener_;
  boost::asio::io_context io_{1};
  boost::asio::steady_timer sweep_timer_{io_};
  std::thread thread_;

  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<Delivery>> inbox_;     // guarded by inbox_mutex_
  std::vector<std::shared_ptr<Delivery>> draining_;  // shard thread
  // Shard thread, set only while drain() runs: its start time and the policy counts so far.
  std::optional<Client::Clock::time_point> draining_now_;
  std::uint64_t drain_dropped_ = 0;
  std::uint64_t drain_conflated_ = 0;

  std::vector<std::shared_ptr<Client>> to_flush_;  // shard thread
  std::vector<std::shared_ptr<Client>> flushing_;  // shard thread

  FilterIndex<Client> index_by_filter_;  // shard thread
  model::StreamCursor live_;             // shard thread
  ReplayService* replay_service_ = nullptr;
  // Shard thread: set by close_all(); a client attaching afterwards is closed with it at once.
  std::optional<boost::beast::websocket::close_reason> shutdown_reason_;

  struct Entry {
    std::shared_ptr<Client> client;
    model::Filter filter;
  };
  mutable std::mutex clients_mutex_;
  std::unordered_map<Client*, Entry> clients_;  // guarded by clients_mutex_
};

}  // namespace iiot::push
