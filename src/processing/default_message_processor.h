// DefaultMessageProcessor: validates records through the model decoders, keeps the latest state
// of every device, fills an alert's missing device_type/location from it, evaluates the threshold
// rules on every accepted device_data record (their alerts come back as the result's derived
// events), and counts records by kind in GatewayStats. No I/O. Called on the consumer thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"
#include "observability/gateway_stats.h"
#include "processing/device_state_store.h"
#include "processing/message_processor.h"

namespace iiot::processing {

class DefaultMessageProcessor final : public MessageProcessor {
 public:
  DefaultMessageProcessor(std::int64_t max_payload_bytes, observability::GatewayStats& stats,
                          const std::vector<config::RuleConfig>& rules = {})
      : max_payload_bytes_(max_payload_bytes), stats_(stats), rules_(rules) {}

  using MessageProcessor::process;
  ProcessResult process(RecordKind kind, std::string_view payload,
                        const RecordPosition& position) override;

  const DeviceStateStore& device_states() const { return states_; }

 private:
  ProcessResult process_device_data(std::string_view payload, const RecordPosition& position);
  ProcessResult process_alert(std::string_view payload);

  std::int64_t max_payload_bytes_;
  observability::GatewayStats& stats_;
  DeviceStateStore states_;
  RuleEngine rules_;
  std::vector<model::Alert> rule_alerts_;  // scratch, reused across records
};

}  // namespace iiot::processing
