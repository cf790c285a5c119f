#include "app/consumer_service.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <thread>

#include "app/group_id_template.h"
#include "ingest/kafka_consumer.h"
#include "ingest/kafka_history.h"
#include "processing/default_message_processor.h"
#include "push/push_service.h"
#include "push/tls_context.h"

namespace iiot::app {

namespace {
constexpr std::chrono::seconds kStatsLogInterval{10};
constexpr std::chrono::seconds kClientCloseGrace{3};
}  // namespace

namespace {
config::Config with_instance_group(config::Config config) {
  config.kafka.group_id =
      expand_group_id(config.kafka.group_id, local_hostname(), config.websocket.port);
  return config;
}
}  // namespace

ConsumerService::ConsumerService(config::Config config,
                                 std::unique_ptr<const auth::Authenticator> authenticator,
                                 std::unique_ptr<const push::TlsContext> tls)
    : config_(with_instance_group(std::move(config))),
      authenticator_(std::move(authenticator)),
      tls_(std::move(tls)) {}

ConsumerService::~ConsumerService() = default;

void ConsumerService::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (consumer_ != nullptr) consumer_->request_stop();
  }
  stop_cv_.notify_all();
}

int ConsumerService::run() {
  processing::DefaultMessageProcessor default_processor(config_.processor.max_payload_bytes, stats_,
                                                        config_.rules, config_.resume.state_ttl);
  if (!config_.rules.empty()) spdlog::info("{} threshold rules in force", config_.rules.size());
  ingest::KafkaHistory history(config_.kafka);
  std::unique_ptr<push::PushService> push_service;
  processing::MessageProcessor* processor = &default_processor;

  if (config_.websocket.enabled) {
    push_service = std::make_unique<push::PushService>(config_, default_processor, &history, stats_,
                                                       *authenticator_, tls_.get());
    processor = &push_service->processor();
    push_service->start();
    spdlog::info("WebSocket enabled: using WebSocketIntegratedProcessor ({} push threads)",
                 config_.websocket.worker_count);
    spdlog::info(
        "client authentication: auth.mode {}{}", config::to_string(config_.auth.mode),
        authenticator_->admin_required() ? "; /stats and /metrics need an admin token" : "");
  } else {
    spdlog::info("WebSocket disabled: using DefaultMessageProcessor");
  }

  // Whatever ends the consumer (a stop request or a fatal error), the push side below is shut
  // down in order before anything is destroyed; an error is rethrown afterwards.
  std::thread stats_logger;
  std::exception_ptr failure;
  try {
    ingest::KafkaConsumer consumer(config_.kafka, *processor, stats_,
                                   config_.processor.max_payload_bytes);
    {
      std::lock_guard lock(mutex_);
      consumer_ = &consumer;
      if (stop_requested_) consumer.request_stop();
    }
    stats_logger = std::thread([this] { log_stats_periodically(); });
    consumer.run();  // returns after request_stop(), offsets committed and the consumer closed
  } catch (...) {
    failure = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    consumer_ = nullptr;
  }
  request_stop();  // also wakes the stats logger if the consumer ended by itself

  if (push_service) {
    push_service->stop_accepting();
    push_service->close_all_for_shutdown();
    const auto deadline = std::chrono::steady_clock::now() + kClientCloseGrace;
    while (push_service->client_count() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    push_service->stop();
  }
  if (stats_logger.joinable()) stats_logger.join();
  if (failure) std::rethrow_exception(failure);
  spdlog::info("stopped: {} records consumed ({} device data, {} alerts, {} invalid)",
               stats_.pipeline.total_messages.load(), stats_.pipeline.device_data_messages.load(),
               stats_.pipeline.alert_messages.load(), stats_.pipeline.invalid_messages.load());
  return 0;
}

void ConsumerService::log_stats_periodically() {
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, kStatsLogInterval, [this] { return stop_requested_; })) {
    const auto latency = stats_.push_latency.snapshot();
    spdlog::info(
        "stats: consumed={} device_data={} alerts={} invalid={} dead_lettered={} lag={} "
        "partitions={} clients={} pushed={} push_failures={} dropped={} push_p99_ms={:.3f}",
        stats_.pipeline.total_messages.load(), stats_.pipeline.device_data_messages.load(),
        stats_.pipeline.alert_messages.load(), stats_.pipeline.invalid_messages.load(),
        stats_.pipeline.dead_letter_written.load(), stats_.kafka.consumer_lag.load(),
        stats_.kafka.partitions_assigned.load(), stats_.push.active_clients.load(),
        stats_.push.push_success_count.load(), stats_.push.push_failure_count.load(),
        stats_.push.dropped_messages.load(), static_cast<double>(latency.p99_ns) / 1e6);
  }
}

}  // namespace iiot::app
