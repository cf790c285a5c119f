#include "config/raw_values.h"

#include <set>

#include "config/key_error.h"

namespace iiot::config {
namespace {

void collect_mapping(const YAML::Node& mapping, std::string_view prefix, const Schema& schema,
                     RawValues& raw) {
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : mapping) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      fail(prefix.empty() ? "top level" : prefix, "",
           "keys must be plain names (got " + describe(key) + ")");
    }
    const std::string path = child_path(prefix, key.Scalar());
    if (!seen.insert(key.Scalar()).second) {
      fail(path, "", "duplicate key");
    }
    const bool section = schema.is_section(path);
    if (path == kRulesKey || (!section && schema.is_key(path))) {
      raw[path].node = value;  // a value, or rules: a list of mappings read by parse_rules()
    } else if (section) {
      if (value.IsNull()) {
        continue;  // "websocket:" with every key commented out
      }
      if (!value.IsMap()) {
        fail(path, "", "must be a mapping of keys (got " + describe(value) + ")");
      }
      collect_mapping(value, path, schema, raw);
    } else if (const auto suggestion = schema.suggest(prefix, key.Scalar())) {
      fail(path, "", "unknown key (did you mean " + *suggestion + "?)");
    } else {
      fail(path, "", "unknown key");
    }
  }
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string_view env_source(const RawValues& raw, std::string_view path) {
  const auto it = raw.find(path);
  return it == raw.end() ? std::string_view{} : std::string_view(it->second.env_name);
}

void collect_file_values(const YAML::Node& root, const Schema& schema, RawValues& raw) {
  collect_mapping(root, "", schema, raw);
}

}  // namespace iiot::config
