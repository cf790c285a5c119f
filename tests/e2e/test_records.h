// Kafka records for the tests (CONTRACT section 1) and the identity of the events they become.
// A device-data record carries its sequence number in a sensor ("seq": {"value": N}), because
// unknown record fields are not forwarded; an alert is known by its alert_id. Pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iiot::e2e {

struct DeviceRecord {
  std::string device_id = {};
  std::string device_type = "sensor";
  std::string location = "Building-A";
  std::uint64_t seq = 0;
  std::string timestamp = "2024-08-01T20:50:09.123+08:00";
  int padding_sensors = 0;  // extra sensors to make the record (and its frame) larger
};

struct AlertRecord {
  std::string alert_id = {};
  std::string device_id = {};
  std::string severity = "warning";
  std::optional<std::string> device_type = "sensor";  // nullopt: field absent
  std::optional<std::string> location = "Building-A";
  std::string title = "Temperature High";
  std::string description = "threshold exceeded";
  std::string timestamp = "2024-08-01T20:50:09+08:00";
};

std::string to_json(const DeviceRecord& record);
std::string to_json(const AlertRecord& record);

// The identity of an event frame: "d:<device_id>#<seq>" for device data, "a:<alert_id>" for an
// alert; nullopt for any other frame (welcome, pong, ...).
std::optional<std::string> event_key(const boost::json::object& frame);
std::string device_key(std::string_view device_id, std::uint64_t seq);
std::string alert_key(std::string_view alert_id);

// Parses a frame's text; throws std::runtime_error if it is not a JSON object.
boost::json::object parse_frame(std::string_view text);

// frame["type"] as a string ("" if absent).
std::string frame_type(const boost::json::object& frame);

}  // namespace iiot::e2e
