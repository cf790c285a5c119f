// Values as read, before they are typed and checked: each known key path of the file (or the
// `rules:` list) mapped to its YAML node, or to the text of the environment variable that
// replaces it. Reading the file rejects unknown keys (suggesting the closest known name),
// duplicate keys and sections that are not mappings. Internal to iiot_config.
// Plain values, built and read on one thread during parsing.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "config/schema.h"

namespace iiot::config {

// NOLINTNEXTLINE(bugprone-exception-escape): YAML::Node's assignment is not noexcept
struct RawValue {
  YAML::Node node;       // when the value came from the file
  std::string env_text;  // when the value came from the environment
  std::string env_name;  // the variable's name; empty for a file value
  bool from_env() const { return !env_name.empty(); }
};

using RawValues = std::map<std::string, RawValue, std::less<>>;

// "parent.key", or "key" at the top level.
std::string child_path(std::string_view parent, std::string_view key);

// The variable that set `path`, for error messages; empty when the file (or the default) did.
std::string_view env_source(const RawValues& raw, std::string_view path);

// Adds every key of the document's top-level mapping `root` to `raw`. Throws ConfigError.
void collect_file_values(const YAML::Node& root, const Schema& schema, RawValues& raw);

}  // namespace iiot::config
