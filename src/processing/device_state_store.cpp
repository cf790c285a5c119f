#include "processing/device_state_store.h"

#include <mutex>
#include <utility>

namespace iiot::processing {

DeviceRuleState& DeviceStateStore::update(std::shared_ptr<const model::DeviceData> data) {
  std::shared_ptr<const model::DeviceData> previous;  // released after the lock
  std::unique_lock lock(mutex_);
  if (auto it = devices_.find(std::string_view(data->device_id)); it != devices_.end()) {
    previous = std::exchange(it->second.latest, std::move(data));
    return it->second.rules;
  }
  const std::string& id = data->device_id;
  return devices_.emplace(id, Entry{std::move(data), {}}).first->second.rules;
}

std::shared_ptr<const model::DeviceData> DeviceStateStore::find(std::string_view device_id) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(device_id);
  return it == devices_.end() ? nullptr : it->second.latest;
}

std::vector<std::shared_ptr<const model::DeviceData>> DeviceStateStore::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const model::DeviceData>> out;
  out.reserve(devices_.size());
  for (const auto& [id, entry] : devices_) out.push_back(entry.latest);
  return out;
}

std::size_t DeviceStateStore::size() const {
  std::shared_lock lock(mutex_);
  return devices_.size();
}

}  // namespace iiot::processing
