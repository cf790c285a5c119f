// The latest known state of every device (its last device_data event, with the record's
// position), used to enrich alerts and for snapshots (CONTRACT section 8), and beside it the
// device's threshold-rule state, which lives and dies with the device's entry. A device not seen
// for `ttl` is evicted (its rule state with it), so the store holds only devices that sent within
// the TTL; its size and an estimate of its bytes are published for /stats.
// The map and the latest states are guarded by one shared mutex: written by the consumer thread,
// read by any thread. The rule states belong to the consumer thread alone.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/device_data.h"
#include "processing/message_processor.h"
#include "processing/rule_engine.h"

namespace iiot::processing {

class DeviceStateStore {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DeviceStateStore(std::chrono::milliseconds ttl = std::chrono::hours(24)) : ttl_(ttl) {}

  // Records a device_data event as its device's latest state (shares it; no copy). An event
  // older (by offset in the same partition) than the stored one, read again after a rebalance or
  // a restart, leaves the state as it is. Evicts expired devices at most once per second of
  // `now`. Returns the device's rule state, valid until its entry is evicted. Consumer thread
  // only.
  DeviceRuleState& update(std::shared_ptr<const ProcessedEvent> event,
                          Clock::time_point now = Clock::now());
  // The latest state of one device, or nullptr if never seen (or expired).
  std::shared_ptr<const model::DeviceData> find(std::string_view device_id) const;
  // The latest device_data event of every device.
  std::vector<std::shared_ptr<const ProcessedEvent>> all() const;
  std::size_t size() const;
  // Estimated heap bytes held by the stored states.
  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Drops devices last seen before now - ttl, with their rule states. Consumer thread only.
  void evict_expired(Clock::time_point now);

  static std::size_t estimate_bytes(const model::DeviceData& data);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    std::shared_ptr<const ProcessedEvent> event;
    Clock::time_point seen;
    std::size_t bytes = 0;
    DeviceRuleState rules;  // consumer thread only; the map's nodes keep its address stable
  };

  const std::chrono::milliseconds ttl_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> devices_;  // guarded by mutex_
  Clock::time_point last_eviction_{};                                      // guarded by mutex_
  std::atomic<std::size_t> bytes_{0};
};

}  // namespace iiot::processing
