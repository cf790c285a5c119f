#include "test_records.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

namespace iiot::e2e {

namespace json = boost::json;

std::string to_json(const DeviceRecord& r) {
  json::object sensors;
  sensors["seq"] = json::object{{"value", r.seq}};
  sensors["temperature"] = json::object{{"value", 25.5}, {"unit", "°C"}};
  for (int i = 0; i < r.padding_sensors; ++i) {
    sensors["padding_sensor_" + std::to_string(i)] =
        json::object{{"value", i * 1.25}, {"unit", "unit-of-padding"}};
  }
  json::object record{{"device_id", r.device_id}, {"device_type", r.device_type},
                      {"location", r.location},   {"status", "online"},
                      {"timestamp", r.timestamp}, {"sensors", std::move(sensors)}};
  return json::serialize(record);
}

std::string to_json(const AlertRecord& r) {
  json::object record{{"alert_id", r.alert_id},       {"device_id", r.device_id},
                      {"severity", r.severity},       {"title", r.title},
                      {"description", r.description}, {"timestamp", r.timestamp}};
  if (r.device_type) record["device_type"] = *r.device_type;
  if (r.location) record["location"] = *r.location;
  return json::serialize(record);
}

std::string device_key(std::string_view device_id, std::uint64_t seq) {
  return "d:" + std::string(device_id) + "#" + std::to_string(seq);
}

std::string alert_key(std::string_view alert_id) {
  return "a:" + std::string(alert_id);
}

std::string frame_type(const json::object& frame) {
  const json::value* type = frame.if_contains("type");
  return type != nullptr && type->is_string() ? std::string(type->as_string()) : std::string();
}

std::optional<std::string> event_key(const json::object& frame) {
  const std::string type = frame_type(frame);
  try {
    if (type == "device_data") {
      const json::object& device = frame.at("data").at("device").as_object();
      const json::value& seq = device.at("sensors").at("seq").at("value");
      const auto n = static_cast<std::uint64_t>(seq.is_double()  ? seq.as_double()
                                                : seq.is_int64() ? seq.as_int64()
                                                                 : seq.as_uint64());
      return device_key(device.at("device_id").as_string(), n);
    }
    if (type == "alert") return alert_key(frame.at("data").at("alert").at("alert_id").as_string());
  } catch (const std::exception& e) {
    throw std::runtime_error("malformed " + type + " frame: " + json::serialize(frame));
  }
  return std::nullopt;
}

json::object parse_frame(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw std::runtime_error("not a JSON object: " + std::string(text));
  return std::move(v.as_object());
}

}  // namespace iiot::e2e
