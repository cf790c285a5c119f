#include "config/field_applier.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "config/ascii_text.h"
#include "config/duration_values.h"
#include "config/field_value.h"
#include "config/key_error.h"
#include "config/schema.h"
#include "config/token_entries.h"
#include "config/value_checks.h"
#include "config/value_names.h"

namespace iiot::config {
namespace {

// Keys that have their own configuration entry; setting them again in kafka.properties would leave
// two sources of truth for the same librdkafka property.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kManagedKafkaProperties{{
    {"bootstrap.servers", "kafka.brokers"},
    {"group.id", "kafka.group_id"},
    {"client.id", "kafka.client_id"},
    {"auto.offset.reset", "kafka.auto_offset_reset"},
}};

// The visitor of visit_fields() that parses and stores each value.
class Applier {
 public:
  explicit Applier(const RawValues& raw) : raw_(raw) {}

  template <typename T>
  void integer(std::string_view path, T& value, Range range) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("an integer");
    std::int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      field.fail_expected("an integer", quote(text));
    }
    const std::int64_t max = std::min<std::int64_t>(range.max, std::numeric_limits<T>::max());
    if (parsed < range.min || parsed > max) {
      const std::string got = " (got " + std::to_string(parsed) + ")";
      if (range.max != kUnbounded) {
        field.fail("must be " + std::to_string(range.min) + ".." + std::to_string(max) + got);
      }
      if (parsed < range.min) {
        field.fail("must be >= " + std::to_string(range.min) + got);
      }
      field.fail("must be <= " + std::to_string(max) + got);
    }
    value = static_cast<T>(parsed);
  }

  void boolean(std::string_view path, bool& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    constexpr std::string_view kExpected = "true or false";
    const std::string_view text = field.scalar(kExpected);
    const std::string folded = lower(text);
    if (folded == "true" || folded == "yes" || folded == "on" || folded == "1") {
      value = true;
    } else if (folded == "false" || folded == "no" || folded == "off" || folded == "0") {
      value = false;
    } else {
      field.fail_expected(kExpected, quote(text));
    }
  }

  void text(std::string_view path, std::string& value, TextRule rule) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("a string");
    check_text(field, text, rule);
    value = std::string(text);
  }

  template <std::size_t N>
  void text_choice(std::string_view path, std::string& value,
                   const std::array<std::string_view, N>& names) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string expected = join_choices(names);
    const std::string_view text = field.scalar(expected);
    if (std::find(names.begin(), names.end(), text) == names.end()) {
      field.fail_expected(expected, quote(text));
    }
    value = std::string(text);
  }

  template <typename E, std::size_t N>
  void choice(std::string_view path, E& value, const NameTable<E, N>& names) {
    std::string text;  // stays empty when the key is absent
    text_choice(path, text, names_of(names));
    if (!text.empty()) {
      value = std::find_if(names.begin(), names.end(), [&](const auto& e) {
                return e.first == text;
              })->second;
    }
  }

  void duration(std::string_view path, Duration& value,
                DurationRule rule = DurationRule::kPositive) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("a duration such as 500ms, 10s or 1m");
    const auto parsed = read_duration(text);
    const auto* duration = std::get_if<Duration>(&parsed);
    if (duration == nullptr) {
      if (std::get<DurationError>(parsed) == DurationError::kInvalid) {
        field.fail(invalid_duration_message(text));
      }
      field.fail_expected("a whole number of milliseconds", quote(text));
    }
    if (*duration <= Duration::zero() && rule == DurationRule::kPositive) {
      field.fail_expected("> 0", quote(text));
    }
    value = *duration;
  }

  void list(std::string_view path, std::vector<std::string>& value, ListRule rule) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    std::vector<std::string> items;
    const auto add = [&](std::string_view item) {
      if (item.empty()) {
        config::fail(std::string(path) + "[" + std::to_string(items.size()) + "]", field.env_name(),
                     "must not be empty");
      }
      items.emplace_back(item);
    };
    if (field.from_env()) {
      // Comma-separated; surrounding spaces are not part of an item; "" is the empty list.
      std::string_view rest = field.scalar("a list");
      if (!trim(rest).empty()) {
        for (auto comma = rest.find(','); true; comma = rest.find(',')) {
          add(trim(rest.substr(0, comma)));
          if (comma == std::string_view::npos) {
            break;
          }
          rest.remove_prefix(comma + 1);
        }
      }
    } else if (field.node().IsSequence()) {
      for (const auto& item : field.node()) {
        if (!item.IsScalar()) {
          config::fail(std::string(path) + "[" + std::to_string(items.size()) + "]", "",
                       "must be a string (got " + describe(item) + ")");
        }
        add(item.Scalar());
      }
    } else if (!field.node().IsNull()) {
      field.fail_expected("a list of strings", describe(field.node()));
    }
    if (rule == ListRule::kNonEmpty && items.empty()) {
      field.fail("must not be empty");
    }
    value = std::move(items);
  }

  void mapping(std::string_view path, std::map<std::string, std::string>& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const YAML::Node& node = field.node();
    std::map<std::string, std::string> entries;
    if (node.IsMap()) {
      for (const auto& entry : node) {
        if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
          field.fail("keys must be non-empty strings (got " + describe(entry.first) + ")");
        }
        const std::string& key = entry.first.Scalar();
        const std::string entry_path = std::string(path) + "[" + quote(key) + "]";
        if (!entry.second.IsScalar()) {
          config::fail(entry_path, "",
                       "must be a string, number or boolean (got " + describe(entry.second) + ")");
        }
        for (const auto& [property, owner] : kManagedKafkaProperties) {
          if (key == property) {
            config::fail(entry_path, "", "set " + std::string(owner) + " instead");
          }
        }
        if (!entries.emplace(key, entry.second.Scalar()).second) {
          config::fail(entry_path, "", "duplicate key");
        }
      }
    } else if (!node.IsNull()) {
      field.fail_expected("a mapping of strings", describe(node));
    }
    value = std::move(entries);
  }

  // auth.tokens: a list of {name, sha256, scope}; names unique, digests 64 hex digits.
  void tokens(std::string_view path, std::vector<TokenConfig>& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    value = read_tokens(path, raw->node);
  }

 private:
  const RawValue* find(std::string_view path) const {
    const auto it = raw_.find(path);
    return it == raw_.end() ? nullptr : &it->second;
  }

  const RawValues& raw_;
};

}  // namespace

void apply_values(const RawValues& raw, Config& config) {
  Applier applier(raw);
  visit_fields(config, applier);
}

}  // namespace iiot::config
