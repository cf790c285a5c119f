// Checks of single text values: the TextRule of a string key (non-empty, URL path, Kafka topic
// name) and SHA-256 digests (auth tokens and admin tokens). Internal to iiot_config.
// Pure functions that throw ConfigError; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "config/field_value.h"
#include "config/schema.h"

namespace iiot::config {

void check_text(const FieldValue& field, std::string_view text, TextRule rule);

// A SHA-256 digest as 64 hex digits, returned in lower case; otherwise fails at `path`.
std::string sha256_hex_at(std::string_view path, std::string_view text,
                          std::string_view env_name = {});

}  // namespace iiot::config
