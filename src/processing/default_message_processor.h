// DefaultMessageProcessor: validates records through the model decoders, keeps the latest state
// of every device, fills an alert's missing device_type/location from it, and counts records by
// kind in GatewayStats. No I/O. Called on the consumer thread only.
#pragma once

#include <cstdint>

#include "observability/gateway_stats.h"
#include "processing/device_state_store.h"
#include "processing/message_processor.h"

namespace iiot::processing {

class DefaultMessageProcessor final : public MessageProcessor {
 public:
  DefaultMessageProcessor(std::int64_t max_payload_bytes, observability::GatewayStats& stats)
      : max_payload_bytes_(max_payload_bytes), stats_(stats) {}

  ProcessResult process(RecordKind kind, std::string_view payload) override;

  const DeviceStateStore& device_states() const { return states_; }

 private:
  ProcessResult process_device_data(std::string_view payload);
  ProcessResult process_alert(std::string_view payload);

  std::int64_t max_payload_bytes_;
  observability::GatewayStats& stats_;
  DeviceStateStore states_;
};

}  // namespace iiot::processing
