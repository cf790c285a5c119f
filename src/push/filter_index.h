// An inverted index from filter values to subscribers, so an event finds its matching clients
// without a scan of every client. Each filter is indexed under exactly one dimension, its most
// selective non-empty list (device ids, then locations, then device types; else the "wildcard"
// list), so an event visits only the entries keyed by its own device id, location and type plus
// the wildcard groups, and each subscriber at most once.
// The common case, a filter on that one dimension alone, needs no check per event: such
// subscribers sit directly in flat per-key lists. Other filters are grouped (identical filters
// share one group) and each group's filter is checked once per event.
// Not thread-safe: each PushShard owns one and uses it on its own thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "model/filter.h"

namespace iiot::push {

template <typename Subscriber>
class FilterIndex {
 public:
  // Adds a subscriber with this filter, or moves it there.
  void set(Subscriber* subscriber, const model::Filter& filter) {
    remove(subscriber);
    if (auto [map, keys] = home(filter); map != nullptr && key_only(filter)) {
      for (const std::string& key : *keys) (*map)[key].direct.push_back(subscriber);
      direct_of_.emplace(subscriber, filter);
      return;
    }
    auto [it, inserted] = groups_.try_emplace(filter);
    Group& group = it->second;
    if (inserted) {
      group.filter = &it->first;
      link(group);
    }
    group.members.push_back(subscriber);
    group_of_[subscriber] = &group;
  }

  void remove(Subscriber* subscriber) {
    if (auto direct = direct_of_.find(subscriber); direct != direct_of_.end()) {
      auto [map, keys] = home(direct->second);
      for (const std::string& key : *keys) {
        auto it = map->find(std::string_view(key));
        erase_from(it->second.direct, subscriber);
        if (it->second.direct.empty() && it->second.groups.empty()) map->erase(it);
      }
      direct_of_.erase(direct);
      return;
    }
    auto found = group_of_.find(subscriber);
    if (found == group_of_.end()) return;
    Group* group = found->second;
    group_of_.erase(found);
    auto& members = group->members;
    for (auto& m : members) {
      if (m == subscriber) {
        m = members.back();
        members.pop_back();
        break;
      }
    }
    if (members.empty()) {
      unlink(*group);
      groups_.erase(*group->filter);
    }
  }

  // Calls visit(subscriber) for every subscriber whose filter matches the event.
  template <typename Visit>
  void for_each_match(model::MessageType type, std::string_view device_id,
                      std::string_view device_type, std::string_view location,
                      model::Severity severity, Visit&& visit) const {
    auto visit_groups = [&](const std::vector<Group*>& groups) {
      for (const Group* group : groups) {
        if (!group->filter->matches(type, device_id, device_type, location, severity)) continue;
        for (Subscriber* s : group->members) visit(s);
      }
    };
    auto visit_key = [&](const KeyMap& map, std::string_view key) {
      if (map.empty()) return;
      auto it = map.find(key);
      if (it == map.end()) return;
      for (Subscriber* s : it->second.direct) visit(s);
      visit_groups(it->second.groups);
    };
    visit_key(by_device_id_, device_id);
    visit_key(by_location_, location);
    visit_key(by_device_type_, device_type);
    visit_groups(wildcard_);
  }

  std::size_t subscriber_count() const { return group_of_.size() + direct_of_.size(); }
  std::size_t group_count() const { return groups_.size(); }

 private:
  struct Group {
    const model::Filter* filter = nullptr;  // the key of this group in groups_
    std::vector<Subscriber*> members;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct KeyEntry {
    std::vector<Subscriber*> direct;  // filters on this dimension alone
    std::vector<Group*> groups;       // filters with further constraints
  };
  using KeyMap = std::unordered_map<std::string, KeyEntry, Hash, std::equal_to<>>;

  // Only the home dimension is constrained, so a key hit is a match.
  static bool key_only(const model::Filter& f) {
    const int lists = !f.device_ids.empty() + !f.locations.empty() + !f.device_types.empty();
    return lists == 1 && f.alert_levels.empty() && f.types.empty();
  }

  // The dimension a group is indexed under, and its keys.
  std::pair<KeyMap*, const std::vector<std::string>*> home(const model::Filter& f) {
    if (!f.device_ids.empty()) return {&by_device_id_, &f.device_ids};
    if (!f.locations.empty()) return {&by_location_, &f.locations};
    if (!f.device_types.empty()) return {&by_device_type_, &f.device_types};
    return {nullptr, nullptr};
  }

  void link(Group& group) {
    auto [map, keys] = home(*group.filter);
    if (map == nullptr) {
      wildcard_.push_back(&group);
      return;
    }
    for (const std::string& key : *keys) (*map)[key].groups.push_back(&group);
  }

  template <typename T>
  static void erase_from(std::vector<T*>& items, const T* item) {
    for (auto& i : items) {
      if (i == item) {
        i = items.back();
        items.pop_back();
        return;
      }
    }
  }

  void unlink(const Group& group) {
    auto [map, keys] = home(*group.filter);
    if (map == nullptr) {
      erase_from(wildcard_, &group);
      return;
    }
    for (const std::string& key : *keys) {
      auto it = map->find(std::string_view(key));
      if (it == map->end()) continue;
      erase_from(it->second.groups, &group);
      if (it->second.groups.empty() && it->second.direct.empty()) map->erase(it);
    }
  }

  struct FilterLess {
    bool operator()(const model::Filter& a, const model::Filter& b) const {
      return std::tie(a.device_ids, a.device_types, a.locations, a.alert_levels, a.types) <
             std::tie(b.device_ids, b.device_types, b.locations, b.alert_levels, b.types);
    }
  };

  std::map<model::Filter, Group, FilterLess> groups_;  // node-based: Group addresses are stable
  std::unordered_map<Subscriber*, Group*> group_of_;
  std::unordered_map<Subscriber*, model::Filter> direct_of_;
  KeyMap by_device_id_;
  KeyMap by_location_;
  KeyMap by_device_type_;
  std::vector<Group*> wildcard_;
};

}  // namespace iiot::push
