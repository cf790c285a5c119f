#include "config/rule_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "config/ascii_text.h"
#include "config/duration_values.h"
#include "config/key_error.h"
#include "config/schema.h"
#include "config/value_names.h"

namespace iiot::config {
namespace {

// Reads one entry of `rules:`; every error names rules[<index>].<key>.
class RuleReader {
 public:
  RuleReader(const YAML::Node& node, std::size_t index)
      : node_(node), prefix_(std::string(kRulesKey) + "[" + std::to_string(index) + "]") {}

  RuleConfig read() const {
    if (!node_.IsMap()) {
      fail(prefix_, "",
           "must be a mapping with name, sensor, op, value, severity and title (got " +
               describe(node_) + ")");
    }
    constexpr std::array<std::string_view, 12> kKeys{
        "name",  "device_ids", "device_types",     "locations", "sensor", "op",
        "value", "for",        "clear_hysteresis", "severity",  "title",  "description"};
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : node_) {
      if (!entry.first.IsScalar()) {
        fail(prefix_, "", "keys must be plain names (got " + describe(entry.first) + ")");
      }
      const std::string& key = entry.first.Scalar();
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        fail(path(key), "", "unknown key (a rule has " + join_keys(kKeys) + ")");
      }
      if (!seen.insert(key).second) {
        fail(path(key), "", "duplicate key");
      }
    }

    RuleConfig rule;
    rule.name = required_text("name");
    rule.device_ids = list("device_ids");
    rule.device_types = list("device_types");
    rule.locations = list("locations");
    rule.sensor = required_text("sensor");
    {
      const std::string text = scalar(required("op"), "op", "one of > >= < <= == !=");
      const auto op = std::find_if(kRuleOps.begin(), kRuleOps.end(),
                                   [&](const auto& entry) { return entry.first == text; });
      if (op == kRuleOps.end()) {
        fail(path("op"), "", "must be one of > >= < <= == != (got " + quote(text) + ")");
      }
      rule.op = op->second;
    }
    rule.value = number(required("value"), "value");
    if (const YAML::Node n = node_["for"]; n) {
      rule.hold = hold(n);
    }
    if (const YAML::Node n = node_["clear_hysteresis"]; n) {
      rule.clear_hysteresis = number(n, "clear_hysteresis");
      if (rule.clear_hysteresis < 0) {
        fail(path("clear_hysteresis"), "", "must be >= 0 (got " + n.Scalar() + ")");
      }
    }
    {
      const std::string text = scalar(required("severity"), "severity", join_choices(kSeverities));
      if (std::find(kSeverities.begin(), kSeverities.end(), text) == kSeverities.end()) {
        fail(path("severity"), "",
             "must be " + join_choices(kSeverities) + " (got " + quote(text) + ")");
      }
      rule.severity = text;
    }
    rule.title = required_text("title");
    if (const YAML::Node n = node_["description"]; n && !n.IsNull()) {
      rule.description = scalar(n, "description", "a string");
    }
    return rule;
  }

  std::string path(std::string_view key) const { return prefix_ + "." + std::string(key); }

 private:
  template <std::size_t N>
  static std::string join_keys(const std::array<std::string_view, N>& keys) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
      out += i == 0 ? "" : ", ";
      out += keys[i];
    }
    return out;
  }

  YAML::Node required(std::string_view key) const {
    YAML::Node n = node_[std::string(key)];
    if (!n || n.IsNull()) {
      fail(path(key), "", "required");
    }
    return n;
  }

  std::string scalar(const YAML::Node& n, std::string_view key, std::string_view expected) const {
    if (!n.IsScalar()) {
      fail(path(key), "", "must be " + std::string(expected) + " (got " + describe(n) + ")");
    }
    return n.Scalar();
  }

  std::string required_text(std::string_view key) const {
    std::string text = scalar(required(key), key, "a string");
    if (text.empty()) {
      fail(path(key), "", "must not be empty");
    }
    return text;
  }

  double number(const YAML::Node& n, std::string_view key) const {
    const std::string text = scalar(n, key, "a number");
    const std::string_view t = trim(text);
    const char* begin = t.data();
    if (!t.empty() && t.front() == '+') {
      ++begin;
    }
    double parsed = 0;
    const auto [end, ec] = std::from_chars(begin, t.data() + t.size(), parsed);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(parsed)) {
      fail(path(key), "", "must be a number (got " + quote(text) + ")");
    }
    return parsed;
  }

  Duration hold(const YAML::Node& n) const {
    const std::string text = scalar(n, "for", "a duration such as 0s, 30s or 5m");
    if (!text.empty() && text.front() == '-') {
      fail(path("for"), "", "must not be negative (got " + quote(text) + ")");
    }
    const auto parsed = read_duration(text);
    if (const auto* duration = std::get_if<Duration>(&parsed)) {
      return *duration;
    }
    if (std::get<DurationError>(parsed) == DurationError::kInvalid) {
      fail(path("for"), "", invalid_duration_message(text));
    }
    fail(path("for"), "", "must be a whole number of milliseconds (got " + quote(text) + ")");
  }

  std::vector<std::string> list(std::string_view key) const {
    const YAML::Node n = node_[std::string(key)];
    std::vector<std::string> items;
    if (!n || n.IsNull()) {
      return items;
    }
    if (!n.IsSequence()) {
      fail(path(key), "", "must be a list of strings (got " + describe(n) + ")");
    }
    for (const auto& item : n) {
      const std::string item_path = path(key) + "[" + std::to_string(items.size()) + "]";
      if (!item.IsScalar()) {
        fail(item_path, "", "must be a string (got " + describe(item) + ")");
      }
      if (item.Scalar().empty()) {
        fail(item_path, "", "must not be empty");
      }
      items.push_back(item.Scalar());
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return items;
  }

  YAML::Node node_;  // a handle: node[i] is a temporary
  std::string prefix_;
};

}  // namespace

std::vector<RuleConfig> parse_rules(const RawValues& raw) {
  std::vector<RuleConfig> rules;
  const auto it = raw.find(kRulesKey);
  if (it == raw.end() || it->second.node.IsNull()) {
    return rules;
  }
  const YAML::Node& node = it->second.node;
  if (!node.IsSequence()) {
    fail(kRulesKey, "", "must be a list of rules (got " + describe(node) + ")");
  }
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (std::size_t i = 0; i < node.size(); ++i) {
    RuleReader reader(node[i], i);
    RuleConfig rule = reader.read();
    if (const auto [at, inserted] = index_of.emplace(rule.name, i); !inserted) {
      fail(reader.path("name"), "",
           "must be unique (got " + quote(rule.name) + ", also rules[" +
               std::to_string(at->second) + "].name)");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace iiot::config
