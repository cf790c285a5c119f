#include "processing/default_message_processor.h"

#include <string>

#include "model/record_decoder.h"

namespace iiot::processing {
namespace {

std::optional<std::string> oversized(std::string_view payload, std::int64_t max_payload_bytes) {
  if (static_cast<std::int64_t>(payload.size()) <= max_payload_bytes) return std::nullopt;
  return "payload: " + std::to_string(payload.size()) +
         " bytes exceeds processor.max_payload_bytes (" + std::to_string(max_payload_bytes) + ")";
}

}  // namespace

ProcessResult DefaultMessageProcessor::process(RecordKind kind, std::string_view payload,
                                               const model::RecordPosition& position) {
  stats_.pipeline.total_messages.fetch_add(1, std::memory_order_relaxed);
  ProcessResult result = decode(kind, payload, position);
  if (!result.ok()) {
    stats_.pipeline.invalid_messages.fetch_add(1, std::memory_order_relaxed);
  } else if (kind == RecordKind::kDeviceData) {
    DeviceRuleState& rule_state = states_.update(result.event());
    stats_.resume.state_devices.store(states_.size(), std::memory_order_relaxed);
    stats_.resume.state_bytes.store(states_.bytes(), std::memory_order_relaxed);
    stats_.pipeline.device_data_messages.fetch_add(1, std::memory_order_relaxed);
    if (!rules_.empty()) evaluate_rules(*result.event(), rule_state, result);
  } else {
    stats_.pipeline.alert_messages.fetch_add(1, std::memory_order_relaxed);
  }
  return result;
}

void DefaultMessageProcessor::evaluate_rules(const ProcessedEvent& event,
                                             DeviceRuleState& rule_state, ProcessResult& result) {
  rule_alerts_.clear();
  if (rules_.evaluate(event.device_data(), event.position, rule_state, rule_alerts_) == 0) return;
  stats_.pipeline.rule_alerts.fetch_add(rule_alerts_.size(), std::memory_order_relaxed);
  std::uint32_t derived = 0;
  for (model::Alert& alert : rule_alerts_) {
    result.add_derived(std::make_shared<const ProcessedEvent>(
        ProcessedEvent{std::move(alert), event.position, ++derived}));
  }
}

ProcessResult DefaultMessageProcessor::decode(RecordKind kind, std::string_view payload,
                                              const model::RecordPosition& position) const {
  if (auto reason = oversized(payload, max_payload_bytes_)) {
    return ProcessResult::rejected(std::move(*reason));
  }
  if (kind == RecordKind::kAlert) return decode_alert(payload, position);
  auto decoded = model::decode_device_data(payload);
  if (!decoded) return ProcessResult::rejected(decoded.error());
  return ProcessResult::accepted(
      std::make_shared<const ProcessedEvent>(ProcessedEvent{std::move(decoded).value(), position}));
}

ProcessResult DefaultMessageProcessor::decode_alert(std::string_view payload,
                                                    const model::RecordPosition& position) const {
  auto decoded = model::decode_alert(payload);
  if (!decoded) return ProcessResult::rejected(decoded.error());
  model::Alert alert = std::move(decoded).value();
  if (!alert.device_type || !alert.location) {
    const auto last = states_.find(alert.device_id);
    if (!alert.device_type) alert.device_type = last ? last->device_type : std::string();
    if (!alert.location) alert.location = last ? last->location : std::string();
  }
  return ProcessResult::accepted(
      std::make_shared<ProcessedEvent>(ProcessedEvent{std::move(alert), position}));
}

}  // namespace iiot::processing
