// EventInjector: the stand-in for the Kafka consumer thread in bench_gateway. It hands
// device-data records to the WebSocketIntegratedProcessor, as KafkaConsumer does, at a fixed
// rate (events/s, paced against an ideal schedule so a late event is followed at once by the
// next) or, with rate 0, as fast as the fan-out drains: it then waits while the DataPusher's
// input queue is three-quarters full, so records are not decoded only to be refused.
// run() occupies the calling thread; injected() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "gateway/record_factory.h"
#include "processing/message_processor.h"
#include "push/data_pusher.h"

namespace iiot::bench {

class EventInjector {
 public:
  EventInjector(processing::MessageProcessor& processor, const push::DataPusher& pusher,
                const DeviceFleet& fleet, double rate);

  void run(std::chrono::steady_clock::time_point until);

  std::uint64_t injected() const { return injected_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  std::uint64_t paced_waits() const { return paced_waits_.load(std::memory_order_relaxed); }

 private:
  processing::MessageProcessor& processor_;
  const push::DataPusher& pusher_;
  RecordFactory records_;
  const double rate_;
  std::uint64_t seq_ = 0;
  std::atomic<std::uint64_t> injected_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> paced_waits_{0};
};

}  // namespace iiot::bench
