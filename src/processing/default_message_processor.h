// DefaultMessageProcessor: validates records through the model decoders, keeps the latest state
// of every device (for alert enrichment and snapshots, evicted after state_ttl), fills an alert's
// missing device_type/location from it, evaluates the threshold rules on every accepted
// device_data record (their alerts come back as the result's derived events), and counts records
// by kind in GatewayStats. No I/O. process() is called on the consumer thread only; decode() and
// device_states() may be used from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "observability/gateway_stats.h"
#include "processing/device_state_store.h"
#include "processing/message_processor.h"

namespace iiot::processing {

class DefaultMessageProcessor final : public MessageProcessor {
 public:
  // state_ttl: how long a device that stopped sending stays in the device state store.
  DefaultMessageProcessor(std::int64_t max_payload_bytes, observability::GatewayStats& stats,
                          const std::vector<config::RuleConfig>& rules = {},
                          std::chrono::milliseconds state_ttl = std::chrono::hours(24))
      : max_payload_bytes_(max_payload_bytes), stats_(stats), states_(state_ttl), rules_(rules) {}

  using MessageProcessor::process;
  ProcessResult process(RecordKind kind, std::string_view payload,
                        const model::RecordPosition& position) override;

  // Decodes and validates without touching the device state, the rules or the counters (for
  // replays read again from Kafka): an alert is enriched from the current state. Rules are not
  // evaluated: their state belongs to the live stream. Any thread.
  ProcessResult decode(RecordKind kind, std::string_view payload,
                       const model::RecordPosition& position) const;

  const DeviceStateStore& device_states() const { return states_; }

 private:
  ProcessResult decode_alert(std::string_view payload, const model::RecordPosition& position) const;
  // The rules' alerts on an accepted device_data event, appended to result as derived events.
  void evaluate_rules(const ProcessedEvent& event, DeviceRuleState& rule_state,
                      ProcessResult& result);

  std::int64_t max_payload_bytes_;
  observability::GatewayStats& stats_;
  DeviceStateStore states_;
  RuleEngine rules_;
  std::vector<model::Alert> rule_alerts_;  // scratch, reused across records
};

}  // namespace iiot::processing
