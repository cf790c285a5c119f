#include "push/push_event.h"

namespace iiot::push {

PushEventPtr make_push_event(std::shared_ptr<const processing::ProcessedEvent> source,
                             std::chrono::system_clock::time_point kafka_timestamp) {
  auto event = std::make_shared<PushEvent>();
  if (source->is_alert()) {
    const model::Alert& alert = source->alert();
    event->type = model::MessageType::kAlert;
    event->severity = alert.severity;
    event->device_id = alert.device_id;
    event->device_type = alert.device_type ? std::string_view(*alert.device_type) : "";
    event->location = alert.location ? std::string_view(*alert.location) : "";
    event->frame = model::encode_alert(alert);
  } else {
    const model::DeviceData& data = source->device_data();
    event->type = model::MessageType::kDeviceData;
    event->device_id = data.device_id;
    event->device_type = data.device_type;
    event->location = data.location;
    event->frame = model::encode_device_data(data);
  }
  event->wire.emplace(event->frame);
  event->source = std::move(source);
  event->kafka_timestamp = kafka_timestamp;
  event->accepted_at = std::chrono::steady_clock::now();
  return event;
}

}  // namespace iiot::push
