// Checks that involve more than one key of the sections (websocket host and path when enabled,
// TLS files when TLS is on, ping_interval below client_timeout, distinct Kafka topics), run once
// every value is in place. Internal to iiot_config.
// Pure function that throws ConfigError; thread-safe.
#pragma once

#include "config/config.h"
#include "config/raw_values.h"

namespace iiot::config {

// `raw` tells which keys came from environment variables, so errors can name them.
void validate_relations(const Config& config, const RawValues& raw);

}  // namespace iiot::config
