// One run of the simulator: paces device-data records and alerts from the Fleet into the
// producer at the requested rates, prints progress, stops on --duration, --count or a stop
// request, then flushes and returns the summary.
// run() blocks the calling thread, which owns the Fleet and the producer for the whole run; stop
// requests arrive from other threads through the std::stop_tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>

#include "fleet.h"
#include "kafka_producer.h"
#include "record_corruptor.h"
#include "record_writer.h"
#include "simulation_report.h"
#include "simulator_options.h"

namespace iiot::simulator {

class Simulation {
 public:
  // `stop`: finish the run (flush, summary). `abandon`: also stop waiting for deliveries; what is
  // not delivered yet counts as failed. `options` and `producer` must outlive the Simulation.
  Simulation(const SimulatorOptions& options, std::uint64_t seed, KafkaProducer& producer,
             std::stop_token stop, std::stop_token abandon);

  SimulationSummary run();

 private:
  void send_device_data();
  void send_alert();
  std::optional<InvalidKind> pick_invalid(RecordStream stream);
  // Hands a record to the producer, waiting while its queue is full. False if a stop request
  // came first (the record is dropped unsent).
  bool enqueue(const std::string& topic, std::string_view key, const std::string& value);
  static void count_invalid(std::optional<InvalidKind> kind, std::uint64_t& total,
                            InvalidKindCounts& by_kind);

  const SimulatorOptions& options_;
  KafkaProducer& producer_;
  std::stop_token stop_;
  std::stop_token abandon_;
  Fleet fleet_;
  RecordWriter writer_;
  std::mt19937_64 rng_;  // invalid-record choices; the Fleet has its own
  SimulationCounters counters_;
  std::uint64_t data_seq_ = 0;
  std::uint64_t alert_seq_ = 0;
};

}  // namespace iiot::simulator
