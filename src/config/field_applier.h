// Typing and checking the raw values of the schema's fields: each value in force (the file's, or
// the environment variable's that replaced it) is parsed by its field's type and checked by its
// rule, then stored over the default. Keys without a raw value keep their defaults.
// Internal to iiot_config. Throws ConfigError at the first bad value; runs on the parsing thread.
#pragma once

#include "config/config.h"
#include "config/raw_values.h"

namespace iiot::config {

void apply_values(const RawValues& raw, Config& config);

}  // namespace iiot::config
