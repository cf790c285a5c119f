#include "push/push_event.h"

namespace iiot::push {

PushEventPtr make_push_event(std::shared_ptr<const processing::ProcessedEvent> source,
                             Framing framing) {
  auto event = std::make_shared<PushEvent>();
  if (source->is_alert()) {
    const model::Alert& alert = source->alert();
    event->type = model::MessageType::kAlert;
    event->severity = alert.severity;
    event->device_id = alert.device_id;
    event->device_type = alert.device_type ? std::string_view(*alert.device_type) : "";
    event->location = alert.location ? std::string_view(*alert.location) : "";
    event->frame = model::encode_alert(alert, source->position, source->derived);
  } else {
    const model::DeviceData& data = source->device_data();
    event->type = model::MessageType::kDeviceData;
    event->device_id = data.device_id;
    event->device_type = data.device_type;
    event->location = data.location;
    event->frame = model::encode_device_data(data, source->position, source->derived);
  }
  if (framing == Framing::kWire) event->wire.emplace(event->frame);
  event->kafka_timestamp = source->position.kafka_timestamp;
  event->source = std::move(source);
  event->accepted_at = std::chrono::steady_clock::now();
  return event;
}

PushEventPtr make_checkpoint_event(std::string frame) {
  auto event = std::make_shared<PushEvent>();
  event->kind = PushEvent::Kind::kCheckpoint;
  event->frame = std::make_shared<const std::string>(std::move(frame));
  event->wire.emplace(event->frame);
  event->accepted_at = std::chrono::steady_clock::now();
  return event;
}

model::SharedFrame make_marked_frame(const PushEvent& event, model::EventMark mark,
                                     int window_bits) {
  const std::string text = model::mark_event_frame(*event.frame, mark);
  if (window_bits >= kMinWindowBits && window_bits <= kMaxWindowBits) {
    if (model::SharedFrame deflated = make_deflated_text_frame(text, window_bits)) return deflated;
  }
  return make_text_frame(text);
}

}  // namespace iiot::push
