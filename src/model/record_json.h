// Internal to the model library: reads one Kafka record's JSON text with simdjson's On-Demand API
// into the facts the record decoders judge: which known fields are present, with which JSON kind
// and text, and a device record's sensors. The whole text is checked as strict JSON, values the
// decoders ignore included: RFC 8259, UTF-8, at most 32 nested containers (Boost.JSON's default,
// which the decoders enforced before). The reason given for a text that is not one JSON object is
// Boost.JSON's, so that x-error headers stay as they were.
// A Reader is not thread-safe: it keeps simdjson's buffers from one record to the next, so each
// thread uses its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace iiot::model::record_json {

enum class Kind : std::uint8_t { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };

// The fields of both kinds of record, in one table; the other fields of a record are checked as
// JSON and dropped.
enum class Field : std::uint8_t {
  kDeviceId,
  kDeviceType,
  kLocation,
  kStatus,
  kTimestamp,
  kSensors,
  kAlertId,
  kSeverity,
  kTitle,
  kDescription,
};
inline constexpr std::size_t kFieldCount = 10;

// The field's name in a record, e.g. "device_id".
std::string_view name_of(Field field);

struct FieldValue {
  Kind kind = Kind::kAbsent;
  std::string_view text;  // the unescaped string when kind is kString
};

// One entry of a device record's "sensors" object, normally {"value": number, "unit": string}.
struct SensorEntry {
  std::string_view name;
  Kind entry;     // kObject for a well-formed entry; value and unit are read only then
  Kind value;     // the kind of its "value"
  Kind unit;      // the kind of its "unit"
  bool finite;    // "value" is a number within the double range
  double number;  // "value", when a number
  std::string_view number_text;  // "value" as the record wrote it, when a number
  std::string_view unit_text;    // "unit", when a string
};

// Whether to read "sensors" entry by entry (device records) or only note its kind (alerts).
enum class Sensors { kRead, kSkip };

// What Reader::read found. A field given twice counts with its last value, as in a Boost.JSON
// object; a sensor name given twice also keeps its first place.
struct Record {
  std::array<FieldValue, kFieldCount> fields;  // indexed by Field

  // When "sensors" is an object and was read: its entries in record order.
  std::vector<SensorEntry> sensors;

  const FieldValue& operator[](Field field) const {
    return fields[static_cast<std::size_t>(field)];
  }
};

class Reader {
 public:
  Reader();
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads text and returns what it holds, or returns nullptr and sets error ("invalid JSON:
  // <reason> at byte <offset>" or "record must be a JSON object") when text is not one JSON
  // object. The record, and the views in it, stay valid until the next read or the reader's end.
  Record* read(std::string_view text, Sensors sensors, std::string& error);

 private:
  struct Buffers;
  std::unique_ptr<Buffers> buffers_;  // keeps simdjson out of this header
  Record record_;  // reused: spares clearing all of it, and allocating its sensors, per record
};

}  // namespace iiot::model::record_json
