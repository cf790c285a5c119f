#include "model/frame_encoder.h"

#include <optional>
#include <utility>

#include "model/json_text.h"
#include "text_formats/json_number_text.h"
#include "text_formats/rfc3339_format.h"

namespace iiot::model {
namespace {

using json_text::append_string;

// Room for the fixed keys and punctuation of each frame; escaping may still grow the string.
constexpr std::size_t kDeviceFrameOverhead = 128;
constexpr std::size_t kSensorOverhead = 48;
constexpr std::size_t kAlertFrameOverhead = 192;
constexpr std::size_t kFilterOverhead = 96;
constexpr std::size_t kPositionOverhead = 48;
// Where the event encoders put "data", right after "pos": the place for a mark.
constexpr std::string_view kDataKey = R"(,"data":)";

// ,"pos":"<topic>:<partition>:<offset>[/<n>]" (topic names need no escaping)
void append_pos(std::string& out, const RecordPosition& position, std::uint32_t derived) {
  if (!position.known()) return;
  out.append(R"(,"pos":")");
  append_position(out, position, derived);
  out.push_back('"');
}

template <typename T, typename Name>
void append_list(std::string& out, const std::vector<T>& list, Name name) {
  out.push_back('[');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_string(out, name(list[i]));
  }
  out.push_back(']');
}

// What a filter asks for; kFilter adds how it wants it delivered (a scope has no delivery).
enum class FilterPart { kFilter, kScope };

void append_filter(std::string& out, const Filter& filter, FilterPart part = FilterPart::kFilter) {
  auto same = [](const std::string& s) -> std::string_view { return s; };
  auto name = [](auto e) { return to_string(e); };
  out.append(R"({"device_ids":)");
  append_list(out, filter.device_ids, same);
  out.append(R"(,"device_types":)");
  append_list(out, filter.device_types, same);
  out.append(R"(,"locations":)");
  append_list(out, filter.locations, same);
  out.append(R"(,"alert_levels":)");
  append_list(out, filter.alert_levels, name);
  out.append(R"(,"types":)");
  append_list(out, filter.types, name);
  if (part == FilterPart::kFilter) {
    out.append(R"(,"delivery":")").append(to_string(filter.delivery)).push_back('"');
    out.append(R"(,"resume":)").append(filter.resume ? "true" : "false");
    out.append(R"(,"snapshot":)").append(filter.snapshot ? "true" : "false");
  }
  out.push_back('}');
}

std::size_t filter_size_hint(const Filter& filter) {
  std::size_t n = kFilterOverhead + 24 + 12 * (filter.alert_levels.size() + filter.types.size());
  for (const auto* list : {&filter.device_ids, &filter.device_types, &filter.locations}) {
    for (const std::string& s : *list) n += s.size() + 3;
  }
  return n;
}

// {"type":<type>,"timestamp":<now>
void append_control_head(std::string& out, std::string_view type,
                         std::chrono::system_clock::time_point now) {
  out.append(R"({"type":")").append(type).append(R"(","timestamp":")");
  text_formats::append_rfc3339_utc(out, now, text_formats::FractionDigits::kMillis);
  out.push_back('"');
}

std::string_view view_or_empty(const std::optional<std::string>& text) {
  return text ? std::string_view(*text) : std::string_view();
}

}  // namespace

SharedFrame encode_device_data(const DeviceData& data, const RecordPosition& position,
                               std::uint32_t derived) {
  std::size_t size = kDeviceFrameOverhead + kPositionOverhead + position.topic.size() +
                     data.timestamp.size() + data.device_id.size() + data.device_type.size() +
                     data.location.size();
  for (const SensorReading& sensor : data.sensors) {
    size += kSensorOverhead + sensor.name.size() + sensor.value_text.size() +
            (sensor.unit ? sensor.unit->size() : 0);
  }
  auto frame = std::make_shared<std::string>();
  std::string& out = *frame;
  out.reserve(size);

  out.append(R"({"type":"device_data","timestamp":)");
  append_string(out, data.timestamp);
  append_pos(out, position, derived);
  out.append(R"(,"data":{"device":{"device_id":)");
  append_string(out, data.device_id);
  out.append(R"(,"device_type":)");
  append_string(out, data.device_type);
  out.append(R"(,"location":)");
  append_string(out, data.location);
  out.append(R"(,"status":")").append(to_string(data.status)).append(R"(","sensors":{)");
  for (std::size_t i = 0; i < data.sensors.size(); ++i) {
    const SensorReading& sensor = data.sensors[i];
    if (i != 0) out.push_back(',');
    append_string(out, sensor.name);
    out.append(R"(:{"value":)");
    if (sensor.value_text.empty()) {
      text_formats::append_json_number(out, sensor.value, text_formats::NumberStyle::kShortest);
    } else {
      out.append(sensor.value_text);  // the record's own JSON number, checked when it was read
    }
    if (sensor.unit) {
      out.append(R"(,"unit":)");
      append_string(out, *sensor.unit);
    }
    out.push_back('}');
  }
  out.append("}}}}");
  return frame;
}

