// What a run has done so far, the periodic progress line and the final summary line.
// Values and formatting only; ProgressReporter is used on the simulation thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "kafka_producer.h"
#include "record_corruptor.h"

namespace iiot::simulator {

using InvalidKindCounts = std::array<std::uint64_t, kInvalidKindCount>;  // indexed by InvalidKind

struct SimulationCounters {
  std::uint64_t data_sent = 0;  // device-data records handed to the producer, invalid included
  std::uint64_t data_invalid = 0;
  std::uint64_t alerts_sent = 0;  // alert records handed to the producer, invalid included
  std::uint64_t alerts_invalid = 0;
  InvalidKindCounts data_invalid_kinds{};
  InvalidKindCounts alert_invalid_kinds{};
};

enum class StopReason { kCount, kDuration, kSignal, kKafkaFatal };

struct SimulationSummary {
  SimulationCounters counters;
  DeliveryCounts delivery;
  std::chrono::steady_clock::duration sending{};   // from start to the last record enqueued
  std::chrono::steady_clock::duration flushing{};  // waiting for the last delivery reports
  StopReason stop_reason = StopReason::kSignal;
};

// A run succeeds when every record handed to the producer was delivered.
bool all_delivered(const SimulationSummary& summary);

// One key=value line, e.g. "data_sent=1000 data_invalid=10 ... failed=0 stopped_by=count
// data_invalid_kinds=not_json:3,bad_status:7"; the *_invalid_kinds keys only when non-empty.
std::string format_summary(const SimulationSummary& summary);

class ProgressReporter {
 public:
  explicit ProgressReporter(std::ostream& out) : out_(out) {}

  // "[   5.0s] data 5000 (1000.0/s, 50 invalid) alerts 25 (0 invalid) delivered 5024 failed 0
  //  in-flight 1"; the rate is over the time since the previous line.
  void report(std::chrono::steady_clock::duration elapsed, const SimulationCounters& counters,
              const DeliveryCounts& delivery, std::size_t in_flight);

 private:
  std::ostream& out_;
  std::chrono::steady_clock::duration last_elapsed_{};
  std::uint64_t last_data_sent_ = 0;
};

}  // namespace iiot::simulator
