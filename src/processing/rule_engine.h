// RuleEngine: the threshold rules of the configuration (CONTRACT section 10), compiled once at
// start and evaluated against every accepted device_data record, in Kafka order per device.
//
// A rule watches one sensor of the devices its matchers select (filter semantics). Its condition
// `value <op> limit` must hold on consecutive records of a device for `for` (measured on the
// records' own timestamps, never the wall clock) before it fires: an alert of the rule's
// severity, title and description, "source":"rule". It then stays active, without firing again,
// until the value is back past the limit by clear_hysteresis (for > and >=: value below
// limit - h; for < and <=: above limit + h; for ==: farther than h from the limit; for !=: within
// h of it), which raises an info alert titled "<title> cleared". Alert ids are made of the rule,
// the device and the Kafka position of the record that fired or cleared, so every instance reading
// the same topics makes the same ids.
//
// Cost: rules are indexed by sensor name, so a record pays one hash lookup per sensor reading and
// touches only the rules of the sensors it carries; a rule's state per device is a few bytes in a
// DeviceRuleState that the caller keeps with the device (see DeviceStateStore).
// The engine is immutable after construction and safe to share; evaluate() mutates only the
// DeviceRuleState it is given, so one device's state is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "model/device_data.h"
#include "model/filter.h"
#include "processing/message_processor.h"

namespace iiot::processing {

// What the rules remember about one device: the rules whose condition currently holds (pending
// since a record time, or active). Rules at rest take no room.
class DeviceRuleState {
 public:
  bool empty() const { return entries_.empty(); }

 private:
  friend class RuleEngine;
  struct Entry {
    std::uint32_t rule = 0;
    bool active = false;        // fired and not yet cleared
    std::int64_t since_us = 0;  // record time at which the condition began to hold (pending)
  };
  std::vector<Entry> entries_;
};

class RuleEngine {
 public:
  RuleEngine() = default;
  explicit RuleEngine(const std::vector<config::RuleConfig>& rules);

  bool empty() const { return rules_.empty(); }
  std::size_t size() const { return rules_.size(); }

  // Evaluates the rules on the sensors of data, updating state, and appends the alerts raised or
  // cleared to out (ids from position). Returns the number appended.
  std::size_t evaluate(const model::DeviceData& data, const model::RecordPosition& position,
                       DeviceRuleState& state, std::vector<model::Alert>& out) const;

 private:
  enum class Placeholder : std::uint8_t {
    kNone,
    kDeviceId,
    kDeviceType,
    kLocation,
    kSensor,
    kValue,
    kUnit,
    kLimit,
    kRule
  };
  struct Segment {
    std::string literal;
    Placeholder placeholder = Placeholder::kNone;  // written after literal
  };
  struct Rule {
    std::string name;
    model::Filter matcher;  // device_ids / device_types / locations
    config::RuleOp op = config::RuleOp::kGreater;
    double limit = 0.0;
    std::int64_t hold_us = 0;
    double hysteresis = 0.0;
    model::Severity severity = model::Severity::kInfo;
    std::string title;
    std::string cleared_title;
    std::vector<Segment> description;
    std::string limit_text;
  };
  enum class Transition : std::uint8_t { kFired, kCleared };

  static std::vector<Segment> compile_template(std::string_view text);
  static bool holds(const Rule& rule, double value);
  static bool holds_with_hysteresis(const Rule& rule, double value);
  model::Alert make_alert(const Rule& rule, Transition transition, const model::DeviceData& data,
                          const model::SensorReading& reading,
                          const model::RecordPosition& position) const;
  static std::string expand(const Rule& rule, const model::DeviceData& data,
                            const model::SensorReading& reading);

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Rule> rules_;
  std::unordered_map<std::string, std::vector<std::uint32_t>, Hash, std::equal_to<>> by_sensor_;
};

}  // namespace iiot::processing
