// The processing step between Kafka and the push layer (the seed's MessageProcessor).
// process() and end_of_batch() are called on the consumer thread only, one record at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/device_data.h"
#include "model/record_position.h"

namespace iiot::processing {

enum class RecordKind { kDeviceData, kAlert };

// A record that passed validation, with an alert's device_type/location already enriched, or an
// alert that processing derived from such a record (a threshold rule's).
struct ProcessedEvent {
  std::variant<model::DeviceData, model::Alert> value;
  model::RecordPosition position;  // the Kafka record it is or came from
  // 0 for the record's own event; n for the n-th event derived from it (model::format_position).
  std::uint32_t derived = 0;

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

  // Alerts that processing raised because of the record (threshold rules), to be pushed after
  // the event, in this order.
  const std::vector<std::shared_ptr<const ProcessedEvent>>& derived() const { return derived_; }
  void add_derived(std::shared_ptr<const ProcessedEvent> event) {
    derived_.push_back(std::move(event));
  }

 private:
  std::shared_ptr<const ProcessedEvent> event_;
  std::vector<std::shared_ptr<const ProcessedEvent>> derived_;
  std::string error_;
};

class MessageProcessor {
 public:
  virtual ~MessageProcessor() = default;
  // Validates and processes one record value read at position. Never throws for bad input: a
  // rejected result carries the reason. May block (back-pressure) but never on a client socket.
  virtual ProcessResult process(RecordKind kind, std::string_view payload,
                                const model::RecordPosition& position) = 0;

  // The caller has no more records ready now (the consumer's poll came back empty) and may
  // block: whatever process() held back to hand on together goes on now. A processor that holds
  // nothing back ignores it.
  virtual void end_of_batch() {}

  // A record without a Kafka position. Implementations add `using MessageProcessor::process;`.
  ProcessResult process(RecordKind kind, std::string_view payload) {
    return process(kind, payload, model::RecordPosition{});
  }
};

}  // namespace iiot::processing
