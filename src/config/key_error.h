// How a configuration problem is reported: one ConfigError line that names the key path (and the
// environment variable when the value came from one) and quotes the offending value.
// Internal to iiot_config. Pure functions; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace iiot::config {

// Throws ConfigError("config error: <path> (from <env_name>): <message>"); env_name may be empty.
[[noreturn]] void fail(std::string_view path, std::string_view env_name, std::string_view message);

// `text` in double quotes, control bytes escaped, cut after 80 characters.
std::string quote(std::string_view text);

// A node as an error message shows it: a quoted scalar, "a list", "a mapping", "null".
std::string describe(const YAML::Node& node);

// "a or b" for two names, "one of a, b, c" for more.
template <std::size_t N>
std::string join_choices(const std::array<std::string_view, N>& names) {
  std::string out = N == 2 ? "" : "one of ";
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) {
      out += N == 2 ? " or " : ", ";
    }
    out += names[i];
  }
  return out;
}

}  // namespace iiot::config
