// EventInjector: the stand-in for the Kafka consumer thread in bench_gateway. It hands
// device-data records to the WebSocketIntegratedProcessor, as KafkaConsumer does, at a fixed
// rate (events/s, paced against an ideal schedule so a late event is followed at once by the
// next) or, with rate 0, as fast as the sockets drain: it then waits while the frames queued at
// clients but not yet written (GatewayStats: queued - sent - dropped) exceed max_backlog, or the
// DataPusher's input queue is three-quarters full. Without that closed loop the client queues
// would fill to max_queue_bytes and the run would measure dropping, not delivering.
// run() occupies the calling thread; injected() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "gateway/record_factory.h"
#include "observability/gateway_stats.h"
#include "processing/message_processor.h"
#include "push/data_pusher.h"

namespace iiot::bench {

class EventInjector {
 public:
  EventInjector(processing::MessageProcessor& processor, const push::DataPusher& pusher,
                const observability::GatewayStats& stats, const DeviceFleet& fleet, double rate);

  // max_backlog is used with rate 0 only.
  void run(std::chrono::steady_clock::time_point until, std::uint64_t max_backlog);

  std::uint64_t injected() const { return injected_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  std::uint64_t paced_waits() const { return paced_waits_.load(std::memory_order_relaxed); }
  // Frames queued at clients and not yet written or dropped (control frames make it a slight
  // underestimate).
  std::uint64_t backlog() const;

 private:
  processing::MessageProcessor& processor_;
  const push::DataPusher& pusher_;
  const observability::GatewayStats& stats_;
  RecordFactory records_;
  const double rate_;
  std::uint64_t seq_ = 0;
  std::atomic<std::uint64_t> injected_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> paced_waits_{0};
};

}  // namespace iiot::bench
