// The public entry points: read the file, parse the YAML document, then in order collect the
// file's values (unknown keys rejected), let environment variables replace them, type and check
// each value in force, and check what involves several keys.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/auth_validation.h"
#include "config/env_overrides.h"
#include "config/field_applier.h"
#include "config/key_error.h"
#include "config/raw_values.h"
#include "config/relations.h"
#include "config/rule_reader.h"
#include "config/schema.h"

namespace iiot::config {
namespace {

// `source` names the file in syntax errors; empty for text that did not come from a file.
Config parse_document(const std::string& yaml_text, std::string_view source, EnvLookup env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    std::ostringstream line;
    line << "config error: ";
    if (!source.empty()) {
      line << source << ": ";
    }
    line << "YAML syntax error at line " << e.mark.line + 1 << ", column " << e.mark.column + 1
         << ": " << e.msg;
    throw ConfigError(line.str());
  }

  const Schema schema;
  RawValues raw;
  if (root.IsMap()) {
    collect_file_values(root, schema, raw);
  } else if (!root.IsNull()) {
    throw ConfigError(
        "config error: the document must be a mapping with the sections websocket, kafka, "
        "processor, resume, log and auth (got " +
        describe(root) + ")");
  }
  collect_env(schema, env, raw);

  Config config;
  apply_values(raw, config);
  validate_relations(config, raw);
  config.rules = parse_rules(raw);
  validate_auth(config.auth, raw);
  return config;
}

}  // namespace

Config parse_config(const std::string& yaml_text, EnvLookup env) {
  return parse_document(yaml_text, "", env);
}

Config load_config(const std::string& path, EnvLookup env) {
  const auto cannot_read = [&](const std::string& reason) {
    return ConfigError("config error: cannot read config file " + quote(path) + ": " + reason);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw cannot_read(std::make_error_code(std::errc::is_a_directory).message());
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno != 0 ? errno : EIO;
    throw cannot_read(std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw cannot_read(std::make_error_code(std::errc::io_error).message());
  }
  return parse_document(text.str(), path, env);
}

}  // namespace iiot::config
