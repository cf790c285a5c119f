// Encoding of outgoing WebSocket frames (CONTRACT section 2). Each event is encoded once into an
// immutable shared buffer that every matching client sends as is. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/device_data.h"
#include "model/filter.h"

namespace iiot::model {

using SharedFrame = std::shared_ptr<const std::string>;

// {"type":"device_data","timestamp":<record ts>,"data":{"device":{...}}}
// A sensor value is written as the record wrote it (value_text), else in its shortest form.
SharedFrame encode_device_data(const DeviceData& data);
// {"type":"alert","timestamp":<record ts>,
//  "data":{"alert":{...},"device_id":..,"device_type":..,"location":..}}
// device_type/location that are nullopt are written as ""; a rule's alert carries
// "source":"rule" in data.alert.
SharedFrame encode_alert(const Alert& alert);

// Control frames; server timestamps are RFC 3339 UTC with milliseconds.
// scope: what the client's token allows (every key present; empty lists when unrestricted).
std::string encode_welcome(std::string_view client_id, const Filter& filter, const Filter& scope,
                           std::chrono::system_clock::time_point now);
std::string encode_filter_ack(const Filter& filter, std::chrono::system_clock::time_point now);
std::string encode_pong(std::chrono::system_clock::time_point now);
// {"type":"refresh_ack","data":{"expires_at":"<RFC 3339>"|null,"scope":{...}}}; null when the new
// token does not expire.
std::string encode_refresh_ack(std::optional<std::chrono::system_clock::time_point> expires_at,
                               const Filter& scope, std::chrono::system_clock::time_point now);
std::string encode_error(std::string_view code, std::string_view message,
                         std::chrono::system_clock::time_point now);

// "2024-08-01T12:50:09.123Z"
std::string format_utc_millis(std::chrono::system_clock::time_point t);

}  // namespace iiot::model
