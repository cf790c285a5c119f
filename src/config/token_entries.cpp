#include "config/token_entries.h"

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "config/key_error.h"
#include "config/raw_values.h"
#include "config/value_checks.h"
#include "config/value_names.h"

namespace iiot::config {
namespace {

std::string scalar_at(const std::string& path, const YAML::Node& node) {
  if (!node.IsScalar()) {
    fail(path, "", "must be a string (got " + describe(node) + ")");
  }
  return node.Scalar();
}

std::vector<std::string> names_at(const std::string& path, const YAML::Node& node,
                                  std::span<const std::string_view> allowed) {
  std::vector<std::string> items;
  if (node.IsNull()) {
    return items;
  }
  if (!node.IsSequence()) {
    fail(path, "", "must be a list of strings (got " + describe(node) + ")");
  }
  for (const auto& item : node) {
    const std::string item_path = path + "[" + std::to_string(items.size()) + "]";
    std::string text = scalar_at(item_path, item);
    if (text.empty()) {
      fail(item_path, "", "must not be empty");
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      std::string choices;
      for (const auto name : allowed) {
        choices += choices.empty() ? "one of " : ", ";
        choices += name;
      }
      fail(item_path, "", "must be " + choices + " (got " + quote(text) + ")");
    }
    items.push_back(std::move(text));
  }
  return items;
}

ScopeConfig scope_entry(const std::string& path, const YAML::Node& node) {
  ScopeConfig scope;
  if (node.IsNull()) {
    return scope;
  }
  if (!node.IsMap()) {
    fail(path, "", "must be a mapping of filter lists (got " + describe(node) + ")");
  }
  const std::array<std::pair<std::string_view, std::vector<std::string>*>, 5> keys{{
      {"device_ids", &scope.device_ids},
      {"device_types", &scope.device_types},
      {"locations", &scope.locations},
      {"alert_levels", &scope.alert_levels},
      {"types", &scope.types},
  }};
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : node) {
    const std::string key = scalar_at(path, entry.first);
    const std::string key_path = child_path(path, key);
    const auto it = std::find_if(keys.begin(), keys.end(),
                                 [&](const auto& known) { return known.first == key; });
    if (it == keys.end()) {
      fail(key_path, "",
           "unknown key (a scope has device_ids, device_types, locations, "
           "alert_levels and types)");
    }
    if (!seen.insert(key).second) {
      fail(key_path, "", "duplicate key");
    }
    std::span<const std::string_view> allowed;
    if (key == "alert_levels") {
      allowed = kScopeAlertLevels;
    } else if (key == "types") {
      allowed = kScopeTypes;
    }
    *it->second = names_at(key_path, entry.second, allowed);
  }
  return scope;
}

TokenConfig token_entry(const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) {
    fail(path, "", "must be a mapping {name, sha256, scope} (got " + describe(node) + ")");
  }
  TokenConfig token;
  bool has_name = false;
  bool has_digest = false;
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : node) {
    const std::string key = scalar_at(path, entry.first);
    const std::string key_path = child_path(path, key);
    if (!seen.insert(key).second) {
      fail(key_path, "", "duplicate key");
    }
    if (key == "name") {
      token.name = scalar_at(key_path, entry.second);
      if (token.name.empty()) {
        fail(key_path, "", "must not be empty");
      }
      has_name = true;
    } else if (key == "sha256") {
      token.sha256 = sha256_hex_at(key_path, scalar_at(key_path, entry.second));
      has_digest = true;
    } else if (key == "scope") {
      token.scope = scope_entry(key_path, entry.second);
    } else {
      fail(key_path, "", "unknown key (a token has name, sha256 and scope)");
    }
  }
  if (!has_name) {
    fail(path + ".name", "", "required");
  }
  if (!has_digest) {
    fail(path + ".sha256", "", "required (the SHA-256 hex of the token)");
  }
  return token;
}

}  // namespace

std::vector<TokenConfig> read_tokens(std::string_view path, const YAML::Node& node) {
  std::vector<TokenConfig> entries;
  if (node.IsSequence()) {
    for (const auto& item : node) {
      const std::string item_path = std::string(path) + "[" + std::to_string(entries.size()) + "]";
      entries.push_back(token_entry(item_path, item));
    }
  } else if (!node.IsNull()) {
    fail(path, "", "must be a list of {name, sha256, scope} entries (got " + describe(node) + ")");
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const std::string at = std::string(path) + "[" + std::to_string(i) + "]";
      if (entries[i].name == entries[j].name) {
        fail(at + ".name", "",
             "duplicate name (got " + quote(entries[i].name) + ", also in " + std::string(path) +
                 "[" + std::to_string(j) + "])");
      }
      if (entries[i].sha256 == entries[j].sha256) {
        fail(at + ".sha256", "",
             "the same token as " + std::string(path) + "[" + std::to_string(j) + "] (" +
                 quote(entries[j].name) + ")");
      }
    }
  }
  return entries;
}

}  // namespace iiot::config
