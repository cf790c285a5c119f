// Turns a valid record into a deliberately invalid one, of one of several kinds, so the gateway's
// validation and dead-letter path get exercised (CONTRACT section 1, "Bad records").
// Every kind breaks exactly one rule; the JSON kinds keep "seq" so tests can still count them.
// Stateless; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace iiot::simulator {

enum class InvalidKind {
  kNotJson,            // a plain-text payload
  kTruncatedJson,      // a record cut off mid-way
  kInvalidUtf8,        // a string with bytes that are not UTF-8
  kMissingDeviceId,    // required field absent
  kBadDeviceIdChars,   // device_id with characters outside [A-Za-z0-9._:/-]
  kBadTimestamp,       // timestamp that is not RFC 3339
  kMissingDeviceType,  // device data only
  kBadStatus,          // device data only: status not one of the four
  kEmptySensors,       // device data only: "sensors": {}
  kWrongValueType,     // device data only: a sensor value that is a string
  kMissingAlertId,     // alerts only
  kBadSeverity,        // alerts only: severity not one of the four
  kMissingTitle,       // alerts only
};
inline constexpr std::size_t kInvalidKindCount = 13;

enum class RecordStream { kDeviceData, kAlert };

// Snake-case name, e.g. "missing_device_id" (used in the summary).
std::string_view to_string(InvalidKind kind);

// The kinds that apply to a stream.
std::span<const InvalidKind> invalid_kinds(RecordStream stream);

// The bytes of `record` (a valid record of `stream`) broken in the way `kind` says.
std::string corrupt(boost::json::object record, RecordStream stream, InvalidKind kind);

}  // namespace iiot::simulator
