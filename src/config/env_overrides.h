// Environment overrides: IIOT_<SECTION>_<KEY> in upper case, nested keys joined by `_`
// (IIOT_WEBSOCKET_PORT, IIOT_KAFKA_TOPICS_ALERTS), for every scalar and list key of the schema.
// kafka.properties and auth.tokens have none: their entries are structured. Internal to
// iiot_config. Reads the environment through the given lookup; call during start-up only.
#pragma once

#include "config/config.h"
#include "config/raw_values.h"
#include "config/schema.h"

namespace iiot::config {

// Replaces the file's value in `raw` for every key whose variable is set. A null `env` reads the
// process environment.
void collect_env(const Schema& schema, EnvLookup env, RawValues& raw);

}  // namespace iiot::config
