// An event ready for fan-out: its routing attributes, its JSON text encoded once, and its
// WebSocket frames built once (plain, and deflated per negotiated window on first use) and
// shared by every client that receives it. Immutable after construction apart from the lazily
// built deflated frames, which WireFrames guards; shared between threads as const.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "model/filter.h"
#include "model/frame_encoder.h"
#include "processing/message_processor.h"
#include "push/wire_frame.h"

namespace iiot::push {

struct PushEvent {
  model::MessageType type = model::MessageType::kDeviceData;
  model::Severity severity = model::Severity::kInfo;  // alerts only
  // Views into `source`, which this event keeps alive.
  std::string_view device_id;
  std::string_view device_type;
  std::string_view location;
  std::shared_ptr<const processing::ProcessedEvent> source;
  model::SharedFrame frame;        // the JSON text
  std::optional<WireFrames> wire;  // the frames on the wire, built from `frame`
  std::chrono::steady_clock::time_point accepted_at{};
  std::chrono::system_clock::time_point kafka_timestamp{};  // the record's; epoch when unknown

  bool is_alert() const { return type == model::MessageType::kAlert; }
};

using PushEventPtr = std::shared_ptr<const PushEvent>;

// Builds the routing attributes, encodes the JSON text and frames it (once). kafka_timestamp is
// the record's Kafka timestamp (epoch when unknown).
PushEventPtr make_push_event(std::shared_ptr<const processing::ProcessedEvent> source,
                             std::chrono::system_clock::time_point kafka_timestamp = {});

}  // namespace iiot::push
