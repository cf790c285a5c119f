// A client's subscription filter (CONTRACT section 2) and its decoding from a client frame.
// A value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/device_data.h"

namespace iiot::model {

enum class MessageType { kDeviceData, kAlert };
std::string_view to_string(MessageType type);  // "device_data" | "alert"

// What a client's queue does with telemetry it has not sent yet (CONTRACT section 9): kAll sends
// every event; kLatest lets a newer device_data of a device replace its unsent one.
enum class Delivery { kAll, kLatest };
std::string_view to_string(Delivery delivery);  // "all" | "latest"

// An empty list puts no constraint on its dimension. Lists are kept sorted and de-duplicated.
struct Filter {
  std::vector<std::string> device_ids;
  std::vector<std::string> device_types;
  std::vector<std::string> locations;
  std::vector<Severity> alert_levels;  // constrains alerts only
  std::vector<MessageType> types;
  Delivery delivery = Delivery::kAll;  // how events are queued, not which ones match

  // No constraint on any dimension (delivery is not a constraint).
  bool empty() const;
  bool operator==(const Filter&) const = default;

  // Whether an event with these attributes reaches a client with this filter.
  // severity is ignored for device_data.
  bool matches(MessageType type, std::string_view device_id, std::string_view device_type,
               std::string_view location, Severity severity) const;
};

// A client frame after JSON decoding.
struct PingRequest {};
struct FilterRequest {
  Filter filter;
};
// An error reply to send: code is "invalid_json", "unknown_type" or "invalid_filter".
struct ClientFrameError {
  std::string code;
  std::string message;
};
using ClientRequest = std::variant<PingRequest, FilterRequest, ClientFrameError>;

// Decodes {"type":"ping"} or {"type":"filter","data":{...}}. A missing or null list is empty;
// an unknown level or type, or a list element that is not a string, is invalid_filter. A missing
// or null "delivery" is "all"; anything but "all" or "latest" is invalid_filter.
ClientRequest decode_client_frame(std::string_view text);

}  // namespace iiot::model
