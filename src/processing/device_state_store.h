// The latest known state of every device (last DeviceData seen), used to enrich alerts and for
// snapshots, and beside it the device's threshold-rule state, which lives and dies with the
// device's entry. The latest states are guarded by one shared mutex: written by the consumer
// thread, read by any thread. The rule states belong to the consumer thread alone.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/device_data.h"
#include "processing/rule_engine.h"

namespace iiot::processing {

class DeviceStateStore {
 public:
  // Shares the caller's immutable value; no copy. Returns the device's rule state, valid until
  // its entry is removed. Consumer thread only.
  DeviceRuleState& update(std::shared_ptr<const model::DeviceData> data);
  // The latest state of one device, or nullptr if never seen.
  std::shared_ptr<const model::DeviceData> find(std::string_view device_id) const;
  std::vector<std::shared_ptr<const model::DeviceData>> all() const;
  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    std::shared_ptr<const model::DeviceData> latest;
    DeviceRuleState rules;  // consumer thread only; the map's nodes keep its address stable
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> devices_;
};

}  // namespace iiot::processing
