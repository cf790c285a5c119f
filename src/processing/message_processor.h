// The processing step between Kafka and the push layer (the seed's MessageProcessor).
// process() is called on the consumer thread only, one record at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "model/device_data.h"

namespace iiot::processing {

enum class RecordKind { kDeviceData, kAlert };

// A record that passed validation, with an alert's device_type/location already enriched.
struct ProcessedEvent {
  std::variant<model::DeviceData, model::Alert> value;

  bool is_alert() const { return value.index() == 1; }
  const model::DeviceData& device_data() const { return std::get<0>(value); }
  const model::Alert& alert() const { return std::get<1>(value); }
};

// Either the processed event or the reason the record is invalid (dead-letter x-error header).
class ProcessResult {
 public:
  static ProcessResult accepted(std::shared_ptr<const ProcessedEvent> event) {
    ProcessResult r;
    r.event_ = std::move(event);
    return r;
  }
  static ProcessResult rejected(std::string reason) {
    ProcessResult r;
    r.error_ = std::move(reason);
    return r;
  }
  bool ok() const { return event_ != nullptr; }
  const std::shared_ptr<const ProcessedEvent>& event() const { return event_; }
  const std::string& error() const { return error_; }

 private:
  std::shared_ptr<const ProcessedEvent> event_;
  std::string error_;
};

// What the consumer knows of a record beyond its value.
struct RecordOrigin {
  std::chrono::system_clock::time_point kafka_timestamp{};  // the record's; epoch when unknown
};

class MessageProcessor {
 public:
  virtual ~MessageProcessor() = default;
  // Validates and processes one record value. Never throws for bad input: a rejected result
  // carries the reason. May block (back-pressure) but never on a client socket.
  virtual ProcessResult process(RecordKind kind, std::string_view payload) = 0;
  // The same for a record read from Kafka (the consumer calls this one); a processor that has
  // no use for the origin leaves it to process().
  virtual ProcessResult process_record(RecordKind kind, std::string_view payload,
                                       const RecordOrigin& /*origin*/) {
    return process(kind, payload);
  }
};

}  // namespace iiot::processing
