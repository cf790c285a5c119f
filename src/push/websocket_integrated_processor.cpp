#include "push/websocket_integrated_processor.h"

#include <thread>

namespace iiot::push {

WebSocketIntegratedProcessor::WebSocketIntegratedProcessor(
    processing::DefaultMessageProcessor& inner, DataPusher& pusher,
    const config::ProcessorConfig& config, observability::GatewayStats& stats)
    : inner_(inner), pusher_(pusher), config_(config), stats_(stats) {}

processing::ProcessResult WebSocketIntegratedProcessor::process(
    processing::RecordKind kind, std::string_view payload, const model::RecordPosition& position) {
  processing::ProcessResult result = inner_.process(kind, payload, position);
  if (!result.ok() || !config_.enable_push) return result;
  std::vector<PushEventPtr> derived;
  derived.reserve(result.derived().size());
  for (const auto& event : result.derived()) derived.push_back(make_push_event(event));
  hand_off(make_push_event(result.event()), derived);
  return result;
}

void WebSocketIntegratedProcessor::end_of_batch() {
  pusher_.flush();
}

void WebSocketIntegratedProcessor::hand_off(const PushEventPtr& event,
                                            const std::vector<PushEventPtr>& derived) {
  const PushMode mode = config_.async_push ? PushMode::kHandOff : PushMode::kWaitForFanOut;
  for (int attempt = 0;; ++attempt) {
    if (pusher_.push(event, derived, mode)) return;
    // Alerts are never given up: they wait, and so hold back the consumer. A record's own event
    // travels with the alerts rules derived from it, so it waits with them.
    if (!event->is_alert() && derived.empty() && attempt >= config_.push_retry_attempts) {
      stats_.push.push_failure_count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::this_thread::sleep_for(config_.push_retry_backoff);
  }
}

}  // namespace iiot::push
