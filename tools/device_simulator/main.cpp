// bin/device_simulator: a fleet of simulated industrial devices producing telemetry and alerts to
// Kafka in the gateway's record format (CONTRACT sections 1 and 5). See --help.
#include <cstdint>
#include <exception>
#include <iostream>
#include <random>
#include <stop_token>
#include <variant>

#include "kafka_producer.h"
#include "signal_watcher.h"
#include "simulation.h"
#include "simulation_report.h"
#include "simulator_options.h"

namespace {

using iiot::simulator::SimulatorOptions;

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
}

void print_banner(const SimulatorOptions& options, std::uint64_t seed) {
  std::cerr << "device_simulator: " << options.devices << " devices, ";
  if (options.rate > 0) {
    std::cerr << options.rate << " records/s";
  } else {
    std::cerr << "records as fast as possible";
  }
  std::cerr << ", " << options.alert_rate << " alerts/s";
  if (options.invalid_ratio > 0) std::cerr << ", " << options.invalid_ratio * 100 << "% invalid";
  std::cerr << " -> " << options.topic_data << ", " << options.topic_alerts << " at "
            << options.brokers << "; seed " << seed << "; until ";
  if (options.count > 0) std::cerr << options.count << " records, ";
  if (options.duration.count() > 0) std::cerr << options.duration.count() << " ms, ";
  std::cerr << "Ctrl-C\n";
}

}  // namespace

int main(int argc, char** argv) {
  namespace sim = iiot::simulator;
  const auto parsed = sim::parse_command_line(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const auto& options = std::get<SimulatorOptions>(parsed);
  const std::uint64_t seed = options.seed.value_or(random_seed());

  try {
    std::stop_source stop;
    std::stop_source abandon;
    // First signal: stop sending, deliver what is queued, print the summary. Second: give up.
    const bool quiet = options.verbosity == sim::Verbosity::kQuiet;
    const sim::SignalWatcher watcher([&](int /*signal*/, int count) {
      if (count > 1) {
        if (!quiet) std::cerr << "device_simulator: abandoning undelivered records\n";
        abandon.request_stop();
      } else if (!quiet) {
        std::cerr << "device_simulator: stopping\n";
      }
      stop.request_stop();
    });

    sim::KafkaProducer producer(sim::ProducerSettings{options.brokers, options.properties});
    if (!quiet) print_banner(options, seed);
    sim::Simulation simulation(options, seed, producer, stop.get_token(), abandon.get_token());
    const sim::SimulationSummary summary = simulation.run();

    std::cout << sim::format_summary(summary) << std::endl;
    if (!summary.delivery.first_error.empty()) {
      std::cerr << "device_simulator: " << summary.delivery.failed
                << " records not delivered; first error: " << summary.delivery.first_error << '\n';
    }
    return sim::all_delivered(summary) ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "device_simulator: " << error.what() << '\n';
    return 1;
  }
}
