#include "push/websocket_integrated_processor.h"

#include <thread>

namespace iiot::push {

WebSocketIntegratedProcessor::WebSocketIntegratedProcessor(
    processing::DefaultMessageProcessor& inner, DataPusher& pusher,
    const config::ProcessorConfig& config, observability::GatewayStats& stats)
    : inner_(inner), pusher_(pusher), config_(config), stats_(stats) {}

processing::ProcessResult WebSocketIntegratedProcessor::process(
    processing::RecordKind kind, std::string_view payload,
    const processing::RecordPosition& position) {
  processing::ProcessResult result = inner_.process(kind, payload, position);
  if (!result.ok() || !config_.enable_push) return result;
  hand_off(make_push_event(result.event(), position.kafka_timestamp));
  for (const auto& derived : result.derived()) {
    hand_off(make_push_event(derived, position.kafka_timestamp));
  }
  return result;
}

void WebSocketIntegratedProcessor::hand_off(const PushEventPtr& event) {
  const PushMode mode = config_.async_push ? PushMode::kHandOff : PushMode::kWaitForFanOut;
  for (int attempt = 0;; ++attempt) {
    if (pusher_.push(event, mode)) return;
    // Alerts are never given up: they wait, and so hold back the consumer.
    if (!event->is_alert() && attempt >= config_.push_retry_attempts) {
      stats_.push.push_failure_count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::this_thread::sleep_for(config_.push_retry_backoff);
  }
}

}  // namespace iiot::push
