#include "gateway/event_injector.h"

#include <thread>

namespace iiot::bench {

EventInjector::EventInjector(processing::MessageProcessor& processor,
                             const push::DataPusher& pusher,
                             const observability::GatewayStats& stats, const DeviceFleet& fleet,
                             double rate)
    : processor_(processor), pusher_(pusher), stats_(stats), records_(fleet), rate_(rate) {}

std::uint64_t EventInjector::backlog() const {
  const auto& push = stats_.push;
  const std::uint64_t gone = push.frames_sent.load(std::memory_order_relaxed) +
                             push.dropped_messages.load(std::memory_order_relaxed);
  const std::uint64_t queued = push.push_success_count.load(std::memory_order_relaxed);
  return queued > gone ? queued - gone : 0;
}

void EventInjector::run(std::chrono::steady_clock::time_point until, std::uint64_t max_backlog) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::size_t high_water = pusher_.queue_capacity() * 3 / 4;
  std::uint64_t sent = 0;
  for (auto now = start; now < until; now = Clock::now()) {
    if (rate_ > 0) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(sent) / rate_));
      if (due > now) {
        processor_.end_of_batch();  // as the consumer does when a poll finds nothing
        std::this_thread::sleep_until(std::min(due, until));
        continue;
      }
    } else if (pusher_.queue_depth() >= high_water || backlog() >= max_backlog) {
      paced_waits_.fetch_add(1, std::memory_order_relaxed);
      processor_.end_of_batch();
      std::this_thread::sleep_for(std::chrono::microseconds(20));
      continue;
    }
    const auto record = records_.make(seq_++, std::chrono::system_clock::now());
    const auto result =
        processor_.process(processing::RecordKind::kDeviceData, record,
                           model::RecordPosition{"bench", 0, static_cast<std::int64_t>(seq_ - 1)});
    ++sent;
    (result.ok() ? injected_ : rejected_).fetch_add(1, std::memory_order_relaxed);
  }
  processor_.end_of_batch();
}

}  // namespace iiot::bench
