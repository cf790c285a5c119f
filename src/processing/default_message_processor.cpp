#include "processing/default_message_processor.h"

#include <string>

#include "model/record_decoder.h"

namespace iiot::processing {

ProcessResult DefaultMessageProcessor::process(RecordKind kind, std::string_view payload,
                                               const RecordPosition& position) {
  stats_.pipeline.total_messages.fetch_add(1, std::memory_order_relaxed);
  ProcessResult result = [&] {
    if (static_cast<std::int64_t>(payload.size()) > max_payload_bytes_) {
      return ProcessResult::rejected("payload: " + std::to_string(payload.size()) +
                                     " bytes exceeds processor.max_payload_bytes (" +
                                     std::to_string(max_payload_bytes_) + ")");
    }
    return kind == RecordKind::kDeviceData ? process_device_data(payload, position)
                                           : process_alert(payload);
  }();
  if (!result.ok()) stats_.pipeline.invalid_messages.fetch_add(1, std::memory_order_relaxed);
  return result;
}

ProcessResult DefaultMessageProcessor::process_device_data(std::string_view payload,
                                                           const RecordPosition& position) {
  auto decoded = model::decode_device_data(payload);
  if (!decoded) return ProcessResult::rejected(decoded.error());
  auto event = std::make_shared<const ProcessedEvent>(ProcessedEvent{std::move(decoded).value()});
  DeviceRuleState& rule_state =
      states_.update(std::shared_ptr<const model::DeviceData>(event, &event->device_data()));
  stats_.pipeline.device_data_messages.fetch_add(1, std::memory_order_relaxed);
  ProcessResult result = ProcessResult::accepted(event);
  if (rules_.empty()) return result;
  rule_alerts_.clear();
  if (rules_.evaluate(event->device_data(), position, rule_state, rule_alerts_) == 0) {
    return result;
  }
  stats_.pipeline.rule_alerts.fetch_add(rule_alerts_.size(), std::memory_order_relaxed);
  for (model::Alert& alert : rule_alerts_) {
    result.add_derived(std::make_shared<const ProcessedEvent>(ProcessedEvent{std::move(alert)}));
  }
  return result;
}

ProcessResult DefaultMessageProcessor::process_alert(std::string_view payload) {
  auto decoded = model::decode_alert(payload);
  if (!decoded) return ProcessResult::rejected(decoded.error());
  model::Alert alert = std::move(decoded).value();
  if (!alert.device_type || !alert.location) {
    const auto last = states_.find(alert.device_id);
    if (!alert.device_type) alert.device_type = last ? last->device_type : std::string();
    if (!alert.location) alert.location = last ? last->location : std::string();
  }
  stats_.pipeline.alert_messages.fetch_add(1, std::memory_order_relaxed);
  return ProcessResult::accepted(
      std::make_shared<ProcessedEvent>(ProcessedEvent{std::move(alert)}));
}

}  // namespace iiot::processing
