// The `rules:` list (CONTRACT section 10): each entry's keys read and checked, names unique.
// Every error names rules[<index>].<key>. Rules come from the file only (no environment
// variables). Internal to iiot_config.
// Pure function that throws ConfigError; thread-safe.
#pragma once

#include <vector>

#include "config/config.h"
#include "config/raw_values.h"

namespace iiot::config {

// The rules in file order; none when the file has no `rules:` or it is null.
std::vector<RuleConfig> parse_rules(const RawValues& raw);

}  // namespace iiot::config
