// Builds device-data and alert records (CONTRACT section 1) as Boost.JSON objects and their text.
// Every record carries an extra "seq" field (ignored by the gateway) so tests can count and match
// records; device-data records can be padded with an extra "pad" field to a target size.
// Immutable after construction; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alert_composer.h"
#include "device.h"

namespace iiot::simulator {

class RecordWriter {
 public:
  // payload_bytes: target size of a serialised device-data record; 0 or anything smaller than
  // the record itself means no padding.
  explicit RecordWriter(std::size_t payload_bytes) : payload_bytes_(payload_bytes) {}

  // {"device_id","device_type","location","status","timestamp","sensors":{name:{"value","unit"}},
  //  "seq"}. Values are rounded to the sensor's decimals; decimals 0 gives a JSON integer.
  boost::json::object device_data(const Device& device, std::uint64_t seq,
                                  std::string_view timestamp) const;

  // {"alert_id","device_id","severity","title","description",["device_type"],["location"],
  //  "timestamp","seq"}
  boost::json::object alert(const AlertEvent& alert, std::uint64_t seq,
                            std::string_view timestamp) const;

  // Serialises a device-data record, adding "pad" so it is payload_bytes long when asked to.
  std::string finish_device_data(boost::json::object record) const;

  static std::string finish(const boost::json::object& record);

 private:
  std::size_t payload_bytes_;
};

// The Centrifugo API command that publishes record_json (a record's text, kept byte for byte as
// the publication's data) into a channel:
// {"method":"publish","payload":{"channel":...,"data":...}}. channel_template's "{device_id}" is
// replaced by device_id. Pure; thread-safe.
std::string centrifugo_publish(std::string_view channel_template, std::string_view device_id,
                               std::string_view record_json);

}  // namespace iiot::simulator
