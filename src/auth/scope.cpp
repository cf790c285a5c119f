#include "auth/scope.h"

#include <algorithm>
#include <iterator>

namespace iiot::auth {
namespace {

// Both lists are sorted and free of duplicates (model::Filter's invariant). false when a
// non-empty scope list and a non-empty request have nothing in common.
template <typename T>
bool narrow_list(const std::vector<T>& requested, const std::vector<T>& allowed,
                 std::vector<T>& out) {
  if (allowed.empty()) {
    out = requested;
    return true;
  }
  if (requested.empty()) {
    out = allowed;
    return true;
  }
  out.clear();
  std::set_intersection(requested.begin(), requested.end(), allowed.begin(), allowed.end(),
                        std::back_inserter(out));
  return !out.empty();
}

template <typename T>
void sort_unique(std::vector<T>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

}  // namespace

std::optional<model::Filter> narrow(const model::Filter& requested, const Scope& scope) {
  model::Filter out;
  if (narrow_list(requested.device_ids, scope.device_ids, out.device_ids) &&
      narrow_list(requested.device_types, scope.device_types, out.device_types) &&
      narrow_list(requested.locations, scope.locations, out.locations) &&
      narrow_list(requested.alert_levels, scope.alert_levels, out.alert_levels) &&
      narrow_list(requested.types, scope.types, out.types)) {
    // How to deliver, and whether to resume or take a snapshot, are the client's choice, not a
    // scope's; what a replay or a snapshot sends is narrowed like the live stream.
    out.delivery = requested.delivery;
    out.resume = requested.resume;
    out.snapshot = requested.snapshot;
    return out;
  }
  return std::nullopt;
}

Scope scope_from_config(const config::ScopeConfig& scope) {
  Scope out;
  out.device_ids = scope.device_ids;
  out.device_types = scope.device_types;
  out.locations = scope.locations;
  for (const std::string& level : scope.alert_levels) {
    if (const auto severity = model::parse_severity(level)) out.alert_levels.push_back(*severity);
  }
  for (const std::string& type : scope.types) {
    if (const auto parsed = model::parse_message_type(type)) out.types.push_back(*parsed);
  }
  sort_unique(out.device_ids);
  sort_unique(out.device_types);
  sort_unique(out.locations);
  sort_unique(out.alert_levels);
  sort_unique(out.types);
  return out;
}

}  // namespace iiot::auth
