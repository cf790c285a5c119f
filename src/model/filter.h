// A client's subscription filter (CONTRACT section 2) and its decoding from a client frame.
// A value type; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/device_data.h"

namespace iiot::model {

enum class MessageType { kDeviceData, kAlert };
std::string_view to_string(MessageType type);  // "device_data" | "alert"
std::optional<MessageType> parse_message_type(std::string_view text);

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
  // Snapshot and resume (CONTRACT section 8); like delivery, they do not change what matches.
  bool resume = false;    // the client gets checkpoints and may resume from one
  bool snapshot = false;  // the client first gets the latest state of every matching device

  // No constraint on any dimension (delivery, resume and snapshot are not constraints).
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
// {"type":"refresh","data":{"token":"…"}}: a new token for the connection (CONTRACT section 7).
struct RefreshRequest {
  std::string token;
};
// {"type":"resume","data":{"cursor":"..."}}; the cursor is checked against the topics later.
struct ResumeRequest {
  std::string cursor;
};
// An error reply to send: code is "invalid_json", "unknown_type", "invalid_filter",
// "invalid_token" (a refresh without a token) or "invalid_cursor" (a resume without a cursor).
// A message never quotes a token.
struct ClientFrameError {
  std::string code;
  std::string message;
};
using ClientRequest =
    std::variant<PingRequest, FilterRequest, RefreshRequest, ResumeRequest, ClientFrameError>;

// Decodes {"type":"ping"}, {"type":"filter","data":{...}}, {"type":"refresh","data":{"token":
// "..."}} or {"type":"resume","data":{"cursor":"..."}}. A missing or null list is empty; an
// unknown level or type, or a list element that is not a string, is invalid_filter. A missing or
// null "delivery" is "all"; anything but "all" or "latest" is invalid_filter. "resume" and
// "snapshot" must be booleans (missing or null is false). A resume without a string cursor is
// invalid_cursor.
ClientRequest decode_client_frame(std::string_view text);

// Decodes a filter given as a JSON object text (e.g. a token's scope claim) with the rules of a
// filter frame's data, plus: a key other than the five filter keys is an error (a misspelt key in
// a scope must not widen it). Returns the filter or the reason it was refused.
std::variant<Filter, std::string> decode_filter_object(std::string_view json_text);

}  // namespace iiot::model
