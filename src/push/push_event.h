// An event ready for fan-out: its routing attributes and its frame, encoded once and shared by
// every client that receives it. Immutable after construction; shared between threads as const.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "model/filter.h"
#include "model/frame_encoder.h"
#include "processing/message_processor.h"

namespace iiot::push {

struct PushEvent {
  model::MessageType type = model::MessageType::kDeviceData;
  model::Severity severity = model::Severity::kInfo;  // alerts only
  // Views into `source`, which this event keeps alive.
  std::string_view device_id;
  std::string_view device_type;
  std::string_view location;
  std::shared_ptr<const processing::ProcessedEvent> source;
  model::SharedFrame frame;
  std::chrono::steady_clock::time_point accepted_at{};
  std::chrono::system_clock::time_point kafka_timestamp{};  // the record's; epoch when unknown

  bool is_alert() const { return type == model::MessageType::kAlert; }
};

using PushEventPtr = std::shared_ptr<const PushEvent>;

// Builds the routing attributes and encodes the frame (once). kafka_timestamp is the record's
// Kafka timestamp (epoch when unknown).
PushEventPtr make_push_event(std::shared_ptr<const processing::ProcessedEvent> source,
                             std::chrono::system_clock::time_point kafka_timestamp = {});

}  // namespace iiot::push
