#include "processing/device_state_store.h"

#include <mutex>
#include <utility>

namespace iiot::processing {
namespace {

constexpr std::chrono::seconds kEvictionInterval{1};
// Per stored device: the map node, the key, the shared event's control block and value.
constexpr std::size_t kEntryOverhead = 160;
constexpr std::size_t kSensorOverhead = 64;

}  // namespace

std::size_t DeviceStateStore::estimate_bytes(const model::DeviceData& data) {
  std::size_t n = kEntryOverhead + 2 * data.device_id.size() + data.device_type.size() +
                  data.location.size() + data.timestamp.size();
  for (const auto& sensor : data.sensors) {
    n += kSensorOverhead + sensor.name.size() + sensor.value_text.size() +
         (sensor.unit ? sensor.unit->size() : 0);
  }
  return n;
}

DeviceRuleState& DeviceStateStore::update(std::shared_ptr<const ProcessedEvent> event,
                                          Clock::time_point now) {
  const model::DeviceData& data = event->device_data();
  const std::size_t bytes = estimate_bytes(data);
  std::shared_ptr<const ProcessedEvent> previous;  // released after the lock
  std::unique_lock lock(mutex_);
  auto it = devices_.find(std::string_view(data.device_id));
  if (it != devices_.end()) {
    Entry& entry = it->second;
    const model::RecordPosition& stored = entry.event->position;
    const model::RecordPosition& incoming = event->position;
    // A record read again (after a rebalance or a restart) must not roll the state back.
    const bool older = stored.topic == incoming.topic && stored.partition == incoming.partition &&
                       stored.offset > incoming.offset;
    if (!older) {
      bytes_.fetch_add(bytes - entry.bytes, std::memory_order_relaxed);
      previous = std::exchange(entry.event, std::move(event));
      entry.seen = now;
      entry.bytes = bytes;
    }
  } else {
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    const std::string& id = data.device_id;
    it = devices_.emplace(id, Entry{std::move(event), now, bytes, {}}).first;
  }
  DeviceRuleState& rules = it->second.rules;
  if (now - last_eviction_ >= kEvictionInterval) {
    last_eviction_ = now;
    lock.unlock();
    evict_expired(now);  // never the entry just updated: it was seen now
  }
  return rules;
}

void DeviceStateStore::evict_expired(Clock::time_point now) {
  std::vector<std::shared_ptr<const ProcessedEvent>> expired;  // released after the lock
  std::unique_lock lock(mutex_);
  for (auto it = devices_.begin(); it != devices_.end();) {
    if (now - it->second.seen > ttl_) {
      bytes_.fetch_sub(it->second.bytes, std::memory_order_relaxed);
      expired.push_back(std::move(it->second.event));
      it = devices_.erase(it);
    } else {
      ++it;
    }
  }
}

std::shared_ptr<const model::DeviceData> DeviceStateStore::find(std::string_view device_id) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return nullptr;
  return std::shared_ptr<const model::DeviceData>(it->second.event,
                                                  &it->second.event->device_data());
}

std::vector<std::shared_ptr<const ProcessedEvent>> DeviceStateStore::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const ProcessedEvent>> out;
  out.reserve(devices_.size());
  for (const auto& [id, entry] : devices_) out.push_back(entry.event);
  return out;
}

std::size_t DeviceStateStore::size() const {
  std::shared_lock lock(mutex_);
  return devices_.size();
}

}  // namespace iiot::processing
