#include "config/env_overrides.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace iiot::config {
namespace {

std::string env_name_for(std::string_view path) {
  std::string name = "IIOT_";
  for (const char c : path) {
    name += c == '.' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return name;
}

const char* real_getenv(const char* name) {
  return std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read once at start-up
}

}  // namespace

void collect_env(const Schema& schema, EnvLookup env, RawValues& raw) {
  if (env == nullptr) {
    env = &real_getenv;
  }
  for (const auto& [path, shape] : schema.keys()) {
    if (shape == Shape::kMapping || shape == Shape::kEntries) {
      continue;  // no unambiguous variable name for "fetch.wait.max.ms"-like or structured entries
    }
    std::string name = env_name_for(path);
    if (const char* value = env(name.c_str()); value != nullptr) {
      raw[path] = RawValue{YAML::Node(), value, std::move(name)};
    }
  }
}

}  // namespace iiot::config
