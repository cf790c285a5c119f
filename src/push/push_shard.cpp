#include "push/push_shard.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <utility>

namespace iiot::push {

namespace {
constexpr std::chrono::milliseconds kSweepInterval{200};
}

PushShard::PushShard(int index, const SessionOptions& options, observability::GatewayStats& stats,
                     DeliveryListener& listener)
    : index_(index), options_(options), stats_(stats), listener_(listener) {}

PushShard::~PushShard() {
  stop();
}

void PushShard::start() {
  schedule_sweep();
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void PushShard::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void PushShard::deliver(const std::vector<std::shared_ptr<Delivery>>& deliveries) {
  bool was_empty = false;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = inbox_.empty();
    inbox_.insert(inbox_.end(), deliveries.begin(), deliveries.end());
  }
  if (was_empty) boost::asio::post(io_, [this] { drain(); });
}

void PushShard::drain() {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.swap(draining_);
  }
  draining_now_ = Client::Clock::now();
  for (auto& delivery : draining_) {
    fan_out(*delivery);
    if (delivery->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      listener_.delivered(*delivery);
    }
  }
  draining_.clear();
  draining_now_.reset();
  count_policy_outcome(std::exchange(drain_dropped_, 0), std::exchange(drain_conflated_, 0));
}

void PushShard::count_policy_outcome(std::uint64_t dropped, std::uint64_t conflated) {
  if (draining_now_) {
    drain_dropped_ += dropped;
    drain_conflated_ += conflated;
    return;
  }
  auto& counters = stats_.push;
  if (dropped > 0) counters.dropped_messages.fetch_add(dropped, std::memory_order_relaxed);
  if (conflated > 0) counters.conflated_messages.fetch_add(conflated, std::memory_order_relaxed);
}

void PushShard::fan_out(const Delivery& delivery) {
  const PushEventPtr& first = delivery.event;
  if (first->is_checkpoint()) {
    ThreadFrames frames(*first->wire);
    for (auto& client : clients_snapshot()) {
      if (client->filter().resume) client->deliver(first, &frames);
    }
    return;
  }
  live_.advance(first->position());
  fan_out_event(first);
  for (const PushEventPtr& event : delivery.derived) fan_out_event(event);
}

void PushShard::fan_out_event(const PushEventPtr& event_ptr) {
  const PushEvent& event = *event_ptr;
  ThreadFrames frames(*event.wire);
  std::uint64_t matched = 0;
  index_by_filter_.for_each_match(event.type, event.device_id, event.device_type, event.location,
                                  event.severity, [&](Client* client) {
                                    client->deliver(event_ptr, &frames);
                                    ++matched;
                                  });
  if (matched > 0) stats_.push.push_success_count.fetch_add(matched, std::memory_order_relaxed);
}

void PushShard::request_flush(std::shared_ptr<Client> client) {
  if (to_flush_.empty()) boost::asio::post(io_, [this] { flush_clients(); });
  to_flush_.push_back(std::move(client));
}

void PushShard::flush_clients() {
  flushing_.swap(to_flush_);
  for (auto& client : flushing_) client->flush();
  flushing_.clear();
}

void PushShard::attach(std::shared_ptr<Client> client) {
  Client* key = client.get();
  index_by_filter_.set(key, key->filter());
  stats_.push.total_connections.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(clients_mutex_);
    clients_.emplace(key, Entry{std::move(client), key->filter()});
  }
  // A handshake that completes after close_all() still gets its 1001.
  if (shutdown_reason_) key->close(*shutdown_reason_);
}

void PushShard::update_filter(Client& client) {
  index_by_filter_.set(&client, client.filter());
  std::lock_guard lock(clients_mutex_);
  if (auto it = clients_.find(&client); it != clients_.end()) it->second.filter = client.filter();
}

void PushShard::detach(Client& client, bool was_attached) {
  // The connection slot was taken when the upgrade was admitted, attached or not.
  stats_.push.active_clients.fetch_sub(1, std::memory_order_relaxed);
  if (!was_attached) return;
  index_by_filter_.remove(&client);
  std::shared_ptr<Client> last_ref;  // released after the lock
  std::lock_guard lock(clients_mutex_);
  if (auto it = clients_.find(&client); it != clients_.end()) {
    last_ref = std::move(it->second.client);
    clients_.erase(it);
  }
}

void PushShard::close_all(const boost::beast::websocket::close_reason& reason) {
  boost::asio::post(io_, [this, reason] {
    shutdown_reason_ = reason;
    for (auto& client : clients_snapshot()) client->close(reason);
  });
}

std::vector<ClientView> PushShard::client_views(std::size_t max) const {
  std::vector<ClientView> out;
  std::lock_guard lock(clients_mutex_);
  out.reserve(std::min(max, clients_.size()));
  for (const auto& [key, entry] : clients_) {
    if (out.size() >= max) break;
    out.push_back(ClientView{entry.client->info(), entry.filter});
  }
  return out;
}

std::size_t PushShard::client_count() const {
  std::lock_guard lock(clients_mutex_);
  return clients_.size();
}

void PushShard::schedule_sweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sweep();
    schedule_sweep();
  });
}

void PushShard::sweep() {
  const auto now = Client::Clock::now();
  for (auto& client : clients_snapshot()) client->sweep(now);
}

std::vector<std::shared_ptr<Client>> PushShard::clients_snapshot() const {
  std::lock_guard lock(clients_mutex_);
  std::vector<std::shared_ptr<Client>> all;
  all.reserve(clients_.size());
  for (const auto& [key, entry] : clients_) all.push_back(entry.client);
  return all;
}

}  // namespace iiot::push
