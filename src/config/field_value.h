// One raw value on its way into a field: knows its key path and origin (file or environment
// variable) so every error it raises names them. Internal to iiot_config.
// Borrows the path and the RawValue; lives for one field's parse, on the parsing thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "config/key_error.h"
#include "config/raw_values.h"

namespace iiot::config {

class FieldValue {
 public:
  FieldValue(std::string_view path, const RawValue& raw) : path_(path), raw_(raw) {}

  bool from_env() const { return raw_.from_env(); }
  const YAML::Node& node() const { return raw_.node; }
  const std::string& env_name() const { return raw_.env_name; }

  // The scalar text; anything else fails with "must be <expected> (got a list)".
  std::string_view scalar(std::string_view expected) const {
    if (raw_.from_env()) {
      return raw_.env_text;
    }
    if (!raw_.node.IsScalar()) {
      fail_expected(expected, describe(raw_.node));
    }
    return raw_.node.Scalar();
  }

  [[noreturn]] void fail(std::string_view message) const {
    config::fail(path_, env_name(), message);
  }

  [[noreturn]] void fail_expected(std::string_view expected, std::string_view got) const {
    fail("must be " + std::string(expected) + " (got " + std::string(got) + ")");
  }

 private:
  std::string_view path_;
  const RawValue& raw_;
};

}  // namespace iiot::config
