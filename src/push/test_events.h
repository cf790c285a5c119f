// Events for the push layer's unit tests.
#pragma once

#include <memory>
#include <string>

#include "push/push_event.h"

namespace iiot::push::test {

inline PushEventPtr record_event(const std::string& device, const std::string& topic,
                                 std::int32_t partition, std::int64_t offset,
                                 const std::string& location = "A") {
  model::DeviceData data;
  data.device_id = device;
  data.device_type = "sensor";
  data.location = location;
  data.timestamp = "2024-08-01T20:50:09Z";
  data.sensors = {{"t", 1.5, std::nullopt, ""}};
  return make_push_event(
      std::make_shared<const processing::ProcessedEvent>(processing::ProcessedEvent{
          std::move(data), model::RecordPosition{topic, partition, offset}}));
}

// The text of an uncompressed text frame from make_text_frame (header: 2, 4 or 10 bytes).
inline std::string text_of(const model::SharedFrame& frame) {
  const auto length = static_cast<unsigned char>((*frame)[1]) & 0x7fU;
  const std::size_t header = length < 126 ? 2 : length == 126 ? 4 : 10;
  return frame->substr(header);
}

}  // namespace iiot::push::test
