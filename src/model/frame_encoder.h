// Encoding of outgoing WebSocket frames (CONTRACT section 2). Each event is encoded once into an
// immutable shared buffer that every matching client sends as is. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/device_data.h"
#include "model/filter.h"
#include "model/record_position.h"
#include "model/stream_cursor.h"

namespace iiot::model {

using SharedFrame = std::shared_ptr<const std::string>;

// {"type":"device_data","timestamp":<record ts>,"pos":<position>,"data":{"device":{...}}}
// A sensor value is written as the record wrote it (value_text), else in its shortest form.
// "pos" is format_position(position, derived), left out when the position is not known()
// (an event made by a test or a benchmark).
SharedFrame encode_device_data(const DeviceData& data, const RecordPosition& position,
                               std::uint32_t derived = 0);
// {"type":"alert","timestamp":<record ts>,"pos":<position>,
//  "data":{"alert":{...},"device_id":..,"device_type":..,"location":..}}
// device_type/location that are nullopt are written as ""; a rule's alert carries
// "source":"rule" in data.alert.
SharedFrame encode_alert(const Alert& alert, const RecordPosition& position,
                         std::uint32_t derived = 0);

// An event frame marked as replayed or as part of a snapshot: the frame with
// ,"replay":true (or ,"snapshot":true) after its "pos". `frame` must come from the encoders above.
enum class EventMark { kReplay, kSnapshot };
std::string mark_event_frame(std::string_view frame, EventMark mark);

// {"type":"checkpoint","timestamp":<now>,"data":{"cursor":<cursor>}}
std::string encode_checkpoint(const StreamCursor& cursor,
                              std::chrono::system_clock::time_point now);
// {"type":"snapshot_end","timestamp":<now>,"data":{"devices":N,"cursor":<cursor>}}
std::string encode_snapshot_end(std::size_t devices, const StreamCursor& cursor,
                                std::chrono::system_clock::time_point now);
// {"type":"resume_ack","timestamp":<now>,"data":{"recovered":<bool>,"replayed":N}}
std::string encode_resume_ack(bool recovered, std::uint64_t replayed,
                              std::chrono::system_clock::time_point now);

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

}  // namespace iiot::model
