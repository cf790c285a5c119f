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

#include "model/device_data.h"

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

// What a decoder needs to judge one sensors entry; its SensorReading holds the values.
struct SensorFacts {
  Kind entry;  // kObject for a well-formed entry
  Kind value;
  Kind unit;
  bool finite;  // value is a number within the double range
};

inline constexpr std::size_t kSensorFactsCapacity = 256;

// Whether to read "sensors" entry by entry (device records) or only note its kind (alerts).
enum class Sensors { kRead, kSkip };

struct Record {
  std::array<FieldValue, kFieldCount> fields{};

  // When "sensors" is an object and was read: its entries in record order. A name given twice
  // keeps its first place and its last value, as in a Boost.JSON object. A reading's name, value,
  // value_text and unit are filled when its facts show them well-formed.
  std::vector<SensorReading> sensors;
  // sensor_facts[i] describes sensors[i], for i < kSensorFactsCapacity (beyond that the record
  // has too many sensors anyway). Left uninitialised past sensors.size().
  std::array<SensorFacts, kSensorFactsCapacity> sensor_facts;

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

  // Reads text into record (which must be fresh). Returns false and sets error, "invalid JSON:
  // <reason> at byte <offset>" or "record must be a JSON object", when text is not one JSON
  // object. The views in record stay valid until the next read or the reader's end.
  bool read(std::string_view text, Sensors sensors, Record& record, std::string& error);

 private:
  struct Buffers;
  std::unique_ptr<Buffers> buffers_;  // keeps simdjson out of this header
};

}  // namespace iiot::model::record_json
