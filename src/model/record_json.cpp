#include "model/record_json.h"

#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "model/json_text.h"

namespace iiot::model::record_json {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// simdjson's parser and a padded copy of the record: simdjson may read up to SIMDJSON_PADDING
// bytes past the text's end, which a Kafka payload does not promise.
struct Reader::Buffers {
  // Enough for any ordinary record, so that the buffers rarely grow.
  static constexpr std::size_t kInitialCapacity = 4096;

  od::parser parser;
  std::unique_ptr<char[]> padded;
  std::size_t padded_capacity = 0;

  error_code iterate(std::string_view text, od::document& document) {
    const std::size_t capacity = std::max(kInitialCapacity, std::bit_ceil(text.size()));
    if (parser.capacity() < text.size()) {
      if (const error_code error = parser.allocate(capacity)) return error;
    }
    const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
    if (padded_capacity < needed) {
      padded_capacity = capacity + simdjson::SIMDJSON_PADDING;
      padded = std::make_unique_for_overwrite<char[]>(padded_capacity);
    }
    // An empty value may come with a null data pointer, which memcpy must not see.
    if (!text.empty()) std::memcpy(padded.get(), text.data(), text.size());
    std::memset(padded.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(padded.get(), text.size(), padded_capacity).get(document);
  }
};

namespace {

// Sensors whose room a reader keeps from one record to the next (a valid record has at most 256).
constexpr std::size_t kKeptSensorsCapacity = 256;

// Boost.JSON's default parse_options::max_depth, the limit records had before simdjson read them.
constexpr int kMaxDepth = 32;

constexpr std::array<std::string_view, kFieldCount> kFieldNames{
    "device_id", "device_type", "location", "status", "timestamp",
    "sensors",   "alert_id",    "severity", "title",  "description"};

constexpr std::array<std::string_view, 2> kReadingKeys{"value", "unit"};

// Whether a key, from just past its opening quote, is name written without escapes. Reading past
// the end of a shorter key is safe: simdjson's padding follows the text. Inlined so that each
// comparison is of a known length.
[[gnu::always_inline]] inline bool raw_key_is(const char* raw, std::string_view name) {
  return raw[name.size()] == '"' && std::memcmp(raw, name.data(), name.size()) == 0;
}

template <const auto& kNames, std::size_t... kIndex>
std::size_t raw_key_index(const char* raw, std::index_sequence<kIndex...> /*unused*/) {
  std::size_t index = sizeof...(kIndex);
  static_cast<void>(((raw_key_is(raw, kNames[kIndex]) && (index = kIndex, true)) || ...));
  return index;
}

// Which of kNames the field's key is (kNames.size() if none). A key written without escapes is
// compared in the record's text, which spares unescaping it; any other key is unescaped, which
// also checks its escapes.
template <const auto& kNames>
error_code key_index(od::field& field, std::size_t& index) {
  constexpr std::size_t kCount = std::tuple_size_v<std::decay_t<decltype(kNames)>>;
  index = raw_key_index<kNames>(field.key().raw(), std::make_index_sequence<kCount>());
  if (index != kCount) return simdjson::SUCCESS;
  std::string_view key;
  if (const error_code error = field.unescaped_key().get(key)) return error;
  index = static_cast<std::size_t>(std::find(kNames.begin(), kNames.end(), key) - kNames.begin());
  return simdjson::SUCCESS;
}

Kind kind_of(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return Kind::kArray;
    case od::json_type::object:
      return Kind::kObject;
    case od::json_type::number:
      return Kind::kNumber;
    case od::json_type::string:
      return Kind::kString;
    case od::json_type::boolean:
      return Kind::kBool;
    case od::json_type::null:
      return Kind::kNull;
  }
  return Kind::kAbsent;
}

struct Number {
  double value = 0.0;
  std::string_view text;
};

// simdjson's raw token of a scalar runs up to the next token, JSON whitespace included.
std::string_view without_trailing_whitespace(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  return token;
}

std::optional<Number> read_number(od::value& value) {
  const std::string_view text = without_trailing_whitespace(value.raw_json_token());
  // An integer is converted from its 64-bit value, as Boost.JSON did ("-0" is 0); anything else is
  // read as a double. (simdjson 3.0.1's get_number() loses a fraction of more than 19 digits.)
  bool integer = false;
  if (value.is_integer().get(integer) == simdjson::SUCCESS) {
    if (integer) {
      od::number number;
      if (value.get_number().get(number) == simdjson::SUCCESS) {
        return Number{number.as_double(), text};
      }
    } else if (double number = 0.0; value.get_double().get(number) == simdjson::SUCCESS) {
      return Number{number, text};
    }
  }
  // simdjson turns down integers beyond 64 bits and literals beyond the double range, which are
  // JSON all the same: read them as Boost.JSON did (the rules then reject an infinity).
  const std::optional<double> wide = json_text::parse_number(text);
  if (!wide) return std::nullopt;
  return Number{*wide, text};
}

error_code check(od::value& value, od::json_type type, int depth);

// Checks a value that no rule reads; depth is that of the container holding it (the record is 1).
error_code check(od::value& value, int depth) {
  od::json_type type{};
  if (const error_code error = value.type().get(type)) return error;
  return check(value, type, depth);
}

error_code check(od::value& value, od::json_type type, int depth) {
  switch (type) {
    case od::json_type::object: {
      if (depth >= kMaxDepth) return simdjson::DEPTH_ERROR;
      od::object object;
      if (const error_code error = value.get_object().get(object)) return error;
      for (auto entry : object) {
        if (const error_code error = entry.error()) return error;
        od::field& field = entry.value_unsafe();
        std::string_view key;
        if (const error_code error = field.unescaped_key().get(key)) return error;
        if (const error_code error = check(field.value(), depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      if (depth >= kMaxDepth) return simdjson::DEPTH_ERROR;
      od::array array;
      if (const error_code error = value.get_array().get(array)) return error;
      for (auto entry : array) {
        if (const error_code error = entry.error()) return error;
        if (const error_code error = check(entry.value_unsafe(), depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      return value.get_string().get(text);
    }
    case od::json_type::number:
      return read_number(value) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      bool flag = false;
      return value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (const error_code error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

// A top-level field: a string is kept, anything else is checked and only its kind noted.
error_code read_field(od::value& value, FieldValue& out) {
  od::json_type type{};
  if (const error_code error = value.type().get(type)) return error;
  out = FieldValue{kind_of(type), {}};
  if (type == od::json_type::string) return value.get_string().get(out.text);
  return check(value, type, 1);
}

// Finds a sensor name among the entries so far, so that a repeated name keeps its first place.
// A record has a handful of sensors: a linear scan, and a hash table past kScanned of them.
class SensorPlaces {
 public:
  // The place of name in entries; entries.size() when it is new (the caller then appends it).
  std::size_t find(const std::vector<SensorEntry>& entries, std::string_view name) {
    if (hashed_.empty() && entries.size() < kScanned) {
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].name == name) return i;
      }
      return entries.size();
    }
    if (hashed_.empty()) {
      for (std::size_t i = 0; i < entries.size(); ++i) hashed_.emplace(entries[i].name, i);
    }
    return hashed_.try_emplace(name, entries.size()).first->second;
  }

 private:
  static constexpr std::size_t kScanned = 16;
  // Views into the parser's string buffer, stable while the record is read.
  std::unordered_map<std::string_view, std::size_t> hashed_;
};

// One sensors entry; a repeated name is read again into the same entry: the last one counts.
error_code read_sensor(od::value& value, SensorEntry& entry) {
  constexpr int kEntryDepth = 2;  // the record, then "sensors"
  od::json_type type{};
  if (const error_code error = value.type().get(type)) return error;
  entry.entry = kind_of(type);
  entry.value = Kind::kAbsent;
  entry.unit = Kind::kAbsent;
  entry.finite = true;
  entry.number = 0.0;
  if (type != od::json_type::object) return check(value, type, kEntryDepth);

  od::object object;
  if (const error_code error = value.get_object().get(object)) return error;
  for (auto member : object) {
    if (const error_code error = member.error()) return error;
    od::field& field = member.value_unsafe();
    std::size_t key = 0;
    if (const error_code error = key_index<kReadingKeys>(field, key)) return error;
    od::value& item = field.value();
    if (key == kReadingKeys.size()) {
      if (const error_code error = check(item, kEntryDepth + 1)) return error;
      continue;
    }
    if (const error_code error = item.type().get(type)) return error;
    Kind& kind = key == 0 ? entry.value : entry.unit;
    kind = kind_of(type);
    if (key == 0 && type == od::json_type::number) {
      const std::optional<Number> number = read_number(item);
      if (!number) return simdjson::NUMBER_ERROR;
      entry.number = number->value;
      entry.number_text = number->text;
      entry.finite = std::isfinite(number->value);
    } else if (key == 1 && type == od::json_type::string) {
      if (const error_code error = item.get_string().get(entry.unit_text)) return error;
    } else if (const error_code error = check(item, type, kEntryDepth + 1)) {
      return error;
    }
  }
  return simdjson::SUCCESS;
}

error_code read_sensors(od::value& value, Record& record, FieldValue& out) {
  od::json_type type{};
  if (const error_code error = value.type().get(type)) return error;
  out = FieldValue{kind_of(type), {}};
  record.sensors.clear();  // "sensors" given twice: the last one counts
  if (type != od::json_type::object) return check(value, type, 1);

  od::object sensors;
  if (const error_code error = value.get_object().get(sensors)) return error;
  SensorPlaces places;
  for (auto member : sensors) {
    if (const error_code error = member.error()) return error;
    od::field& field = member.value_unsafe();
    std::string_view name;
    if (const error_code error = field.unescaped_key().get(name)) return error;
    const std::size_t place = places.find(record.sensors, name);
    if (place == record.sensors.size()) record.sensors.emplace_back().name = name;
    if (const error_code error = read_sensor(field.value(), record.sensors[place])) return error;
  }
  return simdjson::SUCCESS;
}

error_code read_record(od::document& document, Sensors sensors, Record& record) {
  od::object object;
  if (const error_code error = document.get_object().get(object)) return error;
  for (auto entry : object) {
    if (const error_code error = entry.error()) return error;
    od::field& field = entry.value_unsafe();
    std::size_t index = 0;
    if (const error_code error = key_index<kFieldNames>(field, index)) return error;
    error_code error = simdjson::SUCCESS;
    if (index == kFieldCount) {
      error = check(field.value(), 1);
    } else if (index == static_cast<std::size_t>(Field::kSensors) && sensors == Sensors::kRead) {
      error = read_sensors(field.value(), record, record.fields[index]);
    } else {
      error = read_field(field.value(), record.fields[index]);
    }
    if (error) return error;
  }
  // The object must be the whole text: past its end, On-Demand has a position to report only if
  // something follows.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return simdjson::TRAILING_CONTENT;
  }
  return simdjson::SUCCESS;
}

// simdjson says what is wrong but not where; Boost.JSON says both, in the words records were
// turned down with before. It only reads texts that simdjson refused.
std::string rejection_reason(std::string_view text, error_code error) {
  unsigned char tree_buffer[4096];
  boost::json::monotonic_resource tree_memory(tree_buffer);
  std::string reason;
  const boost::json::value value = json_text::parse(text, &tree_memory, reason);
  if (!reason.empty()) return reason;
  if (!value.is_object()) return "record must be a JSON object";
  // Boost.JSON read what simdjson did not (no such text is known); the record stays out.
  return std::string("invalid JSON: ") + simdjson::error_message(error);
}

}  // namespace

std::string_view name_of(Field field) {
  return kFieldNames[static_cast<std::size_t>(field)];
}

Reader::Reader() : buffers_(std::make_unique<Buffers>()) {}

Reader::~Reader() = default;

Record* Reader::read(std::string_view text, Sensors sensors, std::string& error) {
  for (FieldValue& field : record_.fields) field.kind = Kind::kAbsent;
  // The readings' memory is kept for the next record, unless a record had too many sensors.
  if (record_.sensors.capacity() > kKeptSensorsCapacity) record_.sensors = {};
  record_.sensors.clear();
  od::document document;
  error_code code = buffers_->iterate(text, document);
  if (code == simdjson::SUCCESS) code = read_record(document, sensors, record_);
  if (code == simdjson::SUCCESS) return &record_;
  error = rejection_reason(text, code);
  return nullptr;
}

}  // namespace iiot::model::record_json
