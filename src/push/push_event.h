// An event ready for fan-out: its routing attributes, its JSON text encoded once, and its
// WebSocket frames built once (plain, and deflated per negotiated window on first use) and
// shared by every client that receives it. Immutable after construction apart from the lazily
// built deflated frames, which WireFrames guards; shared between threads as const.
//
// A record's event, or a checkpoint (CONTRACT section 8) travelling in stream order: its frame
// is the checkpoint frame, and only clients whose filter asks for resume get it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/filter.h"
#include "model/frame_encoder.h"
#include "processing/message_processor.h"
#include "push/wire_frame.h"

namespace iiot::push {

struct PushEvent {
  enum class Kind : std::uint8_t { kRecord, kCheckpoint };
  Kind kind = Kind::kRecord;
  model::MessageType type = model::MessageType::kDeviceData;
  model::Severity severity = model::Severity::kInfo;  // alerts only
  // Views into `source`, which this event keeps alive.
  std::string_view device_id;
  std::string_view device_type;
  std::string_view location;
  std::shared_ptr<const processing::ProcessedEvent> source;  // records only
  model::SharedFrame frame;                                  // the JSON text
  std::optional<WireFrames> wire;  // the frames on the wire, built from `frame`
  std::chrono::steady_clock::time_point accepted_at{};
  std::chrono::system_clock::time_point kafka_timestamp{};  // the record's; epoch when unknown

  bool is_alert() const { return type == model::MessageType::kAlert; }
  bool is_checkpoint() const { return kind == Kind::kCheckpoint; }
  // The Kafka position of the record (records only).
  const model::RecordPosition& position() const { return source->position; }
  bool matches(const model::Filter& filter) const {
    return filter.matches(type, device_id, device_type, location, severity);
  }
};

using PushEventPtr = std::shared_ptr<const PushEvent>;

// Whether make_push_event builds the wire frames (an event for live fan-out) or only the JSON
// text (an event read again for one replay, which sends it marked as replayed).
enum class Framing : std::uint8_t { kWire, kTextOnly };

// Builds the routing attributes, encodes the JSON text (with the record's "pos") and frames it
// (once). The Kafka timestamp comes from the record's position.
PushEventPtr make_push_event(std::shared_ptr<const processing::ProcessedEvent> source,
                             Framing framing = Framing::kWire);
// A checkpoint event carrying the JSON text `frame`, framed once.
PushEventPtr make_checkpoint_event(std::string frame);

// The frame one client is sent for a replayed (or snapshot) event: the event's text marked as
// such, framed for the client's deflate window (0: none). Built per replay, off the shard thread.
model::SharedFrame make_marked_frame(const PushEvent& event, model::EventMark mark,
                                     int window_bits);

}  // namespace iiot::push
