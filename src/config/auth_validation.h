// auth: admin digests checked and normalised to lower case, JWT algorithm names checked, and the
// keys each mode needs present. The key files themselves are read by auth::Authenticator.
// Internal to iiot_config. Pure function that throws ConfigError; thread-safe.
#pragma once

#include "config/config.h"
#include "config/raw_values.h"

namespace iiot::config {

// `raw` tells which keys came from environment variables, so errors can name them.
void validate_auth(AuthConfig& auth, const RawValues& raw);

}  // namespace iiot::config
