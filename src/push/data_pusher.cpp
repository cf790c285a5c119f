#include "push/data_pusher.h"

#include <boost/beast/websocket/rfc6455.hpp>

#include "model/frame_encoder.h"

namespace iiot::push {

SessionOptions session_options_from(const config::WebSocketConfig& config) {
  SessionOptions o;
  o.queue.max_frames = static_cast<std::size_t>(config.queue_size);
  o.queue.max_bytes = static_cast<std::size_t>(config.max_queue_bytes);
  o.queue.policy = config.overflow_policy;
  o.handshake_timeout = config.handshake_timeout;
  o.write_timeout = config.write_timeout;
  o.ping_interval = config.ping_interval;
  o.client_timeout = config.client_timeout;
  o.max_message_size = static_cast<std::uint64_t>(config.max_message_size);
  o.read_buffer_size = static_cast<std::size_t>(config.read_buffer_size);
  o.write_buffer_size = static_cast<std::size_t>(config.write_buffer_size);
  o.enable_compression = config.enable_compression;
  o.max_messages_per_second = config.max_client_messages_per_second;
  return o;
}

DataPusher::DataPusher(const config::WebSocketConfig& config, const config::ResumeConfig& resume,
                       observability::GatewayStats& stats)
    : options_(session_options_from(config)),
      stats_(stats),
      capacity_(static_cast<std::size_t>(config.queue_size)),
      checkpoint_interval_(resume.checkpoint_interval),
      ring_(static_cast<std::size_t>(resume.memory_bytes)) {
  options_.max_held_events = static_cast<std::size_t>(resume.max_replay_events);
  shards_.reserve(static_cast<std::size_t>(config.worker_count));
  for (int i = 0; i < config.worker_count; ++i) {
    shards_.push_back(std::make_unique<PushShard>(i, options_, stats_, *this));
  }
}

DataPusher::~DataPusher() {
  stop();
}

void DataPusher::set_replay_service(ReplayService* service) {
  for (auto& shard : shards_) shard->set_replay_service(service);
}

void DataPusher::start() {
  for (auto& shard : shards_) shard->start();
  checkpoint_thread_ = std::thread([this] { emit_checkpoints(); });
}

void DataPusher::stop() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  for (auto& shard : shards_) shard->stop();
}

void DataPusher::deliver_held_locked() {
  if (held_.empty()) return;
  for (const auto& delivery : held_) {
    delivery->remaining.store(static_cast<int>(shards_.size()), std::memory_order_relaxed);
  }
  for (auto& shard : shards_) shard->deliver(held_);
  held_.clear();
}

void DataPusher::flush() {
  std::lock_guard lock(stream_mutex_);
  deliver_held_locked();
}

void DataPusher::emit_checkpoints() {
  std::unique_lock wait_lock(checkpoint_mutex_);
  while (!checkpoint_cv_.wait_for(wait_lock, checkpoint_interval_, [this] { return stopping_; })) {
    std::lock_guard lock(stream_mutex_);
    if (stream_version_ == checkpoint_version_) continue;  // nothing new went out
    checkpoint_version_ = stream_version_;
    auto delivery = std::make_shared<Delivery>();
    delivery->event =
        make_checkpoint_event(model::encode_checkpoint(stream_, std::chrono::system_clock::now()));
    delivery->counted = false;
    held_.push_back(std::move(delivery));  // after the events its cursor passes
    deliver_held_locked();
  }
}

bool DataPusher::push(PushEventPtr event, std::vector<PushEventPtr> derived, PushMode mode) {
  std::size_t current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= capacity_) {
      flush();  // what is held counts against the queue: it must be able to drain
      return false;
    }
  } while (!in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));

  auto delivery = std::make_shared<Delivery>();
  delivery->waited = mode == PushMode::kWaitForFanOut;
  {
    std::lock_guard lock(stream_mutex_);
    stream_.advance(event->position());
    ++stream_version_;
    EventRing::Usage usage = ring_.append(event);
    for (const PushEventPtr& next : derived) usage = ring_.append(next);
    stats_.resume.ring_events.store(usage.events, std::memory_order_relaxed);
    stats_.resume.ring_bytes.store(usage.bytes, std::memory_order_relaxed);
    delivery->event = std::move(event);
    delivery->derived = std::move(derived);
    held_.push_back(delivery);
    if (delivery->waited || held_.size() >= kMaxHeld) deliver_held_locked();
  }

  if (delivery->waited) {
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait(lock, [&] { return delivery->done.load(std::memory_order_acquire); });
  }
  return true;
}

void DataPusher::delivered(const Delivery& delivery) {
  if (!delivery.counted) return;  // a checkpoint: never in the input queue
  stats_.push_latency.record(std::chrono::steady_clock::now() - delivery.event->accepted_at);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  if (delivery.waited) {
    {
      std::lock_guard lock(wait_mutex_);
      delivery.done.store(true, std::memory_order_release);
    }
    wait_cv_.notify_all();
  }
}

PushShard& DataPusher::next_shard() {
  return *shards_[next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
}

void DataPusher::close_all_for_shutdown() {
  const boost::beast::websocket::close_reason reason{
      boost::beast::websocket::close_code::going_away, "server shutting down"};
  for (auto& shard : shards_) shard->close_all(reason);
}

std::size_t DataPusher::client_count() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) n += shard->client_count();
  return n;
}

}  // namespace iiot::push
