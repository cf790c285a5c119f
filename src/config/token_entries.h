// auth.tokens: a list of {name, sha256, scope} entries, names unique, digests 64 hex digits
// (stored in lower case), scopes with the filter's keys. Every error names
// auth.tokens[<index>].<key>. Internal to iiot_config.
// Pure function that throws ConfigError; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

#include "config/config.h"

namespace iiot::config {

// `node` is the file's value at `path`; null is the empty list.
std::vector<TokenConfig> read_tokens(std::string_view path, const YAML::Node& node);

}  // namespace iiot::config
