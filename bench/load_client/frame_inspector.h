// A minimal look at a gateway frame, for the load client only: the gateway writes every frame as
// {"type":"<type>","timestamp":"<ts>",... (frame_encoder.cpp), so the type and the timestamp are
// read by position and a short search instead of a JSON parse. Pure function; thread-safe.
#pragma once

#include <string_view>

namespace iiot::bench {

enum class FrameKind { kEvent, kFilterAck, kOtherControl, kUnknown };

struct FrameInfo {
  FrameKind kind = FrameKind::kUnknown;
  std::string_view timestamp;  // empty when not found
};

inline FrameInfo inspect_frame(std::string_view text) {
  constexpr std::string_view kTypePrefix = R"({"type":")";
  constexpr std::string_view kTimestampKey = R"("timestamp":")";
  FrameInfo info;
  if (text.substr(0, kTypePrefix.size()) != kTypePrefix) return info;
  const std::string_view rest = text.substr(kTypePrefix.size());
  const std::size_t type_end = rest.find('"');
  if (type_end == std::string_view::npos) return info;
  const std::string_view type = rest.substr(0, type_end);
  if (type == "device_data" || type == "alert") {
    info.kind = FrameKind::kEvent;
  } else if (type == "filter_ack") {
    info.kind = FrameKind::kFilterAck;
  } else {
    info.kind = FrameKind::kOtherControl;
  }
  // The timestamp follows the type directly; a short window keeps the search bounded.
  const std::string_view window = rest.substr(type_end, 32);
  const std::size_t key = window.find(kTimestampKey);
  if (key == std::string_view::npos) return info;
  const std::string_view value = rest.substr(type_end + key + kTimestampKey.size());
  const std::size_t close = value.find('"');
  if (close != std::string_view::npos) info.timestamp = value.substr(0, close);
  return info;
}

}  // namespace iiot::bench