SharedFrame encode_alert(const Alert& alert, const RecordPosition& position,
                         std::uint32_t derived) {
  const std::string_view device_type = view_or_empty(alert.device_type);
  const std::string_view location = view_or_empty(alert.location);
  auto frame = std::make_shared<std::string>();
  std::string& out = *frame;
  out.reserve(kAlertFrameOverhead + kPositionOverhead + position.topic.size() +
              alert.timestamp.size() + alert.alert_id.size() + alert.title.size() +
              alert.description.size() + alert.device_id.size() + device_type.size() +
              location.size());

  out.append(R"({"type":"alert","timestamp":)");
  append_string(out, alert.timestamp);
  append_pos(out, position, derived);
  out.append(R"(,"data":{"alert":{"alert_id":)");
  append_string(out, alert.alert_id);
  out.append(R"(,"severity":")").append(to_string(alert.severity)).append(R"(","title":)");
  append_string(out, alert.title);
  out.append(R"(,"description":)");
  append_string(out, alert.description);
  if (alert.source == AlertSource::kRule) out.append(R"(,"source":"rule")");
  out.append(R"(},"device_id":)");
  append_string(out, alert.device_id);
  out.append(R"(,"device_type":)");
  append_string(out, device_type);
  out.append(R"(,"location":)");
  append_string(out, location);
  out.append("}}");
  return frame;
}

std::string encode_welcome(std::string_view client_id, const Filter& filter, const Filter& scope,
                           std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(96 + client_id.size() + filter_size_hint(filter) + filter_size_hint(scope));
  append_control_head(out, "welcome", now);
  out.append(R"(,"data":{"client_id":)");
  append_string(out, client_id);
  out.append(R"(,"filter":)");
  append_filter(out, filter);
  out.append(R"(,"scope":)");
  append_filter(out, scope, FilterPart::kScope);
  out.append("}}");
  return out;
}

std::string encode_refresh_ack(std::optional<std::chrono::system_clock::time_point> expires_at,
                               const Filter& scope, std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(128 + filter_size_hint(scope));
  append_control_head(out, "refresh_ack", now);
  out.append(R"(,"data":{"expires_at":)");
  if (expires_at) {
    out.push_back('"');
    text_formats::append_rfc3339_utc(out, *expires_at, text_formats::FractionDigits::kMillis);
    out.push_back('"');
  } else {
    out.append("null");
  }
  out.append(R"(,"scope":)");
  append_filter(out, scope, FilterPart::kScope);
  out.append("}}");
  return out;
}

std::string encode_filter_ack(const Filter& filter, std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(64 + filter_size_hint(filter));
  append_control_head(out, "filter_ack", now);
  out.append(R"(,"data":)");
  append_filter(out, filter);
  out.push_back('}');
  return out;
}

std::string encode_pong(std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(64);
  append_control_head(out, "pong", now);
  out.push_back('}');
  return out;
}

std::string encode_error(std::string_view code, std::string_view message,
                         std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(96 + code.size() + message.size());
  append_control_head(out, "error", now);
  out.append(R"(,"data":{"code":)");
  append_string(out, code);
  out.append(R"(,"message":)");
  append_string(out, message);
  out.append("}}");
  return out;
}

std::string mark_event_frame(std::string_view frame, EventMark mark) {
  // The record's strings before "pos" are JSON-escaped, so the first ,"pos":" is the key, and
  // the position holds no quote, so the ,"data": after it is the key too.
  const auto pos = frame.find(R"(,"pos":")");
  const auto data = frame.find(kDataKey, pos == std::string_view::npos ? 0 : pos);
  const std::string_view flag =
      mark == EventMark::kReplay ? R"(,"replay":true)" : R"(,"snapshot":true)";
  std::string out;
  out.reserve(frame.size() + flag.size());
  out.append(frame.substr(0, data)).append(flag).append(frame.substr(data));
  return out;
}

std::string encode_checkpoint(const StreamCursor& cursor,
                              std::chrono::system_clock::time_point now) {
  const std::string text = encode_cursor(cursor);
  std::string out;
  out.reserve(80 + text.size());
  append_control_head(out, "checkpoint", now);
  out.append(R"(,"data":{"cursor":")").append(text).append(R"("}})");
  return out;
}

std::string encode_snapshot_end(std::size_t devices, const StreamCursor& cursor,
                                std::chrono::system_clock::time_point now) {
  const std::string text = encode_cursor(cursor);
  std::string out;
  out.reserve(96 + text.size());
  append_control_head(out, "snapshot_end", now);
  out.append(R"(,"data":{"devices":)").append(std::to_string(devices));
  out.append(R"(,"cursor":")").append(text).append(R"("}})");
  return out;
}

std::string encode_resume_ack(bool recovered, std::uint64_t replayed,
                              std::chrono::system_clock::time_point now) {
  std::string out;
  out.reserve(96);
  append_control_head(out, "resume_ack", now);
  out.append(R"(,"data":{"recovered":)").append(recovered ? "true" : "false");
  out.append(R"(,"replayed":)").append(std::to_string(replayed)).append("}}");
  return out;
}

}  // namespace iiot::model
