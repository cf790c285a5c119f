#include "record_writer.h"

#include <cmath>

#include "text_formats/compact_json.h"

namespace iiot::simulator {
namespace {

boost::json::value reading(double value, int decimals) {
  if (decimals <= 0) return static_cast<std::int64_t>(std::llround(value));
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

}  // namespace

boost::json::object RecordWriter::device_data(const Device& device, std::uint64_t seq,
                                              std::string_view timestamp) const {
  boost::json::object sensors;
  sensors.reserve(device.sensors.size());
  for (const Sensor& sensor : device.sensors) {
    boost::json::object entry;
    entry["value"] = reading(sensor.value, sensor.spec->decimals);
    if (!sensor.spec->unit.empty()) entry["unit"] = sensor.spec->unit;
    sensors[sensor.spec->name] = std::move(entry);
  }

  boost::json::object record;
  record.reserve(8);
  record["device_id"] = device.id;
  record["device_type"] = device.type->type;
  record["location"] = device.location;
  record["status"] = to_string(device.status);
  record["timestamp"] = timestamp;
  record["sensors"] = std::move(sensors);
  record["seq"] = seq;
  return record;
}

boost::json::object RecordWriter::alert(const AlertEvent& alert, std::uint64_t seq,
                                        std::string_view timestamp) const {
  boost::json::object record;
  record.reserve(9);
  record["alert_id"] = alert.alert_id;
  record["device_id"] = alert.device_id;
  record["severity"] = to_string(alert.severity);
  record["title"] = alert.title;
  record["description"] = alert.description;
  if (alert.device_type) record["device_type"] = *alert.device_type;
  if (alert.location) record["location"] = *alert.location;
  record["timestamp"] = timestamp;
  record["seq"] = seq;
  return record;
}

std::string RecordWriter::finish_device_data(boost::json::object record) const {
  std::string text = text_formats::to_compact_json(record);
  // ,"pad":"" adds 9 bytes around the padding itself.
  constexpr std::size_t kPadOverhead = 9;
  if (payload_bytes_ < text.size() + kPadOverhead) return text;
  record["pad"] = std::string(payload_bytes_ - text.size() - kPadOverhead, 'x');
  return text_formats::to_compact_json(record);
}

std::string RecordWriter::finish(const boost::json::object& record) {
  return text_formats::to_compact_json(record);
}

std::string centrifugo_publish(std::string_view channel_template, std::string_view device_id,
                               std::string_view record_json) {
  constexpr std::string_view kPlaceholder = "{device_id}";
  std::string channel(channel_template);
  if (const auto at = channel.find(kPlaceholder); at != std::string::npos) {
    channel.replace(at, kPlaceholder.size(), device_id);
  }
  // The record is already JSON text: it is placed as the data value, not parsed again.
  std::string command = R"({"method":"publish","payload":{"channel":)";
  command += text_formats::to_compact_json(boost::json::value(channel));
  command += R"(,"data":)";
  command += record_json;
  command += "}}";
  return command;
}

}  // namespace iiot::simulator
