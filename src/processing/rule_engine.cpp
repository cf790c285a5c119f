#include "processing/rule_engine.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include "text_formats/json_number_text.h"
#include "text_formats/rfc3339_parser.h"

namespace iiot::processing {
namespace {

using config::RuleOp;

std::string number_text(double value) {
  return text_formats::json_number_text(value, text_formats::NumberStyle::kShortest);
}

}  // namespace

RuleEngine::RuleEngine(const std::vector<config::RuleConfig>& rules) {
  rules_.reserve(rules.size());
  for (const config::RuleConfig& c : rules) {
    Rule rule;
    rule.name = c.name;
    rule.matcher.device_ids = c.device_ids;
    rule.matcher.device_types = c.device_types;
    rule.matcher.locations = c.locations;
    rule.op = c.op;
    rule.limit = c.value;
    rule.hold_us = std::chrono::duration_cast<std::chrono::microseconds>(c.hold).count();
    rule.hysteresis = c.clear_hysteresis;
    // The configuration has checked the name.
    rule.severity = model::parse_severity(c.severity).value_or(model::Severity::kWarning);
    rule.title = c.title;
    rule.cleared_title = c.title + " cleared";
    rule.description = compile_template(c.description);
    rule.limit_text = number_text(c.value);
    by_sensor_[c.sensor].push_back(static_cast<std::uint32_t>(rules_.size()));
    rules_.push_back(std::move(rule));
  }
}

std::vector<RuleEngine::Segment> RuleEngine::compile_template(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Placeholder>, 8> kNames{{
      {"{device_id}", Placeholder::kDeviceId},
      {"{device_type}", Placeholder::kDeviceType},
      {"{location}", Placeholder::kLocation},
      {"{sensor}", Placeholder::kSensor},
      {"{value}", Placeholder::kValue},
      {"{unit}", Placeholder::kUnit},
      {"{limit}", Placeholder::kLimit},
      {"{rule}", Placeholder::kRule},
  }};
  std::vector<Segment> segments(1);
  while (!text.empty()) {
    const auto brace = text.find('{');
    segments.back().literal.append(text.substr(0, brace));
    if (brace == std::string_view::npos) break;
    text.remove_prefix(brace);
    const auto name = std::find_if(kNames.begin(), kNames.end(), [&](const auto& entry) {
      return text.substr(0, entry.first.size()) == entry.first;
    });
    if (name == kNames.end()) {  // not a placeholder: kept as written
      segments.back().literal.push_back('{');
      text.remove_prefix(1);
      continue;
    }
    segments.back().placeholder = name->second;
    segments.emplace_back();
    text.remove_prefix(name->first.size());
  }
  return segments;
}

bool RuleEngine::holds(const Rule& rule, double value) {
  switch (rule.op) {
    case RuleOp::kGreater:
      return value > rule.limit;
    case RuleOp::kGreaterEqual:
      return value >= rule.limit;
    case RuleOp::kLess:
      return value < rule.limit;
    case RuleOp::kLessEqual:
      return value <= rule.limit;
    case RuleOp::kEqual:
      return value == rule.limit;
    case RuleOp::kNotEqual:
      return value != rule.limit;
  }
  return false;
}

// Whether an active rule stays active: its condition, with the limit moved by the hysteresis in
// the direction that makes it easier to hold.
bool RuleEngine::holds_with_hysteresis(const Rule& rule, double value) {
  const double h = rule.hysteresis;
  switch (rule.op) {
    case RuleOp::kGreater:
      return value > rule.limit - h;
    case RuleOp::kGreaterEqual:
      return value >= rule.limit - h;
    case RuleOp::kLess:
      return value < rule.limit + h;
    case RuleOp::kLessEqual:
      return value <= rule.limit + h;
    case RuleOp::kEqual:
      return std::abs(value - rule.limit) <= h;
    case RuleOp::kNotEqual:
      return std::abs(value - rule.limit) > h;
  }
  return false;
}

std::size_t RuleEngine::evaluate(const model::DeviceData& data,
                                 const model::RecordPosition& position, DeviceRuleState& state,
                                 std::vector<model::Alert>& out) const {
  if (rules_.empty()) return 0;
  const std::size_t before = out.size();
  std::optional<std::int64_t> record_us;  // parsed once, only if a pending rule needs it
  auto record_time = [&]() -> std::int64_t {
    if (!record_us) {
      const auto parsed = text_formats::parse_rfc3339(data.timestamp);
      record_us = parsed ? parsed->time_since_epoch().count() : 0;
    }
    return *record_us;
  };
  auto& entries = state.entries_;

  for (const model::SensorReading& reading : data.sensors) {
    const auto indexed = by_sensor_.find(std::string_view(reading.name));
    if (indexed == by_sensor_.end()) continue;
    for (const std::uint32_t index : indexed->second) {
      const Rule& rule = rules_[index];
      if (!rule.matcher.matches(model::MessageType::kDeviceData, data.device_id, data.device_type,
                                data.location, model::Severity::kInfo)) {
        continue;
      }
      const auto entry =
          std::find_if(entries.begin(), entries.end(),
                       [&](const DeviceRuleState::Entry& e) { return e.rule == index; });
      const bool known = entry != entries.end();

      if (known && entry->active) {
        if (!holds_with_hysteresis(rule, reading.value)) {
          out.push_back(make_alert(rule, Transition::kCleared, data, reading, position));
          entries.erase(entry);
        }
        continue;
      }
      if (!holds(rule, reading.value)) {
        if (known) entries.erase(entry);  // a pending condition broke: the wait starts over
        continue;
      }
      if (rule.hold_us == 0) {
        out.push_back(make_alert(rule, Transition::kFired, data, reading, position));
        if (known) {
          entry->active = true;
        } else {
          entries.push_back({index, true, 0});
        }
        continue;
      }
      const std::int64_t now_us = record_time();
      if (!known) {
        entries.push_back({index, false, now_us});
      } else if (now_us - entry->since_us >= rule.hold_us) {
        out.push_back(make_alert(rule, Transition::kFired, data, reading, position));
        entry->active = true;
      }
    }
  }
  return out.size() - before;
}

model::Alert RuleEngine::make_alert(const Rule& rule, Transition transition,
                                    const model::DeviceData& data,
                                    const model::SensorReading& reading,
                                    const model::RecordPosition& position) const {
  model::Alert alert;
  const bool fired = transition == Transition::kFired;
  alert.alert_id.reserve(32 + rule.name.size() + data.device_id.size() + position.topic.size());
  alert.alert_id.append(fired ? "rule:" : "rule-clear:")
      .append(rule.name)
      .append(":")
      .append(data.device_id)
      .append(":")
      .append(position.topic)
      .append(":")
      .append(std::to_string(position.partition))
      .append(":")
      .append(std::to_string(position.offset));
  alert.device_id = data.device_id;
  alert.severity = fired ? rule.severity : model::Severity::kInfo;
  alert.title = fired ? rule.title : rule.cleared_title;
  alert.description = expand(rule, data, reading);
  alert.device_type = data.device_type;
  alert.location = data.location;
  alert.timestamp = data.timestamp;
  alert.source = model::AlertSource::kRule;
  return alert;
}

std::string RuleEngine::expand(const Rule& rule, const model::DeviceData& data,
                               const model::SensorReading& reading) {
  std::string out;
  for (const Segment& segment : rule.description) {
    out.append(segment.literal);
    switch (segment.placeholder) {
      case Placeholder::kNone:
        break;
      case Placeholder::kDeviceId:
        out.append(data.device_id);
        break;
      case Placeholder::kDeviceType:
        out.append(data.device_type);
        break;
      case Placeholder::kLocation:
        out.append(data.location);
        break;
      case Placeholder::kSensor:
        out.append(reading.name);
        break;
      case Placeholder::kValue:
        if (reading.value_text.empty()) {
          out.append(number_text(reading.value));
        } else {
          out.append(reading.value_text);
        }
        break;
      case Placeholder::kUnit:
        if (reading.unit) out.append(*reading.unit);
        break;
      case Placeholder::kLimit:
        out.append(rule.limit_text);
        break;
      case Placeholder::kRule:
        out.append(rule.name);
        break;
    }
  }
  return out;
}

}  // namespace iiot::processing
